// The index against a real SQLite file: what users type must find what they
// mean, in Chinese, English and both, with one- and two-character queries.
#include "osh/search/text_index.h"

#include <gtest/gtest.h>

#include <set>

#include "osh/domain/text.h"
#include "osh/search/highlight.h"
#include "osh/store/testing/scratch_dir.h"
#include "sample_docs.h"

namespace osh::search {
namespace {

class TextIndexTest : public ::testing::TestWithParam<Tokenizer> {
 protected:
  void SetUp() override {
    index_ = std::make_unique<FullTextIndex>(
        IndexSpec{.table = "docs_fts", .columns = {"title", "body"}, .weights = {5.0, 1.0}, .tokenizer = GetParam()});
    db_ = store::Database::Open({.path = dir_.File("index.db")}, {{1, "docs", index_->CreateSql()}});
    db_->Write([&](store::Tx& tx) {
      for (const auto& [rowid, values] : kDocs) index_->Put(tx, rowid, values);
    });
  }

  // Rowids found, best first.
  std::vector<int64_t> Find(std::string_view text) {
    std::string error;
    auto query = ParseQuery(text, {}, &error);
    EXPECT_TRUE(query) << error;
    if (!query) return {};
    const auto plan = index_->Plan(*query);
    return db_->Read([&](store::Tx& tx) {
      auto sql = "SELECT rowid FROM docs_fts WHERE " + plan.where +
                 (plan.ranked ? " ORDER BY " + plan.order_by : std::string(" ORDER BY rowid"));
      auto s = tx.Prepare(sql);
      for (size_t i = 0; i < plan.params.size(); ++i) s.Bind(static_cast<int>(i) + 1, plan.params[i]);
      std::vector<int64_t> rows;
      while (s.Step()) rows.push_back(s.Int(0));
      return rows;
    });
  }

  std::set<int64_t> FindSet(std::string_view text) {
    auto rows = Find(text);
    return {rows.begin(), rows.end()};
  }

  store::testing::ScratchDir dir_{"search"};
  std::unique_ptr<FullTextIndex> index_;
  std::unique_ptr<store::Database> db_;
};

TEST_P(TextIndexTest, ChinesePhraseWithoutSpaces) {
  EXPECT_EQ(FindSet("尘肺病"), (std::set<int64_t>{1}));
  EXPECT_EQ(FindSet("粉尘治理"), (std::set<int64_t>{1}));
  EXPECT_TRUE(Find("尘肺防治病").empty());  // the characters, but not in that order
}

TEST_P(TextIndexTest, TwoCharacterQueries) {
  EXPECT_EQ(FindSet("噪声"), (std::set<int64_t>{2}));
  EXPECT_EQ(FindSet("防护"), (std::set<int64_t>{5}));
  EXPECT_EQ(FindSet("健康"), (std::set<int64_t>{4, 6}));
}

TEST_P(TextIndexTest, OneCharacterQueriesFindTheCharacterAnywhere) {
  EXPECT_EQ(FindSet("砷"), (std::set<int64_t>{5}));
  EXPECT_EQ(FindSet("聋"), (std::set<int64_t>{2}));    // end of a run
  EXPECT_EQ(FindSet("病"), (std::set<int64_t>{1}));    // inside runs and at their end
}

TEST_P(TextIndexTest, EnglishIsCaseInsensitive) {
  EXPECT_EQ(FindSet("PNEUMOCONIOSIS"), (std::set<int64_t>{3}));
  EXPECT_EQ(FindSet("\"occupational health\""), (std::set<int64_t>{4}));
}

TEST_P(TextIndexTest, MixedChineseAndEnglish) {
  EXPECT_EQ(FindSet("HSE管理"), (std::set<int64_t>{4}));
  EXPECT_EQ(FindSet("workers 职业健康"), (std::set<int64_t>{6}));
}

TEST_P(TextIndexTest, ExclusionsRemoveRows) {
  EXPECT_EQ(FindSet("健康 -HSE"), (std::set<int64_t>{6}));
  EXPECT_EQ(FindSet("健康 -体系"), (std::set<int64_t>{6}));
}

TEST_P(TextIndexTest, TitleMatchesRankFirst) {
  const auto rows = Find("职业健康");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], 6);  // in the title there, only in the body of 4
}

TEST_P(TextIndexTest, OnlyBigramsRankTwoCharacterQueries) {
  std::string error;
  const auto plan = index_->Plan(*ParseQuery("健康", {}, &error));
  // Trigrams cannot hold a two-character term: those rows are found by a scan, unranked.
  EXPECT_EQ(plan.ranked, GetParam() == Tokenizer::kCjkBigram);
}

TEST_P(TextIndexTest, SyntaxOfFts5InInputIsHarmless) {
  using namespace std::string_view_literals;
  for (std::string_view q : {"NEAR(尘肺 病)"sv, "title:尘肺"sv, "a OR b"sv, "\""sv, "*"sv, "^x"sv, "AND"sv, "("sv,
                             "a\"b"sv, "\"^  1\x07-\0\0-"sv}) {
    std::string error;
    auto query = ParseQuery(q, {}, &error);
    if (!query) continue;
    EXPECT_NO_THROW(Find(q)) << q;
  }
}

TEST_P(TextIndexTest, RemoveAndPutAgain) {
  db_->Write([&](store::Tx& tx) { index_->Remove(tx, 5); });
  EXPECT_TRUE(Find("砷").empty());
  db_->Write([&](store::Tx& tx) { index_->Put(tx, 5, {"砷", "砷"}); });
  EXPECT_EQ(FindSet("砷"), (std::set<int64_t>{5}));
}

TEST_P(TextIndexTest, HighlightMarksTheMatchedText) {
  std::string error;
  const auto plan = index_->Plan(*ParseQuery("尘肺病", {}, &error));
  const auto marked = db_->Read([&](store::Tx& tx) {
    auto s = tx.Prepare("SELECT " + index_->HighlightExpression(1) + " FROM docs_fts WHERE " + plan.where);
    s.Bind(1, plan.params[0]);
    EXPECT_TRUE(s.Step());
    return s.Text(0);
  });
  const auto spans = SplitMarked(marked);
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[1].text, "尘肺病");
  EXPECT_TRUE(spans[1].match);
}

// What the expression (a highlight or a snippet) gives for row `rowid` found by `text`.
std::string MarkedRow(store::Database& db, const FullTextIndex& index, const std::string& expression,
                      std::string_view text, int64_t rowid) {
  std::string error;
  const auto plan = index.Plan(*ParseQuery(text, {}, &error));
  return db.Read([&](store::Tx& tx) {
    auto s = tx.Prepare("SELECT " + expression + " FROM docs_fts WHERE " + plan.where +
                        " AND docs_fts.rowid = " + std::to_string(rowid));
    for (size_t i = 0; i < plan.params.size(); ++i) s.Bind(static_cast<int>(i) + 1, plan.params[i]);
    EXPECT_TRUE(s.Step()) << text;
    return s.Text(0);
  });
}

// The spans' texts, matches in [brackets], after checking each is whole UTF-8.
std::string Bracketed(const std::vector<Span>& spans) {
  std::string out;
  for (const auto& span : spans) {
    EXPECT_FALSE(domain::Utf8Error(span.text)) << span.text;
    out += span.match ? "[" + span.text + "]" : span.text;
  }
  return out;
}

TEST_P(TextIndexTest, OverlappingHitsHighlightAsOneRunWithoutRepeatingText) {
  // Tokens overlap (bigrams by one character, trigrams by two), so hits one
  // position apart cover shared bytes; FTS5's highlight() repeated them.
  db_->Write([&](store::Tx& tx) { index_->Put(tx, 7, {"尘尘尘尘尘", "预防尘肺，从源头做起"}); });
  const auto highlight = [&](int column, std::string_view query) {
    return Bracketed(SplitMarked(MarkedRow(*db_, *index_, index_->HighlightExpression(column), query, 7)));
  };
  // Queries each tokenizer can answer from the index (trigrams need three characters).
  const bool bigram = GetParam() == Tokenizer::kCjkBigram;
  EXPECT_EQ(highlight(0, bigram ? "尘尘" : "尘尘尘"), "[尘尘尘尘尘]");
  // Two terms whose hits overlap: one run, the text once.
  EXPECT_EQ(highlight(1, bigram ? "防 尘肺" : "预防尘 防尘肺"),
            bigram ? "预[防尘肺]，从源头做起" : "[预防尘肺]，从源头做起");
}

TEST_P(TextIndexTest, SnippetOfOverlappingHitsIsTheTextOnceAroundOneRun) {
  std::string body;
  for (int i = 0; i < 20; ++i) body += "安全生产责任重于泰山。";
  body += "粉尘尘尘尘尘超标";
  for (int i = 0; i < 20; ++i) body += "职业健康检查按时进行。";
  db_->Write([&](store::Tx& tx) { index_->Put(tx, 7, {"标题", body}); });
  const auto query = GetParam() == Tokenizer::kCjkBigram ? "尘尘" : "尘尘尘";
  const auto marked = MarkedRow(*db_, *index_, index_->SnippetExpression(1, 12), query, 7);
  const auto bracketed = Bracketed(SplitMarked(marked));
  EXPECT_NE(bracketed.find("[尘尘尘尘尘]"), std::string::npos) << bracketed;
  EXPECT_EQ(bracketed.find('[', bracketed.find('[') + 1), std::string::npos) << bracketed;
  // Between the ellipses: a piece of the text, unchanged.
  std::string plain;
  for (const auto& span : SplitMarked(marked)) plain += span.text;
  ASSERT_TRUE(plain.starts_with("…") && plain.ends_with("…")) << plain;
  const std::string_view ellipsis = "…";
  EXPECT_NE(body.find(plain.substr(ellipsis.size(), plain.size() - 2 * ellipsis.size())), std::string::npos) << plain;
}

TEST_P(TextIndexTest, SnippetOfAShortTextIsAllOfIt) {
  EXPECT_EQ(Bracketed(SplitMarked(MarkedRow(*db_, *index_, index_->SnippetExpression(1, 24), "尘肺病", 1))),
            "预防[尘肺病]，从粉尘治理做起。");
}

std::string NameOf(const ::testing::TestParamInfo<Tokenizer>& tokenizer) {
  return std::string(TokenizerName(tokenizer.param));
}

INSTANTIATE_TEST_SUITE_P(Tokenizers, TextIndexTest, ::testing::Values(Tokenizer::kCjkBigram, Tokenizer::kTrigram),
                         NameOf);

}  // namespace
}  // namespace osh::search
