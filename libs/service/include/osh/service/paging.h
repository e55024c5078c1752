#pragma once

#include <string>
#include <vector>

#include "osh/core/page_token.h"

namespace osh::service {

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
