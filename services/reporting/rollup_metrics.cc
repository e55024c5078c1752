#include "rollup_metrics.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

namespace osh::reporting {
namespace {

constexpr std::array<MetricSpec, 12> kMetrics = {{
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
}};

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
