// transcode: the HTTP request (path variables, query, JSON or file body) as a gRPC request.
#include <algorithm>

#include "stages.h"
#include "transcoder.h"

namespace osh::gateway::stages {
namespace {

bool IsJsonContentType(const std::string& value) {
  std::string lower = value.substr(0, value.find(';'));
  lower.erase(std::remove(lower.begin(), lower.end(), ' '), lower.end());
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower == "application/json" || (lower.size() > 5 && lower.substr(lower.size() - 5) == "+json");
}

}  // namespace

Answer Transcode(const HttpRequest& request, const Route& route, const PathTemplate::Bindings& bindings,
                 google::protobuf::Message* grpc_request) {
  const auto* content_type = request.Header("content-type");
  if (!request.body.empty() && !TakesFile(route) && content_type != nullptr && !IsJsonContentType(*content_type)) {
    auto r = ErrorResponse(
        grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "content-type must be application/json, not " + *content_type));
    r.status = 415;
    return r;
  }
  std::string query_error;
  auto query = ParseQuery(request.query, &query_error);
  if (!query) return FieldError("query", query_error);
  if (auto error = BuildRequest(route, bindings, *query, request.body, grpc_request,
                                content_type != nullptr ? std::string_view(*content_type) : std::string_view())) {
    return FieldError(error->field, error->message);
  }
  return std::nullopt;
}

}  // namespace osh::gateway::stages
