#include "rollup_query.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "osh/domain/hazards.h"
#include "osh/domain/industries.h"
#include "osh/domain/regions.h"
#include "osh/tabular/csv_writer.h"
#include "rollup_metrics.h"
#include "rollup_store.h"

namespace osh::reporting {
namespace {

constexpr int kLastHazardCategory = 6;

int RegionDigitsOf(v1::Dimension d) {
  switch (d) {
    case v1::DIMENSION_PROVINCE:
      return 2;
    case v1::DIMENSION_CITY:
      return 4;
    case v1::DIMENSION_COUNTY:
      return 6;
    default:
      return 0;
  }
}

std::string HazardKey(int category) {
  return std::string(domain::HazardCategoryName(static_cast<domain::HazardCategory>(category)));
}

// The export's columns: the dimensions grouped by, then one per metric.
std::vector<std::string> ColumnsOf(const ResolvedQuery& q) {
  std::vector<std::string> columns;
  if (q.region_digits > 0) {
    columns.push_back("region_code");
    columns.push_back("region_name");
  }
  if (q.by_industry) columns.push_back("industry_section");
  if (q.by_hazard) columns.push_back("hazard_category");
  if (q.granularity != v1::PERIOD_KIND_UNSPECIFIED) columns.push_back("period");
  for (auto m : q.metrics) columns.push_back(std::string(FindMetric(m)->name));
  return columns;
}

// The dimension cells of one row, as text, in ColumnsOf order.
std::vector<std::string> DimensionCells(const RowKey& key, const ResolvedQuery& q) {
  std::vector<std::string> cells;
  if (q.region_digits > 0) {
    cells.push_back(key.region);
    cells.push_back(RegionName(key.region));
  }
  if (q.by_industry) cells.push_back(key.industry_section);
  if (q.by_hazard) cells.push_back(HazardKey(key.hazard_category));
  if (q.granularity != v1::PERIOD_KIND_UNSPECIFIED) cells.push_back(PeriodLabel(PeriodOfBucket(key.bucket, q.granularity)));
  return cells;
}

}  // namespace

std::string RegionName(const std::string& code) {
  if (code.size() != 2) return "";
  const auto* p = domain::FindProvince(code);
  return p == nullptr ? "" : std::string(p->name_zh);
}

std::optional<ResolvedQuery> ResolveQuery(const v1::RollupQuery& q, const std::string& field,
                                          core::FieldErrors& errors) {
  const size_t errors_before = errors.size();
  ResolvedQuery r;

  ValidatePeriod(q.period(), field + ".period", errors);
  r.months = RangeOf(q.period());

  r.region_prefix = q.region_prefix();
  if (!r.region_prefix.empty() && !domain::IsDivisionPrefix(r.region_prefix)) {
    errors.Add(field + ".region_prefix", "must be 2, 4 or 6 digits starting with a province code");
  }
  r.industry_section = q.industry_section();
  if (!r.industry_section.empty() && domain::FindIndustrySection(r.industry_section) == nullptr) {
    errors.Add(field + ".industry_section", "must be a GB/T 4754-2017 section letter A-T");
  }
  if (q.hazard_category() != 0 &&
      domain::FindHazardCategory(static_cast<domain::HazardCategory>(q.hazard_category())) == nullptr) {
    errors.Add(field + ".hazard_category", fmt::format("{} is not a hazard category", static_cast<int>(q.hazard_category())));
  }
  r.hazard_category = q.hazard_category();

  std::set<v1::Metric> seen_metrics;
  for (int i = 0; i < q.metrics_size(); ++i) {
    const auto m = q.metrics(i);
    if (FindMetric(m) == nullptr) {
      errors.Add(fmt::format("{}.metrics[{}]", field, i), fmt::format("{} is not a rollup metric", static_cast<int>(m)));
    } else if (!seen_metrics.insert(m).second) {
      errors.Add(fmt::format("{}.metrics[{}]", field, i), "repeats an earlier metric");
    } else {
      r.metrics.push_back(m);
    }
  }
  if (q.metrics_size() == 0) {
    for (const auto& spec : AllMetrics()) r.metrics.push_back(spec.metric);
  }

  bool by_period = false;
  std::set<int> seen_dimensions;
  for (int i = 0; i < q.group_by_size(); ++i) {
    const auto d = q.group_by(i);
    const std::string f = fmt::format("{}.group_by[{}]", field, i);
    if (!seen_dimensions.insert(d).second) {
      errors.Add(f, "repeats an earlier dimension");
      continue;
    }
    if (const int digits = RegionDigitsOf(d); digits > 0) {
      if (r.region_digits > 0) {
        errors.Add(f, "only one of province, city and county can be grouped by");
      } else {
        r.region_digits = digits;
      }
    } else if (d == v1::DIMENSION_INDUSTRY_SECTION) {
      r.by_industry = true;
    } else if (d == v1::DIMENSION_HAZARD_CATEGORY) {
      r.by_hazard = true;
    } else if (d == v1::DIMENSION_PERIOD) {
      by_period = true;
    } else {
      errors.Add(f, fmt::format("{} is not a dimension", static_cast<int>(d)));
    }
  }
  // Grouping by a region coarser than the filter would put everything in one row
  // named by a code the rows do not all share; the drill-down goes finer.
  if (r.region_digits > 0 && static_cast<int>(r.region_prefix.size()) > r.region_digits) {
    errors.Add(field + ".group_by", fmt::format("a region {} digits long cannot be grouped by its first {} digits",
                                                r.region_prefix.size(), r.region_digits));
  }
  if (by_period) {
    if (q.period().kind() == v1::PERIOD_KIND_UNSPECIFIED) {
      errors.Add(field + ".period", "is required when grouping by period (a year, quarter or month to split)");
    }
    r.granularity = q.period_granularity() == v1::PERIOD_KIND_UNSPECIFIED ? v1::PERIOD_KIND_MONTH
                                                                          : q.period_granularity();
    if (!v1::PeriodKind_IsValid(r.granularity)) {
      errors.Add(field + ".period_granularity", "is not a period kind");
    } else if (q.period().kind() != v1::PERIOD_KIND_UNSPECIFIED && !IsFinerOrEqual(r.granularity, q.period().kind())) {
      errors.Add(field + ".period_granularity", "must not be longer than the period it splits");
    }
  } else if (q.period_granularity() != v1::PERIOD_KIND_UNSPECIFIED) {
    errors.Add(field + ".period_granularity", "is only for queries grouped by period");
  }
  if (errors.size() > errors_before) return std::nullopt;
  return r;
}

RollupRows RunRollup(store::Tx& tx, const ResolvedQuery& q, size_t max_groups) {
  RollupRows rows;
  const auto check_size = [&] {
    if (rows.size() > max_groups) {
      throw TooManyGroups(fmt::format("the query makes more than {} rows; filter by region, industry or period, "
                                      "or group by fewer dimensions",
                                      max_groups));
    }
  };
  const size_t width = q.metrics.size();
  std::vector<size_t> catalogue_index;
  for (auto m : q.metrics) catalogue_index.push_back(MetricIndex(m));
  const auto pick = [&](const std::vector<int64_t>& all) {
    std::vector<int64_t> values(width);
    for (size_t i = 0; i < width; ++i) values[i] = all[catalogue_index[i]];
    return values;
  };
  const auto keep = [&](const RowKey& key, std::vector<int64_t> values) {
    if (std::all_of(values.begin(), values.end(), [](int64_t v) { return v == 0; })) return;
    rows.emplace(key, std::move(values));
    check_size();
  };

  CellQuery cq;
  cq.months = q.months;
  cq.region_prefix = q.region_prefix;
  cq.region_digits = q.region_digits;
  cq.industry_section = q.industry_section;
  cq.by_industry = q.by_industry;
  cq.by_hazard = q.by_hazard;
  // Category 0 holds each employer once; the per-category cells overlap and
  // are read only when a category is asked for.
  if (q.hazard_category != 0) {
    cq.hazard_categories = {q.hazard_category};
  } else if (q.by_hazard) {
    cq.hazard_categories.clear();
    for (int c = 1; c <= kLastHazardCategory; ++c) cq.hazard_categories.push_back(c);
  }
  cq.bucket = q.granularity;
  const auto sums = RollupStore::Aggregate(tx, cq);

  if (q.granularity == v1::PERIOD_KIND_UNSPECIFIED) {
    for (const auto& s : sums) keep({s.region, s.industry_section, s.hazard_category, 0}, pick(s.values));
    return rows;
  }
  // Per period, a stock is its value at the end of it: what came before the
  // range (bucket 0) plus every bucket up to that one; a flow is its bucket's.
  std::map<RowKey, std::map<MonthKey, const std::vector<int64_t>*>> per_group;
  for (const auto& s : sums) per_group[{s.region, s.industry_section, s.hazard_category, 0}][s.bucket] = &s.values;
  const auto catalogue = AllMetrics();
  const std::vector<MonthKey> buckets = BucketsIn(q.months, q.granularity);
  for (const auto& [group, by_bucket] : per_group) {
    std::vector<int64_t> stocks(catalogue.size());
    if (auto it = by_bucket.find(0); it != by_bucket.end()) stocks = *it->second;
    for (MonthKey b : buckets) {
      std::vector<int64_t> values(catalogue.size());
      const auto it = by_bucket.find(b);
      for (size_t m = 0; m < catalogue.size(); ++m) {
        const int64_t in_bucket = it == by_bucket.end() ? 0 : (*it->second)[m];
        if (catalogue[m].kind == v1::METRIC_KIND_STOCK) {
          stocks[m] += in_bucket;
          values[m] = stocks[m];
        } else {
          values[m] = in_bucket;
        }
      }
      keep({group.region, group.industry_section, group.hazard_category, b}, pick(values));
    }
  }
  return rows;
}

v1::RollupRow ToRollupRow(const RowKey& key, const std::vector<int64_t>& values, const ResolvedQuery& q) {
  v1::RollupRow row;
  if (q.region_digits > 0) {
    row.set_region_code(key.region);
    row.set_region_name(RegionName(key.region));
  }
  if (q.by_industry) row.set_industry_section(key.industry_section);
  if (q.by_hazard) row.set_hazard_category(static_cast<common::v1::HazardCategory>(key.hazard_category));
  if (q.granularity != v1::PERIOD_KIND_UNSPECIFIED) *row.mutable_period() = PeriodOfBucket(key.bucket, q.granularity);
  for (size_t i = 0; i < q.metrics.size(); ++i) {
    auto* v = row.add_values();
    v->set_metric(q.metrics[i]);
    v->set_value(i < values.size() ? values[i] : 0);
  }
  return row;
}

std::string EncodeRowKey(const RowKey& key) {
  return fmt::format("{}|{}|{}|{}", key.region, key.industry_section, key.hazard_category, key.bucket);
}

std::optional<RowKey> DecodeRowKey(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t bar; (bar = text.find('|', start)) != std::string::npos; start = bar + 1) {
    parts.push_back(text.substr(start, bar - start));
  }
  parts.push_back(text.substr(start));
  if (parts.size() != 4) return std::nullopt;
  RowKey key{parts[0], parts[1], 0, 0};
  try {
    size_t used = 0;
    key.hazard_category = std::stoi(parts[2], &used);
    if (used != parts[2].size()) return std::nullopt;
    key.bucket = std::stoi(parts[3], &used);
    if (used != parts[3].size()) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return key;
}

std::string RenderCsv(const RollupRows& rows, const ResolvedQuery& q) {
  std::string out;
  const auto line = [&out](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) out += ',';
      tabular::AppendCsvField(out, cells[i]);
    }
    out += "\r\n";
  };
  line(ColumnsOf(q));
  for (const auto& [key, values] : rows) {
    auto cells = DimensionCells(key, q);
    for (int64_t v : values) cells.push_back(std::to_string(v));
    line(cells);
  }
  return out;
}

std::string RenderJson(const RollupRows& rows, const ResolvedQuery& q) {
  const auto columns = ColumnsOf(q);
  auto out = nlohmann::ordered_json::array();
  for (const auto& [key, values] : rows) {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    const auto cells = DimensionCells(key, q);
    size_t c = 0;
    for (; c < cells.size(); ++c) object[columns[c]] = cells[c];
    for (size_t i = 0; i < values.size(); ++i) object[columns[c + i]] = values[i];
    out.push_back(std::move(object));
  }
  return out.dump();
}

}  // namespace osh::reporting
