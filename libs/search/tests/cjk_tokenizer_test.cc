#include "osh/search/cjk_tokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace osh::search {
namespace {

struct Token {
  std::string text;
  bool colocated;
  bool operator==(const Token&) const = default;
};

std::vector<Token> Tokens(std::string_view text, bool query = false) {
  std::vector<Token> out;
  TokenizeForTest(text, query, [&](std::string_view t, int, int, bool colocated) {
    out.push_back({std::string(t), colocated});
  });
  return out;
}

TEST(CjkTokenizerTest, ChineseRunBecomesOverlappingBigramsWithFinalUnigram) {
  EXPECT_EQ(Tokens("尘肺病"), (std::vector<Token>{{"尘肺", false}, {"肺病", false}, {"病", true}}));
}

TEST(CjkTokenizerTest, QueriesLeaveOutTheFinalUnigram) {
  EXPECT_EQ(Tokens("尘肺病", true), (std::vector<Token>{{"尘肺", false}, {"肺病", false}}));
}

TEST(CjkTokenizerTest, OneCharacterRunIsItself) {
  EXPECT_EQ(Tokens("砷", false), (std::vector<Token>{{"砷", false}}));
  EXPECT_EQ(Tokens("砷", true), (std::vector<Token>{{"砷", false}}));
}

TEST(CjkTokenizerTest, LatinWordsAreLowerCasedAndFullWidthFolded) {
  EXPECT_EQ(Tokens("HSE管理 ＰＭ２.５ Ärzte"),
            (std::vector<Token>{{"hse", false}, {"管理", false}, {"理", true}, {"pm2", false}, {"5", false},
                                {"ärzte", false}}));
}

TEST(CjkTokenizerTest, PunctuationSeparatesRuns) {
  EXPECT_EQ(Tokens("职业病，防治"), (std::vector<Token>{{"职业", false}, {"业病", false}, {"病", true},
                                                   {"防治", false}, {"治", true}}));
}

TEST(CjkTokenizerTest, LineWrapsInsideChineseTextDoNotBreakWords) {
  EXPECT_EQ(Tokens("工\n\n作", true), (std::vector<Token>{{"工作", false}}));
  EXPECT_EQ(Tokens("职业 病 a", false), (std::vector<Token>{{"职业", false}, {"业病", false}, {"病", true}, {"a", false}}));
  EXPECT_EQ(Tokens("病 a 病", false), (std::vector<Token>{{"病", false}, {"a", false}, {"病", false}}));
}

TEST(CjkTokenizerTest, OffsetsPointAtTheOriginalBytes) {
  std::vector<std::pair<int, int>> offsets;
  TokenizeForTest("a 尘肺", false, [&](std::string_view, int b, int e, bool) { offsets.emplace_back(b, e); });
  EXPECT_EQ(offsets, (std::vector<std::pair<int, int>>{{0, 1}, {2, 8}, {5, 8}}));
}

TEST(CjkTokenizerTest, MalformedBytesNeverCrashAndSeparate) {
  const std::string bad = std::string("ab\xE5\xB0") + "cd\xFF";
  auto tokens = Tokens(bad);
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0].text, "ab");
  EXPECT_EQ(tokens[1].text, "cd");
}

TEST(CjkTokenizerTest, VeryLongWordsAreCut) {
  auto tokens = Tokens(std::string(1000, 'x'));
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].text.size(), 128u);
}

}  // namespace
}  // namespace osh::search
