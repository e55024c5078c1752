#include "osh/domain/credit_code.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "osh/domain/regions.h"

namespace osh::domain {
namespace {

struct RealCode {
  std::string_view code;
  std::string_view holder;
};

// Codes of well-known holders as shown in public registration records (national
// enterprise credit publicity system, the holders' own disclosures); the first is
// the sample printed in explanations of GB 32100. Each is kept only because it
// passes the independent check below: a mis-copied code would pass by chance
// with probability 1/31. Entity types 91 (company) and 12 (public institution).
constexpr RealCode kRealCodes[] = {
    {"91350100M000100Y43", "GB 32100 sample code"},
    {"914403001922038216", "华为技术有限公司 Huawei Technologies"},
    {"9144030071526726XG", "腾讯科技（深圳）有限公司 Tencent"},
    {"91330100716105852F", "阿里巴巴（中国）有限公司 Alibaba (China)"},
    {"91110000802100433B", "北京百度网讯科技有限公司 Baidu"},
    {"91110108551385082Q", "小米科技有限责任公司 Xiaomi"},
    {"91440300192317458F", "比亚迪股份有限公司 BYD"},
    {"91440400192548256N", "珠海格力电器股份有限公司 Gree Electric"},
    {"91440606722473344C", "美的集团股份有限公司 Midea Group"},
    {"91350900587527783P", "宁德时代新能源科技股份有限公司 CATL"},
    {"91520000214434146R", "贵州茅台酒股份有限公司 Kweichow Moutai"},
    {"9111000010000093XR", "国家电网有限公司 State Grid"},
    {"12100000400000624D", "清华大学 Tsinghua University"},
    {"12100000400002259P", "北京大学 Peking University"},
};

// Written from the standard's formula, independent of the library's weight table:
// weight of position i is 3^(i-1) mod 31.
char ReferenceCheckCharacter(std::string_view first17) {
  int sum = 0;
  int weight = 1;
  for (char c : first17) {
    sum += static_cast<int>(kCreditCodeAlphabet.find(c)) * weight;
    weight = weight * 3 % 31;
  }
  const int check = 31 - sum % 31;
  return kCreditCodeAlphabet[static_cast<std::size_t>(check == 31 ? 0 : check)];
}

TEST(CreditCodeTest, AlphabetHas31SymbolsWithoutIOZSV) {
  EXPECT_EQ(kCreditCodeAlphabet.size(), 31u);
  for (char excluded : std::string_view("IOZSV")) {
    EXPECT_EQ(kCreditCodeAlphabet.find(excluded), std::string_view::npos) << excluded;
  }
}

TEST(CreditCodeTest, RealCodesAreValid) {
  for (const RealCode& real : kRealCodes) {
    SCOPED_TRACE(real.holder);
    EXPECT_EQ(CreditCodeError(real.code), std::nullopt);
    EXPECT_EQ(CreditCodeCheckCharacter(real.code.substr(0, 17)), real.code[17]);
    EXPECT_EQ(ReferenceCheckCharacter(real.code.substr(0, 17)), real.code[17]);
  }
}

TEST(CreditCodeTest, CheckCharacterMatchesReferenceOnPseudoRandomInput) {
  std::uint32_t state = 12345;  // fixed seed: reproducible
  for (int n = 0; n < 5000; ++n) {
    std::string first17;
    for (int i = 0; i < 17; ++i) {
      state = state * 1664525U + 1013904223U;
      first17 += kCreditCodeAlphabet[(state >> 16U) % kCreditCodeAlphabet.size()];
    }
    ASSERT_EQ(CreditCodeCheckCharacter(first17), ReferenceCheckCharacter(first17)) << first17;
  }
}

TEST(CreditCodeTest, RemainderZeroGivesCheckCharacterZero) {
  // Sum 0 gives 31 - 0 = 31, which the standard maps to '0'.
  EXPECT_EQ(CreditCodeCheckCharacter("00000000000000000"), '0');
  EXPECT_EQ(CreditCodeError("000000000000000000"), std::nullopt);
}

TEST(CreditCodeTest, EverySingleSubstitutionOfARealCodeIsRejected) {
  // Weights are non-zero and 31 is prime, so changing one symbol always changes
  // the check character; a regression in the weights or the modulus shows here.
  for (const RealCode& real : kRealCodes) {
    for (std::size_t position = 0; position < real.code.size(); ++position) {
      for (char symbol : kCreditCodeAlphabet) {
        if (symbol == real.code[position]) continue;
        std::string changed(real.code);
        changed[position] = symbol;
        EXPECT_TRUE(CreditCodeError(changed).has_value())
            << real.holder << ": " << changed << " accepted";
      }
    }
  }
}

TEST(CreditCodeTest, LowerCaseIsRejected) {
  EXPECT_EQ(CreditCodeError("9144030071526726xg"),
            "character 'x' at position 17 is not allowed (upper case only)");
  EXPECT_EQ(CreditCodeError("91350100m000100Y43"),
            "character 'm' at position 9 is not allowed (upper case only)");
}

TEST(CreditCodeTest, ErrorsNameTheProblem) {
  struct Case {
    std::string_view code;
    std::string_view error;
  };
  const Case cases[] = {
      {"", "must be 18 characters, got 0"},
      {"91350100M000100Y4", "must be 18 characters, got 17"},
      {"91350100M000100Y433", "must be 18 characters, got 19"},
      {"9135I100M000100Y43", "character 'I' at position 5 is not allowed"},
      {"O1350100M000100Y43", "character 'O' at position 1 is not allowed"},
      {"91350100M000100Y4Z", "character 'Z' at position 18 is not allowed"},
      {"91350100M000100Y4-", "character '-' at position 18 is not allowed"},
      {"91350100M000100Y4\t", "character byte 0x09 at position 18 is not allowed"},
      {"913501A0M000100Y43", "positions 3-8 must be digits (administrative division code)"},
      {"91350100M000100Y44", "check character is '4', expected '3'"},
      {"9144030071526726XA", "check character is 'A', expected 'G'"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CreditCodeError(c.code), std::string(c.error)) << c.code;
  }
}

TEST(CreditCodeTest, CheckCharacterNeedsSeventeenValidSymbols) {
  EXPECT_EQ(CreditCodeCheckCharacter(""), std::nullopt);
  EXPECT_EQ(CreditCodeCheckCharacter("91350100M000100Y"), std::nullopt);
  EXPECT_EQ(CreditCodeCheckCharacter("91350100M000100Y43"), std::nullopt);
  EXPECT_EQ(CreditCodeCheckCharacter("91350100M000100YI"), std::nullopt);
  EXPECT_EQ(CreditCodeCheckCharacter("91350100m000100Y4"), std::nullopt);
}

TEST(CreditCodeTest, DivisionIsPositionsThreeToEight) {
  EXPECT_EQ(CreditCodeDivision("91350100M000100Y43"), "350100");
  EXPECT_EQ(CreditCodeDivision("914403001922038216"), "440300");
  EXPECT_EQ(CreditCodeDivision("9135"), "");
}

TEST(CreditCodeTest, RealDivisionsAreValidOrNational) {
  // Central registrations carry 100000, the code of the whole country.
  for (const RealCode& real : kRealCodes) {
    const std::string_view division = CreditCodeDivision(real.code);
    if (division == "100000") continue;
    EXPECT_EQ(DivisionCodeError(division), std::nullopt) << real.holder;
  }
}

}  // namespace
}  // namespace osh::domain
