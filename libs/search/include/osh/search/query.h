#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace osh::search {

// One term of a user's search: a word or a "quoted phrase". Chinese needs no
// quotes: the tokenizer turns a run of characters into a phrase of bigrams.
struct QueryTerm {
  std::string text;
  bool excluded = false;  // written with a leading '-': results must not contain it
};

struct Query {
  std::vector<QueryTerm> terms;
};

struct QueryLimits {
  size_t max_length = 256;  // code points
  size_t max_terms = 16;
};

// Parses what a user typed: terms are separated by white space (ASCII or
// ideographic) and control characters (a space inside a phrase); "…" (or “…”) keeps a phrase together; a leading '-' excludes
// a term. FTS5 syntax characters are plain text here: the user cannot write
// an FTS5 expression (NEAR, column filters, *), so no input makes the index
// fail. An unclosed quote runs to the end. Nullopt with `error` set when the
// query is empty, too long, not UTF-8, has too many terms or only exclusions.
std::optional<Query> ParseQuery(std::string_view text, const QueryLimits& limits, std::string* error);

// A term as an FTS5 string literal: in double quotes, quotes doubled.
std::string QuoteFts5(std::string_view text);

// Number of characters (code points) of a term that the tokenizer indexes:
// letters, digits and CJK characters.
size_t IndexedLength(std::string_view text);

// True when every indexed character of the text is CJK.
bool IsAllCjk(std::string_view text);

}  // namespace osh::search
