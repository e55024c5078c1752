#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace osh::xapi {

// The string formats the xAPI 1.0.3 data model prescribes (Data 4.x), as
// predicates: validation needs yes/no, the store needs an instant.

// UUID per RFC 4122 in its hyphenated form: hex digits of either case, a
// version 1-5 and the RFC 4122 variant (8, 9, a, b).
bool IsUuid(std::string_view text);

// An ISO 8601 timestamp with a time of day, e.g. "2013-05-18T05:32:34.804+08:00"
// or "…Z", or without offset (read as UTC). The negative zero offsets "-00",
// "-0000" and "-00:00" are refused: RFC 3339 reserves them for "offset
// unknown" and xAPI requires a known instant. At most 128 characters (digits
// of a fraction past microseconds are read and dropped).
// Returns microseconds since the Unix epoch.
std::optional<int64_t> ParseTimestamp(std::string_view text);

// "YYYY-MM-DDThh:mm:ss.mmmZ": fixed width, so text order is time order.
std::string FormatTimestamp(int64_t micros_since_epoch);
std::string FormatTimestamp(std::chrono::system_clock::time_point instant);

// RFC 7231 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") for Date and
// Last-Modified headers.
std::string FormatHttpDate(int64_t micros_since_epoch);

// ISO 8601 duration "P[nY][nM][nW][nD][T[nH][nM][n[.n]S]]" with at least one
// part, at most 128 characters.
bool IsDuration(std::string_view text);

// An absolute IRI: a scheme (RFC 3986 §3.1) then ':' and a non-empty rest
// without whitespace. Also used for IRLs, which xAPI does not resolve.
bool IsIri(std::string_view text);

// A language tag per RFC 5646, checked for its shape: a 2-3 or 5-8 letter
// primary language (or "i"/"x" prefixes) followed by 1-8 alphanumeric subtags.
bool IsLanguageTag(std::string_view text);

// "mailto:" then an address with one '@', a non-empty local part and a domain
// with a dot or a single label.
bool IsMailtoIri(std::string_view text);

// 40 hexadecimal digits.
bool IsSha1Hex(std::string_view text);

}  // namespace osh::xapi
