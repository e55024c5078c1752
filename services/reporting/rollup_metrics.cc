#include "rollup_metrics.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

namespace osh::reporting {
namespace {

constexpr auto kMetrics = std::to_array<MetricSpec>({
    {v1::METRIC_REGISTERED_EMPLOYERS, v1::METRIC_KIND_STOCK, "registered_employers",
     "employers currently registered, each counted once where it is registered"},
    {v1::METRIC_EMPLOYERS_WITH_APPROVED_DECLARATION, v1::METRIC_KIND_STOCK, "employers_with_approved_declaration",
     "registered employers whose latest declaration decision is an approval"},
    {v1::METRIC_EXPOSED_WORKERS, v1::METRIC_KIND_STOCK, "exposed_workers",
     "exposed workers of the latest approved declarations (per hazard category: exposed-worker rows)"},
    {v1::METRIC_WORKERS, v1::METRIC_KIND_STOCK, "workers", "total workers of registered employers"},
    {v1::METRIC_REGISTRATIONS, v1::METRIC_KIND_FLOW, "registrations",
     "employers registered on the platform for the first time"},
    {v1::METRIC_TRANSFERS_IN, v1::METRIC_KIND_FLOW, "transfers_in", "employers received from another province"},
    {v1::METRIC_TRANSFERS_OUT, v1::METRIC_KIND_FLOW, "transfers_out", "employers handed to another province"},
    {v1::METRIC_DECLARATIONS_SUBMITTED, v1::METRIC_KIND_FLOW, "declarations_submitted",
     "hazard-project declarations submitted"},
    {v1::METRIC_DECLARATIONS_APPROVED, v1::METRIC_KIND_FLOW, "declarations_approved",
     "hazard-project declarations approved"},
    {v1::METRIC_DECLARATIONS_REJECTED, v1::METRIC_KIND_FLOW, "declarations_rejected",
     "hazard-project declarations rejected"},
    {v1::METRIC_LITERACY_QUESTIONNAIRES, v1::METRIC_KIND_FLOW, "literacy_questionnaires",
     "health-literacy questionnaires of the key worker populations"},
    {v1::METRIC_LITERACY_REACHING_THRESHOLD, v1::METRIC_KIND_FLOW, "literacy_reaching_threshold",
     "health-literacy questionnaires at or above the threshold score rate"},
    {v1::METRIC_RECTIFICATIONS_OPENED, v1::METRIC_KIND_FLOW, "rectifications_opened",
     "rectification items opened in the period (each item once, in the month first opened)"},
    {v1::METRIC_RECTIFICATIONS_CLOSED, v1::METRIC_KIND_FLOW, "rectifications_closed",
     "of the items opened in the period, those closed now"},
    {v1::METRIC_RECTIFICATIONS_CLOSED_ON_TIME, v1::METRIC_KIND_FLOW, "rectifications_closed_on_time",
     "of the items opened in the period, those closed on or before their deadline"},
    {v1::METRIC_HAZARD_TESTS, v1::METRIC_KIND_FLOW, "hazard_tests", "workplace hazard testing reports"},
    {v1::METRIC_HAZARD_TESTS_WITH_EXCEEDANCE, v1::METRIC_KIND_FLOW, "hazard_tests_with_exceedance",
     "testing reports with at least one point above its exposure limit"},
    {v1::METRIC_HAZARD_POINTS_TESTED, v1::METRIC_KIND_FLOW, "hazard_points_tested", "sampling points measured"},
    {v1::METRIC_HAZARD_POINTS_EXCEEDING, v1::METRIC_KIND_FLOW, "hazard_points_exceeding",
     "sampling points above their exposure limit"},
    {v1::METRIC_EXAMS_EXAMINED, v1::METRIC_KIND_FLOW, "exams_examined",
     "workers examined (occupational health examinations of every kind)"},
    {v1::METRIC_EXAMS_NOTIFIED_IN_WRITING, v1::METRIC_KIND_FLOW, "exams_notified_in_writing",
     "examined workers told their results in writing"},
    {v1::METRIC_EXAMS_ABNORMAL, v1::METRIC_KIND_FLOW, "exams_abnormal", "examined workers with abnormal results"},
    {v1::METRIC_EXAMS_SUSPECTED_DISEASE, v1::METRIC_KIND_FLOW, "exams_suspected_disease",
     "examined workers with a suspected occupational disease"},
    {v1::METRIC_IN_SERVICE_EXAMINED, v1::METRIC_KIND_FLOW, "in_service_examined",
     "workers examined in in-service examinations"},
    {v1::METRIC_IN_SERVICE_SHOULD_BE_EXAMINED, v1::METRIC_KIND_FLOW, "in_service_should_be_examined",
     "workers who should have had an in-service examination"},
    {v1::METRIC_ASSISTANCE_VISITS, v1::METRIC_KIND_FLOW, "assistance_visits",
     "visits of the small and micro employer assistance programme"},
    {v1::METRIC_ASSISTANCE_EMPLOYERS_HELPED, v1::METRIC_KIND_FLOW, "assistance_employers_helped",
     "employers visited for the first time"},
    {v1::METRIC_ASSISTANCE_ISSUES_FOUND, v1::METRIC_KIND_FLOW, "assistance_issues_found",
     "issues found at assistance visits"},
    {v1::METRIC_ASSISTANCE_ISSUES_FIXED, v1::METRIC_KIND_FLOW, "assistance_issues_fixed",
     "issues fixed at assistance visits"},
    {v1::METRIC_ASSISTANCE_SUBSIDY_FEN, v1::METRIC_KIND_FLOW, "assistance_subsidy_fen",
     "subsidy granted at assistance visits, in fen"},
    {v1::METRIC_COMPLETIONS_PRINCIPAL, v1::METRIC_KIND_FLOW, "completions_principal",
     "course completions by employer principals"},
    {v1::METRIC_COMPLETIONS_OSH_MANAGER, v1::METRIC_KIND_FLOW, "completions_osh_manager",
     "course completions by OSH managers"},
    {v1::METRIC_COMPLETIONS_WORKER, v1::METRIC_KIND_FLOW, "completions_worker", "course completions by workers"},
    {v1::METRIC_PRINCIPALS_AND_MANAGERS_TO_TRAIN, v1::METRIC_KIND_STOCK, "principals_and_managers_to_train",
     "principal and OSH manager places to train: two per employer with an approved declaration"},
    {v1::METRIC_PRINCIPALS_TRAINED, v1::METRIC_KIND_STOCK, "principals_trained",
     "employers with an approved declaration whose principal completed a mandatory course"},
    {v1::METRIC_OSH_MANAGERS_TRAINED, v1::METRIC_KIND_STOCK, "osh_managers_trained",
     "employers with an approved declaration whose OSH manager completed a mandatory course"},
    {v1::METRIC_DISEASE_CASES, v1::METRIC_KIND_FLOW, "disease_cases", "new occupational-disease cases"},
    {v1::METRIC_DISEASE_CASES_RESPIRATORY, v1::METRIC_KIND_FLOW, "disease_cases_respiratory",
     "new cases: pneumoconiosis and other respiratory diseases"},
    {v1::METRIC_DISEASE_CASES_SKIN, v1::METRIC_KIND_FLOW, "disease_cases_skin", "new cases: skin diseases"},
    {v1::METRIC_DISEASE_CASES_EYE, v1::METRIC_KIND_FLOW, "disease_cases_eye", "new cases: eye diseases"},
    {v1::METRIC_DISEASE_CASES_ENT_ORAL, v1::METRIC_KIND_FLOW, "disease_cases_ent_oral",
     "new cases: ear, nose, throat and oral diseases"},
    {v1::METRIC_DISEASE_CASES_CHEMICAL_POISONING, v1::METRIC_KIND_FLOW, "disease_cases_chemical_poisoning",
     "new cases: chemical poisoning"},
    {v1::METRIC_DISEASE_CASES_PHYSICAL, v1::METRIC_KIND_FLOW, "disease_cases_physical",
     "new cases: diseases caused by physical factors"},
    {v1::METRIC_DISEASE_CASES_RADIATION, v1::METRIC_KIND_FLOW, "disease_cases_radiation",
     "new cases: radiation diseases"},
    {v1::METRIC_DISEASE_CASES_INFECTIOUS, v1::METRIC_KIND_FLOW, "disease_cases_infectious",
     "new cases: infectious diseases"},
    {v1::METRIC_DISEASE_CASES_CANCER, v1::METRIC_KIND_FLOW, "disease_cases_cancer", "new cases: cancers"},
    {v1::METRIC_DISEASE_CASES_MUSCULOSKELETAL, v1::METRIC_KIND_FLOW, "disease_cases_musculoskeletal",
     "new cases: musculoskeletal disorders (2024 edition)"},
    {v1::METRIC_DISEASE_CASES_MENTAL_BEHAVIOURAL, v1::METRIC_KIND_FLOW, "disease_cases_mental_behavioural",
     "new cases: mental and behavioural disorders (2024 edition)"},
    {v1::METRIC_DISEASE_CASES_OTHER, v1::METRIC_KIND_FLOW, "disease_cases_other",
     "new cases: other occupational diseases"},
});

}  // namespace

std::span<const MetricSpec> AllMetrics() { return kMetrics; }

const MetricSpec* FindMetric(v1::Metric metric) {
  auto it = std::find_if(kMetrics.begin(), kMetrics.end(), [&](const MetricSpec& s) { return s.metric == metric; });
  return it == kMetrics.end() ? nullptr : &*it;
}

size_t MetricIndex(v1::Metric metric) {
  const auto* spec = FindMetric(metric);
  if (spec == nullptr) throw std::out_of_range("metric " + std::to_string(static_cast<int>(metric)) + " is not catalogued");
  return static_cast<size_t>(spec - kMetrics.data());
}

}  // namespace osh::reporting
