#include "disease_case_store.h"

#include <string>

namespace osh::registry {
namespace {

// The WHERE clause of Filter over disease_case_reports r; BindFilter binds it from `first`.
constexpr char kWhere[] =
    " (? = '' OR substr(r.division_code, 1, length(?)) = ?) AND (? = '' OR r.employer_id = ?)"
    " AND (? = 0 OR r.year = ?) AND (? = '' OR r.reporter_org = ?) AND (? = '' OR r.credit_code = ?)";

void BindFilter(store::Statement& s, int first, const DiseaseCaseStore::Filter& f) {
  s.Bind(first, f.division_prefix).Bind(first + 1, f.division_prefix).Bind(first + 2, f.division_prefix);
  s.Bind(first + 3, f.employer_id).Bind(first + 4, f.employer_id);
  s.Bind(first + 5, static_cast<int64_t>(f.year)).Bind(first + 6, static_cast<int64_t>(f.year));
  s.Bind(first + 7, f.reporter_org).Bind(first + 8, f.reporter_org);
  s.Bind(first + 9, f.credit_code).Bind(first + 10, f.credit_code);
}

}  // namespace

store::Migration DiseaseCaseStore::Migration(int version) {
  return {version, "disease_case_reports", R"sql(
CREATE TABLE disease_case_reports (
  id TEXT PRIMARY KEY,
  employer_id TEXT NOT NULL REFERENCES employers(id),
  credit_code TEXT NOT NULL,
  division_code TEXT NOT NULL,
  diagnosed_on TEXT NOT NULL,
  year INTEGER NOT NULL,
  reporter_org TEXT NOT NULL,
  record BLOB NOT NULL
);
CREATE INDEX disease_case_reports_by_division ON disease_case_reports(division_code, diagnosed_on);
CREATE INDEX disease_case_reports_by_employer ON disease_case_reports(employer_id, diagnosed_on);
CREATE TABLE disease_case_counts (
  report_id TEXT NOT NULL REFERENCES disease_case_reports(id),
  edition TEXT NOT NULL,
  category INTEGER NOT NULL,
  disease_code TEXT NOT NULL,
  cases INTEGER NOT NULL CHECK (cases >= 0),
  PRIMARY KEY (report_id, disease_code)
);
)sql"};
}

void DiseaseCaseStore::Insert(store::Tx& tx, const v1::DiseaseCaseReport& r, const std::string& credit_code) {
  auto s = tx.Prepare(
      "INSERT INTO disease_case_reports (id, employer_id, credit_code, division_code, diagnosed_on, year, reporter_org,"
      " record) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  s.BindAll(r.id(), r.employer_id(), credit_code, r.division_code(), r.diagnosed_on(),
            static_cast<int64_t>(std::stoi(r.diagnosed_on().substr(0, 4))), r.reporter_org());
  s.BindBlob(8, r.SerializeAsString());
  s.Run();
  for (const auto& d : r.diseases()) {
    auto c = tx.Prepare(
        "INSERT INTO disease_case_counts (report_id, edition, category, disease_code, cases) VALUES (?, ?, ?, ?, ?)");
    c.BindAll(r.id(), r.catalogue_edition(), static_cast<int64_t>(d.category_number()), d.disease_code(),
              static_cast<int64_t>(d.cases()));
    c.Run();
  }
}

std::optional<v1::DiseaseCaseReport> DiseaseCaseStore::Find(store::Tx& tx, const std::string& id) {
  auto s = tx.Prepare("SELECT record FROM disease_case_reports WHERE id = ?");
  s.Bind(1, id);
  if (!s.Step()) return std::nullopt;
  return store::ParseRecord<v1::DiseaseCaseReport>(s.Blob(0));
}

std::vector<std::pair<std::string, v1::DiseaseCaseReport>> DiseaseCaseStore::List(store::Tx& tx, const Filter& f,
                                                                                   const std::string& after,
                                                                                   int limit) {
  // The position spelled out in WHERE too: PostgreSQL does not see a SELECT alias there.
  auto s = tx.Prepare(std::string("SELECT r.diagnosed_on || '/' || r.id AS position, r.record"
                                  " FROM disease_case_reports r WHERE") +
                      kWhere + " AND (? = '' OR r.diagnosed_on || '/' || r.id < ?) ORDER BY position DESC LIMIT ?");
  BindFilter(s, 1, f);
  s.Bind(12, after).Bind(13, after).Bind(14, static_cast<int64_t>(limit));
  std::vector<std::pair<std::string, v1::DiseaseCaseReport>> out;
  while (s.Step()) out.emplace_back(s.Text(0), store::ParseRecord<v1::DiseaseCaseReport>(s.Blob(1)));
  return out;
}

std::vector<v1::DiseaseCategoryTotal> DiseaseCaseStore::CategoryTotals(store::Tx& tx, const Filter& f) {
  auto s = tx.Prepare(std::string("SELECT c.edition, c.category, sum(c.cases) FROM disease_case_counts c"
                                  " JOIN disease_case_reports r ON r.id = c.report_id WHERE") +
                      kWhere + " GROUP BY c.edition, c.category ORDER BY c.edition, c.category");
  BindFilter(s, 1, f);
  std::vector<v1::DiseaseCategoryTotal> out;
  while (s.Step()) {
    v1::DiseaseCategoryTotal t;
    t.set_catalogue_edition(s.Text(0));
    t.set_category_number(static_cast<int32_t>(s.Int(1)));
    t.set_cases(s.Int(2));
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace osh::registry
