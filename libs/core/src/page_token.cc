#include "osh/core/page_token.h"

#include <fmt/format.h>

#include <cstdint>

namespace osh::core {
namespace {

// FNV-1a: stable across builds and platforms, unlike std::hash, so tokens
// survive a rolling upgrade.
uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string EncodePageToken(std::string_view position, std::string_view query_fingerprint) {
  std::string plain = fmt::format("1|{:016x}|{}", Fnv1a(query_fingerprint), position);
  std::string out;
  out.reserve(plain.size() * 2);
  for (unsigned char c : plain) out += fmt::format("{:02x}", c);
  return out;
}

std::optional<std::string> DecodePageToken(std::string_view token, std::string_view query_fingerprint) {
  if (token.size() % 2 != 0 || token.size() > 1024) return std::nullopt;
  std::string plain;
  for (size_t i = 0; i < token.size(); i += 2) {
    const int hi = HexValue(token[i]);
    const int lo = HexValue(token[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    plain += static_cast<char>(hi * 16 + lo);
  }
  const std::string prefix = fmt::format("1|{:016x}|", Fnv1a(query_fingerprint));
  if (plain.size() <= prefix.size() || plain.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  return plain.substr(prefix.size());
}

}  // namespace osh::core
