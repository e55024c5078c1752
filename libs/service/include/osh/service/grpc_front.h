#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <string>

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
