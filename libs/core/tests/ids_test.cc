#include "osh/core/ids.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace osh::core {
namespace {

TEST(UuidV7Test, HasVersionAndVariantBits) {
  const std::regex shape("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(std::regex_match(NewUuidV7(), shape));
}

TEST(UuidV7Test, SortsByTimeAcrossMilliseconds) {
  auto t = std::chrono::system_clock::now();
  std::string prev = NewUuidV7(t);
  for (int i = 1; i < 50; ++i) {
    std::string next = NewUuidV7(t + std::chrono::milliseconds(i));
    EXPECT_LT(prev, next);
    prev = next;
  }
}

TEST(UuidV7Test, IdsMadeWithinOneMillisecondSortInTheOrderTheyWereMade) {
  const auto t = std::chrono::system_clock::now();
  std::string prev = NewUuidV7(t);
  for (int i = 0; i < 10000; ++i) {
    std::string next = NewUuidV7(t);
    ASSERT_LT(prev, next) << "id " << i;
    ASSERT_EQ(next.substr(0, 13), prev.substr(0, 13));  // the same millisecond
    prev = next;
  }
}

TEST(UuidV7Test, AnEarlierTimeGivenByTheCallerIsKept) {
  const auto t = std::chrono::system_clock::now();
  const std::string later = NewUuidV7(t + std::chrono::seconds(1));
  EXPECT_LT(NewUuidV7(t), later);
}

TEST(UuidV7Test, UniqueWithinOneMillisecond) {
  auto t = std::chrono::system_clock::now();
  std::set<std::string> ids;
  for (int i = 0; i < 10000; ++i) ids.insert(NewUuidV7(t));
  EXPECT_EQ(ids.size(), 10000u);
}

TEST(RequestIdTest, IsSixteenLowercaseHexDigitsUsingEveryDigitAndUnique) {
  const std::regex shape("^[0-9a-f]{16}$");
  std::set<std::string> ids;
  std::set<char> digits;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewRequestId();
    EXPECT_TRUE(std::regex_match(id, shape)) << id;
    EXPECT_TRUE(IsSaneRequestId(id)) << id;
    ids.insert(id);
    digits.insert(id.begin(), id.end());
  }
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_EQ(digits.size(), 16u);  // all 64 bits reach the text, not only some of them
}

}  // namespace
}  // namespace osh::core
