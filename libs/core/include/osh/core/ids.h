#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace osh::core {

// UUID version 7 (RFC 9562): 48-bit Unix milliseconds then 74 bits that are
// random for the first id of a millisecond and counted up from there for the
// next ones made in the same process (RFC 9562 section 6.2, method 2), so ids
// sort by creation time even within one millisecond. Record ids use it, which
// gives "latest first" lists a true order and keeps B-tree inserts at the
// right edge.
std::string NewUuidV7();
std::string NewUuidV7(std::chrono::system_clock::time_point now);

// A request id for calls that arrive without one.
std::string NewRequestId();

// Whether a client's request id may be echoed and logged: 1-128 printable
// ASCII characters without spaces. Others are replaced by a new id.
bool IsSaneRequestId(std::string_view id);

}  // namespace osh::core
