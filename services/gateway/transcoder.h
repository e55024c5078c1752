#pragma once

#include <google/protobuf/message.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "route_table.h"

namespace osh::gateway {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Splits and percent-decodes "a=1&b=x%20y" ("+" is a space). Nullopt with
// *error on a malformed escape.
std::optional<QueryParams> ParseQuery(std::string_view query, std::string* error);

// Why an HTTP request could not become a gRPC request: a 400 naming the field.
struct TranscodeError {
  std::string field;  // "employer.name", a query parameter, or "body"
  std::string message;
};

// Fills `request` (an instance of route.method->input_type()) the way
// google.api.http prescribes: the body (all of it for "*", else into the named
// field), then path variables, then query parameters for every other field.
// Unknown fields, wrong types and repeated singular parameters are errors;
// protobuf's own JSON parser reads the body. A body that is a
// google.api.HttpBody (TakesFile) is not JSON: its bytes go into `data` as
// they came, whatever their encoding, and `content_type` into content_type.
std::optional<TranscodeError> BuildRequest(const Route& route, const PathTemplate::Bindings& bindings,
                                           const QueryParams& query, std::string_view body,
                                           google::protobuf::Message* request, std::string_view content_type = {});

// True when the route's request body is a google.api.HttpBody: an upload
// (CSV, JSON lines …) taken as raw bytes of any content type.
bool TakesFile(const Route& route);

// The response as JSON (protobuf's canonical mapping: lowerCamelCase names,
// enums by name, 64-bit integers as strings, defaults omitted), or only its
// response_body field.
std::string RenderResponse(const Route& route, const google::protobuf::Message& response);

// google.api.HttpBody: a method answering one is a file download (CSV, HTML …).
bool IsHttpBody(const google::protobuf::Descriptor* message);

// A response that is a google.api.HttpBody (or whose response_body field is
// one) is answered as the raw HTTP body with its own content type, not as
// JSON. Nullopt for every other response.
struct RawBody {
  std::string content_type;  // application/octet-stream when the service gave none
  std::string data;
};
std::optional<RawBody> RawBodyOf(const Route& route, const google::protobuf::Message& response);

}  // namespace osh::gateway
