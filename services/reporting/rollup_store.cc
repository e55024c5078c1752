#include "rollup_store.h"

#include <fmt/format.h>

#include <algorithm>

#include "lineage.h"
#include "osh/events/consumer.h"
#include "osh/events/outbox.h"
#include "osh/service/records.h"
#include "osh/training/v1/training.pb.h"
#include "rollup_metrics.h"
#include "supervision_store.h"

namespace osh::reporting {
namespace {

// Cells are kept at two levels: per county, and per province (the sum of its
// counties, written in the same transaction). Queries of the whole country or
// grouped by province read the province level: 31 provinces instead of some
// 3,000 counties, which is what keeps national queries fast.
constexpr int kProvinceLevel = 2;
constexpr int kCountyLevel = 6;
// Parameters are numbered without gaps: PostgreSQL cannot type one a statement never uses.
constexpr size_t kFirstHazardParameter = 7;

int LevelFor(const CellQuery& q) {
  return q.region_digits <= kProvinceLevel && q.region_prefix.size() <= kProvinceLevel ? kProvinceLevel
                                                                                       : kCountyLevel;
}

// The metric columns in catalogue order: "registered_employers, workers, …".
// Identifiers from the compiled catalogue, never from a request.
std::string MetricColumns(const std::string& each_format) {
  std::string out;
  for (const auto& spec : AllMetrics()) {
    if (!out.empty()) out += ", ";
    out += fmt::format(fmt::runtime(each_format), spec.name);
  }
  return out;
}

const std::string& UpsertCellSql() {
  static const std::string sql = fmt::format(
      "INSERT INTO rollup_cells (level, hazard_category, division_code, industry_section, month, {})"
      " VALUES (?, ?, ?, ?, ?, {}) ON CONFLICT (level, hazard_category, division_code, industry_section, month)"
      " DO UPDATE SET {}",
      MetricColumns("{}"), MetricColumns("?"), MetricColumns("{0} = rollup_cells.{0} + excluded.{0}"));
  return sql;
}

// The SQL of one aggregation shape. Only fixed fragments chosen by the query's
// grouping, and the catalogue's column names, make up the statement text;
// every value is bound, and the number of distinct texts (and so of cached
// statements) stays small.
std::string AggregateSql(const CellQuery& q) {
  const char* region = "''";
  if (q.region_digits == 2) region = "substr(division_code, 1, 2)";
  if (q.region_digits == 4) region = "substr(division_code, 1, 4)";
  if (q.region_digits == 6) region = "division_code";
  const char* industry = q.by_industry ? "industry_section" : "''";
  const char* hazard = q.by_hazard ? "hazard_category" : "0";
  const char* bucket = "0";
  switch (q.bucket) {
    case v1::PERIOD_KIND_YEAR:
      bucket = "CASE WHEN month < ?5 THEN 0 ELSE (month / 100) * 100 + 1 END";
      break;
    case v1::PERIOD_KIND_QUARTER:
      bucket = "CASE WHEN month < ?5 THEN 0 ELSE month - ((month % 100) - 1) % 3 END";
      break;
    case v1::PERIOD_KIND_MONTH:
      bucket = "CASE WHEN month < ?5 THEN 0 ELSE month END";
      break;
    default:
      break;
  }
  // A stock's value at the end of the range is everything added up to then;
  // a flow is what was added within the range.
  std::string sums;
  for (const auto& spec : AllMetrics()) {
    sums += spec.kind == v1::METRIC_KIND_STOCK ? fmt::format(", SUM({})", spec.name)
                                               : fmt::format(", SUM(CASE WHEN month >= ?5 THEN {} ELSE 0 END)", spec.name);
  }
  // The WHERE clause follows the primary key (level, hazard_category,
  // division_code, ...) with equalities before the division range, so a region
  // drill-down is an index range scan.
  std::string hazards;
  for (size_t i = 0; i < q.hazard_categories.size(); ++i) {
    hazards += fmt::format("{}?{}", i == 0 ? "" : ", ", kFirstHazardParameter + i);
  }
  return fmt::format(
      "SELECT {}, {}, {}, {}{} FROM rollup_cells"
      " WHERE level = ?1 AND hazard_category IN ({})"
      " AND division_code >= ?2 AND division_code < ?3"
      " AND (?4 = '' OR industry_section = ?4) AND month <= ?6"
      " GROUP BY 1, 2, 3, 4",
      region, industry, hazard, bucket, sums, hazards);
}

}  // namespace

std::vector<store::Migration> RollupStore::Migrations() {
  return {
      events::EventConsumer::Migration(1),
      {2, "rollups", R"sql(
CREATE TABLE employer_facts (
  credit_code TEXT PRIMARY KEY,
  province TEXT NOT NULL,
  division_code TEXT NOT NULL,
  industry_section TEXT NOT NULL,
  size_class INTEGER NOT NULL,
  total_workers INTEGER NOT NULL,
  approved_declaration BLOB,
  facts_province TEXT NOT NULL,
  facts_version INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE rollup_cells (
  level INTEGER NOT NULL,
  hazard_category INTEGER NOT NULL,
  division_code TEXT NOT NULL,
  industry_section TEXT NOT NULL,
  month INTEGER NOT NULL,
  registered_employers INTEGER NOT NULL DEFAULT 0,
  employers_with_approved_declaration INTEGER NOT NULL DEFAULT 0,
  exposed_workers INTEGER NOT NULL DEFAULT 0,
  workers INTEGER NOT NULL DEFAULT 0,
  registrations INTEGER NOT NULL DEFAULT 0,
  transfers_in INTEGER NOT NULL DEFAULT 0,
  transfers_out INTEGER NOT NULL DEFAULT 0,
  declarations_submitted INTEGER NOT NULL DEFAULT 0,
  declarations_approved INTEGER NOT NULL DEFAULT 0,
  declarations_rejected INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (level, hazard_category, division_code, industry_section, month)
) WITHOUT ROWID;
CREATE TABLE counted_occurrences (
  occurrence TEXT PRIMARY KEY
) WITHOUT ROWID;
)sql"},
      {3, "annual_reports", R"sql(
CREATE TABLE annual_reports (
  id TEXT PRIMARY KEY,
  province TEXT NOT NULL,
  year INTEGER NOT NULL,
  status INTEGER NOT NULL,
  record BLOB NOT NULL
);
CREATE INDEX annual_reports_by_year ON annual_reports(year, province, status);
)sql"},
      service::RecordsMigration(4),
      {5, "literacy", R"sql(
ALTER TABLE rollup_cells ADD COLUMN literacy_questionnaires INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN literacy_reaching_threshold INTEGER NOT NULL DEFAULT 0;
)sql"},
      // Reliability (issue 23): indexes for retention.
      events::EventConsumer::RetentionMigration(6),
      service::RecordsRetentionMigration(7),
      // Supervision, training and disease facts behind the seven indicators (issue 16).
      SupervisionStore::Migration(8),
      // Issue 16 (approval events, lineage) numbers its migrations from 20 so
      // the metric migrations of the same issue keep 6-19.
      events::Outbox::Migration(20),
      LineageMigration(21),
      // Outbox rows Kafka refuses for good are parked (issue 23).
      events::Outbox::ParkingMigration(22),
      // Request tracing (issue 22): each outbox row's traceparent.
      events::Outbox::TraceMigration(23),
  };
}

std::optional<EmployerFacts> RollupStore::FindFacts(store::Tx& tx, const std::string& credit_code) {
  auto s = tx.Prepare(
      "SELECT province, division_code, industry_section, size_class, total_workers, approved_declaration,"
      " facts_province, facts_version,"
      " EXISTS (SELECT 1 FROM employer_training t WHERE t.credit_code = f.credit_code AND t.role = ?2),"
      " EXISTS (SELECT 1 FROM employer_training t WHERE t.credit_code = f.credit_code AND t.role = ?3)"
      " FROM employer_facts f WHERE f.credit_code = ?1");
  s.BindAll(credit_code, static_cast<int64_t>(training::v1::TARGET_ROLE_EMPLOYER_PRINCIPAL),
            static_cast<int64_t>(training::v1::TARGET_ROLE_OSH_MANAGER));
  if (!s.Step()) return std::nullopt;
  EmployerFacts f;
  f.credit_code = credit_code;
  f.province = s.Text(0);
  f.division_code = s.Text(1);
  f.industry_section = s.Text(2);
  f.size_class = static_cast<int>(s.Int(3));
  f.total_workers = s.Int(4);
  if (!s.IsNull(5)) f.approved_declaration = store::ParseRecord<ev::DeclarationFacts>(s.Blob(5));
  f.facts_province = s.Text(6);
  f.facts_version = s.Int(7);
  f.principal_trained = s.Int(8) != 0;
  f.osh_manager_trained = s.Int(9) != 0;
  return f;
}

void RollupStore::SaveFacts(store::Tx& tx, const EmployerFacts& f) {
  auto s = tx.Prepare(
      "INSERT INTO employer_facts (credit_code, province, division_code, industry_section, size_class,"
      " total_workers, approved_declaration, facts_province, facts_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
      " ON CONFLICT (credit_code) DO UPDATE SET province = excluded.province,"
      " division_code = excluded.division_code, industry_section = excluded.industry_section,"
      " size_class = excluded.size_class, total_workers = excluded.total_workers,"
      " approved_declaration = excluded.approved_declaration, facts_province = excluded.facts_province,"
      " facts_version = excluded.facts_version");
  s.BindAll(f.credit_code, f.province, f.division_code, f.industry_section, static_cast<int64_t>(f.size_class),
            f.total_workers);
  if (f.approved_declaration) {
    s.BindBlob(7, f.approved_declaration->SerializeAsString());
  } else {
    s.BindNull(7);
  }
  s.Bind(8, f.facts_province);
  s.Bind(9, f.facts_version);
  s.Run();
}

int64_t RollupStore::CountFacts(store::Tx& tx) {
  auto s = tx.Prepare("SELECT COUNT(*) FROM employer_facts");
  s.Step();
  return s.Int(0);
}

void AddDelta(CellDeltas& deltas, const CellKey& cell, v1::Metric metric, int64_t delta) {
  auto& values = deltas[cell];
  values.resize(AllMetrics().size());
  values[MetricIndex(metric)] += delta;
}

void RollupStore::AddToCells(store::Tx& tx, const CellDeltas& deltas) {
  const auto add = [&tx](int level, const CellKey& cell, const std::string& division,
                         const std::vector<int64_t>& values) {
    auto s = tx.Prepare(UpsertCellSql());
    s.BindAll(static_cast<int64_t>(level), static_cast<int64_t>(cell.hazard_category), division,
              cell.industry_section, static_cast<int64_t>(cell.month));
    for (size_t i = 0; i < values.size(); ++i) s.Bind(static_cast<int>(6 + i), values[i]);
    s.Run();
  };
  for (const auto& [cell, values] : deltas) {
    if (std::all_of(values.begin(), values.end(), [](int64_t v) { return v == 0; })) continue;
    add(kCountyLevel, cell, cell.division_code, values);
    add(kProvinceLevel, cell, cell.division_code.substr(0, kProvinceLevel), values);
  }
}

bool RollupStore::FirstOccurrence(store::Tx& tx, const std::string& occurrence) {
  return tx.Prepare("INSERT INTO counted_occurrences (occurrence) VALUES (?) ON CONFLICT DO NOTHING")
             .Bind(1, occurrence)
             .Run() == 1;
}

std::vector<CellSum> RollupStore::Aggregate(store::Tx& tx, const CellQuery& q) {
  auto s = tx.Prepare(AggregateSql(q));
  s.Bind(1, static_cast<int64_t>(LevelFor(q)));
  for (size_t i = 0; i < q.hazard_categories.size(); ++i) {
    s.Bind(static_cast<int>(kFirstHazardParameter + i), static_cast<int64_t>(q.hazard_categories[i]));
  }
  // Division codes are ASCII digits, so every code with the prefix sorts at or
  // after the prefix and before the prefix followed by '~'.
  s.Bind(2, q.region_prefix);
  s.Bind(3, q.region_prefix + "~");
  s.Bind(4, q.industry_section);
  s.Bind(5, static_cast<int64_t>(q.months.first));
  s.Bind(6, static_cast<int64_t>(q.months.last));
  const size_t metric_count = AllMetrics().size();
  std::vector<CellSum> out;
  while (s.Step()) {
    CellSum sum{s.Text(0), s.Text(1), static_cast<int>(s.Int(2)), static_cast<MonthKey>(s.Int(3)), {}};
    sum.values.reserve(metric_count);
    for (size_t i = 0; i < metric_count; ++i) sum.values.push_back(s.Int(static_cast<int>(4 + i)));
    out.push_back(std::move(sum));
  }
  return out;
}

void RollupStore::InsertReport(store::Tx& tx, const v1::AnnualReport& r) {
  auto s = tx.Prepare("INSERT INTO annual_reports (id, province, year, status, record) VALUES (?, ?, ?, ?, ?)");
  s.BindAll(r.id(), r.province(), static_cast<int64_t>(r.year()), static_cast<int64_t>(r.status()));
  s.BindBlob(5, r.SerializeAsString());
  s.Run();
}

void RollupStore::UpdateReport(store::Tx& tx, const v1::AnnualReport& r) {
  auto s = tx.Prepare("UPDATE annual_reports SET status = ?, record = ? WHERE id = ?");
  s.Bind(1, static_cast<int64_t>(r.status()));
  s.BindBlob(2, r.SerializeAsString());
  s.Bind(3, r.id());
  if (s.Run() != 1) throw store::StoreError(1, "annual report to update is missing");
}

std::optional<v1::AnnualReport> RollupStore::FindReport(store::Tx& tx, const std::string& id) {
  auto s = tx.Prepare("SELECT record FROM annual_reports WHERE id = ?");
  s.Bind(1, id);
  if (!s.Step()) return std::nullopt;
  return store::ParseRecord<v1::AnnualReport>(s.Blob(0));
}

std::vector<v1::AnnualReport> RollupStore::ListReports(store::Tx& tx, const ReportFilter& f,
                                                       const std::string& before_id, int limit) {
  auto s = tx.Prepare(
      "SELECT record FROM annual_reports WHERE (?1 = '' OR id < ?1) AND (?2 = '' OR province = ?2)"
      " AND (?3 = 0 OR year = ?3) AND (?4 = 0 OR status = ?4) ORDER BY id DESC LIMIT ?5");
  s.BindAll(before_id, f.province, static_cast<int64_t>(f.year), static_cast<int64_t>(f.status),
            static_cast<int64_t>(limit));
  std::vector<v1::AnnualReport> out;
  while (s.Step()) out.push_back(store::ParseRecord<v1::AnnualReport>(s.Blob(0)));
  return out;
}

std::optional<v1::AnnualReport> RollupStore::FindReportInForce(store::Tx& tx, const std::string& province, int year) {
  auto s = tx.Prepare(
      "SELECT record FROM annual_reports WHERE year = ? AND province = ? AND status IN (?, ?, ?) ORDER BY id DESC");
  s.BindAll(static_cast<int64_t>(year), province, static_cast<int64_t>(v1::REPORT_STATUS_SUBMITTED),
            static_cast<int64_t>(v1::REPORT_STATUS_ACCEPTED), static_cast<int64_t>(v1::REPORT_STATUS_RETURNED));
  if (!s.Step()) return std::nullopt;
  return store::ParseRecord<v1::AnnualReport>(s.Blob(0));
}

std::vector<v1::AnnualReport> RollupStore::EverSubmittedOfYear(store::Tx& tx, int year) {
  auto s = tx.Prepare("SELECT record FROM annual_reports WHERE year = ? AND status <> ? ORDER BY province, id");
  s.BindAll(static_cast<int64_t>(year), static_cast<int64_t>(v1::REPORT_STATUS_DRAFT));
  std::vector<v1::AnnualReport> out;
  while (s.Step()) out.push_back(store::ParseRecord<v1::AnnualReport>(s.Blob(0)));
  return out;
}

}  // namespace osh::reporting
