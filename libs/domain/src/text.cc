#include "osh/domain/text.h"

#include <cstdint>

#include <fmt/format.h>

namespace osh::domain {
namespace {

bool IsContinuation(unsigned char byte) { return (byte & 0xC0U) == 0x80U; }

std::string At(std::size_t offset, std::string_view reason) {
  return fmt::format("invalid UTF-8 at byte {}: {}", offset, reason);
}

}  // namespace

std::optional<std::string> Utf8Error(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80U) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t code_point = 0;
    std::uint32_t smallest = 0;  // the smallest code point that needs `length` bytes
    if (IsContinuation(lead)) {
      return At(i, fmt::format("unexpected continuation byte 0x{:02X}", lead));
    } else if (lead == 0xC0U || lead == 0xC1U) {
      // C0/C1 could only start a two-byte form of an ASCII character.
      return At(i, "overlong encoding");
    } else if (lead <= 0xDFU) {
      length = 2;
      code_point = lead & 0x1FU;
      smallest = 0x80;
    } else if (lead <= 0xEFU) {
      length = 3;
      code_point = lead & 0x0FU;
      smallest = 0x800;
    } else if (lead <= 0xF4U) {
      length = 4;
      code_point = lead & 0x07U;
      smallest = 0x10000;
    } else {
      return At(i, fmt::format("byte 0x{:02X} never occurs in UTF-8", lead));
    }
    for (std::size_t k = 1; k < length; ++k) {
      if (i + k >= text.size()) {
        return At(i, fmt::format("truncated {}-byte sequence", length));
      }
      const auto byte = static_cast<unsigned char>(text[i + k]);
      if (!IsContinuation(byte)) {
        return At(i + k, fmt::format("expected a continuation byte, got 0x{:02X}", byte));
      }
      code_point = (code_point << 6U) | (byte & 0x3FU);
    }
    if (code_point < smallest) return At(i, "overlong encoding");
    if (code_point >= 0xD800U && code_point <= 0xDFFFU) {
      return At(i, fmt::format("UTF-16 surrogate U+{:04X}", code_point));
    }
    if (code_point > 0x10FFFFU) {
      return At(i, fmt::format("code point U+{:X} is above U+10FFFF", code_point));
    }
    i += length;
  }
  return std::nullopt;
}

std::size_t Utf8Length(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) {
    if (!IsContinuation(static_cast<unsigned char>(c))) ++count;
  }
  return count;
}

std::string_view Utf8Prefix(std::string_view text, std::size_t max_code_points) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!IsContinuation(static_cast<unsigned char>(text[i])) && count++ == max_code_points) return text.substr(0, i);
  }
  return text;
}

bool HasControlCharacters(std::string_view text, bool allow_line_breaks) {
  for (unsigned char c : text) {
    if (c == 0x7F) return true;
    if (c >= 0x20) continue;
    if (allow_line_breaks && (c == '\n' || c == '\r' || c == '\t')) continue;
    return true;
  }
  return false;
}

bool IsHttpUrl(std::string_view url) { return url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0; }

}  // namespace osh::domain
