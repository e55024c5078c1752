#include "osh/core/ids.h"

#include <fmt/format.h>

#include <array>
#include <mutex>
#include <random>

namespace osh::core {
namespace {

uint64_t RandomBits() {
  thread_local std::mt19937_64 engine{[] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }()};
  return engine();
}

// The 74 bits after the timestamp: 12 in rand_a, 62 in rand_b. A fresh
// millisecond starts them at random; within one they count up by a random step
// so that ids made back to back keep their order and stay hard to guess.
struct Tail {
  uint64_t hi = 0;  // 12 bits
  uint64_t lo = 0;  // 62 bits
};

Tail NextTail(uint64_t& ms) {
  static std::mutex mutex;
  static uint64_t last_ms = 0;
  static Tail last;
  constexpr uint64_t kLoMask = (uint64_t{1} << 62) - 1;
  std::lock_guard lock(mutex);
  if (ms != last_ms) {
    // A new millisecond, or a caller's own earlier time: start afresh at it.
    // The top bit of the counter stays clear so the count has room to grow.
    last_ms = ms;
    last.hi = RandomBits() & 0x7FF;
    last.lo = RandomBits() & kLoMask;
    return last;
  }
  last.lo += 1 + (RandomBits() & 0xFFFF);
  if (last.lo > kLoMask) {
    last.lo &= kLoMask;
    if (++last.hi > 0xFFF) {  // 2^73 ids in one millisecond: borrow the next one
      last_ms = ++ms;
      last.hi = 0;
    }
  }
  return last;
}

}  // namespace

std::string NewUuidV7(std::chrono::system_clock::time_point now) {
  uint64_t ms =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
  const Tail tail = NextTail(ms);
  std::array<uint8_t, 16> b{};
  for (int i = 0; i < 6; ++i) b[static_cast<size_t>(i)] = static_cast<uint8_t>(ms >> (40 - 8 * i));
  b[6] = static_cast<uint8_t>(0x70 | (tail.hi >> 8));  // version 7, then rand_a's top 4 bits
  b[7] = static_cast<uint8_t>(tail.hi);
  b[8] = static_cast<uint8_t>(0x80 | (tail.lo >> 56));  // RFC 9562 variant, then rand_b's top 6 bits
  for (int i = 9; i < 16; ++i) b[static_cast<size_t>(i)] = static_cast<uint8_t>(tail.lo >> (8 * (15 - i)));
  return fmt::format("{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
                     b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                     b[15]);
}

std::string NewUuidV7() { return NewUuidV7(std::chrono::system_clock::now()); }

std::string NewRequestId() {
  // Written digit by digit: every gRPC call without an x-request-id takes four of
  // these (its id and its trace), and fmt's runtime format showed in the profile.
  static constexpr char kHexDigits[] = "0123456789abcdef";
  uint64_t bits = RandomBits();
  std::string id(16, '0');
  for (size_t i = id.size(); i-- > 0; bits >>= 4) id[i] = kHexDigits[bits & 0xF];
  return id;
}

bool IsSaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace osh::core
