#include "osh/domain/diseases.h"

#include <array>
#include <cstddef>

namespace osh::domain {
namespace {

// Issued 2013-12-23 (国卫疾控发〔2013〕48号), in force from that day.
constexpr std::array<DiseaseCategory, 10> k2013Categories = {{
    {1, "职业性尘肺病及其他呼吸系统疾病",
     "Occupational pneumoconiosis and other respiratory diseases", 19},
    {2, "职业性皮肤病", "Occupational skin diseases", 9},
    {3, "职业性眼病", "Occupational eye diseases", 3},
    {4, "职业性耳鼻喉口腔疾病", "Occupational ear, nose, throat and oral diseases", 4},
    {5, "职业性化学中毒", "Occupational chemical poisoning", 60},
    {6, "物理因素所致职业病", "Occupational diseases caused by physical factors", 7},
    {7, "职业性放射性疾病", "Occupational radiation diseases", 11},
    {8, "职业性传染病", "Occupational infectious diseases", 5},
    {9, "职业性肿瘤", "Occupational cancers", 11},
    {10, "其他职业病", "Other occupational diseases", 3},
}};

// Published December 2024, in force 2025-08-01; replaces the 2013 edition.
// Per-category counts follow from the 2013 ones and the changes the notice lists:
// carpal tunnel syndrome and post-traumatic stress disorder added in the two new
// categories; bursitis moved from "other" to musculoskeletal; radiation cataract
// split off the eye-disease cataract entry and, with uranium poisoning (from
// chemical poisoning), moved to radiation diseases. They add up to the published
// 135, which the tests check.
constexpr std::array<DiseaseCategory, 12> k2024Categories = {{
    {1, "职业性尘肺病及其他呼吸系统疾病",
     "Occupational pneumoconiosis and other respiratory diseases", 19},
    {2, "职业性皮肤病", "Occupational skin diseases", 9},
    {3, "职业性眼病", "Occupational eye diseases", 3},
    {4, "职业性耳鼻喉口腔疾病", "Occupational ear, nose, throat and oral diseases", 4},
    {5, "职业性化学中毒", "Occupational chemical poisoning", 59},
    {6, "物理因素所致职业病", "Occupational diseases caused by physical factors", 7},
    {7, "职业性放射性疾病", "Occupational radiation diseases", 13},
    {8, "职业性传染病", "Occupational infectious diseases", 5},
    {9, "职业性肿瘤", "Occupational cancers", 11},
    {10, "职业性肌肉骨骼疾病", "Occupational musculoskeletal disorders", 2},
    {11, "职业性精神和行为障碍", "Occupational mental and behavioural disorders", 1},
    {12, "其他职业病", "Other occupational diseases", 2},
}};

constexpr std::array<DiseaseCatalogueEdition, 2> kEditions = {{
    {"2013", "2013-12-23", 132, k2013Categories},
    {"2024", "2025-08-01", 135, k2024Categories},
}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Shape and ranges only; ISO dates of equal shape then compare as strings.
bool IsIsoDate(std::string_view date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return false;
  constexpr std::array<std::size_t, 8> kDigitPositions = {0, 1, 2, 3, 5, 6, 8, 9};
  for (std::size_t i : kDigitPositions) {
    if (!IsDigit(date[i])) return false;
  }
  const int month = (date[5] - '0') * 10 + (date[6] - '0');
  const int day = (date[8] - '0') * 10 + (date[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

}  // namespace

std::span<const DiseaseCatalogueEdition> AllDiseaseCatalogueEditions() { return kEditions; }

const DiseaseCatalogueEdition* FindDiseaseCatalogueEdition(std::string_view id) {
  for (const DiseaseCatalogueEdition& edition : kEditions) {
    if (edition.id == id) return &edition;
  }
  return nullptr;
}

const DiseaseCatalogueEdition* EditionInForce(std::string_view yyyy_mm_dd) {
  if (!IsIsoDate(yyyy_mm_dd)) return nullptr;
  const DiseaseCatalogueEdition* in_force = nullptr;
  for (const DiseaseCatalogueEdition& edition : kEditions) {
    if (edition.effective_date <= yyyy_mm_dd) in_force = &edition;
  }
  return in_force;
}

}  // namespace osh::domain
