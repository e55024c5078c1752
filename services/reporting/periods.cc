#include "periods.h"

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>

namespace osh::reporting {
namespace {

using google::protobuf::util::TimeUtil;
using std::chrono::days;
using std::chrono::sys_days;

constexpr int kFirstYear = 2000;
constexpr int kLastYear = 2100;

}  // namespace

MonthKey ReportingCalendar::MonthAt(std::chrono::system_clock::time_point t) const {
  const auto local = t + std::chrono::minutes(offset_);
  const std::chrono::year_month_day date{std::chrono::floor<days>(local)};
  return MakeMonthKey(static_cast<int>(date.year()), static_cast<int>(static_cast<unsigned>(date.month())));
}

MonthKey ReportingCalendar::MonthAt(const google::protobuf::Timestamp& t) const { return MonthAt(FromTimestamp(t)); }

std::chrono::system_clock::time_point ReportingCalendar::StartOfDay(int year, int month, int day) const {
  const sys_days local_midnight{std::chrono::year{year} / std::chrono::month{static_cast<unsigned>(month)} /
                                std::chrono::day{static_cast<unsigned>(day)}};
  return std::chrono::system_clock::time_point(local_midnight) - std::chrono::minutes(offset_);
}

void ValidatePeriod(const v1::Period& p, const std::string& field, core::FieldErrors& errors) {
  const auto check_year = [&] {
    if (p.year() < kFirstYear || p.year() > kLastYear) {
      errors.Add(field + ".year", fmt::format("must be between {} and {}, got {}", kFirstYear, kLastYear, p.year()));
    }
  };
  switch (p.kind()) {
    case v1::PERIOD_KIND_UNSPECIFIED:
      if (p.year() != 0 || p.quarter() != 0 || p.month() != 0) {
        errors.Add(field + ".kind", "is required when year, quarter or month is set (year, quarter or month)");
      }
      return;
    case v1::PERIOD_KIND_YEAR:
      check_year();
      if (p.quarter() != 0 || p.month() != 0) errors.Add(field, "a year period takes no quarter or month");
      return;
    case v1::PERIOD_KIND_QUARTER:
      check_year();
      if (p.quarter() < 1 || p.quarter() > 4) {
        errors.Add(field + ".quarter", fmt::format("must be 1-4, got {}", p.quarter()));
      }
      if (p.month() != 0) errors.Add(field + ".month", "a quarter period takes no month");
      return;
    case v1::PERIOD_KIND_MONTH:
      check_year();
      if (p.month() < 1 || p.month() > 12) errors.Add(field + ".month", fmt::format("must be 1-12, got {}", p.month()));
      if (p.quarter() != 0) errors.Add(field + ".quarter", "a month period takes no quarter");
      return;
    default:
      errors.Add(field + ".kind", fmt::format("{} is not a period kind", static_cast<int>(p.kind())));
  }
}

MonthRange RangeOf(const v1::Period& p) {
  switch (p.kind()) {
    case v1::PERIOD_KIND_YEAR:
      return {MakeMonthKey(p.year(), 1), MakeMonthKey(p.year(), 12)};
    case v1::PERIOD_KIND_QUARTER:
      return {MakeMonthKey(p.year(), 3 * p.quarter() - 2), MakeMonthKey(p.year(), 3 * p.quarter())};
    case v1::PERIOD_KIND_MONTH:
      return {MakeMonthKey(p.year(), p.month()), MakeMonthKey(p.year(), p.month())};
    default:
      return {};
  }
}

MonthKey BucketOf(MonthKey month, v1::PeriodKind granularity) {
  switch (granularity) {
    case v1::PERIOD_KIND_YEAR:
      return MakeMonthKey(YearOf(month), 1);
    case v1::PERIOD_KIND_QUARTER:
      return month - (MonthOf(month) - 1) % 3;
    default:
      return month;
  }
}

std::vector<MonthKey> BucketsIn(MonthRange range, v1::PeriodKind granularity) {
  std::vector<MonthKey> out;
  const int step = granularity == v1::PERIOD_KIND_YEAR ? 12 : granularity == v1::PERIOD_KIND_QUARTER ? 3 : 1;
  for (MonthKey b = BucketOf(range.first, granularity); b <= range.last;) {
    out.push_back(b);
    int month0 = YearOf(b) * 12 + MonthOf(b) - 1 + step;
    b = MakeMonthKey(month0 / 12, month0 % 12 + 1);
  }
  return out;
}

v1::Period PeriodOfBucket(MonthKey bucket, v1::PeriodKind granularity) {
  v1::Period p;
  p.set_kind(granularity);
  p.set_year(YearOf(bucket));
  if (granularity == v1::PERIOD_KIND_QUARTER) p.set_quarter((MonthOf(bucket) - 1) / 3 + 1);
  if (granularity == v1::PERIOD_KIND_MONTH) p.set_month(MonthOf(bucket));
  return p;
}

std::string PeriodLabel(const v1::Period& p) {
  switch (p.kind()) {
    case v1::PERIOD_KIND_YEAR:
      return fmt::format("{:04d}", p.year());
    case v1::PERIOD_KIND_QUARTER:
      return fmt::format("{:04d}-Q{}", p.year(), p.quarter());
    case v1::PERIOD_KIND_MONTH:
      return fmt::format("{:04d}-{:02d}", p.year(), p.month());
    default:
      return "";
  }
}

std::optional<google::protobuf::Timestamp> ParseRfc3339(std::string_view text) {
  google::protobuf::Timestamp t;
  if (!TimeUtil::FromString(std::string(text), &t)) return std::nullopt;
  return t;
}

google::protobuf::Timestamp ToTimestamp(std::chrono::system_clock::time_point t) {
  return TimeUtil::NanosecondsToTimestamp(
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

std::chrono::system_clock::time_point FromTimestamp(const google::protobuf::Timestamp& t) {
  return std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
      std::chrono::nanoseconds(TimeUtil::TimestampToNanoseconds(t))));
}

}  // namespace osh::reporting
