#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <set>
#include <string>
#include <string_view>

#include "osh/auth/jwt.h"
#include "osh/core/config.h"
#include "osh/core/service_host.h"
#include "osh/service/call.h"

namespace osh::service {

// The start of every authenticated unary call on the callback API: verify the
// bearer token (the gateway checked it too, but internal ports do not trust
// blindly), refuse anonymous callers with UNAUTHENTICATED, then answer with
// what `call` returns for the verified caller.
grpc::ServerUnaryReactor* ServeAuthenticated(grpc::CallbackServerContext* ctx, const auth::TokenVerifier& verifier,
                                             std::string_view service_name,
                                             const std::function<grpc::Status(const Caller&)>& call);

// The same for calls anyone may make (published, public data): a token, when
// present, must still verify; without one `call` sees a null principal, and
// the business layer's Authorize decides what an anonymous caller gets.
grpc::ServerUnaryReactor* ServeAllowingAnonymous(grpc::CallbackServerContext* ctx,
                                                 const auth::TokenVerifier& verifier,
                                                 const std::function<grpc::Status(const Caller&)>& call);

// The gRPC face of a service, stated once for all of them: every unary method
// verifies the caller's token, and refuses anonymous callers unless the
// method's proto declares `osh.api.v1.http_policy` allow_anonymous — the same
// option the gateway reads, so whether a method is public is said in one
// place, the contract. A service's face is then one line per method:
//   OSH_GRPC_UNARY(ContentGrpcService, content_, GetArticle, v1::GetArticleRequest, v1::Article)
// where the class holds a `service::GrpcFace face_` and its business object.
class GrpcFace {
 public:
  // `service_full_name` as in the proto ("osh.content.v1.ContentService"),
  // from the generated descriptor pool; an unknown name fails the start.
  GrpcFace(std::string_view service_full_name, const auth::TokenVerifier& verifier);

  // Whether `method` (its short name, "GetArticle") accepts anonymous callers.
  bool AllowsAnonymous(std::string_view method) const;

  grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* ctx, std::string_view method,
                                  const std::function<grpc::Status(const Caller&)>& call) const;

 private:
  const auth::TokenVerifier& verifier_;
  std::string short_name_;  // "content": how UNAUTHENTICATED names the service
  std::set<std::string, std::less<>> anonymous_;
};

// One method of a face: `Class::Method` hands the call to `impl.Method(caller, request, response)`.
#define OSH_GRPC_UNARY(Class, impl, Method, Request, Response)                                              \
  grpc::ServerUnaryReactor* Class::Method(grpc::CallbackServerContext* ctx, const Request* req,             \
                                          Response* resp) {                                                 \
    return face_.Serve(ctx, #Method, [&](const ::osh::service::Caller& c) { return impl.Method(c, *req, resp); }); \
  }

// Configuration keys of token verification, shared by every service.
std::vector<core::ConfigKey> TokenConfigKeys();
// Builds the verifier from those keys: HS256 secret from a file or
// OSH_JWT_HS256_SECRET, RS256 public key from a PEM file, RS256/ES256 keys
// from a JWKS file (jwt-jwks-file); the claims required of every token from
// jwt-issuer, jwt-audience and jwt-max-lifetime-seconds. Null with *error set
// when no usable key is configured, a configured key file is unreadable or
// unusable, or a number is out of range.
std::unique_ptr<auth::TokenVerifier> TokenVerifierFromConfig(const core::Config& config, std::string* error);
// The same, kept alive by the host for the life of the process (a service's
// wiring hands it to its gRPC front). Null with *error set as above.
const auth::TokenVerifier* AdoptTokenVerifier(core::ServiceHost& host, std::string* error);

}  // namespace osh::service
