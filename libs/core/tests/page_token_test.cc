#include "osh/core/page_token.h"

#include <gtest/gtest.h>

namespace osh::core {
namespace {

TEST(PageTokenTest, RoundTripsForTheSameQuery) {
  auto token = EncodePageToken("0190a1b2-c3d4", "44|C|0");
  EXPECT_EQ(DecodePageToken(token, "44|C|0"), "0190a1b2-c3d4");
}

TEST(PageTokenTest, RefusedForAnotherQuery) {
  auto token = EncodePageToken("0190a1b2-c3d4", "44|C|0");
  EXPECT_FALSE(DecodePageToken(token, "44|B|0"));
}

TEST(PageTokenTest, RefusesGarbage) {
  EXPECT_FALSE(DecodePageToken("zz", "q"));
  EXPECT_FALSE(DecodePageToken("abc", "q"));
  EXPECT_FALSE(DecodePageToken("", "q"));
  auto token = EncodePageToken("x", "q");
  token[4] = token[4] == '0' ? '1' : '0';
  EXPECT_FALSE(DecodePageToken(token, "q"));
}

}  // namespace
}  // namespace osh::core
