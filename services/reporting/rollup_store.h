#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "osh/events/v1/registry_events.pb.h"
#include "osh/reporting/v1/reporting.pb.h"
#include "osh/store/database.h"
#include "periods.h"

namespace osh::reporting {

namespace v1 = ::osh::reporting::v1;
namespace ev = ::osh::events::v1;

// One employer as reporting counts it now. Its contribution to every stock
// metric is a pure function of these facts, which is what lets a change be
// applied as "take the old contribution out, put the new one in".
struct EmployerFacts {
  std::string credit_code;
  std::string province;
  std::string division_code;
  std::string industry_section;
  int size_class = 0;
  int64_t total_workers = 0;
  // The latest approved declaration; absent when none was approved.
  std::optional<ev::DeclarationFacts> approved_declaration;
  // Out-of-order protection: the registry version of the facts applied last
  // and the province whose registry numbered it (versions restart when an
  // employer moves to another province's registry).
  std::string facts_province;
  int64_t facts_version = 0;
  // Whether the employer's principal and OSH manager completed a mandatory
  // course (kept in SupervisionStore's employer_training, by credit code, so
  // a completion that arrives before the employer is known still counts).
  bool principal_trained = false;
  bool osh_manager_trained = false;
};

// A rollup cell: every metric in one month, county, industry section and
// hazard category. hazard_category 0 holds every employer once; 1-6 hold the
// employers (or declarations) with that category, so those rows overlap.
struct CellKey {
  int hazard_category = 0;
  std::string division_code;  // 6 digits
  std::string industry_section;
  MonthKey month = 0;
  auto operator<=>(const CellKey&) const = default;
};
// Per cell, one delta per metric in catalogue order (AllMetrics()).
using CellDeltas = std::map<CellKey, std::vector<int64_t>>;
void AddDelta(CellDeltas& deltas, const CellKey& cell, v1::Metric metric, int64_t delta);

// What an aggregation reads: filtered cells, summed per group.
struct CellQuery {
  // Stocks sum every month up to the end of the range (their value then);
  // flows only the months within it.
  MonthRange months;
  // Division-code prefix ("" for the whole country) and the prefix length rows
  // are grouped by (0: not grouped by region; 2, 4 or 6).
  std::string region_prefix;
  int region_digits = 0;
  std::string industry_section;  // "" for all
  bool by_industry = false;
  // The hazard_category values to read: {0} for the non-overlapping totals,
  // {c} for one category, {1, …, 6} for each.
  std::vector<int> hazard_categories = {0};
  bool by_hazard = false;
  // Group months into buckets of this kind (unspecified: one group for all);
  // months before `months.first` go to bucket 0, which is how a stock carries
  // its value from before the range into it (flows there are zero).
  v1::PeriodKind bucket = v1::PERIOD_KIND_UNSPECIFIED;
};

struct CellSum {
  std::string region;
  std::string industry_section;
  int hazard_category = 0;
  MonthKey bucket = 0;
  std::vector<int64_t> values;  // catalogue order
};

// Reporting's tables. Every method runs inside a transaction handed in by the
// caller; the event handler composes its reads and writes into the consumer's
// transaction, so an event's effect and its processed_events row commit together.
class RollupStore {
 public:
  static std::vector<store::Migration> Migrations();

  static std::optional<EmployerFacts> FindFacts(store::Tx& tx, const std::string& credit_code);
  static void SaveFacts(store::Tx& tx, const EmployerFacts& facts);
  static int64_t CountFacts(store::Tx& tx);

  // Adds each delta to its county cell and to the province cell above it
  // (creating them at zero first).
  static void AddToCells(store::Tx& tx, const CellDeltas& deltas);
  // True the first time `occurrence` is named, false ever after. Flows key
  // what they count by it ("declaration-submitted/<id>", "transfer/…") as a
  // second line of defence behind the consumer's event-id deduplication, for
  // an event re-emitted under a new id.
  static bool FirstOccurrence(store::Tx& tx, const std::string& occurrence);

  static std::vector<CellSum> Aggregate(store::Tx& tx, const CellQuery& query);

  static void InsertReport(store::Tx& tx, const v1::AnnualReport& report);
  static void UpdateReport(store::Tx& tx, const v1::AnnualReport& report);
  static std::optional<v1::AnnualReport> FindReport(store::Tx& tx, const std::string& id);
  struct ReportFilter {
    std::string province;  // "" for all
    int year = 0;          // 0 for all
    int status = 0;        // 0 for all
  };
  // Newest first: reports with id < before_id (all when empty), at most `limit`.
  static std::vector<v1::AnnualReport> ListReports(store::Tx& tx, const ReportFilter& filter,
                                                   const std::string& before_id, int limit);

  // ---- Data approval (issue 16) ----
  // The report in force for a province and year: the one submitted last and
  // not superseded (status SUBMITTED, ACCEPTED or RETURNED), if any.
  static std::optional<v1::AnnualReport> FindReportInForce(store::Tx& tx, const std::string& province, int year);
  // Every report of a year that was ever submitted (submitted, accepted,
  // returned or superseded), every province.
  static std::vector<v1::AnnualReport> EverSubmittedOfYear(store::Tx& tx, int year);
};

}  // namespace osh::reporting
