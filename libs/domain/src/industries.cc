#include "osh/domain/industries.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace osh::domain {
namespace {

constexpr std::array<IndustrySection, 20> kSections = {{
    {"A", "农、林、牧、渔业", "Agriculture, forestry, animal husbandry and fishery", 1, 5},
    {"B", "采矿业", "Mining", 6, 12},
    {"C", "制造业", "Manufacturing", 13, 43},
    {"D", "电力、热力、燃气及水生产和供应业",
     "Production and supply of electricity, heat, gas and water", 44, 46},
    {"E", "建筑业", "Construction", 47, 50},
    {"F", "批发和零售业", "Wholesale and retail trade", 51, 52},
    {"G", "交通运输、仓储和邮政业", "Transport, storage and postal services", 53, 60},
    {"H", "住宿和餐饮业", "Accommodation and catering", 61, 62},
    {"I", "信息传输、软件和信息技术服务业",
     "Information transmission, software and information technology services", 63, 65},
    {"J", "金融业", "Finance", 66, 69},
    {"K", "房地产业", "Real estate", 70, 70},
    {"L", "租赁和商务服务业", "Leasing and business services", 71, 72},
    {"M", "科学研究和技术服务业", "Scientific research and technical services", 73, 75},
    {"N", "水利、环境和公共设施管理业",
     "Water conservancy, environment and public facilities management", 76, 79},
    {"O", "居民服务、修理和其他服务业", "Resident services, repair and other services", 80, 82},
    {"P", "教育", "Education", 83, 83},
    {"Q", "卫生和社会工作", "Health and social work", 84, 85},
    {"R", "文化、体育和娱乐业", "Culture, sports and entertainment", 86, 90},
    {"S", "公共管理、社会保障和社会组织",
     "Public administration, social security and social organisations", 91, 96},
    {"T", "国际组织", "International organisations", 97, 97},
}};

bool IsClassCodeShape(std::string_view code) {
  return code.size() >= 2 && code.size() <= 4 &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int DivisionOf(std::string_view code) { return (code[0] - '0') * 10 + (code[1] - '0'); }

}  // namespace

std::span<const IndustrySection> AllIndustrySections() { return kSections; }

const IndustrySection* FindIndustrySection(std::string_view letter) {
  for (const IndustrySection& section : kSections) {
    if (section.letter == letter) return &section;
  }
  return nullptr;
}

const IndustrySection* IndustrySectionOfCode(std::string_view code) {
  if (!IsClassCodeShape(code)) return nullptr;
  const int division = DivisionOf(code);
  for (const IndustrySection& section : kSections) {
    if (division >= section.first_division && division <= section.last_division) {
      return &section;
    }
  }
  return nullptr;
}

std::optional<std::string> IndustryCodeError(std::string_view section, std::string_view code) {
  const IndustrySection* wanted = FindIndustrySection(section);
  if (wanted == nullptr) {
    return fmt::format("unknown industry section '{}' (expected one letter A-T)", section);
  }
  if (code.empty()) return std::nullopt;
  if (!IsClassCodeShape(code)) {
    return fmt::format("industry code '{}' must be 2 to 4 digits", code);
  }
  const IndustrySection* actual = IndustrySectionOfCode(code);
  if (actual == nullptr) {
    return fmt::format("industry code '{}': division {} does not exist (01-97)", code,
                       code.substr(0, 2));
  }
  if (actual != wanted) {
    return fmt::format("industry code '{}' belongs to section {}, not {} (divisions {:02}-{:02})",
                       code, actual->letter, wanted->letter, wanted->first_division,
                       wanted->last_division);
  }
  return std::nullopt;
}

}  // namespace osh::domain
