#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "osh/reporting/v1/reporting.pb.h"

namespace osh::reporting {

namespace v1 = ::osh::reporting::v1;

// The catalogue of rollup metrics. A later event kind (rectifications, exams,
// SME visits, training completions) joins by adding its metrics to the proto
// enum, a row here, a migration adding the column of each to rollup_cells, and
// a projection of its events in RollupProjector; queries, exports and reports
// pick new rows up from this table.
struct MetricSpec {
  v1::Metric metric;
  v1::MetricKind kind;
  // Stable snake_case name: the column of exports and of the rollup_cells table.
  std::string_view name;
  std::string_view description;
};

// In enum order; the default column order of queries and reports.
std::span<const MetricSpec> AllMetrics();
// Nullptr for METRIC_UNSPECIFIED and values the catalogue does not know.
const MetricSpec* FindMetric(v1::Metric metric);
// Position of a catalogued metric in AllMetrics(); cells carry their values in
// that order.
size_t MetricIndex(v1::Metric metric);

inline bool IsStock(v1::Metric metric) {
  const auto* spec = FindMetric(metric);
  return spec != nullptr && spec->kind == v1::METRIC_KIND_STOCK;
}

}  // namespace osh::reporting
