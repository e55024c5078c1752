#include "risk_classifier.h"

#include <fmt/format.h>

#include <sstream>

#include "osh/domain/hazards.h"

namespace osh::registry {
namespace {

void Reason(v1::RiskClassification& out, std::string rule, std::string input, std::string effect) {
  auto* r = out.add_reasons();
  r->set_rule(std::move(rule));
  r->set_input(std::move(input));
  r->set_effect(std::move(effect));
}

std::string FactorName(const std::string& code) {
  const auto* f = domain::FindHazardFactor(code);
  return f != nullptr ? code + " " + std::string(f->name_zh) : code;
}

}  // namespace

std::optional<RiskPolicy> RiskPolicy::Parse(const std::string& serious_factors, const std::string& inspections,
                                            std::string* error) {
  RiskPolicy policy;
  if (!serious_factors.empty()) {
    policy.serious_factors.clear();
    std::stringstream in(serious_factors);
    std::string code;
    while (std::getline(in, code, ',')) {
      if (domain::FindHazardFactor(code) == nullptr) {
        *error = "risk-serious-factors: '" + code + "' is not a hazard factor code of the catalogue";
        return std::nullopt;
      }
      policy.serious_factors.insert(code);
    }
  }
  if (!inspections.empty()) {
    int values[9];
    int n = 0;
    std::stringstream in(inspections);
    std::string row;
    while (std::getline(in, row, ';')) {
      std::stringstream cells(row);
      std::string cell;
      while (std::getline(cells, cell, ',')) {
        if (n == 9 || cell.empty() || cell.find_first_not_of("0123456789") != std::string::npos) n = 99;
        if (n < 9) values[n++] = std::stoi(cell);
      }
    }
    if (n != 9) {
      *error = "risk-inspections-per-year: want 3 rows (general; relatively serious; serious) of 3 counts (A,B,C)";
      return std::nullopt;
    }
    for (int i = 0; i < 9; ++i) policy.inspections[i / 3][i % 3] = values[i];
  }
  return policy;
}

v1::RiskClassification Classify(const RiskPolicy& policy, const RiskInputs& inputs) {
  v1::RiskClassification out;

  // Hazard class: what workers are exposed to, and how many.
  auto hazard_class = v1::HAZARD_RISK_CLASS_GENERAL;
  int exposed_any = 0;
  for (const auto& [code, exposed] : inputs.exposures) {
    exposed_any = std::max(exposed_any, exposed);
    if (policy.serious_factors.count(code) && exposed >= policy.serious_min_exposed &&
        hazard_class != v1::HAZARD_RISK_CLASS_SERIOUS) {
      hazard_class = v1::HAZARD_RISK_CLASS_SERIOUS;
      Reason(out, "serious_factor", fmt::format("{} declared, {} exposed workers", FactorName(code), exposed),
             "hazard class SERIOUS");
    }
  }
  if (hazard_class == v1::HAZARD_RISK_CLASS_GENERAL && exposed_any >= policy.relatively_serious_min_exposed) {
    hazard_class = v1::HAZARD_RISK_CLASS_RELATIVELY_SERIOUS;
    Reason(out, "exposed_workers",
           fmt::format("{} workers exposed at one factor (threshold {})", exposed_any,
                       policy.relatively_serious_min_exposed),
           "hazard class RELATIVELY_SERIOUS");
  }
  if (hazard_class == v1::HAZARD_RISK_CLASS_GENERAL && inputs.last_test_exceedances > 0) {
    hazard_class = v1::HAZARD_RISK_CLASS_RELATIVELY_SERIOUS;
    Reason(out, "exceedance",
           fmt::format("{} results above the exposure limit in the test of {}", inputs.last_test_exceedances,
                       inputs.last_test_on.value_or("")),
           "hazard class RELATIVELY_SERIOUS");
  }
  if (hazard_class == v1::HAZARD_RISK_CLASS_GENERAL) {
    Reason(out, "hazard_class",
           inputs.exposures.empty() ? "no approved declaration with hazard factors"
                                    : fmt::format("at most {} workers exposed, no serious factor", exposed_any),
           "hazard class GENERAL");
  }

  // Management grade: compliance signals.
  int signals = 0;
  bool force_c = false;
  if (inputs.overdue_items > 0) {
    signals += inputs.overdue_items;
    Reason(out, "overdue_rectifications",
           fmt::format("{} rectification items overdue, the longest by {} days", inputs.overdue_items,
                       inputs.longest_overdue_days),
           fmt::format("{} signal(s)", inputs.overdue_items));
    if (inputs.longest_overdue_days >= policy.long_overdue_days) {
      force_c = true;
      Reason(out, "long_overdue",
             fmt::format("an item overdue {} days (threshold {})", inputs.longest_overdue_days,
                         policy.long_overdue_days),
             "management grade C");
    }
  }
  if (!inputs.exposures.empty() &&
      (!inputs.last_test_on || inputs.days_since_last_test > policy.test_max_age_days)) {
    ++signals;
    Reason(out, "missing_hazard_test",
           inputs.last_test_on ? fmt::format("last hazard test on {}, {} days ago (due every {} days)",
                                             *inputs.last_test_on, inputs.days_since_last_test,
                                             policy.test_max_age_days)
                               : std::string("hazard factors declared but never tested"),
           "1 signal");
  }
  if (inputs.notification_gap > 0) {
    ++signals;
    Reason(out, "written_notice_gap",
           fmt::format("{} examined workers of {} not told their results in writing", inputs.notification_gap,
                       inputs.notification_gap_year),
           "1 signal");
  }
  if (inputs.last_test_exceedances > 0) {
    ++signals;
    Reason(out, "exceedance_signal", fmt::format("{} exceedances in the latest test", inputs.last_test_exceedances),
           "1 signal");
  }
  auto grade = v1::MANAGEMENT_GRADE_A;
  if (force_c || signals >= policy.grade_c_signals) {
    grade = v1::MANAGEMENT_GRADE_C;
  } else if (signals >= policy.grade_b_signals) {
    grade = v1::MANAGEMENT_GRADE_B;
  }
  Reason(out, "management_grade",
         fmt::format("{} signal(s) (B from {}, C from {})", signals, policy.grade_b_signals, policy.grade_c_signals),
         "management grade " + v1::ManagementGrade_Name(grade).substr(std::string("MANAGEMENT_GRADE_").size()));

  out.set_hazard_class(hazard_class);
  out.set_management_grade(grade);
  out.set_inspections_per_year(policy.inspections[static_cast<int>(hazard_class) - 1][static_cast<int>(grade) - 1]);
  return out;
}

}  // namespace osh::registry
