#include "lineage.h"

#include <fmt/format.h>

#include "osh/auth/authorize.h"
#include "osh/core/page_token.h"
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

constexpr int kMaxEventIdsPerContributor = 50;

// The contributions of a cell: stocks add every month up to the end of the
// range (their value then), flows only the months within it — exactly as the
// cells are aggregated.
constexpr char kCellWhere[] =
    " WHERE metric = ?1 AND hazard_category = ?2 AND division_code >= ?3 AND division_code < ?4"
    " AND (?5 = '' OR industry_section = ?5) AND month >= ?6 AND month <= ?7";

void BindCell(store::Statement& s, const Lineage::Cell& c) {
  s.Bind(1, static_cast<int64_t>(c.metric));
  s.Bind(2, static_cast<int64_t>(c.hazard_category));
  s.Bind(3, c.region_prefix);
  s.Bind(4, c.region_prefix + "~");
  s.Bind(5, c.industry_section);
  s.Bind(6, static_cast<int64_t>(IsStock(c.metric) ? 0 : c.months.first));
  s.Bind(7, static_cast<int64_t>(c.months.last));
}

}  // namespace

store::Migration LineageMigration(int version) {
  return {version, "lineage", R"sql(
CREATE TABLE rollup_contributions (
  metric INTEGER NOT NULL,
  hazard_category INTEGER NOT NULL,
  division_code TEXT NOT NULL,
  industry_section TEXT NOT NULL,
  month INTEGER NOT NULL,
  credit_code TEXT NOT NULL,
  event_id TEXT NOT NULL,
  delta INTEGER NOT NULL,
  PRIMARY KEY (metric, hazard_category, division_code, industry_section, month, credit_code, event_id)
) WITHOUT ROWID;
CREATE TABLE employer_names (
  credit_code TEXT PRIMARY KEY,
  name TEXT NOT NULL
) WITHOUT ROWID;
)sql"};
}

void Lineage::Record(store::Tx& tx, const CellDeltas& deltas, const std::string& credit_code,
                     const std::string& event_id) {
  const auto metrics = AllMetrics();
  for (const auto& [cell, values] : deltas) {
    for (size_t i = 0; i < values.size() && i < metrics.size(); ++i) {
      if (values[i] == 0) continue;
      // An event re-applied (never, behind the consumer's dedup) adds nothing twice.
      auto s = tx.Prepare(
          "INSERT INTO rollup_contributions (metric, hazard_category, division_code, industry_section, month,"
          " credit_code, event_id, delta) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
          " ON CONFLICT (metric, hazard_category, division_code, industry_section, month, credit_code, event_id)"
          " DO UPDATE SET delta = rollup_contributions.delta + excluded.delta");
      s.BindAll(static_cast<int64_t>(metrics[i].metric), static_cast<int64_t>(cell.hazard_category),
                cell.division_code, cell.industry_section, static_cast<int64_t>(cell.month), credit_code, event_id,
                values[i]);
      s.Run();
    }
  }
}

void Lineage::RememberName(store::Tx& tx, const std::string& credit_code, const std::string& name) {
  if (credit_code.empty() || name.empty()) return;
  tx.Prepare(
        "INSERT INTO employer_names (credit_code, name) VALUES (?, ?)"
        " ON CONFLICT (credit_code) DO UPDATE SET name = excluded.name")
      .BindAll(credit_code, name)
      .Run();
}

Lineage::TracePage Lineage::Trace(store::Tx& tx, const Cell& cell, bool after_set, const std::string& after,
                                  int limit) {
  // Grouped by employer and event, in credit-code order: one sorted pass gives
  // each employer's net contribution, its events (all of them, as the cell's
  // history has them, also one whose moves cancel out) and the totals.
  auto s = tx.Prepare(std::string("SELECT credit_code, event_id, SUM(delta) FROM rollup_contributions") + kCellWhere +
                      " GROUP BY credit_code, event_id ORDER BY credit_code, event_id");
  BindCell(s, cell);
  TracePage out;
  v1::CellContributor current;
  bool open = false;
  const auto finish = [&] {
    if (!open || current.contribution() == 0) return;
    ++out.contributors;
    out.sum += current.contribution();
    if ((!after_set || current.credit_code() > after) && static_cast<int>(out.page.size()) < limit) {
      out.page.push_back(std::move(current));
    }
  };
  while (s.Step()) {
    std::string code = s.Text(0);
    if (!open || code != current.credit_code()) {
      finish();
      current = v1::CellContributor();
      current.set_credit_code(std::move(code));
      open = true;
    }
    current.set_contribution(current.contribution() + s.Int(2));
    current.set_event_count(current.event_count() + 1);
    if (current.event_ids_size() < kMaxEventIdsPerContributor) current.add_event_ids(s.Text(1));
  }
  finish();
  for (auto& c : out.page) {
    auto n = tx.Prepare("SELECT name FROM employer_names WHERE credit_code = ?");
    n.Bind(1, c.credit_code());
    if (n.Step()) c.set_employer_name(n.Text(0));
  }
  return out;
}

grpc::Status Reporting::TraceRollupCell(const Caller& caller, const v1::TraceRollupCellRequest& request,
                                        v1::TraceRollupCellResponse* response) {
  return service::Guard(caller, "TraceRollupCell", [&] {
    core::FieldErrors errors;
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    if (FindMetric(request.metric()) == nullptr) {
      errors.Add("metric", fmt::format("{} is not a metric ListMetrics returns", static_cast<int>(request.metric())));
    }
    if (!request.region_code().empty() && !domain::IsDivisionPrefix(request.region_code())) {
      errors.Add("region_code", "must be empty (the whole country) or 2, 4 or 6 digits starting with a province code");
    }
    ValidatePeriod(request.period(), "period", errors);
    if (!request.industry_section().empty() && domain::FindIndustrySection(request.industry_section()) == nullptr) {
      errors.Add("industry_section", "must be a GB/T 4754-2017 section letter A-T");
    }
    if (request.hazard_category() != 0 &&
        domain::FindHazardCategory(static_cast<domain::HazardCategory>(request.hazard_category())) == nullptr) {
      errors.Add("hazard_category", fmt::format("{} is not a hazard category", static_cast<int>(request.hazard_category())));
    }
    // The token is bound to the cell, so it cannot be replayed against another.
    v1::TraceRollupCellRequest cell_only = request;
    cell_only.clear_page_size();
    cell_only.clear_page_token();
    const std::string fingerprint = cell_only.SerializeAsString();
    std::string after;
    bool after_set = false;
    if (!request.page_token().empty()) {
      auto position = core::DecodePageToken(request.page_token(), fingerprint);
      if (position) {
        after = *position;
        after_set = true;
      } else {
        errors.Add("page_token", "is not a token from this trace (or the cell changed)");
      }
    }
    service::ThrowIfInvalid(errors);
    // As rollup queries: no region is the whole country for national roles,
    // the caller's own province for province staff.
    std::string region = request.region_code();
    if (region.empty() && auth::IsProvincialRole(caller.principal->role)) region = caller.principal->province;
    service::Require(caller.principal, auth::Action::kRead, {region.substr(0, 2), "", false});

    Lineage::Cell cell{request.metric(), region, RangeOf(request.period()), request.industry_section(),
                       static_cast<int>(request.hazard_category())};
    ResolvedQuery q;
    q.months = cell.months;
    q.region_prefix = cell.region_prefix;
    q.industry_section = cell.industry_section;
    q.hazard_category = cell.hazard_category;
    q.metrics = {cell.metric};
    db_.Read([&](store::Tx& tx) {
      // One read transaction: the cell and its contributions are one state.
      const auto rows = RunRollup(tx, q, 1);
      response->set_cell_value(rows.empty() ? 0 : rows.begin()->second.front());
      auto trace = Lineage::Trace(tx, cell, after_set, after, page_size + 1);
      response->set_traced_total(trace.sum);
      response->set_contributor_count(static_cast<int32_t>(trace.contributors));
      auto& page = trace.page;
      if (static_cast<int>(page.size()) > page_size) {
        page.pop_back();
        response->set_next_page_token(core::EncodePageToken(page.back().credit_code(), fingerprint));
      }
      for (auto& c : page) *response->add_contributors() = std::move(c);
      return 0;
    });
    *response->mutable_read_time() = ToTimestamp(options_.clock());
  });
}

}  // namespace osh::reporting
