#include "http_errors.h"

#include <google/protobuf/util/json_util.h>

#include <nlohmann/json.hpp>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace osh::gateway {

int HttpStatusFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return 200;
    case grpc::StatusCode::CANCELLED: return 499;
    case grpc::StatusCode::INVALID_ARGUMENT: return 400;
    case grpc::StatusCode::FAILED_PRECONDITION: return 400;
    case grpc::StatusCode::OUT_OF_RANGE: return 400;
    case grpc::StatusCode::UNAUTHENTICATED: return 401;
    case grpc::StatusCode::PERMISSION_DENIED: return 403;
    case grpc::StatusCode::NOT_FOUND: return 404;
    case grpc::StatusCode::ALREADY_EXISTS: return 409;
    case grpc::StatusCode::ABORTED: return 409;
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return 429;
    case grpc::StatusCode::UNIMPLEMENTED: return 501;
    case grpc::StatusCode::UNAVAILABLE: return 503;
    case grpc::StatusCode::DEADLINE_EXCEEDED: return 504;
    default: return 500;  // UNKNOWN, INTERNAL, DATA_LOSS
  }
}

HttpResponse ErrorResponse(const grpc::Status& status) {
  nlohmann::json details = nlohmann::json::array();
  google::rpc::Status rich;
  if (!status.error_details().empty() && rich.ParseFromString(status.error_details())) {
    for (const auto& any : rich.details()) {
      std::string text;
      if (google::protobuf::util::MessageToJsonString(any, &text).ok()) {
        details.push_back(nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false));
      }
    }
  }
  HttpResponse response;
  response.status = HttpStatusFor(status.error_code());
  response.headers.emplace_back("content-type", "application/json");
  response.body = nlohmann::json{{"code", static_cast<int>(status.error_code())},
                                 {"message", status.error_message()},
                                 {"details", std::move(details)}}
                      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

HttpResponse FieldError(std::string_view field, std::string_view message) {
  google::rpc::BadRequest bad;
  auto* violation = bad.add_field_violations();
  violation->set_field(std::string(field));
  violation->set_description(std::string(message));
  google::rpc::Status rich;
  rich.set_code(static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  rich.set_message(std::string(message));
  rich.add_details()->PackFrom(bad);
  return ErrorResponse(
      grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(message), rich.SerializeAsString()));
}

}  // namespace osh::gateway
