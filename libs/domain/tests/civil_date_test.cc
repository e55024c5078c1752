#include "osh/domain/civil_date.h"

#include <gtest/gtest.h>

namespace osh::domain {
namespace {

TEST(CivilDateTest, ParsesOnlyRealDates) {
  EXPECT_TRUE(IsCivilDate("2024-02-29"));
  EXPECT_FALSE(IsCivilDate("2023-02-29"));
  EXPECT_FALSE(IsCivilDate("2024-13-01"));
  EXPECT_FALSE(IsCivilDate("2024-1-01"));
  EXPECT_FALSE(IsCivilDate("2024/01/01"));
  EXPECT_FALSE(IsCivilDate(""));
}

TEST(CivilDateTest, DaysBetween) {
  EXPECT_EQ(DaysBetween("2024-02-28", "2024-03-01"), 2);
  EXPECT_EQ(DaysBetween("2024-03-01", "2024-02-28"), -2);
}

TEST(CivilDateTest, ChinaDateTurnsAtSixteenHundredUtc) {
  using namespace std::chrono;
  const sys_days day = sys_days(year(2026) / 11 / 24);
  EXPECT_EQ(ChinaDateOf(day + hours(15) + minutes(59)), "2026-11-24");
  EXPECT_EQ(ChinaDateOf(day + hours(16)), "2026-11-25");
}

}  // namespace
}  // namespace osh::domain
