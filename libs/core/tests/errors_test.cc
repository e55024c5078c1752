#include "osh/core/errors.h"

#include <gtest/gtest.h>

namespace osh::core {
namespace {

TEST(FieldErrorsTest, EmptyIsOk) { EXPECT_TRUE(FieldErrors().ToStatus().ok()); }

TEST(FieldErrorsTest, NamesFirstFieldAndCarriesAllInDetails) {
  FieldErrors errors;
  errors.Add("employer.credit_code", "check character is '1', expected '3'");
  errors.Add("employer.total_workers", "must not be negative");
  auto status = errors.ToStatus();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "employer.credit_code: check character is '1', expected '3' (and 1 more)");
  auto violations = FieldViolationsOf(status);
  ASSERT_EQ(violations.size(), 2u);
  EXPECT_EQ(violations[1].first, "employer.total_workers");
  EXPECT_EQ(violations[1].second, "must not be negative");
}

TEST(FieldErrorsTest, DetailsCarryTheFirstFiftyAndTheMessageCountsAll) {
  FieldErrors errors;
  for (int i = 0; i < 1000; ++i) errors.Add("results[" + std::to_string(i) + "].factor_code", "unknown code");
  auto status = errors.ToStatus();
  EXPECT_EQ(status.error_message(), "results[0].factor_code: unknown code (and 999 more)");
  auto violations = FieldViolationsOf(status);
  ASSERT_EQ(violations.size(), 50u);
  EXPECT_EQ(violations.back().first, "results[49].factor_code");
}

TEST(FieldErrorsTest, StatusWithoutDetailsHasNoViolations) {
  EXPECT_TRUE(FieldViolationsOf(grpc::Status(grpc::StatusCode::NOT_FOUND, "x")).empty());
}

}  // namespace
}  // namespace osh::core
