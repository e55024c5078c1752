#include "osh/domain/regions.h"

#include <algorithm>
#include <array>
#include <cstddef>

#include <fmt/format.h>

namespace osh::domain {
namespace {

// Mainland first so MainlandProvinces() is a prefix of the table.
constexpr std::array<Province, 34> kProvinces = {{
    {"11", "北京市", "Beijing", true, true},
    {"12", "天津市", "Tianjin", true, true},
    {"13", "河北省", "Hebei", true, false},
    {"14", "山西省", "Shanxi", true, false},
    {"15", "内蒙古自治区", "Inner Mongolia", true, false},
    {"21", "辽宁省", "Liaoning", true, false},
    {"22", "吉林省", "Jilin", true, false},
    {"23", "黑龙江省", "Heilongjiang", true, false},
    {"31", "上海市", "Shanghai", true, true},
    {"32", "江苏省", "Jiangsu", true, false},
    {"33", "浙江省", "Zhejiang", true, false},
    {"34", "安徽省", "Anhui", true, false},
    {"35", "福建省", "Fujian", true, false},
    {"36", "江西省", "Jiangxi", true, false},
    {"37", "山东省", "Shandong", true, false},
    {"41", "河南省", "Henan", true, false},
    {"42", "湖北省", "Hubei", true, false},
    {"43", "湖南省", "Hunan", true, false},
    {"44", "广东省", "Guangdong", true, false},
    {"45", "广西壮族自治区", "Guangxi", true, false},
    {"46", "海南省", "Hainan", true, false},
    {"50", "重庆市", "Chongqing", true, true},
    {"51", "四川省", "Sichuan", true, false},
    {"52", "贵州省", "Guizhou", true, false},
    {"53", "云南省", "Yunnan", true, false},
    {"54", "西藏自治区", "Tibet", true, false},
    {"61", "陕西省", "Shaanxi", true, false},
    {"62", "甘肃省", "Gansu", true, false},
    {"63", "青海省", "Qinghai", true, false},
    {"64", "宁夏回族自治区", "Ningxia", true, false},
    {"65", "新疆维吾尔自治区", "Xinjiang", true, false},
    {"71", "台湾省", "Taiwan", false, false},
    {"81", "香港特别行政区", "Hong Kong", false, false},
    {"82", "澳门特别行政区", "Macao", false, false},
}};
constexpr std::size_t kMainlandCount = 31;

// Prefecture-level codes in use stop in the low 40s (e.g. 6543 Altay); 70 leaves
// room for new ones without admitting the unassigned range below 90.
constexpr int kHighestPrefectureCode = 70;
constexpr int kDirectCountyLevelCity = 90;

bool AllAsciiDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int TwoDigits(std::string_view s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

}  // namespace

const Province* FindProvince(std::string_view two_digits) {
  for (const Province& province : kProvinces) {
    if (province.code == two_digits) return &province;
  }
  return nullptr;
}

std::span<const Province> AllProvinces() { return kProvinces; }

std::span<const Province> MainlandProvinces() {
  return std::span<const Province>(kProvinces).first(kMainlandCount);
}

std::optional<std::string> DivisionCodeError(std::string_view six_digits) {
  if (six_digits.size() != 6) {
    return fmt::format("must be 6 digits, got {} characters", six_digits.size());
  }
  if (!AllAsciiDigits(six_digits)) return std::string("must be 6 digits (0-9)");
  const Province* province = FindProvince(six_digits.substr(0, 2));
  if (province == nullptr) {
    return fmt::format("unknown province code '{}'", six_digits.substr(0, 2));
  }
  const std::string_view city = six_digits.substr(2, 2);
  const std::string_view county = six_digits.substr(4, 2);
  if (city == "00") {
    if (county == "00") return std::nullopt;
    return fmt::format("county part (digits 5-6) '{}' needs a city part (digits 3-4), got '00'",
                       county);
  }
  if (!province->mainland) {
    return fmt::format("{} has only the province-level code {}0000", province->name_en,
                       province->code);
  }
  if (province->municipality) {
    if (city != "01" && city != "02") {
      return fmt::format(
          "{} is a municipality: city part (digits 3-4) must be 01 or 02, got '{}'",
          province->name_en, city);
    }
    return std::nullopt;
  }
  const int city_number = TwoDigits(city);
  if (city_number > kHighestPrefectureCode && city_number != kDirectCountyLevelCity) {
    return fmt::format(
        "city part (digits 3-4) '{}' is neither a prefecture code (01-{}) nor {} "
        "(county-level units directly under the province)",
        city, kHighestPrefectureCode, kDirectCountyLevelCity);
  }
  return std::nullopt;
}

std::string_view ProvinceOfDivision(std::string_view division_code) {
  if (division_code.size() < 2) return {};
  return division_code.substr(0, 2);
}

std::optional<DivisionLevel> DivisionLevelOf(std::string_view division_code) {
  if (DivisionCodeError(division_code)) return std::nullopt;
  if (division_code.substr(2) == "0000") return DivisionLevel::kProvince;
  if (division_code.substr(4) == "00") return DivisionLevel::kCity;
  return DivisionLevel::kCounty;
}

bool IsDivisionPrefix(std::string_view prefix) {
  if (prefix.size() != 2 && prefix.size() != 4 && prefix.size() != 6) return false;
  return AllAsciiDigits(prefix) && FindProvince(prefix.substr(0, 2)) != nullptr;
}

}  // namespace osh::domain
