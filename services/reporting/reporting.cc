#include "reporting.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "osh/auth/authorize.h"
#include "osh/core/config.h"
#include "osh/core/errors.h"
#include "osh/core/ids.h"
#include "osh/core/page_token.h"
#include "osh/domain/regions.h"
#include "osh/domain/text.h"
#include "osh/service/actor.h"
#include "osh/service/checks.h"
#include "osh/service/paging.h"
#include "osh/service/records.h"
#include "indicators.h"
#include "report_access.h"
#include "rollup_metrics.h"
#include "rollup_query.h"
#include "rollup_store.h"
#include "validation.h"

namespace osh::reporting {
namespace {

constexpr int kFirstReportYear = 2000;
constexpr int kLastYear = 2100;

using service::Guard;
using service::Idempotent;
using service::Refusal;
using service::Refuse;
using service::ThrowIfInvalid;

using service::Require;

using service::ActorOf;

// A query too broad to answer is the caller's to narrow: INVALID_ARGUMENT.
RollupRows RollupOrRefuse(store::Tx& tx, const ResolvedQuery& query, size_t max_groups) {
  try {
    return RunRollup(tx, query, max_groups);
  } catch (const TooManyGroups& e) {
    throw Refusal{core::InvalidArgument("query.group_by", e.what())};
  }
}

void ValidateMainlandProvince(const std::string& province, const char* field, bool required,
                              core::FieldErrors& errors) {
  if (province.empty()) {
    if (required) errors.Add(field, "is required (2-digit GB/T 2260 province code)");
    return;
  }
  const auto* p = domain::FindProvince(province);
  if (p == nullptr) {
    errors.Add(field, "'" + std::string(domain::Utf8Prefix(province, 8)) + "' is not a GB/T 2260 province code");
  } else if (!p->mainland) {
    errors.Add(field, province + " is not one of the 31 mainland provinces that report");
  }
}

// A rollup query may read the whole country only for national roles; province
// staff without a region filter get their own province.
void NarrowToCaller(const Caller& caller, ResolvedQuery& q) {
  if (q.region_prefix.empty() && auth::IsProvincialRole(caller.principal->role)) {
    q.region_prefix = caller.principal->province;
  }
}

void RequireReadOfRegion(const Caller& caller, const ResolvedQuery& q) {
  Require(caller.principal, auth::Action::kRead, {q.region_prefix.substr(0, 2), "", false});
}

// A report's figures, computed from the live rollups inside one transaction.
struct ReportFigures {
  std::vector<v1::MetricValue> totals;
  std::vector<v1::IndicatorValue> indicators;
  std::vector<v1::RollupRow> cities;
};

int64_t ValueOf(const std::vector<v1::MetricValue>& values, v1::Metric metric) {
  for (const auto& v : values) {
    if (v.metric() == metric) return v.value();
  }
  return 0;
}

ReportFigures ComputeFigures(store::Tx& tx, const std::string& province, int year, const Reporting::Options& o) {
  ResolvedQuery q;
  q.months = RangeOf([&] {
    v1::Period p;
    p.set_kind(v1::PERIOD_KIND_YEAR);
    p.set_year(year);
    return p;
  }());
  q.region_prefix = province;
  for (const auto& spec : AllMetrics()) q.metrics.push_back(spec.metric);

  ReportFigures f;
  const auto totals = RunRollup(tx, q, 1);
  const auto total_row = totals.empty() ? v1::RollupRow() : ToRollupRow(totals.begin()->first, totals.begin()->second, q);
  for (size_t i = 0; i < q.metrics.size(); ++i) {
    v1::MetricValue v;
    v.set_metric(q.metrics[i]);
    v.set_value(total_row.values_size() > static_cast<int>(i) ? total_row.values(static_cast<int>(i)).value() : 0);
    f.totals.push_back(v);
  }
  // All seven, with the change from the year before.
  const auto previous = TotalsOf(tx, province, RangeOf([&] {
    v1::Period p;
    p.set_kind(v1::PERIOD_KIND_YEAR);
    p.set_year(year - 1);
    return p;
  }()));
  std::vector<int64_t> current;
  for (const auto& v : f.totals) current.push_back(v.value());
  f.indicators = ComputeIndicators(current, previous, o.indicator_targets);

  q.region_digits = 4;
  for (const auto& [key, values] : RollupOrRefuse(tx, q, o.max_rollup_groups)) f.cities.push_back(ToRollupRow(key, values, q));
  return f;
}

std::string ProvinceName(const std::string& code) {
  const auto* p = domain::FindProvince(code);
  return p == nullptr ? "" : std::string(p->name_zh);
}

}  // namespace

Reporting::Reporting(store::Database& db, Options options) : db_(db), options_(std::move(options)) {}

grpc::Status Reporting::ListMetrics(const Caller& caller, const v1::ListMetricsRequest&,
                                    v1::ListMetricsResponse* response) {
  return Guard(caller, "ListMetrics", [&] {
    for (const auto& spec : AllMetrics()) {
      auto* m = response->add_metrics();
      m->set_metric(spec.metric);
      m->set_kind(spec.kind);
      m->set_name(std::string(spec.name));
      m->set_description(std::string(spec.description));
    }
  });
}

grpc::Status Reporting::QueryRollup(const Caller& caller, const v1::QueryRollupRequest& request,
                                    v1::QueryRollupResponse* response) {
  return Guard(caller, "QueryRollup", [&] {
    core::FieldErrors errors;
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    auto query = ResolveQuery(request.query(), "query", errors);
    ThrowIfInvalid(errors);
    NarrowToCaller(caller, *query);
    // The token is bound to the query as narrowed, so it cannot be replayed
    // against other filters or by a caller with another scope.
    const std::string fingerprint = request.query().SerializeAsString() + "|" + query->region_prefix;
    std::optional<RowKey> after;
    if (!request.page_token().empty()) {
      auto position = core::DecodePageToken(request.page_token(), fingerprint);
      if (position) after = DecodeRowKey(*position);
      if (!after) errors.Add("page_token", "is not a token from this query (or the query changed)");
    }
    ThrowIfInvalid(errors);
    RequireReadOfRegion(caller, *query);

    const auto rows = db_.Read([&](store::Tx& tx) { return RollupOrRefuse(tx, *query, options_.max_rollup_groups); });
    for (auto m : query->metrics) response->add_metrics(m);
    response->set_region_prefix(query->region_prefix);
    *response->mutable_read_time() = ToTimestamp(options_.clock());
    auto it = after ? rows.upper_bound(*after) : rows.begin();
    for (int n = 0; it != rows.end() && n < page_size; ++it, ++n) {
      *response->add_rows() = ToRollupRow(it->first, it->second, *query);
    }
    if (it != rows.end()) {
      response->set_next_page_token(core::EncodePageToken(EncodeRowKey(std::prev(it)->first), fingerprint));
    }
  });
}

grpc::Status Reporting::ExportRollup(const Caller& caller, const v1::ExportRollupRequest& request,
                                     v1::ExportRollupResponse* response) {
  return Guard(caller, "ExportRollup", [&] {
    core::FieldErrors errors;
    auto query = ResolveQuery(request.query(), "query", errors);
    if (request.format() != v1::EXPORT_FORMAT_CSV && request.format() != v1::EXPORT_FORMAT_JSON) {
      errors.Add("format", "is required (EXPORT_FORMAT_CSV or EXPORT_FORMAT_JSON)");
    }
    ThrowIfInvalid(errors);
    NarrowToCaller(caller, *query);
    RequireReadOfRegion(caller, *query);

    const auto rows = db_.Read([&](store::Tx& tx) { return RollupOrRefuse(tx, *query, options_.max_rollup_groups); });
    if (rows.size() > options_.max_export_rows) {
      throw Refusal{core::InvalidArgument(
          "query", fmt::format("the export would hold {} rows, more than {}; narrow the filters or page through "
                               "QueryRollup",
                               rows.size(), options_.max_export_rows))};
    }
    if (request.format() == v1::EXPORT_FORMAT_CSV) {
      response->set_content_type("text/csv; charset=utf-8");
      response->set_content(RenderCsv(rows, *query));
    } else {
      response->set_content_type("application/json");
      response->set_content(RenderJson(rows, *query));
    }
    response->set_row_count(static_cast<int>(rows.size()));
  });
}

grpc::Status Reporting::GenerateAnnualReport(const Caller& caller, const v1::GenerateAnnualReportRequest& request,
                                             v1::AnnualReport* response) {
  return Guard(caller, "GenerateAnnualReport", [&] {
    const auto now = options_.clock();
    const int current_year = options_.calendar.YearAt(now);
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    ValidateMainlandProvince(request.province(), "province", true, errors);
    if (request.year() < kFirstReportYear || request.year() > current_year) {
      errors.Add("year", fmt::format("must be between {} and {}, got {}", kFirstReportYear, current_year,
                                     request.year()));
    }
    ThrowIfInvalid(errors);
    Require(caller.principal, auth::Action::kWrite, {request.province(), "", false});

    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "GenerateAnnualReport", request.request_id(), request, response, [&] {
        // Figures and report are read and written in one transaction: the
        // snapshot is one consistent state of the rollups.
        auto figures = ComputeFigures(tx, request.province(), request.year(), options_);
        v1::AnnualReport r;
        r.set_id(core::NewUuidV7(now));
        r.set_province(request.province());
        r.set_province_name(ProvinceName(request.province()));
        r.set_year(request.year());
        r.set_status(v1::REPORT_STATUS_DRAFT);
        *r.mutable_snapshot_time() = ToTimestamp(now);
        *r.mutable_generated_by() = ActorOf(*caller.principal);
        for (auto& v : figures.totals) *r.add_totals() = std::move(v);
        for (auto& v : figures.indicators) *r.add_indicators() = std::move(v);
        for (auto& c : figures.cities) *r.add_cities() = std::move(c);
        r.set_version(1);
        AddValidationFindings(tx, r, options_.outlier_share);
        RollupStore::InsertReport(tx, r);
        service::Audit(tx, caller, "generate", "annual_report", r.id());
        *response = std::move(r);
      });
    });
  });
}

grpc::Status Reporting::GetAnnualReport(const Caller& caller, const v1::GetAnnualReportRequest& request,
                                        v1::AnnualReport* response) {
  return Guard(caller, "GetAnnualReport", [&] {
    if (request.id().empty()) throw Refusal{core::InvalidArgument("id", "is required")};
    *response = db_.Read([&](store::Tx& tx) { return ReportFor(tx, caller, auth::Action::kRead, request.id()); });
  });
}

grpc::Status Reporting::ListAnnualReports(const Caller& caller, const v1::ListAnnualReportsRequest& request,
                                          v1::ListAnnualReportsResponse* response) {
  return Guard(caller, "ListAnnualReports", [&] {
    core::FieldErrors errors;
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    ValidateMainlandProvince(request.province(), "province", false, errors);
    if (request.year() != 0 && (request.year() < kFirstReportYear || request.year() > kLastYear)) {
      errors.Add("year", fmt::format("must be 0 (every year) or between {} and {}", kFirstReportYear, kLastYear));
    }
    if (!v1::ReportStatus_IsValid(request.status())) errors.Add("status", "unknown value");
    RollupStore::ReportFilter filter{request.province(), request.year(), request.status()};
    if (filter.province.empty() && auth::IsProvincialRole(caller.principal->role)) {
      filter.province = caller.principal->province;
    }
    const std::string fingerprint = fmt::format("{}|{}|{}", filter.province, filter.year, filter.status);
    const std::string before_id = service::PagePosition(request.page_token(), fingerprint, errors);
    ThrowIfInvalid(errors);
    Require(caller.principal, auth::Action::kRead, {filter.province, "", false});

    auto rows = db_.Read([&](store::Tx& tx) { return RollupStore::ListReports(tx, filter, before_id, page_size + 1); });
    response->set_next_page_token(service::TrimPage(rows, page_size, fingerprint, [](const auto& r) { return r.id(); }));
    for (auto& r : rows) *response->add_reports() = std::move(r);
  });
}

// SubmitAnnualReport and GetReportingCompleteness: approval.cc.

grpc::Status Reporting::CompareReportWithLive(const Caller& caller, const v1::CompareReportWithLiveRequest& request,
                                              v1::ReportComparison* response) {
  return Guard(caller, "CompareReportWithLive", [&] {
    if (request.id().empty()) throw Refusal{core::InvalidArgument("id", "is required")};
    const auto report = std::optional(
        db_.Read([&](store::Tx& tx) { return ReportFor(tx, caller, auth::Action::kRead, request.id()); }));
    const auto live = db_.Read(
        [&](store::Tx& tx) { return ComputeFigures(tx, report->province(), report->year(), options_); });

    response->set_report_id(report->id());
    response->set_province(report->province());
    response->set_year(report->year());
    *response->mutable_snapshot_time() = report->snapshot_time();
    *response->mutable_live_time() = ToTimestamp(options_.clock());
    bool changed = false;
    const std::vector<v1::MetricValue> frozen(report->totals().begin(), report->totals().end());
    for (const auto& v : live.totals) {
      auto* d = response->add_totals();
      d->set_metric(v.metric());
      d->set_snapshot(ValueOf(frozen, v.metric()));
      d->set_live(v.value());
      d->set_difference(d->live() - d->snapshot());
      changed = changed || d->difference() != 0;
    }
    for (const auto& v : live.indicators) {
      auto* d = response->add_indicators();
      d->set_indicator(v.indicator());
      if (v.has_value()) d->set_live(v.value());
      for (const auto& s : report->indicators()) {
        if (s.indicator() == v.indicator() && s.has_value()) d->set_snapshot(s.value());
      }
      changed = changed || d->has_live() != d->has_snapshot() || (d->has_live() && d->live() != d->snapshot());
    }
    // City rows: live − snapshot per metric, for every city where any differs.
    std::map<std::string, std::map<v1::Metric, int64_t>> by_city;
    for (const auto& row : report->cities()) {
      for (const auto& v : row.values()) by_city[row.region_code()][v.metric()] -= v.value();
    }
    for (const auto& row : live.cities) {
      for (const auto& v : row.values()) by_city[row.region_code()][v.metric()] += v.value();
    }
    for (const auto& [city, differences] : by_city) {
      if (std::all_of(differences.begin(), differences.end(), [](const auto& d) { return d.second == 0; })) continue;
      auto* row = response->add_city_differences();
      row->set_region_code(city);
      for (const auto& spec : AllMetrics()) {
        auto* v = row->add_values();
        v->set_metric(spec.metric);
        auto it = differences.find(spec.metric);
        v->set_value(it == differences.end() ? 0 : it->second);
      }
      changed = true;
    }
    response->set_changed(changed);
  });
}

std::optional<std::map<v1::Indicator, double>> ParseIndicatorTargets(const std::string& text, std::string* error) {
  std::map<v1::Indicator, double> targets;
  for (const auto& item : core::SplitList(text)) {
    const auto equals = item.find('=');
    if (equals == std::string::npos) {
      *error = "indicator target '" + item + "' is not name=value";
      return std::nullopt;
    }
    std::string enum_name = "INDICATOR_" + item.substr(0, equals);
    std::transform(enum_name.begin(), enum_name.end(), enum_name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    v1::Indicator indicator;
    if (!v1::Indicator_Parse(enum_name, &indicator) || indicator == v1::INDICATOR_UNSPECIFIED) {
      *error = "'" + item.substr(0, equals) + "' is not an indicator (declaration_rate, monitoring_pass_rate, ...)";
      return std::nullopt;
    }
    double value = 0;
    try {
      size_t used = 0;
      value = std::stod(item.substr(equals + 1), &used);
      if (used != item.size() - equals - 1) throw std::invalid_argument("trailing characters");
    } catch (const std::exception&) {
      *error = "target of " + item.substr(0, equals) + " is not a number";
      return std::nullopt;
    }
    if (value < 0 || value > 1) {
      *error = "target of " + item.substr(0, equals) + " must be a ratio between 0 and 1";
      return std::nullopt;
    }
    targets[indicator] = value;
  }
  return targets;
}

}  // namespace osh::reporting
