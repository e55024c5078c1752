#include "osh/domain/diseases.h"

#include <fmt/format.h>

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

// Names of the encoded diseases, by edition and code. Categories 1 (19
// entries: 13 pneumoconioses, 6 other respiratory diseases), 4 and 6 are the
// same in both editions; the 2024 tail follows the changes listed above.
struct NamedDisease {
  std::string_view edition;
  std::string_view code;
  std::string_view name_zh;
};

constexpr std::string_view kBothEditions = "*";

constexpr std::array<NamedDisease, 46> kNames = {{
    {kBothEditions, "01.01", "矽肺"},
    {kBothEditions, "01.02", "煤工尘肺"},
    {kBothEditions, "01.03", "石墨尘肺"},
    {kBothEditions, "01.04", "炭黑尘肺"},
    {kBothEditions, "01.05", "石棉肺"},
    {kBothEditions, "01.06", "滑石尘肺"},
    {kBothEditions, "01.07", "水泥尘肺"},
    {kBothEditions, "01.08", "云母尘肺"},
    {kBothEditions, "01.09", "陶工尘肺"},
    {kBothEditions, "01.10", "铝尘肺"},
    {kBothEditions, "01.11", "电焊工尘肺"},
    {kBothEditions, "01.12", "铸工尘肺"},
    {kBothEditions, "01.13", "其他尘肺病"},
    {kBothEditions, "01.14", "过敏性肺炎"},
    {kBothEditions, "01.15", "棉尘病"},
    {kBothEditions, "01.16", "哮喘"},
    {kBothEditions, "01.17", "金属及其化合物粉尘肺沉着病"},
    {kBothEditions, "01.18", "刺激性化学物所致慢性阻塞性肺疾病"},
    {kBothEditions, "01.19", "硬金属肺病"},
    {kBothEditions, "04.01", "噪声聋"},
    {kBothEditions, "04.02", "铬鼻病"},
    {kBothEditions, "04.03", "牙酸蚀病"},
    {kBothEditions, "04.04", "爆震聋"},
    {kBothEditions, "06.01", "中暑"},
    {kBothEditions, "06.02", "减压病"},
    {kBothEditions, "06.03", "高原病"},
    {kBothEditions, "06.04", "航空病"},
    {kBothEditions, "06.05", "手臂振动病"},
    {kBothEditions, "06.06", "激光所致眼（角膜、晶状体、视网膜）损伤"},
    {kBothEditions, "06.07", "冻伤"},
    {"2013", "08.01", "炭疽"},
    {"2013", "08.02", "森林脑炎"},
    {"2013", "08.03", "布鲁氏菌病"},
    {"2013", "08.04", "艾滋病（限于医疗卫生人员及人民警察）"},
    {"2013", "08.05", "莱姆病"},
    {"2013", "10.01", "金属烟热"},
    {"2013", "10.02", "滑囊炎（限于井下工人）"},
    {"2013", "10.03", "股静脉血栓综合征、股动脉闭塞症或淋巴管闭塞症（限于刮研作业人员）"},
    {"2024", "08.01", "炭疽"},
    {"2024", "08.02", "森林脑炎"},
    {"2024", "08.03", "布鲁氏菌病"},
    {"2024", "10.01", "腕管综合征"},
    {"2024", "10.02", "滑囊炎（限于井下工人）"},
    {"2024", "11.01", "创伤后应激障碍"},
    {"2024", "12.01", "金属烟热"},
    {"2024", "12.02", "股静脉血栓综合征、股动脉闭塞症或淋巴管闭塞症（限于刮研作业人员）"},
}};

std::string_view NameOf(const DiseaseCatalogueEdition& edition, std::string_view code) {
  for (const NamedDisease& n : kNames) {
    if ((n.edition == kBothEditions || n.edition == edition.id) && n.code == code) return n.name_zh;
  }
  return {};
}

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

std::optional<OccupationalDisease> FindDisease(const DiseaseCatalogueEdition& edition, std::string_view code) {
  if (code.size() != 5 || code[2] != '.' || !IsDigit(code[0]) || !IsDigit(code[1]) || !IsDigit(code[3]) ||
      !IsDigit(code[4])) {
    return std::nullopt;
  }
  const int category = (code[0] - '0') * 10 + (code[1] - '0');
  const int position = (code[3] - '0') * 10 + (code[4] - '0');
  if (category < 1 || category > static_cast<int>(edition.categories.size())) return std::nullopt;
  const DiseaseCategory& c = edition.categories[static_cast<std::size_t>(category - 1)];
  if (position < 1 || position > c.disease_count) return std::nullopt;
  return OccupationalDisease{std::string(code), &c, NameOf(edition, code)};
}

std::vector<OccupationalDisease> AllDiseases(const DiseaseCatalogueEdition& edition) {
  std::vector<OccupationalDisease> all;
  for (const DiseaseCategory& c : edition.categories) {
    for (int position = 1; position <= c.disease_count; ++position) {
      const std::string code = fmt::format("{:02d}.{:02d}", c.number, position);
      all.push_back({code, &c, NameOf(edition, code)});
    }
  }
  return all;
}

}  // namespace osh::domain
