#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace osh::core {

// UUID version 7 (RFC 9562): 48-bit Unix milliseconds then random bits, so ids
// sort by creation time. Record ids use it, which gives list calls a stable order
// that follows insertion and keeps B-tree inserts at the right edge.
std::string NewUuidV7();
std::string NewUuidV7(std::chrono::system_clock::time_point now);

// A request id for calls that arrive without one.
std::string NewRequestId();

// Whether a client's request id may be echoed and logged: 1-128 printable
// ASCII characters without spaces. Others are replaced by a new id.
bool IsSaneRequestId(std::string_view id);

}  // namespace osh::core
