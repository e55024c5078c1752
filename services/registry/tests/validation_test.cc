// Unit tests of the registry's validation rules, without gRPC.
#include "validation.h"

#include <gtest/gtest.h>

#include "registry_fixture.h"

namespace osh::registry::testing {
namespace {

v1::Employer Valid() {
  v1::Employer e;
  e.set_credit_code(MakeCreditCode("440300", 1));
  e.set_name("深圳市示例电子有限公司");
  e.set_division_code("440300");
  e.set_industry_section("C");
  e.set_size_class(common::v1::SIZE_CLASS_MEDIUM);
  e.set_total_workers(500);
  return e;
}

std::vector<std::string> Fields(const core::FieldErrors& errors) {
  std::vector<std::string> out;
  for (const auto& [field, description] : core::FieldViolationsOf(errors.ToStatus())) out.push_back(field);
  return out;
}

TEST(ValidateEmployerTest, ValidEmployerPasses) {
  core::FieldErrors errors;
  ValidateEmployer(Valid(), "44", errors);
  EXPECT_TRUE(errors.empty()) << errors.ToStatus().error_message();
}

TEST(ValidateEmployerTest, InvalidUtf8IsNamed) {
  auto e = Valid();
  e.set_workplace_address(std::string("车间\xff"));
  core::FieldErrors errors;
  ValidateEmployer(e, "44", errors);
  ASSERT_EQ(Fields(errors), std::vector<std::string>{"employer.workplace_address"});
  EXPECT_NE(errors.ToStatus().error_message().find("UTF-8"), std::string::npos);
}

TEST(ValidateEmployerTest, LengthCountsCharactersNotBytes) {
  auto e = Valid();
  e.set_name(std::string(200 / 1, 'a'));
  core::FieldErrors ok;
  ValidateEmployer(e, "44", ok);
  EXPECT_TRUE(ok.empty());
  std::string chinese;
  for (int i = 0; i < 200; ++i) chinese += "尘";  // 600 bytes, 200 characters
  e.set_name(chinese);
  core::FieldErrors still_ok;
  ValidateEmployer(e, "44", still_ok);
  EXPECT_TRUE(still_ok.empty()) << still_ok.ToStatus().error_message();
  e.set_name(chinese + "尘");
  core::FieldErrors too_long;
  ValidateEmployer(e, "44", too_long);
  EXPECT_EQ(Fields(too_long), std::vector<std::string>{"employer.name"});
}

TEST(ValidateEmployerTest, PhoneNumberNeverAppearsInTheMessage) {
  auto e = Valid();
  e.set_legal_representative_phone("138001380000000000000");
  core::FieldErrors errors;
  ValidateEmployer(e, "44", errors);
  EXPECT_EQ(errors.ToStatus().error_message().find("138001380"), std::string::npos);
}

TEST(ValidateEmployerTest, AllViolationsAreReportedAtOnce) {
  auto e = Valid();
  e.set_total_workers(-1);
  e.set_industry_section("");
  e.set_size_class(static_cast<common::v1::SizeClass>(42));
  core::FieldErrors errors;
  ValidateEmployer(e, "44", errors);
  EXPECT_EQ(Fields(errors), (std::vector<std::string>{"employer.industry_section", "employer.size_class",
                                                      "employer.total_workers"}));
}

v1::Declaration ValidDeclaration() {
  v1::Declaration d;
  d.set_type(v1::DECLARATION_TYPE_INITIAL);
  auto* x = d.add_exposures();
  x->set_factor_code("D002");
  x->set_workplace("井下");
  x->set_exposed_workers(100);
  auto* y = d.add_exposures();
  y->set_factor_code("P001");
  y->set_workplace("井下");
  y->set_exposed_workers(60);
  d.set_total_exposed_workers(120);
  return d;
}

TEST(ValidateDeclarationTest, DistinctExposedWorkersMustFitBetweenLargestRowAndSum) {
  const auto employer = Valid();
  for (auto [total, ok] : std::vector<std::pair<int, bool>>{{99, false}, {100, true}, {160, true}, {161, false}}) {
    auto d = ValidDeclaration();
    d.set_total_exposed_workers(total);
    core::FieldErrors errors;
    ValidateDeclaration(d, employer, 2026, errors);
    EXPECT_EQ(errors.empty(), ok) << total << ": " << errors.ToStatus().error_message();
  }
}

TEST(ValidateDeclarationTest, TypeSpecificFields) {
  const auto employer = Valid();
  auto change = ValidDeclaration();
  change.set_type(v1::DECLARATION_TYPE_CHANGE);
  core::FieldErrors e1;
  ValidateDeclaration(change, employer, 2026, e1);
  EXPECT_EQ(Fields(e1), std::vector<std::string>{"declaration.change_reason"});

  auto annual = ValidDeclaration();
  annual.set_type(v1::DECLARATION_TYPE_ANNUAL);
  annual.set_year(2027);
  core::FieldErrors e2;
  ValidateDeclaration(annual, employer, 2026, e2);
  EXPECT_EQ(Fields(e2), std::vector<std::string>{"declaration.year"});

  auto none = ValidDeclaration();
  none.set_type(v1::DECLARATION_TYPE_UNSPECIFIED);
  core::FieldErrors e3;
  ValidateDeclaration(none, employer, 2026, e3);
  EXPECT_EQ(Fields(e3), std::vector<std::string>{"declaration.type"});
}

TEST(ValidateDeclarationTest, RepeatedRowAndUnknownFactor) {
  auto d = ValidDeclaration();
  *d.add_exposures() = d.exposures(0);
  d.mutable_exposures(1)->set_factor_code("X001");
  core::FieldErrors errors;
  ValidateDeclaration(d, Valid(), 2026, errors);
  EXPECT_EQ(Fields(errors), (std::vector<std::string>{"declaration.exposures[1].factor_code",
                                                      "declaration.exposures[2].factor_code"}));
}

TEST(DeriveDeclarationTotalsTest, SumsRowsPerCategory) {
  auto d = ValidDeclaration();
  auto* more_dust = d.add_exposures();
  more_dust->set_factor_code("D001");
  more_dust->set_exposed_workers(5);
  DeriveDeclarationTotals(d);
  ASSERT_EQ(d.category_totals_size(), 2);
  EXPECT_EQ(d.category_totals(0).category(), common::v1::HAZARD_CATEGORY_DUST);
  EXPECT_EQ(d.category_totals(0).exposed_worker_rows(), 105);
  EXPECT_EQ(d.category_totals(1).category(), common::v1::HAZARD_CATEGORY_PHYSICAL);
  EXPECT_EQ(d.exposures(1).category(), common::v1::HAZARD_CATEGORY_PHYSICAL);
}

}  // namespace
}  // namespace osh::registry::testing
