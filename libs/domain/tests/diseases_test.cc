#include "osh/domain/diseases.h"

#include <set>
#include <string_view>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "osh/domain/text.h"

namespace osh::domain {
namespace {

int SumOfCategoryCounts(const DiseaseCatalogueEdition& edition) {
  int sum = 0;
  for (const DiseaseCategory& category : edition.categories) sum += category.disease_count;
  return sum;
}

bool HasCategory(const DiseaseCatalogueEdition& edition, std::string_view name_zh) {
  for (const DiseaseCategory& category : edition.categories) {
    if (category.name_zh == name_zh) return true;
  }
  return false;
}

TEST(DiseasesTest, Edition2013Has10CategoriesAnd132Diseases) {
  const DiseaseCatalogueEdition* edition = FindDiseaseCatalogueEdition("2013");
  ASSERT_NE(edition, nullptr);
  EXPECT_EQ(edition->effective_date, "2013-12-23");
  EXPECT_EQ(edition->categories.size(), 10u);
  EXPECT_EQ(edition->disease_count, 132);
  EXPECT_EQ(SumOfCategoryCounts(*edition), 132);
}

TEST(DiseasesTest, Edition2024Has12CategoriesAnd135Diseases) {
  const DiseaseCatalogueEdition* edition = FindDiseaseCatalogueEdition("2024");
  ASSERT_NE(edition, nullptr);
  EXPECT_EQ(edition->effective_date, "2025-08-01");
  EXPECT_EQ(edition->categories.size(), 12u);
  EXPECT_EQ(edition->disease_count, 135);
  EXPECT_EQ(SumOfCategoryCounts(*edition), 135);
}

TEST(DiseasesTest, Revision2024AddsTwoCategoriesAndKeepsTheOthers) {
  const DiseaseCatalogueEdition& old_edition = *FindDiseaseCatalogueEdition("2013");
  const DiseaseCatalogueEdition& new_edition = *FindDiseaseCatalogueEdition("2024");
  for (const DiseaseCategory& category : old_edition.categories) {
    EXPECT_TRUE(HasCategory(new_edition, category.name_zh)) << category.name_en;
  }
  for (std::string_view added : {"职业性肌肉骨骼疾病", "职业性精神和行为障碍"}) {
    EXPECT_TRUE(HasCategory(new_edition, added)) << added;
    EXPECT_FALSE(HasCategory(old_edition, added)) << added;
  }
}

TEST(DiseasesTest, CategoriesAreNumberedAndNamed) {
  for (const DiseaseCatalogueEdition& edition : AllDiseaseCatalogueEditions()) {
    std::set<std::string_view> names;
    int number = 1;
    for (const DiseaseCategory& category : edition.categories) {
      EXPECT_EQ(category.number, number++) << edition.id;
      EXPECT_GT(category.disease_count, 0) << category.name_en;
      EXPECT_EQ(Utf8Error(category.name_zh), std::nullopt);
      EXPECT_FALSE(category.name_en.empty());
      EXPECT_TRUE(names.insert(category.name_zh).second) << category.name_en;
    }
  }
}

TEST(DiseasesTest, EditionsAreOrderedByEffectiveDate) {
  const auto editions = AllDiseaseCatalogueEditions();
  ASSERT_EQ(editions.size(), 2u);
  for (std::size_t i = 1; i < editions.size(); ++i) {
    EXPECT_LT(editions[i - 1].effective_date, editions[i].effective_date);
  }
}

TEST(DiseasesTest, EditionInForceFollowsTheEffectiveDate) {
  struct Case {
    std::string_view date;
    std::string_view edition;  // empty: none
  };
  const Case cases[] = {
      {"2002-05-01", ""},         {"2013-12-22", ""},
      {"2013-12-23", "2013"},     {"2020-02-29", "2013"},
      {"2025-07-31", "2013"},     {"2025-08-01", "2024"},
      {"2031-01-01", "2024"},     {"2025-8-1", ""},
      {"2025-13-01", ""},         {"2025-00-10", ""},
      {"2025-08-32", ""},         {"20250801", ""},
      {"", ""},                   {"2025-08-01T00:00:00Z", ""},
  };
  for (const Case& c : cases) {
    const DiseaseCatalogueEdition* edition = EditionInForce(c.date);
    if (c.edition.empty()) {
      EXPECT_EQ(edition, nullptr) << c.date;
    } else {
      ASSERT_NE(edition, nullptr) << c.date;
      EXPECT_EQ(edition->id, c.edition) << c.date;
    }
  }
}

TEST(DiseasesTest, UnknownEdition) {
  EXPECT_EQ(FindDiseaseCatalogueEdition("2002"), nullptr);
  EXPECT_EQ(FindDiseaseCatalogueEdition(""), nullptr);
}

}  // namespace
}  // namespace osh::domain

namespace osh::domain {
namespace {

TEST(DiseaseCodesTest, EveryEditionHasOneCodePerDiseaseInItsCategory) {
  for (const DiseaseCatalogueEdition& edition : AllDiseaseCatalogueEditions()) {
    const auto all = AllDiseases(edition);
    EXPECT_EQ(static_cast<int>(all.size()), edition.disease_count) << edition.id;
    std::set<std::string> codes;
    for (const auto& d : all) {
      EXPECT_TRUE(codes.insert(d.code).second) << d.code;
      ASSERT_TRUE(FindDisease(edition, d.code).has_value()) << edition.id << " " << d.code;
      EXPECT_EQ(FindDisease(edition, d.code)->category, d.category);
      EXPECT_EQ(d.code.substr(0, 2), fmt::format("{:02d}", d.category->number));
    }
  }
}

TEST(DiseaseCodesTest, CodesNameTheCatalogueEntriesOfTheirEdition) {
  const auto& e2013 = *FindDiseaseCatalogueEdition("2013");
  const auto& e2024 = *FindDiseaseCatalogueEdition("2024");
  EXPECT_EQ(FindDisease(e2013, "01.01")->name_zh, "矽肺");
  EXPECT_EQ(FindDisease(e2024, "04.01")->name_zh, "噪声聋");
  // Category 10 is "other" in 2013 and musculoskeletal in 2024.
  EXPECT_EQ(FindDisease(e2013, "10.02")->category->name_zh, "其他职业病");
  EXPECT_EQ(FindDisease(e2024, "10.01")->category->name_zh, "职业性肌肉骨骼疾病");
  EXPECT_EQ(FindDisease(e2024, "11.01")->category->name_zh, "职业性精神和行为障碍");
  EXPECT_EQ(FindDisease(e2024, "11.01")->name_zh, "创伤后应激障碍");
}

TEST(DiseaseCodesTest, CodesOutsideTheEditionOrOfAnotherShapeAreUnknown) {
  const auto& e2013 = *FindDiseaseCatalogueEdition("2013");
  const auto& e2024 = *FindDiseaseCatalogueEdition("2024");
  EXPECT_FALSE(FindDisease(e2013, "11.01")) << "no mental-disorder category before 2025-08-01";
  EXPECT_FALSE(FindDisease(e2013, "12.01"));
  EXPECT_TRUE(FindDisease(e2024, "12.02"));
  EXPECT_FALSE(FindDisease(e2024, "12.03")) << "the 2024 'other' category has two entries";
  EXPECT_FALSE(FindDisease(e2013, "05.61")) << "60 chemical poisonings in 2013";
  EXPECT_TRUE(FindDisease(e2013, "05.60"));
  EXPECT_FALSE(FindDisease(e2024, "05.60")) << "59 in 2024: uranium poisoning moved to radiation";
  for (std::string_view bad : {"", "1.1", "01-01", "00.01", "01.00", "0101", "a1.01", "01.01 ", "13.01"}) {
    EXPECT_FALSE(FindDisease(e2024, bad)) << bad;
  }
}

}  // namespace
}  // namespace osh::domain
