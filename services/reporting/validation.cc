#include "validation.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <set>

#include "osh/domain/text.h"
#include "osh/service/checks.h"
#include "rollup_metrics.h"
#include "rollup_query.h"

namespace osh::reporting {
namespace {

constexpr size_t kMaxExplanationLength = 2000;

// Metric names here are the catalogue's column names, so the findings read
// the same as the CSV the statistician looks at.
std::string_view NameOf(v1::Metric metric) {
  const auto* spec = FindMetric(metric);
  return spec == nullptr ? std::string_view("?") : spec->name;
}

int64_t ValueOf(const google::protobuf::RepeatedPtrField<v1::MetricValue>& values, v1::Metric metric) {
  for (const auto& v : values) {
    if (v.metric() == metric) return v.value();
  }
  return 0;
}

v1::MetricValue Figure(v1::Metric metric, int64_t value) {
  v1::MetricValue v;
  v.set_metric(metric);
  v.set_value(value);
  return v;
}

void CheckRules(const std::string& region, const google::protobuf::RepeatedPtrField<v1::MetricValue>& values,
                std::vector<v1::ValidationFinding>& out) {
  for (const auto& rule : ConsistencyRules()) {
    int64_t parts = 0;
    for (auto m : rule.parts) parts += ValueOf(values, m);
    const int64_t bound = ValueOf(values, rule.bound);
    if (parts <= bound) continue;
    v1::ValidationFinding f;
    f.set_id(fmt::format("{}@{}", rule.name, region));
    f.set_kind(v1::FINDING_KIND_CONSISTENCY);
    f.set_rule(std::string(rule.name));
    f.set_region_code(region);
    std::string lhs;
    for (auto m : rule.parts) {
      lhs += lhs.empty() ? "" : " + ";
      lhs += NameOf(m);
      *f.add_figures() = Figure(m, ValueOf(values, m));
    }
    *f.add_figures() = Figure(rule.bound, bound);
    f.set_message(fmt::format("{}: {} = {} exceeds {} = {} ({})", region, lhs, parts, NameOf(rule.bound), bound,
                              rule.description));
    out.push_back(std::move(f));
  }
}

}  // namespace

std::span<const ConsistencyRule> ConsistencyRules() {
  // Each row: parts ≤ bound, over the year's figures of one region. Flows
  // that may legitimately cross a year boundary (assistance issues found in
  // one visit and fixed in a later one) have no rule; rectification items are
  // counted in the month they were opened, so closures stay within openings.
  static const std::vector<ConsistencyRule> rules = {
      {"approved_declarations_within_registered",
       {v1::METRIC_EMPLOYERS_WITH_APPROVED_DECLARATION},
       v1::METRIC_REGISTERED_EMPLOYERS,
       "employers with an approved declaration are registered employers"},
      {"exposed_within_workers",
       {v1::METRIC_EXPOSED_WORKERS},
       v1::METRIC_WORKERS,
       "exposed workers are workers of the registered employers"},
      {"literacy_reaching_within_questionnaires",
       {v1::METRIC_LITERACY_REACHING_THRESHOLD},
       v1::METRIC_LITERACY_QUESTIONNAIRES,
       "questionnaires reaching the threshold are questionnaires"},
      {"notified_within_examined",
       {v1::METRIC_EXAMS_NOTIFIED_IN_WRITING},
       v1::METRIC_EXAMS_EXAMINED,
       "workers told their results in writing are examined workers"},
      {"abnormal_within_examined",
       {v1::METRIC_EXAMS_ABNORMAL},
       v1::METRIC_EXAMS_EXAMINED,
       "workers with abnormal results are examined workers"},
      {"suspected_within_examined",
       {v1::METRIC_EXAMS_SUSPECTED_DISEASE},
       v1::METRIC_EXAMS_EXAMINED,
       "workers suspected of an occupational disease are examined workers"},
      {"in_service_within_examined",
       {v1::METRIC_IN_SERVICE_EXAMINED},
       v1::METRIC_EXAMS_EXAMINED,
       "in-service examinations are examinations"},
      {"closed_within_opened",
       {v1::METRIC_RECTIFICATIONS_CLOSED},
       v1::METRIC_RECTIFICATIONS_OPENED,
       "closed rectification items were opened"},
      {"closed_on_time_within_closed",
       {v1::METRIC_RECTIFICATIONS_CLOSED_ON_TIME},
       v1::METRIC_RECTIFICATIONS_CLOSED,
       "items closed on time are closed items"},
      {"exceedances_within_tests",
       {v1::METRIC_HAZARD_TESTS_WITH_EXCEEDANCE},
       v1::METRIC_HAZARD_TESTS,
       "tests with an exceedance are tests"},
      {"points_exceeding_within_points_tested",
       {v1::METRIC_HAZARD_POINTS_EXCEEDING},
       v1::METRIC_HAZARD_POINTS_TESTED,
       "points over the limit are tested points"},
      {"trained_within_to_train",
       {v1::METRIC_PRINCIPALS_TRAINED, v1::METRIC_OSH_MANAGERS_TRAINED},
       v1::METRIC_PRINCIPALS_AND_MANAGERS_TO_TRAIN,
       "trained principals and OSH managers are among those to train"},
      {"disease_categories_within_cases",
       {v1::METRIC_DISEASE_CASES_RESPIRATORY, v1::METRIC_DISEASE_CASES_SKIN, v1::METRIC_DISEASE_CASES_EYE,
        v1::METRIC_DISEASE_CASES_ENT_ORAL, v1::METRIC_DISEASE_CASES_CHEMICAL_POISONING,
        v1::METRIC_DISEASE_CASES_PHYSICAL, v1::METRIC_DISEASE_CASES_RADIATION, v1::METRIC_DISEASE_CASES_INFECTIOUS,
        v1::METRIC_DISEASE_CASES_CANCER, v1::METRIC_DISEASE_CASES_MUSCULOSKELETAL,
        v1::METRIC_DISEASE_CASES_MENTAL_BEHAVIOURAL, v1::METRIC_DISEASE_CASES_OTHER},
       v1::METRIC_DISEASE_CASES,
       "cases by catalogue category add up to at most the new cases"},
  };
  return rules;
}

std::vector<v1::ValidationFinding> FindingsOf(const v1::AnnualReport& report,
                                              const std::vector<v1::MetricValue>& previous_totals,
                                              double outlier_share) {
  std::vector<v1::ValidationFinding> out;
  CheckRules(report.province(), report.totals(), out);
  for (const auto& city : report.cities()) CheckRules(city.region_code(), city.values(), out);
  for (const auto& before : previous_totals) {
    if (before.value() <= 0) continue;
    const int64_t now = ValueOf(report.totals(), before.metric());
    const double share = static_cast<double>(now - before.value()) / static_cast<double>(before.value());
    if (std::abs(share) <= outlier_share) continue;
    v1::ValidationFinding f;
    f.set_id(fmt::format("outlier.{}@{}", NameOf(before.metric()), report.province()));
    f.set_kind(v1::FINDING_KIND_OUTLIER);
    f.set_rule(fmt::format("outlier.{}", NameOf(before.metric())));
    f.set_region_code(report.province());
    *f.add_figures() = Figure(before.metric(), now);
    f.set_previous_value(before.value());
    f.set_change_share(share);
    f.set_message(fmt::format("{}: {} moved from {} in {} to {} in {} ({:+.1f} %, more than ±{:.1f} %)",
                              report.province(), NameOf(before.metric()), before.value(), report.year() - 1, now,
                              report.year(), share * 100, outlier_share * 100));
    out.push_back(std::move(f));
  }
  return out;
}

void AddValidationFindings(store::Tx& tx, v1::AnnualReport& report, double outlier_share) {
  ResolvedQuery q;
  v1::Period previous;
  previous.set_kind(v1::PERIOD_KIND_YEAR);
  previous.set_year(report.year() - 1);
  q.months = RangeOf(previous);
  q.region_prefix = report.province();
  for (const auto& v : report.totals()) q.metrics.push_back(v.metric());
  std::vector<v1::MetricValue> before;
  const auto rows = RunRollup(tx, q, 1);
  if (!rows.empty()) {
    const auto& values = rows.begin()->second;
    for (size_t i = 0; i < q.metrics.size() && i < values.size(); ++i) before.push_back(Figure(q.metrics[i], values[i]));
  }
  for (auto& f : FindingsOf(report, before, outlier_share)) *report.add_findings() = std::move(f);
}

void CheckExplanations(const v1::AnnualReport& report,
                       const google::protobuf::RepeatedPtrField<v1::FindingExplanation>& explanations,
                       core::FieldErrors& errors) {
  std::map<std::string, const v1::FindingExplanation*> given;
  for (int i = 0; i < explanations.size(); ++i) {
    const auto& e = explanations[i];
    const std::string field = fmt::format("explanations[{}]", i);
    service::CheckText(e.explanation(), field + ".explanation", kMaxExplanationLength, true, errors);
    if (!given.emplace(e.finding_id(), &e).second) {
      errors.Add(field + ".finding_id", "explains '" + std::string(domain::Utf8Prefix(e.finding_id(), 80)) + "' twice");
    }
  }
  std::set<std::string> findings;
  for (const auto& f : report.findings()) {
    findings.insert(f.id());
    if (!given.contains(f.id())) {
      errors.Add("explanations", "finding '" + f.id() + "' needs an explanation: " + f.message());
    }
  }
  for (int i = 0; i < explanations.size(); ++i) {
    if (!findings.contains(explanations[i].finding_id())) {
      errors.Add(fmt::format("explanations[{}].finding_id", i),
                 "'" + std::string(domain::Utf8Prefix(explanations[i].finding_id(), 80)) +
                     "' is not a finding of report " + report.id());
    }
  }
}

}  // namespace osh::reporting
