#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace osh::core {

// Page tokens are opaque to clients: a listing position bound to the query it
// came from, so a token replayed with other filters is refused instead of
// silently skipping or repeating records. `query_fingerprint` is any string that
// identifies the query's filters.
std::string EncodePageToken(std::string_view position, std::string_view query_fingerprint);

// The position, or nullopt when the token is malformed or from another query.
std::optional<std::string> DecodePageToken(std::string_view token, std::string_view query_fingerprint);

}  // namespace osh::core
