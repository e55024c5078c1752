#include "risk_classifier.h"

#include <gtest/gtest.h>

namespace osh::registry {
namespace {

struct Case {
  const char* name;
  RiskInputs inputs;
  v1::HazardRiskClass hazard_class;
  v1::ManagementGrade grade;
  int per_year;
};

RiskInputs Tested(RiskInputs in, int days_ago = 100, int exceedances = 0) {
  in.last_test_on = "2026-01-01";
  in.days_since_last_test = days_ago;
  in.last_test_exceedances = exceedances;
  return in;
}

TEST(RiskClassifier, TheClassificationTable) {
  const RiskPolicy policy;
  const std::vector<Case> cases = {
      {"nothing declared", {}, v1::HAZARD_RISK_CLASS_GENERAL, v1::MANAGEMENT_GRADE_A, 0},
      {"a few noise-exposed, tested", Tested({{{"P001", 3}}}), v1::HAZARD_RISK_CLASS_GENERAL, v1::MANAGEMENT_GRADE_A, 0},
      {"a few exposed, never tested", {{{"P001", 3}}}, v1::HAZARD_RISK_CLASS_GENERAL, v1::MANAGEMENT_GRADE_B, 1},
      {"10 exposed to noise", Tested({{{"P001", 10}}}), v1::HAZARD_RISK_CLASS_RELATIVELY_SERIOUS,
       v1::MANAGEMENT_GRADE_A, 1},
      {"9 exposed, an exceedance", Tested({{{"P001", 9}}}, 100, 1), v1::HAZARD_RISK_CLASS_RELATIVELY_SERIOUS,
       v1::MANAGEMENT_GRADE_B, 2},
      {"one worker with benzene", Tested({{{"C001", 1}}}), v1::HAZARD_RISK_CLASS_SERIOUS, v1::MANAGEMENT_GRADE_A, 2},
      {"silica, test too old", Tested({{{"D001", 20}}}, 400), v1::HAZARD_RISK_CLASS_SERIOUS, v1::MANAGEMENT_GRADE_B, 3},
      {"silica, 3 signals", [] {
         auto in = Tested({{{"D001", 20}}}, 400, 1);
         in.overdue_items = 1;
         in.longest_overdue_days = 3;
         return in;
       }(),
       v1::HAZARD_RISK_CLASS_SERIOUS, v1::MANAGEMENT_GRADE_C, 4},
      {"written notice gap", [] {
         auto in = Tested({{{"P001", 2}}});
         in.notification_gap = 4;
         in.notification_gap_year = 2025;
         return in;
       }(),
       v1::HAZARD_RISK_CLASS_GENERAL, v1::MANAGEMENT_GRADE_B, 1},
      {"one item 30 days overdue", [] {
         auto in = Tested({{{"P001", 2}}});
         in.overdue_items = 1;
         in.longest_overdue_days = 30;
         return in;
       }(),
       v1::HAZARD_RISK_CLASS_GENERAL, v1::MANAGEMENT_GRADE_C, 2},
  };
  for (const auto& c : cases) {
    const auto out = Classify(policy, c.inputs);
    EXPECT_EQ(out.hazard_class(), c.hazard_class) << c.name;
    EXPECT_EQ(out.management_grade(), c.grade) << c.name;
    EXPECT_EQ(out.inspections_per_year(), c.per_year) << c.name;
    EXPECT_GE(out.reasons_size(), 2) << c.name;  // one for the class, one for the grade at least
  }
}

TEST(RiskClassifier, ThresholdsComeFromConfiguration) {
  std::string error;
  auto policy = RiskPolicy::Parse("P001", "1,1,1;2,2,2;5,6,7", &error);
  ASSERT_TRUE(policy) << error;
  const auto out = Classify(*policy, Tested({{{"P001", 1}}}));
  EXPECT_EQ(out.hazard_class(), v1::HAZARD_RISK_CLASS_SERIOUS);  // noise is serious under this policy
  EXPECT_EQ(out.inspections_per_year(), 5);
  EXPECT_EQ(Classify(*policy, Tested({{{"D001", 1}}})).hazard_class(), v1::HAZARD_RISK_CLASS_GENERAL);

  EXPECT_FALSE(RiskPolicy::Parse("Z123", "", &error));
  EXPECT_NE(error.find("Z123"), std::string::npos);
  EXPECT_FALSE(RiskPolicy::Parse("", "1,2;3,4", &error));
  EXPECT_FALSE(RiskPolicy::Parse("", "1,2,3;4,5,6;7,8,x", &error));
  EXPECT_FALSE(RiskPolicy::Parse("", "1,2,3;4,5,6;7,8,9,10", &error));
}

}  // namespace
}  // namespace osh::registry
