#include "osh/xapi/multipart.h"

#include <gtest/gtest.h>

namespace osh::xapi {
namespace {

TEST(MultipartTest, BoundaryFromContentType) {
  EXPECT_EQ(MultipartBoundary("multipart/mixed; boundary=abc123"), "abc123");
  EXPECT_EQ(MultipartBoundary("multipart/mixed; boundary=\"a b\"; x=y"), "a b");
  EXPECT_EQ(MultipartBoundary("multipart/mixed;boundary=abc;charset=x"), "abc");
  EXPECT_FALSE(MultipartBoundary("multipart/mixed"));
}

TEST(MultipartTest, ParsesWhatItRenders) {
  const std::vector<MimePart> parts = {{{{"content-type", "application/json"}}, "{\"a\":1}"},
                                       {{{"content-type", "text/plain"}, {"x-experience-api-hash", "h"}},
                                        "line one\r\nline two"}};
  const auto body = RenderMultipart(parts, "xyz");
  const auto parsed = ParseMultipart(body, "xyz");
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].body, "{\"a\":1}");
  EXPECT_EQ((*parsed)[1].headers.at("x-experience-api-hash"), "h");
  EXPECT_EQ((*parsed)[1].body, "line one\r\nline two");
}

TEST(MultipartTest, AcceptsAPreambleAndHeaderCase) {
  const auto parsed =
      ParseMultipart("preamble\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b--\r\n", "b");
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ((*parsed)[0].headers.at("content-type"), "text/plain");
  EXPECT_EQ((*parsed)[0].body, "hello");
}

TEST(MultipartTest, RefusesMalformedBodies) {
  EXPECT_FALSE(ParseMultipart("no delimiter at all", "b"));
  EXPECT_FALSE(ParseMultipart("--b\r\nContent-Type: text/plain\r\n\r\nnever closed", "b"));
  EXPECT_FALSE(ParseMultipart("--b\r\nnot a header\r\n\r\nx\r\n--b--", "b"));
}

}  // namespace
}  // namespace osh::xapi
