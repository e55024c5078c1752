#pragma once

#include <grpcpp/support/status.h>

#include <string>
#include <string_view>

#include "osh/http/http_server.h"

namespace osh::gateway {

// The HTTP types come from osh::http; the gateway speaks them everywhere.
using http::HttpRequest;
using http::HttpResponse;
using http::Respond;

// DESIGN.md's mapping of gRPC codes to HTTP statuses (the one google.api uses).
int HttpStatusFor(grpc::StatusCode code);

// The error body every failure has: {"code": <gRPC code>, "message", "details": [...]}.
// `details` come from the status's google.rpc.Status error details (BadRequest
// field violations and the like), rendered with their "@type".
HttpResponse ErrorResponse(const grpc::Status& status);

// A 400 naming the offending field as a google.rpc.BadRequest field violation.
HttpResponse FieldError(std::string_view field, std::string_view message);

}  // namespace osh::gateway
