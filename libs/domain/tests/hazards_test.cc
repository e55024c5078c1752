#include "osh/domain/hazards.h"

#include <map>
#include <set>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "osh/domain/text.h"

namespace osh::domain {
namespace {

// Mirrors osh.common.v1.HazardCategory in proto/osh/common/v1/common.proto; the
// services cast between the two, so a drift must fail the build.
static_assert(static_cast<int>(HazardCategory::kUnspecified) == 0);
static_assert(static_cast<int>(HazardCategory::kDust) == 1);
static_assert(static_cast<int>(HazardCategory::kChemical) == 2);
static_assert(static_cast<int>(HazardCategory::kPhysical) == 3);
static_assert(static_cast<int>(HazardCategory::kRadioactive) == 4);
static_assert(static_cast<int>(HazardCategory::kBiological) == 5);
static_assert(static_cast<int>(HazardCategory::kOther) == 6);

bool IsOpenClause(const HazardFactor& factor) { return factor.code.substr(1) == "999"; }

TEST(HazardsTest, CategoriesInEnumOrderWithDistinctLetters) {
  const auto categories = AllHazardCategories();
  ASSERT_EQ(categories.size(), 6u);
  std::set<char> letters;
  for (std::size_t i = 0; i < categories.size(); ++i) {
    EXPECT_EQ(static_cast<int>(categories[i].category), static_cast<int>(i) + 1);
    EXPECT_EQ(FindHazardCategory(categories[i].category), &categories[i]);
    EXPECT_TRUE(letters.insert(categories[i].letter).second);
  }
  EXPECT_EQ(FindHazardCategory(HazardCategory::kUnspecified), nullptr);
  EXPECT_EQ(FindHazardCategory(static_cast<HazardCategory>(7)), nullptr);
}

TEST(HazardsTest, CatalogueHas459Factors) {
  int total = 0;
  for (const HazardCategoryInfo& info : AllHazardCategories()) total += info.catalogue_factor_count;
  EXPECT_EQ(total, 459);
  EXPECT_EQ(FindHazardCategory(HazardCategory::kDust)->catalogue_factor_count, 52);
  EXPECT_EQ(FindHazardCategory(HazardCategory::kChemical)->catalogue_factor_count, 375);
}

TEST(HazardsTest, FactorCodesAreUniqueWellFormedAndMatchTheirCategory) {
  std::set<std::string_view> codes;
  for (const HazardFactor& factor : AllHazardFactors()) {
    SCOPED_TRACE(factor.code);
    EXPECT_TRUE(codes.insert(factor.code).second) << "duplicate";
    ASSERT_EQ(factor.code.size(), 4u);
    for (char digit : factor.code.substr(1)) EXPECT_TRUE(digit >= '0' && digit <= '9');
    EXPECT_NE(factor.code.substr(1), "000");
    const HazardCategoryInfo* category = FindHazardCategory(factor.category);
    ASSERT_NE(category, nullptr);
    EXPECT_EQ(factor.code[0], category->letter);
    EXPECT_EQ(Utf8Error(factor.name_zh), std::nullopt);
    EXPECT_FALSE(factor.name_zh.empty());
    EXPECT_FALSE(factor.name_en.empty());
    EXPECT_EQ(factor.limited_to_zh.empty(), factor.limited_to_en.empty());
    EXPECT_EQ(FindHazardFactor(factor.code), &factor);
  }
}

TEST(HazardsTest, FactorsAreOrderedByCategoryThenCode) {
  const auto factors = AllHazardFactors();
  for (std::size_t i = 1; i < factors.size(); ++i) {
    const auto& a = factors[i - 1];
    const auto& b = factors[i];
    const bool ordered = static_cast<int>(a.category) < static_cast<int>(b.category) ||
                         (a.category == b.category && a.code < b.code);
    EXPECT_TRUE(ordered) << a.code << " before " << b.code;
  }
}

TEST(HazardsTest, ListedFactorsFitTheCatalogue) {
  std::map<HazardCategory, int> listed;
  std::map<HazardCategory, int> open_clauses;
  for (const HazardFactor& factor : AllHazardFactors()) {
    ++listed[factor.category];
    if (IsOpenClause(factor)) ++open_clauses[factor.category];
  }
  for (const HazardCategoryInfo& info : AllHazardCategories()) {
    SCOPED_TRACE(info.key);
    EXPECT_LE(listed[info.category], info.catalogue_factor_count);
    // Every category but "other" ends in an open clause; "other" is a closed list.
    EXPECT_EQ(open_clauses[info.category], info.category == HazardCategory::kOther ? 0 : 1);
  }
  // These four categories are encoded in full.
  for (HazardCategory complete : {HazardCategory::kPhysical, HazardCategory::kRadioactive,
                                  HazardCategory::kBiological, HazardCategory::kOther}) {
    EXPECT_EQ(listed[complete], FindHazardCategory(complete)->catalogue_factor_count)
        << HazardCategoryName(complete);
  }
}

TEST(HazardsTest, LooksUpFactors) {
  struct Case {
    std::string_view code;
    std::string_view name_zh;
    HazardCategory category;
  };
  const Case cases[] = {
      {"D001", "矽尘（游离SiO2含量≥10%）", HazardCategory::kDust},
      {"D002", "煤尘", HazardCategory::kDust},
      {"C001", "苯", HazardCategory::kChemical},
      {"P001", "噪声", HazardCategory::kPhysical},
      {"B005", "艾滋病病毒", HazardCategory::kBiological},
      {"O003", "刮研作业", HazardCategory::kOther},
      {"C999", "以上未提及的可导致职业病的其他化学因素", HazardCategory::kChemical},
  };
  for (const Case& c : cases) {
    const HazardFactor* factor = FindHazardFactor(c.code);
    ASSERT_NE(factor, nullptr) << c.code;
    EXPECT_EQ(factor->name_zh, c.name_zh);
    EXPECT_EQ(factor->category, c.category);
  }
  EXPECT_EQ(FindHazardFactor("B005")->limited_to_zh, "医疗卫生人员及人民警察");
}

TEST(HazardsTest, UnknownCodesAreNotFactors) {
  for (std::string_view code :
       {"", "D", "C", "P", "R", "B", "O", "c001", "D000", "D0001", "X001", "O999", " D001"}) {
    EXPECT_EQ(FindHazardFactor(code), nullptr) << code;
  }
}

TEST(HazardsTest, CategoryNamesRoundTrip) {
  for (const HazardCategoryInfo& info : AllHazardCategories()) {
    EXPECT_EQ(HazardCategoryName(info.category), info.key);
    EXPECT_EQ(ParseHazardCategory(info.key), info.category);
  }
  EXPECT_EQ(HazardCategoryName(HazardCategory::kDust), "dust");
  EXPECT_EQ(HazardCategoryName(HazardCategory::kRadioactive), "radioactive");
  EXPECT_EQ(HazardCategoryName(HazardCategory::kUnspecified), "unspecified");
  EXPECT_EQ(HazardCategoryName(static_cast<HazardCategory>(42)), "unknown");
  for (std::string_view bad : {"", "Dust", "DUST", "unspecified", "unknown", "D", "粉尘"}) {
    EXPECT_EQ(ParseHazardCategory(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace osh::domain
