#pragma once

// For tests of the existence oracle: a caller who may not see a record must
// get the same answer whether the record exists or not.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace osh::service::testing {

// An id no service ever issues (ids are UUIDv7): the "missing record".
inline constexpr char kMissingId[] = "01900000-0000-7000-8000-00000000dead";

// Calls `call` with `existing_id` and with kMissingId and checks that the two
// answers are one refusal: the same code, and the same message once the id it
// echoes is set aside.
inline ::testing::AssertionResult SameAnswerWhetherItExists(const std::string& existing_id,
                                                            const std::function<grpc::Status(const std::string&)>& call) {
  const grpc::Status existing = call(existing_id);
  const grpc::Status missing = call(kMissingId);
  const auto without = [](std::string message, const std::string& id) {
    for (auto at = message.find(id); at != std::string::npos; at = message.find(id)) message.replace(at, id.size(), "<id>");
    return message;
  };
  if (existing.ok()) return ::testing::AssertionFailure() << "the existing record was served";
  if (existing.error_code() != missing.error_code() ||
      without(existing.error_message(), existing_id) != without(missing.error_message(), kMissingId)) {
    return ::testing::AssertionFailure() << "existing: " << existing.error_code() << " '" << existing.error_message()
                                         << "'; missing: " << missing.error_code() << " '" << missing.error_message()
                                         << "'";
  }
  return ::testing::AssertionSuccess() << existing.error_code() << " '" << existing.error_message() << "'";
}

}  // namespace osh::service::testing
