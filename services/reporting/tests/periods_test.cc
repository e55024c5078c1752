#include "periods.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <limits>

#include "reporting.h"

namespace osh::reporting {
namespace {

using google::protobuf::util::TimeUtil;

v1::Period Make(v1::PeriodKind kind, int year, int quarter = 0, int month = 0) {
  v1::Period p;
  p.set_kind(kind);
  p.set_year(year);
  p.set_quarter(quarter);
  p.set_month(month);
  return p;
}

TEST(PeriodsTest, AMonthKeyOfAnyYearIsDefinedAndSortsOutsideRealMonths) {
  // INT_MIN * 100 overflowed (UBSan, from a fuzzed request); now it is clamped.
  EXPECT_EQ(MakeMonthKey(std::numeric_limits<int>::min(), 1), MakeMonthKey(0, 1));
  EXPECT_EQ(MakeMonthKey(std::numeric_limits<int>::max(), 12), MakeMonthKey(9999, 12));
  EXPECT_LT(MakeMonthKey(std::numeric_limits<int>::min(), 1), MakeMonthKey(2026, 1));
  EXPECT_GT(MakeMonthKey(std::numeric_limits<int>::max(), std::numeric_limits<int>::max()), MakeMonthKey(2026, 12));
  EXPECT_EQ(MakeMonthKey(2026, 7), 202607);
}

TEST(PeriodsTest, RangesCoverTheirMonths) {
  EXPECT_EQ(RangeOf(Make(v1::PERIOD_KIND_YEAR, 2024)).first, 202401);
  EXPECT_EQ(RangeOf(Make(v1::PERIOD_KIND_YEAR, 2024)).last, 202412);
  EXPECT_EQ(RangeOf(Make(v1::PERIOD_KIND_QUARTER, 2024, 3)).first, 202407);
  EXPECT_EQ(RangeOf(Make(v1::PERIOD_KIND_QUARTER, 2024, 3)).last, 202409);
  EXPECT_EQ(RangeOf(Make(v1::PERIOD_KIND_MONTH, 2024, 0, 2)).first, 202402);
  EXPECT_EQ(RangeOf(v1::Period()).first, 0);  // as of now: everything
}

TEST(PeriodsTest, BucketsSplitARangeInTimeOrder) {
  EXPECT_EQ(BucketsIn({202401, 202412}, v1::PERIOD_KIND_QUARTER), (std::vector<MonthKey>{202401, 202404, 202407, 202410}));
  EXPECT_EQ(BucketsIn({202411, 202502}, v1::PERIOD_KIND_MONTH),
            (std::vector<MonthKey>{202411, 202412, 202501, 202502}));
  EXPECT_EQ(BucketsIn({202401, 202412}, v1::PERIOD_KIND_YEAR), (std::vector<MonthKey>{202401}));
  EXPECT_EQ(BucketOf(202408, v1::PERIOD_KIND_QUARTER), 202407);
  EXPECT_EQ(PeriodLabel(PeriodOfBucket(202407, v1::PERIOD_KIND_QUARTER)), "2024-Q3");
  EXPECT_EQ(PeriodLabel(PeriodOfBucket(202407, v1::PERIOD_KIND_MONTH)), "2024-07");
  EXPECT_EQ(PeriodLabel(PeriodOfBucket(202401, v1::PERIOD_KIND_YEAR)), "2024");
}

TEST(PeriodsTest, InvalidPeriodsNameTheirField) {
  core::FieldErrors errors;
  ValidatePeriod(Make(v1::PERIOD_KIND_MONTH, 2024, 0, 13), "query.period", errors);
  auto violations = core::FieldViolationsOf(errors.ToStatus());
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].first, "query.period.month");

  core::FieldErrors more;
  ValidatePeriod(Make(v1::PERIOD_KIND_QUARTER, 1999, 5), "query.period", more);
  ValidatePeriod(Make(v1::PERIOD_KIND_UNSPECIFIED, 2024), "p", more);
  violations = core::FieldViolationsOf(more.ToStatus());
  ASSERT_EQ(violations.size(), 3u);
  EXPECT_EQ(violations[0].first, "query.period.year");
  EXPECT_EQ(violations[1].first, "query.period.quarter");
  EXPECT_EQ(violations[2].first, "p.kind");
}

TEST(PeriodsTest, MonthsAndTheReportDueTimeAreInChinaStandardTime) {
  ReportingCalendar china;
  google::protobuf::Timestamp t;
  ASSERT_TRUE(TimeUtil::FromString("2024-12-31T16:00:00Z", &t));  // 00:00 on 1 January in Beijing
  EXPECT_EQ(china.MonthAt(t), 202501);
  ASSERT_TRUE(TimeUtil::FromString("2024-12-31T15:59:59Z", &t));
  EXPECT_EQ(china.MonthAt(t), 202412);
  EXPECT_EQ(TimeUtil::ToString(ToTimestamp(china.AnnualReportDue(2024))), "2024-12-15T16:00:00Z");
  EXPECT_EQ(ReportingCalendar(0).MonthAt(t), 202412);
}

TEST(IndicatorTargetsTest, ParsesNamesAndRatios) {
  std::string error;
  auto targets = ParseIndicatorTargets("declaration_rate=0.9, health_exam_rate=0.95", &error);
  ASSERT_FALSE(targets) << "space before a name is not a name";
  targets = ParseIndicatorTargets("declaration_rate=0.9,health_exam_rate=0.95", &error);
  ASSERT_TRUE(targets) << error;
  EXPECT_DOUBLE_EQ(targets->at(v1::INDICATOR_DECLARATION_RATE), 0.9);
  EXPECT_DOUBLE_EQ(targets->at(v1::INDICATOR_HEALTH_EXAM_RATE), 0.95);
  EXPECT_TRUE(ParseIndicatorTargets("", &error)->empty());
  EXPECT_FALSE(ParseIndicatorTargets("declaration_rate=1.5", &error));
  EXPECT_NE(error.find("between 0 and 1"), std::string::npos);
  EXPECT_FALSE(ParseIndicatorTargets("coverage=0.5", &error));
  EXPECT_NE(error.find("coverage"), std::string::npos);
  EXPECT_FALSE(ParseIndicatorTargets("declaration_rate=high", &error));
}

}  // namespace
}  // namespace osh::reporting
