#include "osh/search/text_index.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "osh/search/cjk_tokenizer.h"
#include "index_tokens.h"
#include "marks.h"
#include "osh/search/highlight.h"
#include "unicode_classes.h"

namespace osh::search {
namespace {

// Trigram tokens are three characters: shorter terms cannot use the index.
constexpr size_t kTrigramMinLength = 3;

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

}  // namespace

std::string_view TokenizerName(Tokenizer tokenizer) {
  return tokenizer == Tokenizer::kCjkBigram ? "bigram" : "trigram";
}

FullTextIndex::FullTextIndex(IndexSpec spec) : spec_(std::move(spec)) {
  if (spec_.columns.empty() || spec_.columns.size() != spec_.weights.size()) {
    throw std::invalid_argument("a full-text index needs columns and one weight per column");
  }
  // The tokenizer, and the highlight and snippet functions every index uses.
  RegisterCjkTokenizer();
}

std::string FullTextIndex::CreateSql() const {
  const std::string tokenize =
      spec_.tokenizer == Tokenizer::kCjkBigram ? std::string("porter ") + kCjkTokenizerName : "trigram";
  return fmt::format("CREATE VIRTUAL TABLE {} USING fts5({}, tokenize = '{}')", spec_.table, Join(spec_.columns, ", "),
                     tokenize);
}

void FullTextIndex::Put(store::Tx& tx, int64_t rowid, const std::vector<std::string>& values) const {
  if (values.size() != spec_.columns.size()) throw std::invalid_argument("one value per indexed column");
  if (tx.dialect() == store::Dialect::kPostgres) return PutPostgres(tx, rowid, values);
  Remove(tx, rowid);
  std::vector<std::string> marks(values.size(), "?");
  auto insert = tx.Prepare(fmt::format("INSERT INTO {}(rowid, {}) VALUES (?, {})", spec_.table,
                                       Join(spec_.columns, ", "), Join(marks, ", ")));
  insert.Bind(1, rowid);
  for (size_t i = 0; i < values.size(); ++i) insert.Bind(static_cast<int>(i) + 2, values[i]);
  insert.Run();
}

void FullTextIndex::Remove(store::Tx& tx, int64_t rowid) const {
  tx.Prepare(fmt::format("DELETE FROM {} WHERE rowid = ?", spec_.table)).Bind(1, rowid).Run();
}

std::string FullTextIndex::TermMatch(const QueryTerm& term) const {
  std::string quoted = QuoteFts5(term.text);
  if (spec_.tokenizer == Tokenizer::kCjkBigram && TrailingCjkRun(term.text) == 1) quoted += " *";
  return quoted;
}

MatchPlan FullTextIndex::Plan(const Query& query, store::Dialect dialect, std::string_view key) const {
  return dialect == store::Dialect::kPostgres ? PostgresPlan(query, key) : Plan(query);
}

MatchPlan FullTextIndex::Plan(const Query& query) const {
  MatchPlan plan;
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  std::vector<std::string> scan_conditions;
  std::vector<std::string> scan_params;
  for (const auto& term : query.terms) {
    const bool indexable = spec_.tokenizer == Tokenizer::kCjkBigram || IndexedLength(term.text) >= kTrigramMinLength;
    if (indexable) {
      (term.excluded ? exclude : include).push_back(TermMatch(term));
      continue;
    }
    // Trigram fallback: look at every row's text.
    std::vector<std::string> any_column;
    for (const auto& column : spec_.columns) {
      any_column.push_back(fmt::format("instr(lower({}.{}), lower(?)) > 0", spec_.table, column));
    }
    scan_conditions.push_back(fmt::format("{}({})", term.excluded ? "NOT " : "", Join(any_column, " OR ")));
    for (size_t i = 0; i < spec_.columns.size(); ++i) scan_params.push_back(term.text);
  }
  std::vector<std::string> where;
  if (!include.empty()) {
    std::string expression = Join(include, " AND ");
    if (!exclude.empty()) expression = "(" + expression + ") NOT (" + Join(exclude, " OR ") + ")";
    where.push_back(spec_.table + " MATCH ?");
    plan.params.push_back(std::move(expression));
  } else {
    plan.ranked = false;
    // Exclusions that could use the index still can, as a NOT MATCH subquery.
    if (!exclude.empty()) {
      where.push_back(fmt::format("{0}.rowid NOT IN (SELECT rowid FROM {0} WHERE {0} MATCH ?)", spec_.table));
      plan.params.push_back(Join(exclude, " OR "));
    }
  }
  where.insert(where.end(), scan_conditions.begin(), scan_conditions.end());
  plan.params.insert(plan.params.end(), scan_params.begin(), scan_params.end());
  plan.where = Join(where, " AND ");
  plan.order_by = plan.ranked ? RankExpression() : "";
  return plan;
}

std::string FullTextIndex::RankExpression() const {
  std::vector<std::string> weights;
  for (double w : spec_.weights) weights.push_back(fmt::format("{}", w));
  return fmt::format("bm25({}, {})", spec_.table, Join(weights, ", "));
}

std::string FullTextIndex::HighlightExpression(int column) const {
  return fmt::format("osh_highlight({}, {}, char(2), char(3))", spec_.table, column);
}

namespace {

// Positions of `tokens` that the query's included terms match (sorted, unique),
// and the byte range of the token at each position: what osh_highlight and
// osh_snippet get from FTS5 for the same text and query.
void Matches(const Query& query, const std::vector<IndexToken>& tokens, std::vector<ByteRange>* ranges,
             std::vector<int>* positions) {
  for (const auto& t : tokens) {
    if (!t.colocated) ranges->push_back({t.begin, t.end});
  }
  for (const auto& term : query.terms) {
    if (!term.excluded) PhrasePositions(PhraseOf(term.text), tokens, positions);
  }
  std::sort(positions->begin(), positions->end());
  positions->erase(std::unique(positions->begin(), positions->end()), positions->end());
}

constexpr std::string_view kOpen(&kMatchBegin, 1);
constexpr std::string_view kClose(&kMatchEnd, 1);

}  // namespace

std::string FullTextIndex::Highlight(const Query& query, std::string_view text) const {
  if (spec_.tokenizer != Tokenizer::kCjkBigram) throw std::logic_error("Highlight needs the bigram index");
  std::vector<ByteRange> ranges;
  std::vector<int> positions;
  Matches(query, IndexTokens(text, false), &ranges, &positions);
  return MarkAll(text, ranges, positions, kOpen, kClose);
}

std::string FullTextIndex::Snippet(const Query& query, std::string_view text, int max_tokens) const {
  if (spec_.tokenizer != Tokenizer::kCjkBigram) throw std::logic_error("Snippet needs the bigram index");
  std::vector<ByteRange> ranges;
  std::vector<int> positions;
  Matches(query, IndexTokens(text, false), &ranges, &positions);
  return MarkWindow(text, ranges, positions, kOpen, kClose, "…", max_tokens);
}

std::string FullTextIndex::SnippetExpression(int column, int max_tokens) const {
  return fmt::format("osh_snippet({}, {}, char(2), char(3), '…', {})", spec_.table, column, max_tokens);
}

}  // namespace osh::search
