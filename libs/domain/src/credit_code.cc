#include "osh/domain/credit_code.h"

#include <array>
#include <cstddef>

#include <fmt/format.h>

namespace osh::domain {
namespace {

constexpr std::size_t kLength = 18;

// 3^(i-1) mod 31 for positions 1..17 (GB 32100-2015).
constexpr std::array<int, 17> kWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                          29, 25, 13, 8,  24, 10, 30, 28};

int ValueOf(char c) {
  const std::size_t index = kCreditCodeAlphabet.find(c);
  return index == std::string_view::npos ? -1 : static_cast<int>(index);
}

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

std::string Printable(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x20 && byte < 0x7F) return fmt::format("'{}'", c);
  return fmt::format("byte 0x{:02X}", byte);
}

}  // namespace

std::optional<char> CreditCodeCheckCharacter(std::string_view first17) {
  if (first17.size() != kWeights.size()) return std::nullopt;
  int sum = 0;
  for (std::size_t i = 0; i < kWeights.size(); ++i) {
    const int value = ValueOf(first17[i]);
    if (value < 0) return std::nullopt;
    sum += value * kWeights[i];
  }
  const int check = (31 - sum % 31) % 31;  // 31 becomes 0
  return kCreditCodeAlphabet[static_cast<std::size_t>(check)];
}

std::optional<std::string> CreditCodeError(std::string_view code) {
  if (code.size() != kLength) {
    return fmt::format("must be {} characters, got {}", kLength, code.size());
  }
  for (std::size_t i = 0; i < code.size(); ++i) {
    if (ValueOf(code[i]) < 0) {
      const bool lower = code[i] >= 'a' && code[i] <= 'z';
      return fmt::format("character {} at position {} is not allowed{}", Printable(code[i]),
                         i + 1, lower ? " (upper case only)" : "");
    }
  }
  for (std::size_t i = 2; i < 8; ++i) {
    if (!IsAsciiDigit(code[i])) {
      return std::string("positions 3-8 must be digits (administrative division code)");
    }
  }
  const char expected = *CreditCodeCheckCharacter(code.substr(0, kLength - 1));
  if (code.back() != expected) {
    return fmt::format("check character is '{}', expected '{}'", code.back(), expected);
  }
  return std::nullopt;
}

std::string_view CreditCodeDivision(std::string_view valid_code) {
  if (valid_code.size() < 8) return {};
  return valid_code.substr(2, 6);
}

}  // namespace osh::domain
