#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace osh::auth {

// base64url without padding (RFC 7515 §2).
std::string Base64UrlEncode(std::string_view bytes);

// Strict inverse of Base64UrlEncode: refuses padding, characters outside the
// url-safe alphabet, impossible lengths and non-zero trailing bits, so that
// every byte string has exactly one accepted encoding.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace osh::auth
