#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "osh/search/query.h"
#include "osh/store/database.h"

namespace osh::search {

// The two tokenizations the content issue asked us to choose between by
// measurement (bench/content): overlapping bigrams (osh_cjk, wrapped by the
// Porter stemmer for English) or SQLite's trigram tokenizer.
enum class Tokenizer { kCjkBigram, kTrigram };

std::string_view TokenizerName(Tokenizer tokenizer);

struct IndexSpec {
  std::string table;                 // FTS5 table name; from code, never from input
  std::vector<std::string> columns;  // indexed text columns, in order
  std::vector<double> weights;       // BM25 weight per column
  Tokenizer tokenizer = Tokenizer::kCjkBigram;
};

// How a query runs against the index: a WHERE fragment with `?` placeholders
// to bind in order, and the ORDER BY expression (BM25, best first).
struct MatchPlan {
  std::string where;
  std::vector<std::string> params;
  std::string order_by;
  // False when no term could use the index (trigram with only one- or
  // two-character terms): rows were found by scanning and are not ranked.
  bool ranked = true;
  // Parameters of order_by, bound before `params` where order_by is in the
  // SELECT list (PostgreSQL's rank names the query again; SQLite's needs none).
  std::vector<std::string> rank_params;
};

// A full-text index over rows of another table, keyed by that table's rowid.
// FTS5 keeps its own copy of the text, which the highlight and snippet read
// (osh_highlight and osh_snippet: FTS5's own repeat text when tokens overlap).
//
// On PostgreSQL (bigram only) the same tokens, made by the same tokenizer, go
// into `tsvector`s with a GIN index (postgres_index.cc): table `<table>` keeps
// the text by rowid under the same column names as the FTS5 table, so
// selecting text by rowid reads the same on both; `<table>_parts` the tokens.
class FullTextIndex {
 public:
  explicit FullTextIndex(IndexSpec spec);

  // CREATE VIRTUAL TABLE statement (for a migration); the bigram tokenizer
  // must be registered (RegisterCjkTokenizer) before it runs.
  std::string CreateSql() const;

  // The PostgreSQL tables of the index (for a migration's postgres_sql).
  std::string CreatePostgresSql() const;

  // Indexes (or re-indexes) one row: values in column order.
  void Put(store::Tx& tx, int64_t rowid, const std::vector<std::string>& values) const;
  void Remove(store::Tx& tx, int64_t rowid) const;

  // The plan on SQLite: `where` reads the FTS5 table (in FROM, under its name).
  MatchPlan Plan(const Query& query) const;
  // The plan for the dialect. On PostgreSQL `where` and `order_by` test the
  // rowid given as the SQL expression `key` (e.g. "p.rowid"), with no index
  // table in FROM; order_by is lower-is-better there too (a negated rank).
  MatchPlan Plan(const Query& query, store::Dialect dialect, std::string_view key) const;

  // The text with the query's matches marked (kMatchBegin/kMatchEnd), as
  // osh_highlight marks them, and the snippet of `max_tokens` tokens around the
  // most matches, as osh_snippet cuts it; computed here from the text, so
  // PostgreSQL gives the same marks as SQLite. Bigram index only.
  std::string Highlight(const Query& query, std::string_view text) const;
  std::string Snippet(const Query& query, std::string_view text, int max_tokens) const;

  // SELECT-list expressions over the index table (alias as the table name).
  std::string RankExpression() const;  // bm25 with the weights; lower is better
  std::string HighlightExpression(int column) const;
  std::string SnippetExpression(int column, int max_tokens) const;

  const IndexSpec& spec() const { return spec_; }

 private:
  std::string TermMatch(const QueryTerm& term) const;
  MatchPlan PostgresPlan(const Query& query, std::string_view key) const;
  void PutPostgres(store::Tx& tx, int64_t rowid, const std::vector<std::string>& values) const;

  IndexSpec spec_;
};

}  // namespace osh::search
