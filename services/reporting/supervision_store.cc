#include "supervision_store.h"


#include <charconv>

namespace osh::reporting {
namespace {

std::string JoinCategories(const std::vector<int>& categories) {
  std::string out;
  for (int c : categories) out += (out.empty() ? "" : ",") + std::to_string(c);
  return out;
}

std::vector<int> SplitCategories(const std::string& text) {
  std::vector<int> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    int value = 0;
    if (std::from_chars(text.data() + start, text.data() + comma, value).ec == std::errc()) out.push_back(value);
    start = comma + 1;
  }
  return out;
}

}  // namespace

store::Migration SupervisionStore::Migration(int version) {
  return {version, "supervision_facts", R"sql(
ALTER TABLE rollup_cells ADD COLUMN rectifications_opened INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN rectifications_closed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN rectifications_closed_on_time INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN hazard_tests INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN hazard_tests_with_exceedance INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN hazard_points_tested INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN hazard_points_exceeding INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN exams_examined INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN exams_notified_in_writing INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN exams_abnormal INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN exams_suspected_disease INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN in_service_examined INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN in_service_should_be_examined INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN assistance_visits INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN assistance_employers_helped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN assistance_issues_found INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN assistance_issues_fixed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN assistance_subsidy_fen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN completions_principal INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN completions_osh_manager INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN completions_worker INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN principals_and_managers_to_train INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN principals_trained INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN osh_managers_trained INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN disease_cases INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN disease_cases_respiratory INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN disease_cases_skin INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN disease_cases_eye INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN disease_cases_ent_oral INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN disease_cases_chemical_poisoning INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN disease_cases_physical INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN disease_cases_radiation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN disease_cases_infectious INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN disease_cases_cancer INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN disease_cases_musculoskeletal INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN disease_cases_mental_behavioural INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_cells ADD COLUMN disease_cases_other INTEGER NOT NULL DEFAULT 0;
CREATE TABLE rectification_items (
  item_id TEXT PRIMARY KEY,
  division_code TEXT NOT NULL,
  industry_section TEXT NOT NULL,
  hazard_categories TEXT NOT NULL,
  month INTEGER NOT NULL,
  closed INTEGER NOT NULL,
  closed_on_time INTEGER NOT NULL,
  state_time INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE employer_training (
  credit_code TEXT NOT NULL,
  role INTEGER NOT NULL,
  PRIMARY KEY (credit_code, role)
) WITHOUT ROWID;
)sql"};
}

std::optional<SupervisionStore::RectificationItem> SupervisionStore::FindItem(store::Tx& tx,
                                                                               const std::string& item_id) {
  auto s = tx.Prepare(
      "SELECT division_code, industry_section, hazard_categories, month, closed, closed_on_time, state_time"
      " FROM rectification_items WHERE item_id = ?");
  s.Bind(1, item_id);
  if (!s.Step()) return std::nullopt;
  RectificationItem item;
  item.item_id = item_id;
  item.division_code = s.Text(0);
  item.industry_section = s.Text(1);
  item.hazard_categories = SplitCategories(s.Text(2));
  item.month = static_cast<MonthKey>(s.Int(3));
  item.closed = s.Int(4) != 0;
  item.closed_on_time = s.Int(5) != 0;
  item.state_time = s.Int(6);
  return item;
}

void SupervisionStore::SaveItem(store::Tx& tx, const RectificationItem& item) {
  auto s = tx.Prepare(
      "INSERT INTO rectification_items (item_id, division_code, industry_section, hazard_categories, month, closed,"
      " closed_on_time, state_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (item_id) DO UPDATE SET"
      " closed = excluded.closed, closed_on_time = excluded.closed_on_time, state_time = excluded.state_time");
  s.BindAll(item.item_id, item.division_code, item.industry_section, JoinCategories(item.hazard_categories),
            static_cast<int64_t>(item.month), static_cast<int64_t>(item.closed ? 1 : 0),
            static_cast<int64_t>(item.closed_on_time ? 1 : 0), item.state_time);
  s.Run();
}

bool SupervisionStore::MarkTrained(store::Tx& tx, const std::string& credit_code, int role) {
  return tx.Prepare("INSERT INTO employer_training (credit_code, role) VALUES (?, ?) ON CONFLICT DO NOTHING")
             .BindAll(credit_code, static_cast<int64_t>(role))
             .Run() == 1;
}

bool SupervisionStore::IsTrained(store::Tx& tx, const std::string& credit_code, int role) {
  auto s = tx.Prepare("SELECT 1 FROM employer_training WHERE credit_code = ? AND role = ?");
  s.BindAll(credit_code, static_cast<int64_t>(role));
  return s.Step();
}

}  // namespace osh::reporting
