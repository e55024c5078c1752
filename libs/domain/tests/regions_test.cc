#include "osh/domain/regions.h"

#include <set>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace osh::domain {
namespace {

TEST(RegionsTest, ThirtyFourProvinceLevelUnitsThirtyOneOnTheMainland) {
  EXPECT_EQ(AllProvinces().size(), 34u);
  EXPECT_EQ(MainlandProvinces().size(), 31u);
  std::set<std::string_view> codes;
  int mainland = 0;
  for (const Province& province : AllProvinces()) {
    EXPECT_EQ(province.code.size(), 2u);
    EXPECT_FALSE(province.name_zh.empty());
    EXPECT_FALSE(province.name_en.empty());
    EXPECT_TRUE(codes.insert(province.code).second) << "duplicate " << province.code;
    EXPECT_EQ(FindProvince(province.code), &province);
    if (province.mainland) ++mainland;
  }
  EXPECT_EQ(mainland, 31);
  for (const Province& province : MainlandProvinces()) EXPECT_TRUE(province.mainland);
}

TEST(RegionsTest, FindsByCode) {
  ASSERT_NE(FindProvince("44"), nullptr);
  EXPECT_EQ(FindProvince("44")->name_zh, "广东省");
  EXPECT_EQ(FindProvince("44")->name_en, "Guangdong");
  EXPECT_EQ(FindProvince("65")->name_en, "Xinjiang");
  EXPECT_FALSE(FindProvince("81")->mainland);
  for (std::string_view unknown : {"", "4", "440", "10", "16", "24", "99", "4a"}) {
    EXPECT_EQ(FindProvince(unknown), nullptr) << unknown;
  }
}

TEST(RegionsTest, MunicipalitiesAreTheFourDirectlyAdministeredCities) {
  std::set<std::string_view> municipalities;
  for (const Province& province : AllProvinces()) {
    if (province.municipality) municipalities.insert(province.code);
  }
  EXPECT_EQ(municipalities, (std::set<std::string_view>{"11", "12", "31", "50"}));
}

TEST(RegionsTest, AcceptsRealDivisionCodes) {
  struct Case {
    std::string_view code;
    DivisionLevel level;
  };
  const Case cases[] = {
      {"110000", DivisionLevel::kProvince},  // Beijing
      {"110101", DivisionLevel::kCounty},    // Beijing Dongcheng district
      {"500229", DivisionLevel::kCounty},    // Chongqing Chengkou county
      {"440000", DivisionLevel::kProvince},  // Guangdong
      {"440300", DivisionLevel::kCity},      // Shenzhen
      {"440305", DivisionLevel::kCounty},    // Shenzhen Nanshan district
      {"441900", DivisionLevel::kCity},      // Dongguan (no county level)
      {"429004", DivisionLevel::kCounty},    // Xiantao, directly under Hubei
      {"469001", DivisionLevel::kCounty},    // Wuzhishan, directly under Hainan
      {"654300", DivisionLevel::kCity},      // Altay prefecture
      {"540000", DivisionLevel::kProvince},  // Tibet
      {"810000", DivisionLevel::kProvince},  // Hong Kong
  };
  for (const Case& c : cases) {
    EXPECT_EQ(DivisionCodeError(c.code), std::nullopt) << c.code;
    EXPECT_EQ(DivisionLevelOf(c.code), c.level) << c.code;
    EXPECT_EQ(ProvinceOfDivision(c.code), c.code.substr(0, 2));
  }
}

TEST(RegionsTest, RejectsMalformedDivisionCodes) {
  struct Case {
    std::string_view code;
    std::string_view error;
  };
  const Case cases[] = {
      {"", "must be 6 digits, got 0 characters"},
      {"44030", "must be 6 digits, got 5 characters"},
      {"4403050", "must be 6 digits, got 7 characters"},
      {"44030a", "must be 6 digits (0-9)"},
      {"100000", "unknown province code '10'"},
      {"990000", "unknown province code '99'"},
      {"440005", "county part (digits 5-6) '05' needs a city part (digits 3-4), got '00'"},
      {"110500", "Beijing is a municipality: city part (digits 3-4) must be 01 or 02, got '05'"},
      {"509001", "Chongqing is a municipality: city part (digits 3-4) must be 01 or 02, got '90'"},
      {"810100", "Hong Kong has only the province-level code 810000"},
      {"448001",
       "city part (digits 3-4) '80' is neither a prefecture code (01-70) nor 90 "
       "(county-level units directly under the province)"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(DivisionCodeError(c.code), std::string(c.error)) << c.code;
    EXPECT_EQ(DivisionLevelOf(c.code), std::nullopt) << c.code;
  }
}

TEST(RegionsTest, EveryMainlandProvinceLevelCodeIsValid) {
  for (const Province& province : AllProvinces()) {
    const std::string code = std::string(province.code) + "0000";
    EXPECT_EQ(DivisionCodeError(code), std::nullopt) << code;
  }
}

TEST(RegionsTest, ProvinceOfShortInputIsEmpty) {
  EXPECT_EQ(ProvinceOfDivision(""), "");
  EXPECT_EQ(ProvinceOfDivision("4"), "");
}

TEST(RegionsTest, DivisionPrefixes) {
  for (std::string_view good : {"44", "4403", "440305", "11", "8100"}) {
    EXPECT_TRUE(IsDivisionPrefix(good)) << good;
  }
  for (std::string_view bad : {"", "4", "440", "44030", "4403050", "10", "1001", "4a", "44 3"}) {
    EXPECT_FALSE(IsDivisionPrefix(bad)) << bad;
  }
}

}  // namespace
}  // namespace osh::domain
