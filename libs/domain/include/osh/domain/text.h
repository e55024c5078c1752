#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace osh::domain {

// Why: every string a service stores or forwards must be valid UTF-8 (protobuf
// `string` fields, SQLite TEXT, JSON), and length limits on Chinese text are
// meant in characters, not bytes.

// Nullopt when `text` is well-formed UTF-8 (RFC 3629): no overlong forms, no
// UTF-16 surrogates (U+D800..U+DFFF), nothing above U+10FFFF. Otherwise a reason
// naming the 0-based byte offset, e.g. "invalid UTF-8 at byte 3: overlong encoding".
std::optional<std::string> Utf8Error(std::string_view text);

// Number of code points in `text`. Meant for text that passed Utf8Error; on
// malformed input it counts every byte that is not a continuation byte.
std::size_t Utf8Length(std::string_view text);

// The longest prefix of `text` holding at most `max_code_points` code points,
// never cut inside a character: for echoing client input in messages, which
// must stay valid UTF-8 (protobuf and JSON refuse anything else).
std::string_view Utf8Prefix(std::string_view text, std::size_t max_code_points);

// C0 control characters or DEL; with `allow_line_breaks`, \n, \r and \t are
// fine (flowing text), otherwise they count too (titles, ids, header values).
bool HasControlCharacters(std::string_view text, bool allow_line_breaks = false);

// Starts with http:// or https:// (as written; URLs users give are stored so).
bool IsHttpUrl(std::string_view url);

}  // namespace osh::domain
