#pragma once

#include <grpcpp/support/status.h>

#include <string>
#include <string_view>
#include <vector>

namespace osh::core {

// Collects every invalid field of a request so that one answer names them all.
// The status is INVALID_ARGUMENT with the first violation in its message
// ("employer.credit_code: check character is 'X', expected 'Y'") and all of
// them as google.rpc.BadRequest in the status details, which the gateway turns
// into the JSON error body. The details carry the first 50 violations only
// (the message counts them all): they travel in a response header, and a
// request with a thousand bad entries would otherwise exceed gRPC's metadata
// limit and come back RESOURCE_EXHAUSTED instead of INVALID_ARGUMENT.
class FieldErrors {
 public:
  void Add(std::string field, std::string description);
  bool empty() const { return violations_.empty(); }
  size_t size() const { return violations_.size(); }
  grpc::Status ToStatus() const;

 private:
  std::vector<std::pair<std::string, std::string>> violations_;
};

grpc::Status InvalidArgument(std::string_view field, std::string_view description);

// Reads back the violations of a status made by FieldErrors (tests, gateway).
std::vector<std::pair<std::string, std::string>> FieldViolationsOf(const grpc::Status& status);

}  // namespace osh::core
