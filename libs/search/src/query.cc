#include "osh/search/query.h"

#include "osh/domain/text.h"
#include "unicode_classes.h"

namespace osh::search {
namespace {

bool IsQuote(char32_t cp) { return cp == '"' || cp == 0x201C || cp == 0x201D || cp == 0xFF02; }

// C0 controls and DEL. FTS5 reads a query as a C string, so a NUL in a term
// would end its string literal early and fail the search; none belongs in a term.
bool IsControl(char32_t cp) { return cp < 0x20 || cp == 0x7F; }

}  // namespace

size_t IndexedLength(std::string_view text) {
  size_t n = 0;
  for (size_t pos = 0; pos < text.size();) {
    const char32_t cp = DecodeUtf8(text, pos);
    if (IsCjk(cp) || FoldWordChar(cp) != 0) ++n;
  }
  return n;
}

bool IsAllCjk(std::string_view text) {
  bool any = false;
  for (size_t pos = 0; pos < text.size();) {
    const char32_t cp = DecodeUtf8(text, pos);
    if (IsCjk(cp)) {
      any = true;
    } else if (FoldWordChar(cp) != 0) {
      return false;
    }
  }
  return any;
}

std::string QuoteFts5(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::optional<Query> ParseQuery(std::string_view text, const QueryLimits& limits, std::string* error) {
  if (auto bad = domain::Utf8Error(text)) {
    *error = "is not valid UTF-8: " + *bad;
    return std::nullopt;
  }
  if (domain::Utf8Length(text) > limits.max_length) {
    *error = "is longer than " + std::to_string(limits.max_length) + " characters";
    return std::nullopt;
  }
  Query query;
  QueryTerm current;
  bool in_quotes = false;
  bool at_term_start = true;
  auto finish = [&] {
    if (IndexedLength(current.text) > 0) query.terms.push_back(current);
    current = QueryTerm{};
    at_term_start = true;
  };
  for (size_t pos = 0; pos < text.size();) {
    const size_t begin = pos;
    const char32_t cp = DecodeUtf8(text, pos);
    if (IsQuote(cp)) {
      if (in_quotes) finish();
      in_quotes = !in_quotes;
      at_term_start = true;
      continue;
    }
    if (!in_quotes && (IsQuerySpace(cp) || IsControl(cp))) {
      finish();
      continue;
    }
    if (IsControl(cp)) {  // inside a phrase: a space
      at_term_start = false;
      current.text += ' ';
      continue;
    }
    if (!in_quotes && at_term_start && current.text.empty() && cp == '-') {
      current.excluded = true;
      continue;
    }
    at_term_start = false;
    current.text.append(text.substr(begin, pos - begin));
  }
  finish();
  if (query.terms.empty()) {
    *error = "has no letters, digits or Chinese characters to search for";
    return std::nullopt;
  }
  if (query.terms.size() > limits.max_terms) {
    *error = "has more than " + std::to_string(limits.max_terms) + " terms";
    return std::nullopt;
  }
  bool any_positive = false;
  for (const auto& t : query.terms) any_positive = any_positive || !t.excluded;
  if (!any_positive) {
    *error = "only excludes terms; name at least one to find";
    return std::nullopt;
  }
  return query;
}

}  // namespace osh::search
