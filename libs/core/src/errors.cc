#include "osh/core/errors.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace osh::core {

void FieldErrors::Add(std::string field, std::string description) {
  violations_.emplace_back(std::move(field), std::move(description));
}

namespace {
constexpr int kMaxDetailedViolations = 50;  // see FieldErrors
}  // namespace

grpc::Status FieldErrors::ToStatus() const {
  if (violations_.empty()) return grpc::Status::OK;
  std::string message = violations_.front().first + ": " + violations_.front().second;
  if (violations_.size() > 1) message += " (and " + std::to_string(violations_.size() - 1) + " more)";
  google::rpc::BadRequest bad_request;
  for (const auto& [field, description] : violations_) {
    if (bad_request.field_violations_size() == kMaxDetailedViolations) break;
    auto* v = bad_request.add_field_violations();
    v->set_field(field);
    v->set_description(description);
  }
  google::rpc::Status rich;
  rich.set_code(grpc::StatusCode::INVALID_ARGUMENT);
  rich.set_message(message);
  rich.add_details()->PackFrom(bad_request);
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, message, rich.SerializeAsString());
}

grpc::Status InvalidArgument(std::string_view field, std::string_view description) {
  FieldErrors errors;
  errors.Add(std::string(field), std::string(description));
  return errors.ToStatus();
}

std::vector<std::pair<std::string, std::string>> FieldViolationsOf(const grpc::Status& status) {
  std::vector<std::pair<std::string, std::string>> out;
  google::rpc::Status rich;
  if (status.error_details().empty() || !rich.ParseFromString(status.error_details())) return out;
  for (const auto& any : rich.details()) {
    google::rpc::BadRequest bad_request;
    if (any.UnpackTo(&bad_request)) {
      for (const auto& v : bad_request.field_violations()) out.emplace_back(v.field(), v.description());
    }
  }
  return out;
}

}  // namespace osh::core
