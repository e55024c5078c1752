#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace osh::domain {

// National economic industry classification (GB/T 4754-2017): employers declare
// their industry and reporting rolls up by section.

struct IndustrySection {
  std::string_view letter;  // "A".."T"
  std::string_view name_zh;
  std::string_view name_en;
  int first_division;  // 2-digit divisions (大类) of the section, inclusive
  int last_division;
};

// The 20 sections A-T in order; their divisions tile 01-97 without gaps.
std::span<const IndustrySection> AllIndustrySections();

// Nullptr for anything but an upper-case letter A-T.
const IndustrySection* FindIndustrySection(std::string_view letter);

// The section whose division range holds the first two digits of `code`
// (a 2-4 digit division, group or class code); nullptr if none.
const IndustrySection* IndustrySectionOfCode(std::string_view code);

// Nullopt when `section` is a known section and `code` is empty (no finer code
// given) or a 2-4 digit code whose division belongs to that section. Only the
// division is checked: the 1,380 classes change between editions, while the
// division ranges of a section do not.
std::optional<std::string> IndustryCodeError(std::string_view section, std::string_view code);

}  // namespace osh::domain
