#include "osh/domain/text.h"

#include <cstdint>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace osh::domain {
namespace {

using namespace std::string_view_literals;

// Straight from RFC 3629's table, to check the validator against every scalar value.
std::string Encode(std::uint32_t cp) {
  std::string out;
  auto put = [&out](std::uint32_t byte) { out += static_cast<char>(byte); };
  if (cp < 0x80) {
    put(cp);
  } else if (cp < 0x800) {
    put(0xC0 | (cp >> 6));
    put(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    put(0xE0 | (cp >> 12));
    put(0x80 | ((cp >> 6) & 0x3F));
    put(0x80 | (cp & 0x3F));
  } else {
    put(0xF0 | (cp >> 18));
    put(0x80 | ((cp >> 12) & 0x3F));
    put(0x80 | ((cp >> 6) & 0x3F));
    put(0x80 | (cp & 0x3F));
  }
  return out;
}

TEST(TextTest, AcceptsValidText) {
  const std::string_view valid[] = {
      ""sv,
      "plain ASCII"sv,
      "用人单位职业病危害项目申报"sv,
      "职业健康 occupational health 😷"sv,
      "a\0b"sv,  // NUL is a valid code point
  };
  for (std::string_view text : valid) {
    EXPECT_EQ(Utf8Error(text), std::nullopt) << text;
  }
}

TEST(TextTest, AcceptsEveryScalarValueAndRejectsEverySurrogate) {
  for (std::uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    const std::string encoded = Encode(cp);
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    ASSERT_EQ(Utf8Error(encoded).has_value(), surrogate) << std::hex << cp;
    ASSERT_EQ(Utf8Length(encoded), 1u) << std::hex << cp;
  }
}

TEST(TextTest, RejectsMalformedSequencesWithOffset) {
  struct Case {
    std::string_view text;
    std::string_view error;
  };
  const Case cases[] = {
      {"\x80"sv, "invalid UTF-8 at byte 0: unexpected continuation byte 0x80"},
      {"ab\xBF"sv, "invalid UTF-8 at byte 2: unexpected continuation byte 0xBF"},
      {"\xC0\xAF"sv, "invalid UTF-8 at byte 0: overlong encoding"},
      {"\xC1\xBF"sv, "invalid UTF-8 at byte 0: overlong encoding"},
      {"ab\xE0\x9F\xBF"sv, "invalid UTF-8 at byte 2: overlong encoding"},  // U+07FF
      {"\xF0\x8F\xBF\xBF"sv, "invalid UTF-8 at byte 0: overlong encoding"},  // U+FFFF
      {"\xED\xA0\x80"sv, "invalid UTF-8 at byte 0: UTF-16 surrogate U+D800"},
      {"\xED\xBF\xBF"sv, "invalid UTF-8 at byte 0: UTF-16 surrogate U+DFFF"},
      {"\xF4\x90\x80\x80"sv, "invalid UTF-8 at byte 0: code point U+110000 is above U+10FFFF"},
      {"\xF5\x80\x80\x80"sv, "invalid UTF-8 at byte 0: byte 0xF5 never occurs in UTF-8"},
      {"职\xFF"sv, "invalid UTF-8 at byte 3: byte 0xFF never occurs in UTF-8"},
      {"职\xE4\xB8"sv, "invalid UTF-8 at byte 3: truncated 3-byte sequence"},
      {"\xF0\x9F\x98"sv, "invalid UTF-8 at byte 0: truncated 4-byte sequence"},
      {"\xE8" "AB"sv, "invalid UTF-8 at byte 1: expected a continuation byte, got 0x41"},
      {"\xE8\x81" "A"sv, "invalid UTF-8 at byte 2: expected a continuation byte, got 0x41"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Utf8Error(c.text), std::string(c.error));
  }
}

TEST(TextTest, LengthCountsCodePoints) {
  EXPECT_EQ(Utf8Length(""), 0u);
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length("职业健康"), 4u);
  EXPECT_EQ(std::string_view("职业健康").size(), 12u);
  EXPECT_EQ(Utf8Length("a😷b"), 3u);
}

TEST(Utf8Prefix, NeverCutsInsideACharacter) {
  EXPECT_EQ(Utf8Prefix("abc", 2), "ab");
  EXPECT_EQ(Utf8Prefix("职业健康", 2), "职业");
  EXPECT_EQ(Utf8Prefix("职业健康", 10), "职业健康");
  EXPECT_EQ(Utf8Prefix("a职", 1), "a");
  EXPECT_EQ(Utf8Prefix("", 3), "");
  EXPECT_FALSE(Utf8Error(Utf8Prefix("😀😀😀", 2)).has_value());
  EXPECT_EQ(Utf8Prefix("😀😀😀", 2).size(), 8u);
}

}  // namespace
namespace {

TEST(TextTest, ControlCharacters) {
  EXPECT_FALSE(HasControlCharacters("标题 title"));
  EXPECT_TRUE(HasControlCharacters("a\nb"));
  EXPECT_FALSE(HasControlCharacters("a\r\nb\tc", true));
  EXPECT_TRUE(HasControlCharacters("a\x02" "b", true));  // split: \x02b would be one escape
  EXPECT_TRUE(HasControlCharacters("a\x7F", true));
}

TEST(TextTest, HttpUrls) {
  EXPECT_TRUE(IsHttpUrl("https://wsjkw.gd.gov.cn/"));
  EXPECT_TRUE(IsHttpUrl("http://example.cn"));
  EXPECT_FALSE(IsHttpUrl("javascript:alert(1)"));
  EXPECT_FALSE(IsHttpUrl("ftp://example.cn"));
}

}  // namespace
}  // namespace osh::domain
