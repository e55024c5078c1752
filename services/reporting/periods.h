#pragma once

#include <google/protobuf/timestamp.pb.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "osh/core/errors.h"
#include "osh/reporting/v1/reporting.pb.h"

namespace osh::reporting {

namespace v1 = ::osh::reporting::v1;

// Rollups are kept per calendar month; quarters and years are unions of months.
// A month is stored as the integer yyyymm so that ranges are integer ranges and
// sort in time order.
using MonthKey = int;

// Defined for any int: a year outside 0-9999 (a request that was not, or not
// yet, validated: UBSan found INT_MIN * 100 reached from a fuzzed request) is
// clamped to that range, so such a key sorts before or after every real month
// instead of overflowing. Real years and months are unchanged.
inline constexpr MonthKey MakeMonthKey(int year, int month) {
  const int y = year < 0 ? 0 : (year > 9999 ? 9999 : year);
  const int m = month < 0 ? 0 : (month > 99 ? 99 : month);
  return y * 100 + m;
}
inline constexpr int YearOf(MonthKey m) { return m / 100; }
inline constexpr int MonthOf(MonthKey m) { return m % 100; }

// Periods are cut in one fixed time zone so that an event and a report agree on
// which month it belongs to: China Standard Time by default (UTC+8, no daylight
// saving), configurable for tests and other deployments.
class ReportingCalendar {
 public:
  ReportingCalendar() = default;
  explicit ReportingCalendar(int utc_offset_minutes) : offset_(utc_offset_minutes) {}

  MonthKey MonthAt(std::chrono::system_clock::time_point t) const;
  MonthKey MonthAt(const google::protobuf::Timestamp& t) const;
  int YearAt(std::chrono::system_clock::time_point t) const { return YearOf(MonthAt(t)); }

  // The first instant of the given local calendar day.
  std::chrono::system_clock::time_point StartOfDay(int year, int month, int day) const;

  // Annual reports are due by the end of 15 December of their year: the first
  // instant after it, so a report is late exactly when submitted at or after it.
  std::chrono::system_clock::time_point AnnualReportDue(int year) const { return StartOfDay(year, 12, 16); }

  int utc_offset_minutes() const { return offset_; }

 private:
  int offset_ = 8 * 60;
};

// Inclusive month range. The "as of now" range is all months.
struct MonthRange {
  MonthKey first = 0;
  MonthKey last = 999912;
};

// Checks a period filter; `field` is the request field naming it ("query.period").
// An unspecified kind is valid (as of now) only when every other field is zero.
void ValidatePeriod(const v1::Period& period, const std::string& field, core::FieldErrors& errors);

// The months a valid period covers; all months for an unspecified one.
MonthRange RangeOf(const v1::Period& period);

// Rows grouped by period are keyed by the first month of their bucket.
MonthKey BucketOf(MonthKey month, v1::PeriodKind granularity);
// Every bucket of `granularity` inside `range`, in time order.
std::vector<MonthKey> BucketsIn(MonthRange range, v1::PeriodKind granularity);
// The period a bucket stands for.
v1::Period PeriodOfBucket(MonthKey bucket, v1::PeriodKind granularity);

// Longer periods have smaller kind numbers: year 1 > quarter 2 > month 3.
inline bool IsFinerOrEqual(v1::PeriodKind granularity, v1::PeriodKind period) { return granularity >= period; }

// "2024", "2024-Q3", "2024-07"; "" for an unspecified period.
std::string PeriodLabel(const v1::Period& period);

// Parses an RFC 3339 time (CloudEvents ce_time).
std::optional<google::protobuf::Timestamp> ParseRfc3339(std::string_view text);

google::protobuf::Timestamp ToTimestamp(std::chrono::system_clock::time_point t);
std::chrono::system_clock::time_point FromTimestamp(const google::protobuf::Timestamp& t);

}  // namespace osh::reporting
