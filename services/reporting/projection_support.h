#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "osh/events/event.h"
#include "osh/events/v1/registry_events.pb.h"
#include "periods.h"
#include "rollup_store.h"

namespace osh::reporting {

// An event that cannot be applied as it stands (unparsable payload, an invalid
// division code, a province writing about another province's employer) throws
// UndecodableEvent: no retry can make its bytes usable, so the consumer
// dead-letters it at once, counted, and the rollups never absorb it.
using events::UndecodableEvent;

// What every projection of an event checks and places by; shared by the
// registry-employer projection (rollup_projector.cc) and the supervision,
// training and disease facts (supervision_projection.cc).

// A valid county code of `expected_province`, else UndecodableEvent naming `field`.
void CheckDivision(const std::string& division_code, const std::string& expected_province, const char* field);
// The employer facts an event carries must be about an employer of the
// province that sent it: one province cannot write into another's rollups.
void CheckEmployerFacts(const ev::EmployerFacts& e, const std::string& source_province);

// The business time of an event when its payload carries one, else its
// CloudEvents time.
MonthKey MonthOfEvent(const ReportingCalendar& calendar, const events::Event& event,
                      const google::protobuf::Timestamp& business_time);
// The month of a "YYYY-MM-DD" civil date; UndecodableEvent naming `field` otherwise.
MonthKey MonthOfDate(std::string_view date, const char* field);
// Where a figure of `year` recorded in month `recorded` goes: that month when
// it falls in the year; the year's December when recorded later; its January
// when recorded ahead of it.
MonthKey MonthWithinYear(int year, MonthKey recorded);

// The distinct valid hazard categories (1-6) of an employer's facts.
std::vector<int> HazardCategoriesOf(const ev::EmployerFacts& e);

// Adds `value` of `metric` to the all-categories cell and to the cell of each
// of `categories`, at (division, industry, month).
void AddEverywhere(CellDeltas& deltas, const std::string& division_code, const std::string& industry_section,
                   const std::vector<int>& categories, MonthKey month, v1::Metric metric, int64_t value);

template <typename Message>
Message UnpackOrThrow(const events::Event& event) {
  Message m;
  events::UnpackOrThrow(event, &m);
  return m;
}

}  // namespace osh::reporting
