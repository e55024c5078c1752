#include "indicators.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "osh/auth/authorize.h"
#include "osh/domain/hazards.h"
#include "osh/domain/industries.h"
#include "osh/domain/regions.h"
#include "osh/service/checks.h"
#include "osh/service/paging.h"
#include "reporting.h"
#include "rollup_metrics.h"
#include "rollup_query.h"

namespace osh::reporting {
namespace {

constexpr int kFirstYear = 2000;
constexpr int kLastYear = 2100;
constexpr int kMaxYears = 20;

int64_t At(const std::vector<int64_t>& values, v1::Metric metric) {
  const size_t i = MetricIndex(metric);
  return i < values.size() ? values[i] : 0;
}

struct Fraction {
  int64_t numerator = 0;
  int64_t denominator = 0;
};

// The definitions of v1::Indicator, one line each.
Fraction FractionOf(v1::Indicator indicator, const std::vector<int64_t>& v) {
  switch (indicator) {
    case v1::INDICATOR_DECLARATION_RATE:
      return {At(v, v1::METRIC_EMPLOYERS_WITH_APPROVED_DECLARATION), At(v, v1::METRIC_REGISTERED_EMPLOYERS)};
    case v1::INDICATOR_MONITORING_PASS_RATE:
      return {At(v, v1::METRIC_HAZARD_POINTS_TESTED) - At(v, v1::METRIC_HAZARD_POINTS_EXCEEDING),
              At(v, v1::METRIC_HAZARD_POINTS_TESTED)};
    case v1::INDICATOR_HEALTH_EXAM_RATE:
      return {At(v, v1::METRIC_IN_SERVICE_EXAMINED), At(v, v1::METRIC_IN_SERVICE_SHOULD_BE_EXAMINED)};
    case v1::INDICATOR_WRITTEN_NOTICE_RATE:
      return {At(v, v1::METRIC_EXAMS_NOTIFIED_IN_WRITING), At(v, v1::METRIC_EXAMS_EXAMINED)};
    case v1::INDICATOR_TRAINING_RATE:
      return {At(v, v1::METRIC_PRINCIPALS_TRAINED) + At(v, v1::METRIC_OSH_MANAGERS_TRAINED),
              At(v, v1::METRIC_PRINCIPALS_AND_MANAGERS_TO_TRAIN)};
    case v1::INDICATOR_RECTIFICATION_CLOSURE_RATE:
      return {At(v, v1::METRIC_RECTIFICATIONS_CLOSED), At(v, v1::METRIC_RECTIFICATIONS_OPENED)};
    case v1::INDICATOR_HEALTH_LITERACY_LEVEL:
      return {At(v, v1::METRIC_LITERACY_REACHING_THRESHOLD), At(v, v1::METRIC_LITERACY_QUESTIONNAIRES)};
    default:
      return {};
  }
}

constexpr v1::Indicator kIndicators[] = {
    v1::INDICATOR_DECLARATION_RATE,       v1::INDICATOR_MONITORING_PASS_RATE, v1::INDICATOR_HEALTH_EXAM_RATE,
    v1::INDICATOR_WRITTEN_NOTICE_RATE,    v1::INDICATOR_TRAINING_RATE,        v1::INDICATOR_RECTIFICATION_CLOSURE_RATE,
    v1::INDICATOR_HEALTH_LITERACY_LEVEL,
};

std::optional<double> RatioOf(const Fraction& f) {
  if (f.denominator <= 0) return std::nullopt;
  return static_cast<double>(f.numerator) / static_cast<double>(f.denominator);
}

bool AllZero(const std::vector<int64_t>& values) {
  return std::all_of(values.begin(), values.end(), [](int64_t v) { return v == 0; });
}

// A region grouping's rows as {region → values}; ungrouped: one row keyed "".
using ValuesByRegion = std::map<std::string, std::vector<int64_t>>;

ResolvedQuery CellsOf(const IndicatorQuery& q, MonthRange months, v1::PeriodKind granularity) {
  ResolvedQuery r;
  r.months = months;
  r.region_prefix = q.region_prefix;
  r.region_digits = q.region_digits;
  r.industry_section = q.industry_section;
  r.hazard_category = q.hazard_category;
  r.granularity = granularity;
  for (const auto& spec : AllMetrics()) r.metrics.push_back(spec.metric);
  return r;
}

MonthRange YearsRange(int first_year, int last_year) {
  return {MakeMonthKey(first_year, 1), MakeMonthKey(last_year, 12)};
}

}  // namespace

std::vector<v1::IndicatorValue> ComputeIndicators(const std::vector<int64_t>& values,
                                                  const std::vector<int64_t>& previous,
                                                  const std::map<v1::Indicator, double>& targets) {
  std::vector<v1::IndicatorValue> out;
  for (const auto indicator : kIndicators) {
    v1::IndicatorValue v;
    v.set_indicator(indicator);
    const Fraction now = FractionOf(indicator, values);
    v.set_numerator(now.numerator);
    v.set_denominator(now.denominator);
    if (auto ratio = RatioOf(now)) v.set_value(*ratio);
    if (auto it = targets.find(indicator); it != targets.end()) v.set_target(it->second);
    v.set_meets_target(v.has_value() && v.has_target() && v.value() >= v.target());
    if (!previous.empty()) {
      const Fraction before = FractionOf(indicator, previous);
      v.set_previous_numerator(before.numerator);
      v.set_previous_denominator(before.denominator);
      if (auto ratio = RatioOf(before)) v.set_previous_value(*ratio);
      if (v.has_value() && v.has_previous_value()) v.set_change(v.value() - v.previous_value());
    }
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<v1::MetricTrend> DiseaseCaseTrends(const std::vector<int64_t>& values,
                                               const std::vector<int64_t>& previous) {
  std::vector<v1::MetricTrend> out;
  for (const auto& spec : AllMetrics()) {
    if (spec.metric < v1::METRIC_DISEASE_CASES || spec.metric > v1::METRIC_DISEASE_CASES_OTHER) continue;
    v1::MetricTrend t;
    t.set_metric(spec.metric);
    t.set_value(At(values, spec.metric));
    t.set_previous_value(At(previous, spec.metric));
    t.set_change(t.value() - t.previous_value());
    if (t.previous_value() != 0) {
      t.set_relative_change(static_cast<double>(t.change()) / static_cast<double>(t.previous_value()));
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<int64_t> TotalsOf(store::Tx& tx, const std::string& region_prefix, MonthRange months) {
  IndicatorQuery q;
  q.region_prefix = region_prefix;
  const auto rows = RunRollup(tx, CellsOf(q, months, v1::PERIOD_KIND_UNSPECIFIED), 1);
  return rows.empty() ? std::vector<int64_t>(AllMetrics().size()) : rows.begin()->second;
}

int RegionDigitsBelow(const std::string& region_prefix) {
  return std::min<int>(static_cast<int>(region_prefix.size()) + 2, 6);
}

std::optional<IndicatorQuery> ResolveIndicatorQuery(const v1::GetIndicatorsRequest& r, core::FieldErrors& errors) {
  const size_t errors_before = errors.size();
  IndicatorQuery q;
  q.region_prefix = r.region_prefix();
  if (!q.region_prefix.empty() && !domain::IsDivisionPrefix(q.region_prefix)) {
    errors.Add("region_prefix", "must be 2, 4 or 6 digits starting with a province code");
  }
  const auto check_year = [&](int year, const char* field) {
    if (year < kFirstYear || year > kLastYear) {
      errors.Add(field, fmt::format("must be between {} and {}, got {}", kFirstYear, kLastYear, year));
      return false;
    }
    return true;
  };
  if (r.year() != 0) {
    if (check_year(r.year(), "year")) q.first_year = q.last_year = r.year();
    if (r.first_year() != 0) errors.Add("first_year", "is only for a range (year 0)");
    if (r.last_year() != 0) errors.Add("last_year", "is only for a range (year 0)");
  } else if (r.first_year() == 0 && r.last_year() == 0) {
    errors.Add("year", "is required (or first_year and last_year for a range)");
  } else {
    const bool first_ok = check_year(r.first_year(), "first_year");
    const bool last_ok = check_year(r.last_year(), "last_year");
    if (first_ok && last_ok) {
      if (r.last_year() < r.first_year()) {
        errors.Add("last_year", fmt::format("{} is before first_year {}", r.last_year(), r.first_year()));
      } else if (r.last_year() - r.first_year() + 1 > kMaxYears) {
        errors.Add("last_year", fmt::format("a range spans at most {} years", kMaxYears));
      }
      q.first_year = r.first_year();
      q.last_year = r.last_year();
    }
  }
  q.industry_section = r.industry_section();
  if (!q.industry_section.empty() && domain::FindIndustrySection(q.industry_section) == nullptr) {
    errors.Add("industry_section", "must be a GB/T 4754-2017 section letter A-T");
  }
  q.hazard_category = r.hazard_category();
  if (q.hazard_category != 0 &&
      domain::FindHazardCategory(static_cast<domain::HazardCategory>(q.hazard_category)) == nullptr) {
    errors.Add("hazard_category", fmt::format("{} is not a hazard category", q.hazard_category));
  }
  switch (r.group_by()) {
    case v1::INDICATOR_GROUPING_UNSPECIFIED:
      break;
    case v1::INDICATOR_GROUPING_REGION:
      q.region_digits = -1;  // set once the prefix is narrowed to the caller
      break;
    case v1::INDICATOR_GROUPING_YEAR:
      q.by_year = true;
      break;
    case v1::INDICATOR_GROUPING_REGION_AND_YEAR:
      q.region_digits = -1;
      q.by_year = true;
      break;
    default:
      errors.Add("group_by", fmt::format("{} is not an indicator grouping", static_cast<int>(r.group_by())));
  }
  if (errors.size() > errors_before) return std::nullopt;
  return q;
}

std::vector<v1::IndicatorRow> RunIndicatorQuery(store::Tx& tx, const IndicatorQuery& q,
                                                const std::map<v1::Indicator, double>& targets, size_t max_groups) {
  // (region, first year of the row) → values of the row's years and of the year before.
  struct Pair {
    std::vector<int64_t> now;
    std::vector<int64_t> before;
  };
  std::map<std::pair<std::string, int>, Pair> pairs;
  const size_t width = AllMetrics().size();
  if (q.by_year) {
    // One read from the year before the range: each year's row and its predecessor.
    const auto rows = RunRollup(tx, CellsOf(q, YearsRange(q.first_year - 1, q.last_year), v1::PERIOD_KIND_YEAR),
                                max_groups);
    std::map<std::pair<std::string, int>, const std::vector<int64_t>*> by_year;
    std::set<std::string> regions;
    for (const auto& [key, values] : rows) {
      by_year[{key.region, YearOf(key.bucket)}] = &values;
      regions.insert(key.region);
    }
    const auto of = [&](const std::string& region, int year) {
      auto it = by_year.find({region, year});
      return it == by_year.end() ? std::vector<int64_t>(width) : *it->second;
    };
    for (const auto& region : regions) {
      for (int year = q.first_year; year <= q.last_year; ++year) pairs[{region, year}] = {of(region, year), of(region, year - 1)};
    }
  } else {
    const auto now = RunRollup(tx, CellsOf(q, YearsRange(q.first_year, q.last_year), v1::PERIOD_KIND_UNSPECIFIED),
                               max_groups);
    const auto before = RunRollup(
        tx, CellsOf(q, YearsRange(q.first_year - 1, q.last_year - 1), v1::PERIOD_KIND_UNSPECIFIED), max_groups);
    for (const auto& [key, values] : now) pairs[{key.region, q.first_year}].now = values;
    for (const auto& [key, values] : before) pairs[{key.region, q.first_year}].before = values;
  }
  std::vector<v1::IndicatorRow> out;
  for (auto& [key, pair] : pairs) {
    if (pair.now.empty()) pair.now.assign(width, 0);
    if (pair.before.empty()) pair.before.assign(width, 0);
    if (AllZero(pair.now) && AllZero(pair.before)) continue;
    v1::IndicatorRow row;
    if (q.region_digits > 0) {
      row.set_region_code(key.first);
      row.set_region_name(RegionName(key.first));
    }
    row.set_first_year(key.second);
    row.set_last_year(q.by_year ? key.second : q.last_year);
    for (auto& v : ComputeIndicators(pair.now, pair.before, targets)) *row.add_indicators() = std::move(v);
    for (auto& t : DiseaseCaseTrends(pair.now, pair.before)) *row.add_disease_cases() = std::move(t);
    out.push_back(std::move(row));
  }
  return out;
}

std::string IndicatorRowPosition(const v1::IndicatorRow& row) {
  return fmt::format("{}|{:04d}", row.region_code(), row.first_year());
}

grpc::Status Reporting::GetIndicators(const Caller& caller, const v1::GetIndicatorsRequest& request,
                                      v1::GetIndicatorsResponse* response) {
  return service::Guard(caller, "GetIndicators", [&] {
    core::FieldErrors errors;
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    auto query = ResolveIndicatorQuery(request, errors);
    service::ThrowIfInvalid(errors);
    // Province staff without a region read their own province, as QueryRollup.
    if (query->region_prefix.empty() && auth::IsProvincialRole(caller.principal->role)) {
      query->region_prefix = caller.principal->province;
    }
    if (query->region_digits < 0) query->region_digits = RegionDigitsBelow(query->region_prefix);
    v1::GetIndicatorsRequest unpaged = request;
    unpaged.clear_page_token();
    unpaged.clear_page_size();
    const std::string fingerprint = unpaged.SerializeAsString() + "|" + query->region_prefix;
    const std::string after = service::PagePosition(request.page_token(), fingerprint, errors);
    service::ThrowIfInvalid(errors);
    service::Require(caller.principal, auth::Action::kRead, {query->region_prefix.substr(0, 2), "", false});

    auto rows = db_.Read([&](store::Tx& tx) {
      try {
        return RunIndicatorQuery(tx, *query, options_.indicator_targets, options_.max_rollup_groups);
      } catch (const TooManyGroups& e) {
        throw service::Refusal{core::InvalidArgument("group_by", e.what())};
      }
    });
    if (!after.empty()) {
      rows.erase(rows.begin(), std::find_if(rows.begin(), rows.end(),
                                            [&](const auto& r) { return IndicatorRowPosition(r) > after; }));
    }
    if (static_cast<int>(rows.size()) > page_size) {
      rows.resize(static_cast<size_t>(page_size));
      response->set_next_page_token(core::EncodePageToken(IndicatorRowPosition(rows.back()), fingerprint));
    }
    for (auto& r : rows) *response->add_rows() = std::move(r);
    response->set_region_prefix(query->region_prefix);
    *response->mutable_read_time() = ToTimestamp(options_.clock());
  });
}

}  // namespace osh::reporting
