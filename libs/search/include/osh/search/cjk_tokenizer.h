#pragma once

#include <functional>
#include <string>
#include <string_view>

// An SQLite FTS5 tokenizer for Chinese and English in one index.
//
// Why not unicode61: it treats a run of Chinese characters as one token, so
// 尘肺病 inside 预防尘肺病工作 is never found. Why not a dictionary segmenter:
// none ships with Debian's SQLite, segmenters disagree with users on word
// boundaries, and OSH terms (尘肺病, 噪声聋) are rarely in general dictionaries.
// Overlapping bigrams need no dictionary and find any substring of two or more
// characters as a phrase of bigrams.
//
// Registered as "osh_cjk". Tokens:
// - a run of Latin letters and digits is one token, lower-cased; full-width
//   forms (ＡＢＣ１２３) are folded to ASCII first;
// - a run of CJK characters c1..cn yields the bigrams c1c2, c2c3, …, c(n-1)cn
//   at consecutive positions, plus cn alone at the position of the last bigram
//   (colocated), so that every character starts some token: a one-character
//   query c is the prefix query c*, and a phrase that continues after the run
//   ("尘肺ABC") still lines up position by position. A run of one character is
//   that character alone.
// - In queries, runs of two or more characters yield their bigrams only (the
//   colocated unigram exists only at the end of a run in the document).
// Everything else (punctuation, spaces, symbols) separates tokens.
namespace osh::search {

inline constexpr const char* kCjkTokenizerName = "osh_cjk";

// Makes "osh_cjk", and the auxiliary functions osh_highlight and osh_snippet
// that FullTextIndex's expressions use with either tokenizer, available on every
// SQLite connection this process opens from now on (sqlite3_auto_extension). Idempotent and thread-safe; call it before
// opening a database whose schema names the tokenizer.
void RegisterCjkTokenizer();

// The tokens of `text` as the tokenizer sees them, for tests and diagnostics:
// fn(token, byte_begin, byte_end, colocated).
void TokenizeForTest(std::string_view text, bool query,
                     const std::function<void(std::string_view, int, int, bool)>& fn);

}  // namespace osh::search
