// FullTextIndex on PostgreSQL: the bigram tokens of the SQLite index, made by
// the same tokenizer (IndexTokens), stored as `tsvector`s under a GIN index.
//
// Why not PostgreSQL's own parsers or pg_trgm: the 'simple' parser keeps a run
// of Chinese characters as one word (the problem osh_cjk solves for FTS5), and
// pg_trgm can neither answer one- and two-character queries from its index nor
// join words a PDF wrapped across lines; both would also find other things
// than SQLite does. Here a query term becomes the same phrase FTS5 matches
// ('a' <-> 'b' <-> 'c', the last token a prefix 'c':* where FTS5 has "c" *),
// so both backends find the same rows.
//
// Parts: a tsvector keeps positions up to 16383 and at most 256 positions per
// lexeme, while a body may have hundreds of thousands of tokens. So each
// column's tokens are cut into windows of kWindow positions that overlap by
// kOverlap, and every phrase of up to kOverlap + 1 tokens (a query is at most
// 256 characters: QueryLimits) lies whole in some window. A row matches a term
// when one of its parts does; terms are tested separately, as FTS5 tests them
// against the whole row. A window of 2048 tokens loses phrase positions only
// for a token making up more than an eighth of it.
//
// Ranking: ts_rank_cd (cover density) summed over the row's parts with the
// column weights as tsvector weights A-D, divided by the log of the row's
// length. It is not FTS5's BM25 (PostgreSQL keeps no per-term document
// counts), so scores differ between backends; the relevance tests hold on both.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>

#include "index_tokens.h"
#include "osh/search/text_index.h"

namespace osh::search {
namespace {

constexpr int kWindow = 2048;
constexpr int kOverlap = 256;
constexpr int kStep = kWindow - kOverlap;
constexpr std::string_view kLabels = "ABCD";  // tsvector weights, one per column

// A lexeme inside a tsvector or tsquery literal: quoted, quotes and
// backslashes escaped (tokens hold neither, but the literal must not depend on it).
std::string Lexeme(std::string_view token) {
  std::string out = "'";
  for (char c : token) {
    if (c == '\'' || c == '\\') out += c;
    out += c;
  }
  out += '\'';
  return out;
}

// The term as a tsquery: its phrase, FTS5's phrase query in PostgreSQL's syntax.
std::string TermQuery(const QueryTerm& term) {
  const Phrase phrase = PhraseOf(term.text);
  std::string out;
  for (size_t i = 0; i < phrase.tokens.size(); ++i) {
    if (i > 0) out += " <-> ";
    out += Lexeme(phrase.tokens[i]);
    if (phrase.prefix && i + 1 == phrase.tokens.size()) out += ":*";
  }
  return out;
}

// The tsvectors of one column's text, one per window, and its token count.
std::vector<std::string> Parts(std::string_view text, char label, int64_t* token_count) {
  const auto tokens = IndexTokens(text, false);
  std::vector<std::pair<const std::string*, int>> positioned;  // token, position from 0
  int position = -1;
  for (const auto& t : tokens) {
    if (!t.colocated || position < 0) ++position;
    positioned.emplace_back(&t.text, position);
  }
  *token_count += position + 1;
  std::vector<std::string> parts;
  for (int start = 0; start <= position; start += kStep) {
    std::map<std::string_view, std::string> lexemes;  // lexeme -> "1A,2A"
    auto from = std::lower_bound(positioned.begin(), positioned.end(), start,
                                 [](const auto& token, int at) { return token.second < at; });
    for (auto it = from; it != positioned.end() && it->second < start + kWindow; ++it) {
      const auto& [token, at] = *it;
      std::string& list = lexemes[*token];
      if (!list.empty()) list += ',';
      list += std::to_string(at - start + 1);
      list += label;
    }
    std::string vector;
    for (const auto& [lexeme, list] : lexemes) {
      if (!vector.empty()) vector += ' ';
      vector += Lexeme(lexeme) + ":" + list;
    }
    parts.push_back(std::move(vector));
    if (start + kWindow > position) break;
  }
  return parts;
}

}  // namespace

std::string FullTextIndex::CreatePostgresSql() const {
  std::string columns;
  for (const auto& c : spec_.columns) columns += c + " TEXT NOT NULL, ";
  return fmt::format(
      "CREATE TABLE {0} (rowid BIGINT PRIMARY KEY, {1}tokens BIGINT NOT NULL);\n"
      "CREATE TABLE {0}_parts (rowid BIGINT NOT NULL REFERENCES {0}(rowid) ON DELETE CASCADE, part INTEGER NOT NULL,"
      " terms TSVECTOR NOT NULL, PRIMARY KEY (rowid, part));\n"
      "CREATE INDEX {0}_parts_terms ON {0}_parts USING GIN (terms);\n",
      spec_.table, columns);
}

void FullTextIndex::PutPostgres(store::Tx& tx, int64_t rowid, const std::vector<std::string>& values) const {
  if (spec_.tokenizer != Tokenizer::kCjkBigram || values.size() > kLabels.size()) {
    throw std::invalid_argument("the PostgreSQL index is a bigram index of at most four columns");
  }
  Remove(tx, rowid);
  int64_t token_count = 0;
  std::vector<std::string> parts;
  for (size_t c = 0; c < values.size(); ++c) {
    for (auto& part : Parts(values[c], kLabels[c], &token_count)) parts.push_back(std::move(part));
  }
  std::vector<std::string> marks(values.size() + 1, "?");
  auto insert = tx.Prepare(fmt::format("INSERT INTO {}(rowid, {}, tokens) VALUES (?, {})", spec_.table,
                                       fmt::join(spec_.columns, ", "), fmt::join(marks, ", ")));
  insert.Bind(1, rowid);
  for (size_t i = 0; i < values.size(); ++i) insert.Bind(static_cast<int>(i) + 2, values[i]);
  insert.Bind(static_cast<int>(values.size()) + 2, token_count);
  insert.Run();
  auto part = tx.Prepare(
      fmt::format("INSERT INTO {}_parts(rowid, part, terms) VALUES (?, ?, CAST(? AS tsvector))", spec_.table));
  for (size_t i = 0; i < parts.size(); ++i) {
    part.Reset().Bind(1, rowid).Bind(2, static_cast<int64_t>(i)).Bind(3, parts[i]).Run();
  }
}

MatchPlan FullTextIndex::PostgresPlan(const Query& query, std::string_view key) const {
  if (spec_.tokenizer != Tokenizer::kCjkBigram) throw std::invalid_argument("the PostgreSQL index is a bigram index");
  MatchPlan plan;
  std::vector<std::string> where;
  std::vector<std::string> included;
  for (const auto& term : query.terms) {
    const std::string tsquery = TermQuery(term);
    where.push_back(fmt::format("{} {}IN (SELECT rowid FROM {}_parts WHERE terms @@ CAST(? AS tsquery))", key,
                                term.excluded ? "NOT " : "", spec_.table));
    plan.params.push_back(tsquery);
    if (!term.excluded) included.push_back("(" + tsquery + ")");
  }
  plan.where = fmt::format("{}", fmt::join(where, " AND "));
  // ts_rank_cd's weights are {D, C, B, A}, each at most 1: the column weights
  // scaled by the largest.
  const double top = *std::max_element(spec_.weights.begin(), spec_.weights.end());
  std::vector<std::string> weights;
  for (size_t label = kLabels.size(); label-- > 0;) {
    weights.push_back(fmt::format("{}", label < spec_.weights.size() && top > 0 ? spec_.weights[label] / top : 0.0));
  }
  plan.order_by = fmt::format(
      "(-(SELECT coalesce(sum(ts_rank_cd('{{{0}}}', x.terms, CAST(? AS tsquery))), 0) FROM {1}_parts x"
      " WHERE x.rowid = {2}) / ln(2 + (SELECT y.tokens FROM {1} y WHERE y.rowid = {2})))",
      fmt::join(weights, ","), spec_.table, key);
  plan.rank_params.push_back(fmt::format("{}", fmt::join(included, " | ")));
  return plan;
}

}  // namespace osh::search
