#pragma once

#include <string>

#include "osh/core/metrics.h"
#include "osh/events/consumer.h"
#include "osh/events/event.h"
#include "osh/store/database.h"
#include "periods.h"
#include "projection_support.h"
#include "rollup_store.h"

namespace osh::reporting {

// Keeps the rollups current from the registry events of every province.
//
// No double counting, by construction:
// - Stocks (registered employers, approved declarations, exposed workers,
//   workers) are never incremented blindly. Each employer has one row of
//   current facts keyed by its credit code (national, unique), and its
//   contribution to the stock cells is a pure function of those facts. An event
//   computes the new facts, then applies contribution(new) − contribution(old)
//   as deltas in the month of the event, in the consumer's transaction. An
//   update moves an employer between counties; a transfer moves it between
//   provinces (−1 in one, +1 in the other, 0 nationally); an approval of a change
//   declaration replaces the previous approval's exposed workers. Replaying any
//   event that describes the current state again yields a zero delta.
// - Flows (registrations, transfers, declarations) count events; the consumer
//   applies each (source, ce_id) once, a registration counts only for a credit
//   code reporting has never seen, and each declaration's submission and
//   decision count once by declaration id even if re-emitted under a new ce_id.
// - Events older than the facts already applied (a lower registry version from
//   the same province, or any event of a province the employer has since been
//   transferred out of) do not touch the facts, so reordering cannot resurrect
//   an old state; their flows still count.
// - An employer first seen through a later event (reporting started after its
//   registration) joins the stocks without counting as a registration.
//
// Training completions (EnrollmentCompleted) mark an employer's principal or
// OSH manager as trained, a stock fact applied the same way. Supervision
// facts (hazard tests, exam summaries, assistance visits, disease cases,
// rectification items) are flows: supervision_projection.h.
//
// A later event kind adds its metrics to the catalogue and a case to Apply;
// facts it needs get their own table.
class RollupProjector {
 public:
  explicit RollupProjector(ReportingCalendar calendar = ReportingCalendar(),
                           core::MetricsRegistry* metrics = nullptr);

  // The EventConsumer handler. Events of other types are ignored. Throws
  // UndecodableEvent for events it cannot apply.
  void Apply(store::Tx& tx, const events::Event& event) const;

  events::EventConsumer::Handler AsHandler() const {
    return [this](store::Tx& tx, const events::Event& event) { Apply(tx, event); };
  }

 private:
  ReportingCalendar calendar_;
  core::Counter* applied_ = nullptr;
  core::Counter* ignored_ = nullptr;
  core::Counter* stale_ = nullptr;
};

}  // namespace osh::reporting
