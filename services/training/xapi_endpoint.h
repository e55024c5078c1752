#pragma once

#include <string>

#include "osh/auth/jwt.h"
#include "osh/core/service_host.h"

namespace osh::training {

// The xAPI 1.0.3 LRS of the province (libs/xapi), served by osh-training on
// an HTTP port of its own beside the gRPC API — xAPI is HTTP with its own
// headers, status codes and multipart bodies, which the JSON gateway does
// not transcode. Statements and documents live in xapi.db next to
// training.db. Courseware signs in with HTTP Basic (xapi-credentials-file)
// or a platform JWT. Does nothing when xapi-address is empty.
bool StartXapiEndpoint(core::ServiceHost& host, const auth::TokenVerifier& verifier, std::string* error);

}  // namespace osh::training
