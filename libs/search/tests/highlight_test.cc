#include "osh/search/highlight.h"

#include <gtest/gtest.h>

namespace osh::search {
namespace {

TEST(SplitMarkedTest, SplitsAndMergesAdjacentMatches) {
  auto spans = SplitMarked("预防\x02尘肺\x03\x02病\x03工作");
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0].text, "预防");
  EXPECT_FALSE(spans[0].match);
  EXPECT_EQ(spans[1].text, "尘肺病");
  EXPECT_TRUE(spans[1].match);
  EXPECT_EQ(spans[2].text, "工作");
  EXPECT_FALSE(spans[2].match);
}

TEST(SplitMarkedTest, UnmarkedTextIsOneSpanAndEmptyIsNone) {
  EXPECT_EQ(SplitMarked("plain").size(), 1u);
  EXPECT_TRUE(SplitMarked("").empty());
  EXPECT_TRUE(SplitMarked("\x02\x03").empty());
}

}  // namespace
}  // namespace osh::search
