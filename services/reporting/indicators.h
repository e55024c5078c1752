#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "osh/core/errors.h"
#include "osh/reporting/v1/reporting.pb.h"
#include "osh/store/database.h"
#include "periods.h"

namespace osh::reporting {

// The seven indicators of DESIGN.md as ratios of catalogued metrics (their
// exact definitions are the comments of v1::Indicator). `values` and
// `previous` hold every metric in catalogue order (AllMetrics()), over the
// same cells, for the period and the same period one year earlier; an empty
// `previous` leaves the year-on-year fields unset. In enum order.
std::vector<v1::IndicatorValue> ComputeIndicators(const std::vector<int64_t>& values,
                                                  const std::vector<int64_t>& previous,
                                                  const std::map<v1::Indicator, double>& targets);

// New occupational-disease cases (every case, then per catalogue category)
// with their year-on-year change.
std::vector<v1::MetricTrend> DiseaseCaseTrends(const std::vector<int64_t>& values,
                                               const std::vector<int64_t>& previous);

// Every metric, catalogue order, summed over one region prefix and range
// (stocks at its end, flows within it); zeros where nothing was recorded.
std::vector<int64_t> TotalsOf(store::Tx& tx, const std::string& region_prefix, MonthRange months);

// A GetIndicators request after validation.
struct IndicatorQuery {
  std::string region_prefix;
  int region_digits = 0;  // 0: not grouped by region
  int first_year = 0;
  int last_year = 0;
  bool by_year = false;
  std::string industry_section;
  int hazard_category = 0;
};

// Checks every field (violations name the request field: "first_year" …);
// nullopt when anything is invalid.
std::optional<IndicatorQuery> ResolveIndicatorQuery(const v1::GetIndicatorsRequest& request,
                                                    core::FieldErrors& errors);
// Groups the query's rows hold, as the region prefix is narrowed afterwards.
int RegionDigitsBelow(const std::string& region_prefix);

// Every row of the query, ordered by region then year; rows with nothing in
// their years nor the year before are left out. Throws TooManyGroups past
// `max_groups`.
std::vector<v1::IndicatorRow> RunIndicatorQuery(store::Tx& tx, const IndicatorQuery& query,
                                                 const std::map<v1::Indicator, double>& targets,
                                                 size_t max_groups);

// A row's page position: "<region>|<first year>", ordered as the rows are.
std::string IndicatorRowPosition(const v1::IndicatorRow& row);

}  // namespace osh::reporting
