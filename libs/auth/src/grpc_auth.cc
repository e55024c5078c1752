#include "osh/auth/grpc_auth.h"

#include <grpcpp/server_context.h>

#include <cctype>
#include <iterator>

namespace osh::auth {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

VerifyResult AuthenticateBearer(std::optional<std::string_view> authorization,
                                const TokenVerifier& verifier,
                                std::chrono::system_clock::time_point now) {
  if (!authorization) return VerifyResult{};
  constexpr std::string_view kScheme = "Bearer";
  const std::string_view value = *authorization;
  const size_t space = value.find(' ');
  if (space == std::string_view::npos || !EqualsIgnoreCase(value.substr(0, space), kScheme)) {
    return VerifyResult{std::nullopt, "authorization is not a Bearer token"};
  }
  std::string_view token = value.substr(space + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return VerifyResult{std::nullopt, "authorization has an empty Bearer token"};
  return verifier.Verify(token, now);
}

VerifyResult AuthenticateGrpcCall(const grpc::ServerContextBase& ctx,
                                  const TokenVerifier& verifier,
                                  std::chrono::system_clock::time_point now) {
  const auto& metadata = ctx.client_metadata();
  const auto [first, last] = metadata.equal_range("authorization");
  if (first == last) return VerifyResult{};
  if (std::next(first) != last) {
    return VerifyResult{std::nullopt, "more than one authorization header"};
  }
  return AuthenticateBearer(std::string_view(first->second.data(), first->second.size()), verifier,
                            now);
}

}  // namespace osh::auth
