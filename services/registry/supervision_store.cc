#include "supervision_store.h"

#include <chrono>

#include "change_log.h"
#include "osh/store/enum_set.h"

namespace osh::registry {
namespace {

// Approved declaration statuses keep the factors an employer is classified by.
constexpr int64_t kApproved = v1::DECLARATION_STATUS_APPROVED;
constexpr int64_t kOpen = v1::RECTIFICATION_STATUS_OPEN;
constexpr int64_t kReopened = v1::RECTIFICATION_STATUS_REOPENED;

// `expression` (a non-negative integer) as text, zero-padded to `width` digits.
std::string ZeroPadded(const store::Tx& tx, const std::string& expression, int width) {
  if (tx.dialect() == store::Dialect::kPostgres) {
    return "lpad(CAST((" + expression + ") AS TEXT), " + std::to_string(width) + ", '0')";
  }
  return "printf('%0" + std::to_string(width) + "d', " + expression + ")";
}

}  // namespace

store::Migration SupervisionStore::Migration(int version) {
  return {version, "supervision", R"sql(
CREATE TABLE inspections (
  id TEXT PRIMARY KEY,
  employer_id TEXT NOT NULL REFERENCES employers(id),
  record BLOB NOT NULL
);
CREATE INDEX inspections_by_employer ON inspections(employer_id, id);
CREATE TABLE rectification_items (
  id TEXT PRIMARY KEY,
  employer_id TEXT NOT NULL REFERENCES employers(id),
  division_code TEXT NOT NULL,
  status INTEGER NOT NULL,
  deadline TEXT NOT NULL,
  record BLOB NOT NULL
);
CREATE INDEX rectification_items_by_division ON rectification_items(division_code, id);
CREATE INDEX rectification_items_by_employer ON rectification_items(employer_id, status, deadline);
CREATE TABLE hazard_tests (
  id TEXT PRIMARY KEY,
  employer_id TEXT NOT NULL REFERENCES employers(id),
  tested_on TEXT NOT NULL,
  exceedances INTEGER NOT NULL,
  record BLOB NOT NULL
);
CREATE INDEX hazard_tests_by_employer ON hazard_tests(employer_id, tested_on);
CREATE TABLE hazard_exceedances (
  hazard_test_id TEXT NOT NULL REFERENCES hazard_tests(id),
  row INTEGER NOT NULL,
  employer_id TEXT NOT NULL,
  division_code TEXT NOT NULL,
  factor_code TEXT NOT NULL,
  tested_on TEXT NOT NULL,
  record BLOB NOT NULL,
  PRIMARY KEY (hazard_test_id, row)
);
CREATE INDEX hazard_exceedances_by_division ON hazard_exceedances(division_code, factor_code);
)sql"};
}

void SupervisionStore::InsertInspection(store::Tx& tx, const v1::Inspection& inspection) {
  auto s = tx.Prepare("INSERT INTO inspections (id, employer_id, record) VALUES (?, ?, ?)");
  s.BindAll(inspection.id(), inspection.employer_id());
  s.BindBlob(3, inspection.SerializeAsString());
  s.Run();
  ChangeLog::Append(tx, ChangeLog::Resource::kInspections, inspection.id(), 0);
}

namespace {

// `sql` selects the record column of one employer's rows below a position,
// latest id first; its three parameters are the employer, the position and
// the limit.
template <typename Message>
std::vector<Message> RecordsOf(store::Tx& tx, const char* sql, const std::string& employer_id,
                               const std::string& after, int limit) {
  auto s = tx.Prepare(sql);
  s.Bind(1, employer_id).Bind(2, after).Bind(3, static_cast<int64_t>(limit));
  std::vector<Message> out;
  while (s.Step()) out.push_back(store::ParseRecord<Message>(s.Blob(0)));
  return out;
}

}  // namespace

std::vector<v1::Inspection> SupervisionStore::InspectionsOf(store::Tx& tx, const std::string& employer_id,
                                                            const std::string& after, int limit) {
  return RecordsOf<v1::Inspection>(
      tx, "SELECT record FROM inspections WHERE employer_id = ?1 AND (?2 = '' OR id < ?2) ORDER BY id DESC LIMIT ?3",
      employer_id, after, limit);
}

std::vector<v1::HazardTest> SupervisionStore::HazardTestsOf(store::Tx& tx, const std::string& employer_id,
                                                            const std::string& after, int limit) {
  return RecordsOf<v1::HazardTest>(
      tx, "SELECT record FROM hazard_tests WHERE employer_id = ?1 AND (?2 = '' OR id < ?2) ORDER BY id DESC LIMIT ?3",
      employer_id, after, limit);
}

std::vector<v1::HealthExamSummary> SupervisionStore::SummariesOf(store::Tx& tx, const std::string& employer_id,
                                                                 const std::string& after, int limit) {
  return RecordsOf<v1::HealthExamSummary>(
      tx,
      "SELECT record FROM health_exam_summaries WHERE employer_id = ?1 AND (?2 = '' OR id < ?2)"
      " ORDER BY id DESC LIMIT ?3",
      employer_id, after, limit);
}

std::optional<v1::Inspection> SupervisionStore::FindInspection(store::Tx& tx, const std::string& id) {
  auto s = tx.Prepare("SELECT record FROM inspections WHERE id = ?");
  s.Bind(1, id);
  if (!s.Step()) return std::nullopt;
  return store::ParseRecord<v1::Inspection>(s.Blob(0));
}

void SupervisionStore::InsertItem(store::Tx& tx, const v1::RectificationItem& item) {
  auto s = tx.Prepare(
      "INSERT INTO rectification_items (id, employer_id, division_code, status, deadline, record)"
      " VALUES (?, ?, ?, ?, ?, ?)");
  s.BindAll(item.id(), item.employer_id(), item.division_code(), static_cast<int64_t>(item.status()), item.deadline());
  s.BindBlob(6, item.SerializeAsString());
  s.Run();
  ChangeLog::Append(tx, ChangeLog::Resource::kRectificationItems, item.id(), item.version());
}

void SupervisionStore::UpdateItem(store::Tx& tx, const v1::RectificationItem& item) {
  auto s = tx.Prepare("UPDATE rectification_items SET status = ?, deadline = ?, record = ? WHERE id = ?");
  s.BindAll(static_cast<int64_t>(item.status()), item.deadline());
  s.BindBlob(3, item.SerializeAsString());
  s.Bind(4, item.id());
  s.Run();
  ChangeLog::Append(tx, ChangeLog::Resource::kRectificationItems, item.id(), item.version());
}

std::optional<v1::RectificationItem> SupervisionStore::FindItem(store::Tx& tx, const std::string& id) {
  auto s = tx.Prepare("SELECT record FROM rectification_items WHERE id = ?");
  s.Bind(1, id);
  if (!s.Step()) return std::nullopt;
  return store::ParseRecord<v1::RectificationItem>(s.Blob(0));
}

std::vector<v1::RectificationItem> SupervisionStore::ListItems(store::Tx& tx, const ItemFilter& f,
                                                               const std::string& after_id, int limit) {
  auto s = tx.Prepare(
      "SELECT record FROM rectification_items WHERE id > ?"
      " AND (? = '' OR substr(division_code, 1, length(?)) = ?)"
      " AND (? = '' OR employer_id = ?)"
      " AND (? = 0 OR status = ?)"
      " AND (? = 0 OR (status IN (?, ?) AND deadline < ?))"
      " ORDER BY id LIMIT ?");
  s.BindAll(after_id, f.division_prefix, f.division_prefix, f.division_prefix, f.employer_id, f.employer_id,
            static_cast<int64_t>(f.status), static_cast<int64_t>(f.status), static_cast<int64_t>(f.overdue_only),
            kOpen, kReopened, f.today, static_cast<int64_t>(limit));
  std::vector<v1::RectificationItem> out;
  while (s.Step()) out.push_back(store::ParseRecord<v1::RectificationItem>(s.Blob(0)));
  return out;
}

void SupervisionStore::InsertHazardTest(store::Tx& tx, const v1::HazardTest& test) {
  auto s = tx.Prepare(
      "INSERT INTO hazard_tests (id, employer_id, tested_on, exceedances, record) VALUES (?, ?, ?, ?, ?)");
  s.BindAll(test.id(), test.employer_id(), test.tested_on(), static_cast<int64_t>(test.exceedances()));
  s.BindBlob(5, test.SerializeAsString());
  s.Run();
  auto e = tx.Prepare(
      "INSERT INTO hazard_exceedances (hazard_test_id, row, employer_id, division_code, factor_code, tested_on,"
      " record) VALUES (?, ?, ?, ?, ?, ?, ?)");
  for (int i = 0; i < test.results_size(); ++i) {
    const auto& r = test.results(i);
    if (!r.exceeded()) continue;
    v1::Exceedance x;
    x.set_hazard_test_id(test.id());
    x.set_employer_id(test.employer_id());
    x.set_division_code(test.division_code());
    x.set_tested_on(test.tested_on());
    *x.mutable_result() = r;
    e.Reset().BindAll(test.id(), static_cast<int64_t>(i), test.employer_id(), test.division_code(), r.factor_code(),
                      test.tested_on());
    e.BindBlob(7, x.SerializeAsString());
    e.Run();
  }
}

std::vector<std::pair<std::string, v1::Exceedance>> SupervisionStore::ListExceedances(
    store::Tx& tx, const ExceedanceFilter& f, const std::string& after, int limit) {
  // Position "<test id>/<row>", rows zero-padded so text order is row order.
  const std::string position = std::string("hazard_test_id || '/' || ") + ZeroPadded(tx, "row", 5);
  auto s = tx.Prepare(
      "SELECT " + position + ", record FROM hazard_exceedances"
      " WHERE " + position + " > ?"
      " AND (? = '' OR substr(division_code, 1, length(?)) = ?)"
      " AND (? = '' OR factor_code = ?)"
      " AND (? = '' OR tested_on >= ?)"
      " ORDER BY hazard_test_id, row LIMIT ?");
  s.BindAll(after, f.division_prefix, f.division_prefix, f.division_prefix, f.factor_code, f.factor_code,
            f.tested_since, f.tested_since, static_cast<int64_t>(limit));
  std::vector<std::pair<std::string, v1::Exceedance>> out;
  while (s.Step()) out.emplace_back(s.Text(0), store::ParseRecord<v1::Exceedance>(s.Blob(1)));
  return out;
}

store::Migration SupervisionStore::HealthExamMigration(int version) {
  return {version, "health_exam_summaries", R"sql(
CREATE TABLE health_exam_summaries (
  id TEXT PRIMARY KEY,
  employer_id TEXT NOT NULL REFERENCES employers(id),
  division_code TEXT NOT NULL,
  year INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  examined INTEGER NOT NULL,
  notified INTEGER NOT NULL,
  gap INTEGER NOT NULL,
  record BLOB NOT NULL,
  UNIQUE (employer_id, year, kind)
);
CREATE INDEX health_exam_summaries_by_division ON health_exam_summaries(division_code, year);
)sql"};
}

std::optional<std::string> SupervisionStore::FindSummaryId(store::Tx& tx, const std::string& employer_id, int year,
                                                           int kind) {
  auto s = tx.Prepare("SELECT id FROM health_exam_summaries WHERE employer_id = ? AND year = ? AND kind = ?");
  s.BindAll(employer_id, static_cast<int64_t>(year), static_cast<int64_t>(kind));
  if (!s.Step()) return std::nullopt;
  return s.Text(0);
}

void SupervisionStore::InsertSummary(store::Tx& tx, const v1::HealthExamSummary& x) {
  auto s = tx.Prepare(
      "INSERT INTO health_exam_summaries (id, employer_id, division_code, year, kind, examined, notified, gap, record)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.BindAll(x.id(), x.employer_id(), x.division_code(), static_cast<int64_t>(x.year()), static_cast<int64_t>(x.kind()),
            static_cast<int64_t>(x.examined()), static_cast<int64_t>(x.notified_in_writing()),
            static_cast<int64_t>(x.notification_gap()));
  s.BindBlob(9, x.SerializeAsString());
  s.Run();
}

std::vector<std::pair<std::string, v1::HealthExamSummary>> SupervisionStore::ListGaps(store::Tx& tx,
                                                                                       const GapFilter& f,
                                                                                       const std::string& after,
                                                                                       int limit) {
  // Largest gap first, then id: the position sorts that way as text. (Spelled
  // out in WHERE too: PostgreSQL does not see a SELECT alias there.)
  const std::string position = ZeroPadded(tx, "1000000000 - gap", 10) + " || '/' || id";
  auto s = tx.Prepare(
      "SELECT " + position + " AS position, record FROM health_exam_summaries"
      " WHERE gap > 0 AND (? = '' OR substr(division_code, 1, length(?)) = ?) AND (? = 0 OR year = ?)"
      " AND " + position + " > ? ORDER BY position LIMIT ?");
  s.BindAll(f.division_prefix, f.division_prefix, f.division_prefix, static_cast<int64_t>(f.year),
            static_cast<int64_t>(f.year), after, static_cast<int64_t>(limit));
  std::vector<std::pair<std::string, v1::HealthExamSummary>> out;
  while (s.Step()) out.emplace_back(s.Text(0), store::ParseRecord<v1::HealthExamSummary>(s.Blob(1)));
  return out;
}

std::pair<int64_t, int64_t> SupervisionStore::ExaminedAndNotified(store::Tx& tx, const GapFilter& f) {
  auto s = tx.Prepare(
      "SELECT coalesce(sum(examined), 0), coalesce(sum(notified), 0) FROM health_exam_summaries"
      " WHERE (? = '' OR substr(division_code, 1, length(?)) = ?) AND (? = 0 OR year = ?)");
  s.BindAll(f.division_prefix, f.division_prefix, f.division_prefix, static_cast<int64_t>(f.year),
            static_cast<int64_t>(f.year));
  s.Step();
  return {s.Int(0), s.Int(1)};
}

store::Migration SupervisionStore::AssistanceMigration(int version) {
  // Totals are kept on the case row so a region's ledger sums without reading visits.
  return {version, "assistance_ledger", R"sql(
CREATE TABLE assistance_cases (
  id TEXT PRIMARY KEY,
  employer_id TEXT NOT NULL UNIQUE REFERENCES employers(id),
  division_code TEXT NOT NULL,
  visits INTEGER NOT NULL,
  issues_found INTEGER NOT NULL,
  issues_fixed INTEGER NOT NULL,
  subsidy_fen INTEGER NOT NULL,
  record BLOB NOT NULL
);
CREATE INDEX assistance_cases_by_division ON assistance_cases(division_code);
)sql"};
}

std::optional<v1::AssistanceCase> SupervisionStore::FindCase(store::Tx& tx, const std::string& id) {
  auto s = tx.Prepare("SELECT record FROM assistance_cases WHERE id = ?");
  s.Bind(1, id);
  if (!s.Step()) return std::nullopt;
  return store::ParseRecord<v1::AssistanceCase>(s.Blob(0));
}

std::optional<std::string> SupervisionStore::FindCaseIdOfEmployer(store::Tx& tx, const std::string& employer_id) {
  auto s = tx.Prepare("SELECT id FROM assistance_cases WHERE employer_id = ?");
  s.Bind(1, employer_id);
  if (!s.Step()) return std::nullopt;
  return s.Text(0);
}

void SupervisionStore::InsertCase(store::Tx& tx, const v1::AssistanceCase& c) {
  auto s = tx.Prepare(
      "INSERT INTO assistance_cases (id, employer_id, division_code, visits, issues_found, issues_fixed, subsidy_fen,"
      " record) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  s.BindAll(c.id(), c.employer_id(), c.division_code(), static_cast<int64_t>(c.visits_size()),
            static_cast<int64_t>(c.issues_found()), static_cast<int64_t>(c.issues_fixed()), c.subsidy_fen());
  s.BindBlob(8, c.SerializeAsString());
  s.Run();
}

void SupervisionStore::UpdateCase(store::Tx& tx, const v1::AssistanceCase& c) {
  auto s = tx.Prepare(
      "UPDATE assistance_cases SET visits = ?, issues_found = ?, issues_fixed = ?, subsidy_fen = ?, record = ?"
      " WHERE id = ?");
  s.BindAll(static_cast<int64_t>(c.visits_size()), static_cast<int64_t>(c.issues_found()),
            static_cast<int64_t>(c.issues_fixed()), c.subsidy_fen());
  s.BindBlob(5, c.SerializeAsString());
  s.Bind(6, c.id());
  s.Run();
}

v1::AssistanceTotals SupervisionStore::AssistanceTotals(store::Tx& tx, const std::string& prefix) {
  auto s = tx.Prepare(
      "SELECT count(*), coalesce(sum(visits), 0), coalesce(sum(issues_found), 0), coalesce(sum(issues_fixed), 0),"
      " coalesce(sum(subsidy_fen), 0) FROM assistance_cases"
      " WHERE (? = '' OR substr(division_code, 1, length(?)) = ?)");
  s.BindAll(prefix, prefix, prefix);
  s.Step();
  v1::AssistanceTotals t;
  t.set_division_prefix(prefix);
  t.set_enterprises_helped(static_cast<int32_t>(s.Int(0)));
  t.set_visits(static_cast<int32_t>(s.Int(1)));
  t.set_issues_found(static_cast<int32_t>(s.Int(2)));
  t.set_issues_fixed(static_cast<int32_t>(s.Int(3)));
  t.set_subsidy_fen(s.Int(4));
  return t;
}

store::Migration SupervisionStore::InstitutionMigration(int version) {
  return {version, "institutions_and_experts", R"sql(
CREATE TABLE institutions (
  id TEXT PRIMARY KEY,
  credit_code TEXT NOT NULL UNIQUE,
  province TEXT NOT NULL,
  kinds_mask INTEGER NOT NULL,
  status INTEGER NOT NULL,
  expires_on TEXT NOT NULL,
  record BLOB NOT NULL
);
CREATE TABLE experts (
  id TEXT PRIMARY KEY,
  province TEXT NOT NULL,
  specialities_mask INTEGER NOT NULL,
  record BLOB NOT NULL
);
)sql"};
}

std::optional<v1::ServiceInstitution> SupervisionStore::FindInstitution(store::Tx& tx, const std::string& id) {
  auto s = tx.Prepare("SELECT record FROM institutions WHERE id = ?");
  s.Bind(1, id);
  if (!s.Step()) return std::nullopt;
  return store::ParseRecord<v1::ServiceInstitution>(s.Blob(0));
}

std::optional<std::string> SupervisionStore::FindInstitutionIdByCreditCode(store::Tx& tx,
                                                                           const std::string& credit_code) {
  auto s = tx.Prepare("SELECT id FROM institutions WHERE credit_code = ?");
  s.Bind(1, credit_code);
  if (!s.Step()) return std::nullopt;
  return s.Text(0);
}

void SupervisionStore::InsertInstitution(store::Tx& tx, const v1::ServiceInstitution& x) {
  auto s = tx.Prepare(
      "INSERT INTO institutions (id, credit_code, province, kinds_mask, status, expires_on, record)"
      " VALUES (?, ?, ?, ?, ?, ?, ?)");
  s.BindAll(x.id(), x.credit_code(), x.province(), store::EnumSet(x.kinds()), static_cast<int64_t>(x.status()),
            x.qualification_expires_on());
  s.BindBlob(7, x.SerializeAsString());
  s.Run();
}

void SupervisionStore::UpdateInstitution(store::Tx& tx, const v1::ServiceInstitution& x) {
  auto s = tx.Prepare("UPDATE institutions SET status = ?, record = ? WHERE id = ?");
  s.Bind(1, static_cast<int64_t>(x.status()));
  s.BindBlob(2, x.SerializeAsString());
  s.Bind(3, x.id());
  s.Run();
}

std::vector<v1::ServiceInstitution> SupervisionStore::ListInstitutions(store::Tx& tx, const InstitutionFilter& f,
                                                                       const std::string& after_id, int limit) {
  auto s = tx.Prepare(
      "SELECT record FROM institutions WHERE id > ? AND (? = '' OR province = ?)"
      " AND (? = 0 OR (kinds_mask & ?) != 0) AND (? = 0 OR status = ?) AND (? = '' OR expires_on < ?)"
      " ORDER BY id LIMIT ?");
  s.BindAll(after_id, f.province, f.province, static_cast<int64_t>(f.kind), store::EnumBit(f.kind),
            static_cast<int64_t>(f.status), static_cast<int64_t>(f.status), f.expiring_before, f.expiring_before,
            static_cast<int64_t>(limit));
  std::vector<v1::ServiceInstitution> out;
  while (s.Step()) out.push_back(store::ParseRecord<v1::ServiceInstitution>(s.Blob(0)));
  return out;
}

void SupervisionStore::InsertExpert(store::Tx& tx, const v1::Expert& x) {
  auto s = tx.Prepare("INSERT INTO experts (id, province, specialities_mask, record) VALUES (?, ?, ?, ?)");
  s.BindAll(x.id(), x.province(), store::EnumSet(x.specialities()));
  s.BindBlob(4, x.SerializeAsString());
  s.Run();
}

std::vector<v1::Expert> SupervisionStore::ListExperts(store::Tx& tx, const std::string& province, int speciality,
                                                      const std::string& after_id, int limit) {
  auto s = tx.Prepare(
      "SELECT record FROM experts WHERE id > ? AND (? = '' OR province = ?)"
      " AND (? = 0 OR (specialities_mask & ?) != 0) ORDER BY id LIMIT ?");
  s.BindAll(after_id, province, province, static_cast<int64_t>(speciality), store::EnumBit(speciality),
            static_cast<int64_t>(limit));
  std::vector<v1::Expert> out;
  while (s.Step()) out.push_back(store::ParseRecord<v1::Expert>(s.Blob(0)));
  return out;
}

RiskInputs SupervisionStore::InputsOf(store::Tx& tx, const v1::Employer& employer, const std::string& today) {
  RiskInputs in;
  auto declaration = tx.Prepare(
      "SELECT record FROM declarations WHERE employer_id = ? AND status = ? ORDER BY id DESC LIMIT 1");
  declaration.BindAll(employer.id(), kApproved);
  if (declaration.Step()) {
    const auto d = store::ParseRecord<v1::Declaration>(declaration.Blob(0));
    for (const auto& x : d.exposures()) in.exposures.emplace_back(x.factor_code(), x.exposed_workers());
  }
  auto overdue = tx.Prepare(
      "SELECT count(*), min(deadline) FROM rectification_items"
      " WHERE employer_id = ? AND status IN (?, ?) AND deadline < ?");
  overdue.BindAll(employer.id(), kOpen, kReopened, today);
  if (overdue.Step() && overdue.Int(0) > 0) {
    in.overdue_items = static_cast<int>(overdue.Int(0));
    in.longest_overdue_days = DaysBetween(overdue.Text(1), today);
  }
  auto test = tx.Prepare(
      "SELECT tested_on, exceedances FROM hazard_tests WHERE employer_id = ? ORDER BY tested_on DESC LIMIT 1");
  test.Bind(1, employer.id());
  if (test.Step()) {
    in.last_test_on = test.Text(0);
    in.last_test_exceedances = static_cast<int>(test.Int(1));
    in.days_since_last_test = DaysBetween(*in.last_test_on, today);
  }
  auto notices = tx.Prepare(
      "SELECT year, sum(gap) FROM health_exam_summaries WHERE employer_id = ?"
      " GROUP BY year ORDER BY year DESC LIMIT 1");
  notices.Bind(1, employer.id());
  if (notices.Step()) {
    in.notification_gap_year = static_cast<int>(notices.Int(0));
    in.notification_gap = static_cast<int>(notices.Int(1));
  }
  return in;
}

}  // namespace osh::registry
