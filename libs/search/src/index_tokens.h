#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace osh::search {

// One token as the bigram index sees it: FTS5's "porter osh_cjk" (the
// tokenizer of Tokenizer::kCjkBigram), so Latin words come stemmed.
struct IndexToken {
  std::string text;
  int begin = 0;  // byte range in the text
  int end = 0;
  bool colocated = false;  // at the position of the token before it
};

// The tokens of `text` exactly as the SQLite index makes them, in the same
// order, run through the same tokenizer (on a private in-memory connection):
// the PostgreSQL index and C++ highlighting thereby find what FTS5 finds.
// `query`: tokenized as a query term (see cjk_tokenizer.h). Thread-safe (a
// tokenizer per thread).
std::vector<IndexToken> IndexTokens(std::string_view text, bool query);

// A query term as the phrase FTS5 matches (FullTextIndex::TermMatch): its
// query tokens at consecutive positions, the last one a prefix when the term
// ends in a lone CJK character (which has no bigram of its own in the query).
struct Phrase {
  std::vector<std::string> tokens;
  bool prefix = false;
};
Phrase PhraseOf(std::string_view term);

// Length of the CJK run the text ends with (ignoring trailing separators).
size_t TrailingCjkRun(std::string_view text);

// The positions of `tokens` (a text's IndexTokens, a position per token that is
// not colocated) that some instance of `phrase` covers, appended unsorted.
void PhrasePositions(const Phrase& phrase, const std::vector<IndexToken>& tokens, std::vector<int>* positions);

}  // namespace osh::search
