#pragma once

#include <string>

#include "osh/events/event.h"
#include "osh/store/database.h"
#include "periods.h"

namespace osh::reporting {

// Projects the supervision facts the registry emits (supervision_events.proto:
// HazardTestRecorded, HealthExamSummaryRecorded, AssistanceVisitRecorded,
// OccupationalDiseaseCaseReported) and its rectification items
// (RectificationOpened/Closed) into the rollup cells, inside the consumer's
// transaction `tx` (which records the event's ce_id with them).
//
// Each fact counts once: the consumer applies each (source, ce_id) once, and
// each fact is also keyed by its registry id ("hazard-test/<id>" …), so one
// re-emitted under a new ce_id changes nothing. Facts are placed where the
// employer was when it was recorded (the EmployerFacts the event carries),
// per hazard category by the factor's category (tests) or the employer's
// declared categories (the others).
//
// Returns false for an event of another type; throws UndecodableEvent for one it
// cannot apply (the consumer dead-letters it, the cells stay untouched).
bool ApplySupervisionFact(store::Tx& tx, const ReportingCalendar& calendar, const events::Event& event,
                          const std::string& source_province);

}  // namespace osh::reporting
