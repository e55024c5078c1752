#include "osh/core/ids.h"

#include <fmt/format.h>

#include <array>
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

}  // namespace

std::string NewUuidV7(std::chrono::system_clock::time_point now) {
  const uint64_t ms =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
  const uint64_t r1 = RandomBits();
  const uint64_t r2 = RandomBits();
  std::array<uint8_t, 16> b{};
  for (int i = 0; i < 6; ++i) b[static_cast<size_t>(i)] = static_cast<uint8_t>(ms >> (40 - 8 * i));
  for (int i = 6; i < 16; ++i) b[static_cast<size_t>(i)] = static_cast<uint8_t>((i < 11 ? r1 : r2) >> (8 * (i % 8)));
  b[6] = static_cast<uint8_t>(0x70 | (b[6] & 0x0F));  // version 7
  b[8] = static_cast<uint8_t>(0x80 | (b[8] & 0x3F));  // RFC 4122 variant
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
