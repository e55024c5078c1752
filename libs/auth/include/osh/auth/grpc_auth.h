#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "osh/auth/jwt.h"

namespace grpc {
class ServerContextBase;
}

namespace osh::auth {

// Authenticates an "Authorization" value ("Bearer <token>", scheme matched
// case-insensitively). A missing value (nullopt) is an anonymous caller:
// principal empty and error empty. Shared by gRPC services and the HTTP gateway.
VerifyResult AuthenticateBearer(std::optional<std::string_view> authorization,
                                const TokenVerifier& verifier,
                                std::chrono::system_clock::time_point now);

// The same for the `authorization` metadata of a gRPC call. More than one
// `authorization` entry is an error. Callers answer UNAUTHENTICATED with the
// error when it is set.
VerifyResult AuthenticateGrpcCall(const grpc::ServerContextBase& ctx,
                                  const TokenVerifier& verifier,
                                  std::chrono::system_clock::time_point now);

}  // namespace osh::auth
