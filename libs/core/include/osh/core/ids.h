#pragma once

#include <chrono>
#include <string>

namespace osh::core {

// UUID version 7 (RFC 9562): 48-bit Unix milliseconds then random bits, so ids
// sort by creation time. Record ids use it, which gives list calls a stable order
// that follows insertion and keeps B-tree inserts at the right edge.
std::string NewUuidV7();
std::string NewUuidV7(std::chrono::system_clock::time_point now);

// A request id for calls that arrive without one.
std::string NewRequestId();

}  // namespace osh::core
