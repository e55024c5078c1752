#include "osh/domain/industries.h"

#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "osh/domain/text.h"

namespace osh::domain {
namespace {

TEST(IndustriesTest, TwentySectionsAToTInOrder) {
  const auto sections = AllIndustrySections();
  ASSERT_EQ(sections.size(), 20u);
  char expected = 'A';
  for (const IndustrySection& section : sections) {
    EXPECT_EQ(section.letter, std::string(1, expected));
    EXPECT_EQ(FindIndustrySection(section.letter), &section);
    EXPECT_EQ(Utf8Error(section.name_zh), std::nullopt);
    EXPECT_FALSE(section.name_en.empty());
    ++expected;
  }
}

TEST(IndustriesTest, DivisionRangesTileOneToNinetySeven) {
  // GB/T 4754-2017 has 97 divisions; each belongs to exactly one section.
  int next = 1;
  for (const IndustrySection& section : AllIndustrySections()) {
    EXPECT_EQ(section.first_division, next) << section.letter;
    EXPECT_LE(section.first_division, section.last_division) << section.letter;
    next = section.last_division + 1;
  }
  EXPECT_EQ(next, 98);
}

TEST(IndustriesTest, SectionOfCode) {
  struct Case {
    std::string_view code;
    std::string_view section;
  };
  const Case cases[] = {
      {"01", "A"},   {"0111", "A"}, {"06", "B"},  {"13", "C"},   {"3311", "C"}, {"43", "C"},
      {"4411", "D"}, {"4710", "E"}, {"70", "K"},  {"8310", "P"}, {"842", "Q"},  {"97", "T"},
  };
  for (const Case& c : cases) {
    const IndustrySection* section = IndustrySectionOfCode(c.code);
    ASSERT_NE(section, nullptr) << c.code;
    EXPECT_EQ(section->letter, c.section) << c.code;
  }
  for (std::string_view none : {"", "0", "00", "98", "99", "12345", "1a"}) {
    EXPECT_EQ(IndustrySectionOfCode(none), nullptr) << none;
  }
}

TEST(IndustriesTest, CodeErrors) {
  struct Case {
    std::string_view section;
    std::string_view code;
    std::optional<std::string> error;
  };
  const Case cases[] = {
      {"C", "", std::nullopt},
      {"C", "13", std::nullopt},
      {"C", "3311", std::nullopt},
      {"E", "471", std::nullopt},
      {"T", "9700", std::nullopt},
      {"Z", "", "unknown industry section 'Z' (expected one letter A-T)"},
      {"c", "", "unknown industry section 'c' (expected one letter A-T)"},
      {"", "13", "unknown industry section '' (expected one letter A-T)"},
      {"C", "1", "industry code '1' must be 2 to 4 digits"},
      {"C", "13311", "industry code '13311' must be 2 to 4 digits"},
      {"C", "13a", "industry code '13a' must be 2 to 4 digits"},
      {"C", "98", "industry code '98': division 98 does not exist (01-97)"},
      {"C", "0111", "industry code '0111' belongs to section A, not C (divisions 13-43)"},
      {"A", "4710", "industry code '4710' belongs to section E, not A (divisions 01-05)"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IndustryCodeError(c.section, c.code), c.error) << c.section << "/" << c.code;
  }
}

TEST(IndustriesTest, EveryDivisionIsAcceptedOnlyInItsOwnSection) {
  for (int division = 1; division <= 97; ++division) {
    const std::string code = (division < 10 ? "0" : "") + std::to_string(division);
    int accepted = 0;
    for (const IndustrySection& section : AllIndustrySections()) {
      if (!IndustryCodeError(section.letter, code)) ++accepted;
    }
    EXPECT_EQ(accepted, 1) << code;
  }
}

}  // namespace
}  // namespace osh::domain
