#pragma once

#include <string>
#include <vector>

#include "osh/reporting/v1/reporting.pb.h"
#include "osh/store/database.h"
#include "rollup_store.h"

namespace osh::reporting {

// Lineage of the rollups: for every event the projector applies, the cell
// deltas it wrote, by employer, in table rollup_contributions (same
// transaction as the cells, so the two never disagree). A cell's value is the
// sum of its contributions, which is what TraceRollupCell pages through.
//
// Size: one row per event × county cell × metric it moved (a registration of
// an employer with two hazard categories writes about 6 rows); province cells
// are not duplicated, a trace of a province or the nation reads the county
// rows by division-code range. The primary key leads with (metric,
// hazard_category, division_code), the equalities and range of a trace, so a
// trace is an index range scan. Measured with bench/reporting (50k-100k
// synthetic employers, 2026-12): ~4.5 rows and ~88 bytes per row per event,
// the database about 5× the size without lineage, and bulk catch-up about half
// as fast. A deployment that cannot afford that would move event ids to an
// interned table or keep contributions per (cell, employer) only.
store::Migration LineageMigration(int version);

class Lineage {
 public:
  // Records one event's deltas as contributions of `credit_code` (empty for
  // figures not owned by an employer, such as survey batches).
  static void Record(store::Tx& tx, const CellDeltas& deltas, const std::string& credit_code,
                     const std::string& event_id);
  // The employer's registered name, as the latest registration or update says.
  static void RememberName(store::Tx& tx, const std::string& credit_code, const std::string& name);

  // One cell: metric × region prefix × months × industry ("" all) × hazard
  // category (0: every employer once).
  struct Cell {
    v1::Metric metric = v1::METRIC_UNSPECIFIED;
    std::string region_prefix;
    MonthRange months;
    std::string industry_section;
    int hazard_category = 0;
  };
  // One page of a cell's trace and the totals over all its contributors.
  struct TracePage {
    int64_t contributors = 0;  // employers whose net contribution is not 0
    int64_t sum = 0;           // their contributions added up
    std::vector<v1::CellContributor> page;
  };
  // Contributors with credit code > after (from the first when `after_set` is
  // false), at most `limit`, with the totals, in one ordered pass over the
  // cell's contributions: the cost is that of reading the cell once, whatever
  // the page (it used to be two grouped passes plus two more per contributor).
  static TracePage Trace(store::Tx& tx, const Cell& cell, bool after_set, const std::string& after, int limit);
};

}  // namespace osh::reporting
