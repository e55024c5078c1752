#pragma once

#include <optional>
#include <string>
#include <vector>

#include "osh/store/database.h"
#include "periods.h"

namespace osh::reporting {

// Reporting's own record of facts it needs beyond the employer facts of
// rollup_store.h: rectification items (their closure is a state that moves
// the cohort of the month they were opened) and the roles of an employer
// trained through a mandatory course.
//
// Every method runs inside the caller's transaction (the consumer's, for the
// projector), so a fact and the cells it moves commit together.
class SupervisionStore {
 public:
  // Migration `version`: the metric columns of the supervision, training and
  // disease facts, and the two tables below.
  static store::Migration Migration(int version);

  // One rectification item as the closure rate counts it.
  struct RectificationItem {
    std::string item_id;
    // Where it counts: the employer's county and industry section when it
    // was first seen, and its declared hazard categories then.
    std::string division_code;
    std::string industry_section;
    std::vector<int> hazard_categories;
    // The month it was first opened (or first seen, when its closure came first).
    MonthKey month = 0;
    bool closed = false;
    bool closed_on_time = false;
    // Seconds of the opening or closure applied last: an older one arriving
    // later (a re-emitted closure after a reopening) is stale and ignored.
    int64_t state_time = 0;
  };
  static std::optional<RectificationItem> FindItem(store::Tx& tx, const std::string& item_id);
  static void SaveItem(store::Tx& tx, const RectificationItem& item);

  // training role numbers are osh.training.v1.TargetRole values.
  // True when the role was not marked before.
  static bool MarkTrained(store::Tx& tx, const std::string& credit_code, int role);
  static bool IsTrained(store::Tx& tx, const std::string& credit_code, int role);
};

}  // namespace osh::reporting
