#pragma once

// Character classes the tokenizer and the query parser must agree on.

#include <string>
#include <string_view>

namespace osh::search {

// Decodes one code point at `pos` and advances past it; a malformed byte
// becomes U+FFFD and advances by one (FTS5 may hand us any bytes).
char32_t DecodeUtf8(std::string_view text, size_t& pos);
void AppendUtf8(std::string& out, char32_t cp);
// Largest prefix length <= max_bytes that does not cut a character.
size_t TruncateUtf8(std::string_view text, size_t max_bytes);

// Han ideographs (with extensions and compatibility forms), kana and Hangul:
// scripts written without spaces between words.
bool IsCjk(char32_t cp);

// The character as it is indexed inside a word (full-width ASCII folded,
// Latin, Greek and Cyrillic lower-cased), or 0 when it separates words.
char32_t FoldWordChar(char32_t cp);

// Ideographic and ASCII white space: what separates query terms.
bool IsQuerySpace(char32_t cp);

}  // namespace osh::search
