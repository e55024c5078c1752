#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "osh/registry/v1/supervision.pb.h"

namespace osh::registry {

namespace v1 = ::osh::registry::v1;

// The thresholds of risk classification (分级分类监管), from configuration.
struct RiskPolicy {
  // Catalogue codes of the factors that make an exposure serious (严重职业病危害因素).
  std::set<std::string> serious_factors = {"D001", "D004", "C001", "C005", "C006", "C012", "C014", "C015",
                                           "C016", "C019", "C024", "R001", "R002", "R003", "R004", "R005",
                                           "R006", "R007"};
  int serious_min_exposed = 1;              // workers exposed to a serious factor → SERIOUS
  int relatively_serious_min_exposed = 10;  // workers exposed to any factor → RELATIVELY_SERIOUS
  int test_max_age_days = 365;              // hazard testing is due yearly
  int grade_b_signals = 1;                  // compliance signals that lower A to B …
  int grade_c_signals = 3;                  // … and to C
  int long_overdue_days = 30;               // one item overdue this long is grade C on its own
  // Inspections per year by class (GENERAL, RELATIVELY_SERIOUS, SERIOUS) × grade (A, B, C).
  int inspections[3][3] = {{0, 1, 2}, {1, 2, 3}, {2, 3, 4}};

  // Reads "D001,D004,…" and "0,1,2;1,2,3;2,3,4" forms; nullopt with *error on bad text.
  static std::optional<RiskPolicy> Parse(const std::string& serious_factors, const std::string& inspections,
                                         std::string* error);
};

// What the classification looks at for one employer.
struct RiskInputs {
  // (factor code, exposed workers) of the latest approved declaration.
  std::vector<std::pair<std::string, int>> exposures;
  int overdue_items = 0;
  int longest_overdue_days = 0;
  std::optional<std::string> last_test_on;  // "YYYY-MM-DD"
  int last_test_exceedances = 0;
  int days_since_last_test = 0;
  // Workers examined but not notified in writing, in the latest year with summaries.
  int notification_gap = 0;
  int notification_gap_year = 0;
};

// The class, grade and frequency, with one reason per rule that decided something.
v1::RiskClassification Classify(const RiskPolicy& policy, const RiskInputs& inputs);

}  // namespace osh::registry
