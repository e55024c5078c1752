#pragma once

#include <optional>
#include <string>
#include <vector>

#include "osh/registry/v1/registry.pb.h"
#include "osh/registry/v1/supervision.pb.h"
#include "osh/domain/civil_date.h"
#include "osh/store/database.h"
#include "risk_classifier.h"

namespace osh::registry {

// The supervision tables of the registry's SQLite file: inspections,
// rectification items, hazard tests and their exceedances. Records are stored
// whole (protobuf) beside the columns queries filter on.
// Inspections and rectification items append their changes to the ChangeLog
// (the change feeds) in the writing transaction.
class SupervisionStore {
 public:
  static store::Migration Migration(int version);
  static store::Migration HealthExamMigration(int version);

  static void InsertInspection(store::Tx& tx, const v1::Inspection& inspection);
  // One employer's records, the latest id first, after the position `after`
  // (an id; empty: from the start), at most `limit`.
  static std::vector<v1::Inspection> InspectionsOf(store::Tx& tx, const std::string& employer_id,
                                                   const std::string& after, int limit);
  static std::vector<v1::HazardTest> HazardTestsOf(store::Tx& tx, const std::string& employer_id,
                                                   const std::string& after, int limit);
  static std::vector<v1::HealthExamSummary> SummariesOf(store::Tx& tx, const std::string& employer_id,
                                                        const std::string& after, int limit);
  static std::optional<v1::Inspection> FindInspection(store::Tx& tx, const std::string& id);

  static void InsertItem(store::Tx& tx, const v1::RectificationItem& item);
  static void UpdateItem(store::Tx& tx, const v1::RectificationItem& item);
  static std::optional<v1::RectificationItem> FindItem(store::Tx& tx, const std::string& id);
  struct ItemFilter {
    std::string division_prefix;
    std::string employer_id;
    int status = 0;
    bool overdue_only = false;
    std::string today;  // "YYYY-MM-DD": deadlines before it are overdue
  };
  static std::vector<v1::RectificationItem> ListItems(store::Tx& tx, const ItemFilter& filter,
                                                      const std::string& after_id, int limit);

  static void InsertHazardTest(store::Tx& tx, const v1::HazardTest& test);
  struct ExceedanceFilter {
    std::string division_prefix;
    std::string factor_code;
    std::string tested_since;
  };
  // Position: "<hazard_test_id>/<row>".
  static std::vector<std::pair<std::string, v1::Exceedance>> ListExceedances(store::Tx& tx,
                                                                             const ExceedanceFilter& filter,
                                                                             const std::string& after, int limit);

  // The id of the employer's summary of that year and kind, if there is one.
  static std::optional<std::string> FindSummaryId(store::Tx& tx, const std::string& employer_id, int year, int kind);
  static void InsertSummary(store::Tx& tx, const v1::HealthExamSummary& summary);
  struct GapFilter {
    std::string division_prefix;
    int year = 0;
  };
  // Summaries with a gap, largest first; position "<gap, inverted and zero-padded>/<id>".
  static std::vector<std::pair<std::string, v1::HealthExamSummary>> ListGaps(store::Tx& tx, const GapFilter& filter,
                                                                              const std::string& after, int limit);
  // Examined and notified over every summary matching the filter (gaps or not).
  static std::pair<int64_t, int64_t> ExaminedAndNotified(store::Tx& tx, const GapFilter& filter);

  static store::Migration AssistanceMigration(int version);
  static std::optional<v1::AssistanceCase> FindCase(store::Tx& tx, const std::string& id);
  static std::optional<std::string> FindCaseIdOfEmployer(store::Tx& tx, const std::string& employer_id);
  static void InsertCase(store::Tx& tx, const v1::AssistanceCase& assistance_case);
  static void UpdateCase(store::Tx& tx, const v1::AssistanceCase& assistance_case);
  static v1::AssistanceTotals AssistanceTotals(store::Tx& tx, const std::string& division_prefix);

  static store::Migration InstitutionMigration(int version);
  static std::optional<v1::ServiceInstitution> FindInstitution(store::Tx& tx, const std::string& id);
  static std::optional<std::string> FindInstitutionIdByCreditCode(store::Tx& tx, const std::string& credit_code);
  static void InsertInstitution(store::Tx& tx, const v1::ServiceInstitution& institution);
  static void UpdateInstitution(store::Tx& tx, const v1::ServiceInstitution& institution);
  struct InstitutionFilter {
    std::string province;
    int kind = 0;
    int status = 0;
    std::string expiring_before;
  };
  static std::vector<v1::ServiceInstitution> ListInstitutions(store::Tx& tx, const InstitutionFilter& filter,
                                                              const std::string& after_id, int limit);
  static void InsertExpert(store::Tx& tx, const v1::Expert& expert);
  static std::vector<v1::Expert> ListExperts(store::Tx& tx, const std::string& province, int speciality,
                                             const std::string& after_id, int limit);

  // The classification inputs of one employer as of `today`.
  static RiskInputs InputsOf(store::Tx& tx, const v1::Employer& employer, const std::string& today);
};

using domain::DaysBetween;
using domain::IsCivilDate;

}  // namespace osh::registry
