#include "osh/search/query.h"

#include <gtest/gtest.h>

namespace osh::search {
namespace {

Query Parse(std::string_view text) {
  std::string error;
  auto q = ParseQuery(text, {}, &error);
  EXPECT_TRUE(q.has_value()) << error;
  return q.value_or(Query{});
}

std::string Error(std::string_view text, QueryLimits limits = {}) {
  std::string error;
  EXPECT_FALSE(ParseQuery(text, limits, &error).has_value()) << text;
  return error;
}

TEST(ParseQueryTest, WordsPhrasesAndExclusions) {
  auto q = Parse("尘肺病  \"occupational health\" -煤矿　dust");
  ASSERT_EQ(q.terms.size(), 4u);
  EXPECT_EQ(q.terms[0].text, "尘肺病");
  EXPECT_EQ(q.terms[1].text, "occupational health");
  EXPECT_EQ(q.terms[2].text, "煤矿");
  EXPECT_TRUE(q.terms[2].excluded);
  EXPECT_EQ(q.terms[3].text, "dust");  // split at the ideographic space
  EXPECT_FALSE(q.terms[3].excluded);
}

TEST(ParseQueryTest, ChineseQuotesAndUnclosedQuote) {
  auto q = Parse("“职业 健康” \"noise induced");
  ASSERT_EQ(q.terms.size(), 2u);
  EXPECT_EQ(q.terms[0].text, "职业 健康");
  EXPECT_EQ(q.terms[1].text, "noise induced");
}

TEST(ParseQueryTest, Fts5SyntaxIsJustText) {
  auto q = Parse("title:x NEAR(a b) * ^c");
  ASSERT_EQ(q.terms.size(), 4u);  // a lone * has nothing to search for
  EXPECT_EQ(q.terms[0].text, "title:x");
  EXPECT_EQ(q.terms[1].text, "NEAR(a");
  EXPECT_EQ(QuoteFts5("a\"b"), "\"a\"\"b\"");
}

// Found by fuzzing: a NUL inside a term ended FTS5's string literal early
// ("unterminated string"), so a query over gRPC failed as an internal error.
TEST(ParseQueryTest, ControlCharactersSeparateTermsAndNeverReachATerm) {
  using namespace std::string_view_literals;
  auto q = Parse("dust\0control\x07-noise \"a\x01" "b\""sv);
  ASSERT_EQ(q.terms.size(), 4u);
  EXPECT_EQ(q.terms[0].text, "dust");
  EXPECT_EQ(q.terms[1].text, "control");
  EXPECT_EQ(q.terms[2].text, "noise");
  EXPECT_TRUE(q.terms[2].excluded);
  EXPECT_EQ(q.terms[3].text, "a b");  // inside a phrase, a space
}

TEST(ParseQueryTest, RefusesWhatCannotBeSearched) {
  EXPECT_NE(Error("").find("no letters"), std::string::npos);
  EXPECT_NE(Error(" ，。!! ").find("no letters"), std::string::npos);
  EXPECT_NE(Error("-煤矿").find("only excludes"), std::string::npos);
  EXPECT_NE(Error("\xC0\xAF").find("UTF-8"), std::string::npos);
  EXPECT_NE(Error("a b c", {.max_length = 256, .max_terms = 2}).find("more than 2 terms"), std::string::npos);
  EXPECT_NE(Error(std::string(300, 'a')).find("longer than 256"), std::string::npos);
}

TEST(ParseQueryTest, IndexedLengthCountsLettersDigitsAndHan) {
  EXPECT_EQ(IndexedLength("尘肺"), 2u);
  EXPECT_EQ(IndexedLength("a-b，"), 2u);
  EXPECT_TRUE(IsAllCjk("尘，肺"));
  EXPECT_FALSE(IsAllCjk("尘a"));
}

}  // namespace
}  // namespace osh::search
