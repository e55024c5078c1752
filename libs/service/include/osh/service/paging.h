#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "osh/core/errors.h"
#include "osh/core/page_token.h"

namespace osh::service {

// The position a list request's page_token carries: "" without a token; a
// token from another listing (or other filters) adds a page_token error.
inline std::string PagePosition(const std::string& page_token, const std::string& fingerprint,
                                core::FieldErrors& errors) {
  if (page_token.empty()) return "";
  auto position = core::DecodePageToken(page_token, fingerprint);
  if (!position) {
    errors.Add("page_token", "is not a token from this listing (or the filters changed)");
    return "";
  }
  return *position;
}

// The position of listings ordered by a time (newest first) then an id:
// "<seconds>|<id>". TimeKeyOf reads it back; an empty position is the first
// page, a malformed one adds a page_token error.
struct TimeKey {
  int64_t seconds = 0;
  std::string id;
};

inline std::string EncodeTimeKey(int64_t seconds, const std::string& id) { return std::to_string(seconds) + "|" + id; }

inline TimeKey TimeKeyOf(const std::string& position, core::FieldErrors& errors) {
  if (position.empty()) return {};
  const auto bar = position.find('|');
  TimeKey key;
  if (bar != std::string::npos) {
    try {
      key.seconds = std::stoll(position.substr(0, bar));
      key.id = position.substr(bar + 1);
    } catch (const std::exception&) {
      key.id.clear();
    }
  }
  if (key.id.empty()) errors.Add("page_token", "is not a token from this listing");
  return key;
}

// A list query reads page_size + 1 rows; this keeps page_size of them and
// returns the token of the next page (empty on the last page), bound to the
// query's fingerprint and positioned after the last row kept.
template <typename Row, typename PositionOf>
std::string TrimPage(std::vector<Row>& rows, int page_size, const std::string& fingerprint, PositionOf position_of) {
  if (static_cast<int>(rows.size()) <= page_size) return "";
  rows.resize(static_cast<size_t>(page_size));
  return core::EncodePageToken(position_of(rows.back()), fingerprint);
}

}  // namespace osh::service
