// The index on PostgreSQL (label postgres): the same rows found as on SQLite
// for the same documents and queries, phrases found wherever they lie in a
// long text (across the parts a text is cut into, and beyond the 16383
// positions a tsvector holds), and highlights and snippets marked as
// osh_highlight and osh_snippet mark them on SQLite.
#include <gtest/gtest.h>

#include <set>

#include "osh/domain/text.h"
#include "osh/search/highlight.h"
#include "osh/search/text_index.h"
#include "osh/store/testing/postgres.h"
#include "osh/store/testing/scratch_dir.h"
#include "sample_docs.h"

namespace osh::search {
namespace {

// Beside kDocs: a word a PDF wrapped across lines, and English to stem.
const std::vector<std::string> kLayoutDoc = {"尘尘尘尘尘",
                                             "预防尘肺，从源头做起。推广工\n作委员会 supervises; supervision matters."};
constexpr int64_t kLayoutRow = 7;

const std::vector<std::string>& DocOf(int64_t rowid) {
  for (const auto& [row, values] : kDocs) {
    if (row == rowid) return values;
  }
  return kLayoutDoc;
}

const std::vector<std::string> kQueries = {
    "尘肺病", "粉尘治理", "尘肺防治病", "噪声",     "防护",         "健康",       "砷",
    "聋",     "病",       "尘",         "尘尘",     "PNEUMOCONIOSIS", "\"occupational health\"",
    "HSE管理", "workers 职业健康", "健康 -HSE", "健康 -体系", "推广工作委员会", "supervision", "防 尘肺",
    "a OR b", "NEAR(尘肺 病)", "\"",      "预防 -聋",
};

class PostgresIndexTest : public ::testing::Test {
 protected:
  PostgresIndexTest() {
    const std::vector<store::Migration> migrations = {{1, "docs", index_.CreateSql(), index_.CreatePostgresSql()}};
    sqlite_ = store::Database::Open({.path = dir_.File("index.db")}, migrations);
    postgres_ = store::Database::Open({.url = pg_.url()}, migrations);
    for (auto* db : {sqlite_.get(), postgres_.get()}) {
      db->Write([&](store::Tx& tx) {
        for (const auto& [rowid, values] : kDocs) index_.Put(tx, rowid, values);
        index_.Put(tx, kLayoutRow, kLayoutDoc);
      });
    }
  }

  static Query Parse(std::string_view text) {
    std::string error;
    auto query = ParseQuery(text, {}, &error);
    EXPECT_TRUE(query) << text << ": " << error;
    return query.value_or(Query{});
  }

  // Rowids `text` finds, best first.
  std::vector<int64_t> Find(store::Database& db, std::string_view text) {
    const auto plan = index_.Plan(Parse(text), db.dialect(), "d.rowid");
    return db.Read([&](store::Tx& tx) {
      const bool postgres = tx.dialect() == store::Dialect::kPostgres;
      // On PostgreSQL the rank is in the SELECT list: its parameters come first.
      auto select = tx.Prepare(postgres ? "SELECT d.rowid, " + plan.order_by + " AS score FROM docs_fts d WHERE " +
                                              plan.where + " ORDER BY score, d.rowid"
                                        : "SELECT rowid FROM docs_fts WHERE " + plan.where + " ORDER BY " +
                                              plan.order_by);
      int i = 1;
      for (const auto& p : plan.rank_params) select.Bind(i++, p);
      for (const auto& p : plan.params) select.Bind(i++, p);
      std::vector<int64_t> rows;
      while (select.Step()) rows.push_back(select.Int(0));
      return rows;
    });
  }

  std::set<int64_t> FindSet(store::Database& db, std::string_view text) {
    const auto rows = Find(db, text);
    return {rows.begin(), rows.end()};
  }

  // What osh_highlight (column 0) or osh_snippet (column 1, `tokens` wide) gives on SQLite for row `rowid`.
  std::string MarkedOnSqlite(std::string_view text, int64_t rowid, int column, int tokens) {
    const auto plan = index_.Plan(Parse(text));
    return sqlite_->Read([&](store::Tx& tx) {
      const auto expression = column == 0 ? index_.HighlightExpression(0) : index_.SnippetExpression(1, tokens);
      auto s = tx.Prepare("SELECT " + expression + " FROM docs_fts WHERE " + plan.where +
                          " AND docs_fts.rowid = " + std::to_string(rowid));
      for (size_t i = 0; i < plan.params.size(); ++i) s.Bind(static_cast<int>(i) + 1, plan.params[i]);
      EXPECT_TRUE(s.Step()) << text;
      return s.Text(0);
    });
  }

  FullTextIndex index_{IndexSpec{.table = "docs_fts", .columns = {"title", "body"}, .weights = {5.0, 1.0}}};
  store::testing::ScratchDir dir_{"search-pg"};
  store::testing::ScratchPostgres pg_;
  std::unique_ptr<store::Database> sqlite_;
  std::unique_ptr<store::Database> postgres_;
};

TEST_F(PostgresIndexTest, EveryQueryFindsTheRowsSqliteFinds) {
  for (const auto& text : kQueries) {
    std::string error;
    if (!ParseQuery(text, {}, &error)) continue;
    EXPECT_EQ(FindSet(*postgres_, text), FindSet(*sqlite_, text)) << "for " << text;
  }
  EXPECT_EQ(FindSet(*postgres_, "尘肺病"), (std::set<int64_t>{1}));  // and they are the right ones
  EXPECT_EQ(FindSet(*postgres_, "supervision"), (std::set<int64_t>{kLayoutRow}));  // stemmed: supervises
}

TEST_F(PostgresIndexTest, TitleMatchesRankFirst) {
  EXPECT_EQ(Find(*postgres_, "职业健康"), (std::vector<int64_t>{6, 4}));
}

TEST_F(PostgresIndexTest, HighlightsAndSnippetsAreMarkedAsOnSqlite) {
  for (const auto& text : kQueries) {
    std::string error;
    const auto query = ParseQuery(text, {}, &error);
    if (!query) continue;
    for (int64_t rowid : Find(*sqlite_, text)) {
      const auto& values = DocOf(rowid);
      EXPECT_EQ(index_.Highlight(*query, values[0]), MarkedOnSqlite(text, rowid, 0, 0)) << text << " row " << rowid;
      for (int tokens : {3, 8, 24}) {
        EXPECT_EQ(index_.Snippet(*query, values[1], tokens), MarkedOnSqlite(text, rowid, 1, tokens))
            << text << " row " << rowid << " tokens " << tokens;
      }
    }
  }
}

TEST_F(PostgresIndexTest, PhrasesAreFoundAnywhereInALongText) {
  // 40000 distinct words (a token each); phrases placed where the text's parts
  // meet (parts of 2048 positions starting every 1792) and far beyond 16383.
  // A phrase of n Chinese characters is n - 1 bigrams at n - 1 positions: it
  // takes the place of as many words, so word i stays at position i.
  std::vector<std::string> words;
  for (int i = 0; i < 40000; ++i) words.push_back("w" + std::to_string(i));
  const std::vector<std::pair<int, std::string>> placed = {
      {1785, "尘肺病防治工作"}, {2046, "噪声聋预防"}, {3838, "职业健康检查"}, {30000, "粉尘治理做起"}};
  for (const auto& [at, phrase] : placed) {
    const auto positions = static_cast<int>(domain::Utf8Length(phrase)) - 1;
    for (int i = 0; i < positions; ++i) words[static_cast<size_t>(at + i)] = i == 0 ? phrase : "";
  }
  std::string body;
  for (const auto& w : words) {
    if (!w.empty()) body += w + " ";
  }
  postgres_->Write([&](store::Tx& tx) { index_.Put(tx, 100, {"长文", body}); });
  for (const auto& [at, phrase] : placed) {
    EXPECT_TRUE(FindSet(*postgres_, phrase).contains(100)) << phrase << " at " << at;
  }
  EXPECT_TRUE(FindSet(*postgres_, "\"w39998 w39999\"").contains(100));
  EXPECT_FALSE(FindSet(*postgres_, "\"w39999 w39998\"").contains(100));  // the words, not in that order
  EXPECT_FALSE(FindSet(*postgres_, "尘肺病工作").contains(100));
  EXPECT_TRUE(FindSet(*postgres_, "w20000 -噪声聋").empty());
}

}  // namespace
}  // namespace osh::search
