// authenticate: who calls, from the bearer token, before anything else is done for them.
#include "osh/auth/grpc_auth.h"
#include "stages.h"

namespace osh::gateway::stages {

Authentication Authenticate(const HttpRequest& request, bool allow_anonymous, const auth::TokenVerifier& verifier,
                            std::chrono::system_clock::time_point now) {
  const auto* authorization = request.Header("authorization");
  auto identity = auth::AuthenticateBearer(
      authorization != nullptr ? std::optional<std::string_view>(*authorization) : std::nullopt, verifier, now);
  Authentication out;
  if (!identity.ok() || (!identity.principal && !allow_anonymous)) {
    auto r = ErrorResponse(grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                                        identity.ok() ? "this route needs a bearer token" : identity.error));
    r.headers.emplace_back("www-authenticate", identity.ok() ? "Bearer" : "Bearer error=\"invalid_token\"");
    out.answer = std::move(r);
    return out;
  }
  out.principal = std::move(identity.principal);
  return out;
}

}  // namespace osh::gateway::stages
