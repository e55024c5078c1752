#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "osh/core/errors.h"
#include "osh/reporting/v1/reporting.pb.h"
#include "osh/store/database.h"
#include "periods.h"

namespace osh::reporting {

// A rollup query after validation, in the terms the store aggregates by.
struct ResolvedQuery {
  MonthRange months;  // all months when the query is "as of now"
  std::string region_prefix;
  int region_digits = 0;  // 0 (not grouped by region), 2, 4 or 6
  std::string industry_section;
  bool by_industry = false;
  int hazard_category = 0;  // 0: not filtered
  bool by_hazard = false;
  // Unspecified: not grouped by period.
  v1::PeriodKind granularity = v1::PERIOD_KIND_UNSPECIFIED;
  std::vector<v1::Metric> metrics;
};

// Checks every field of `query` (violations name "<field>.region_prefix" …) and
// resolves it; nullopt when anything is invalid.
std::optional<ResolvedQuery> ResolveQuery(const v1::RollupQuery& query, const std::string& field,
                                          core::FieldErrors& errors);

// A row's position in the stable order: region, industry, hazard category,
// period (unused dimensions are empty or zero).
struct RowKey {
  std::string region;
  std::string industry_section;
  int hazard_category = 0;
  MonthKey bucket = 0;
  auto operator<=>(const RowKey&) const = default;
};

// Values per row, one per metric of the query, in the query's metric order.
using RollupRows = std::map<RowKey, std::vector<int64_t>>;

// More groups than a query may produce; callers answer with a hint to narrow it.
class TooManyGroups : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Aggregates the cells into rows in one read of `tx`. Rows whose values are all
// zero are left out. Throws TooManyGroups past `max_groups`.
RollupRows RunRollup(store::Tx& tx, const ResolvedQuery& query, size_t max_groups);

// The province's name for a 2-digit code; empty for other codes.
std::string RegionName(const std::string& code);

v1::RollupRow ToRollupRow(const RowKey& key, const std::vector<int64_t>& values, const ResolvedQuery& query);

// Page positions: a row key as text and back.
std::string EncodeRowKey(const RowKey& key);
std::optional<RowKey> DecodeRowKey(const std::string& text);

// The export formats (columns: the grouped dimensions, then the metric names).
std::string RenderCsv(const RollupRows& rows, const ResolvedQuery& query);
std::string RenderJson(const RollupRows& rows, const ResolvedQuery& query);

}  // namespace osh::reporting
