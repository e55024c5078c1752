#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace osh::domain {

// Administrative divisions (GB/T 2260). A deployment serves one province, JWTs
// carry a 2-digit province code, and reporting rolls up by division prefix.

struct Province {
  std::string_view code;  // two digits, e.g. "44"
  std::string_view name_zh;
  std::string_view name_en;
  bool mainland;      // false for Taiwan, Hong Kong and Macao (no platform deployment)
  bool municipality;  // Beijing, Tianjin, Shanghai, Chongqing: no prefecture level
};

enum class DivisionLevel { kProvince, kCity, kCounty };

// Nullptr for an unknown code.
const Province* FindProvince(std::string_view two_digits);
// All 34 province-level units; the 31 mainland ones come first.
std::span<const Province> AllProvinces();
std::span<const Province> MainlandProvinces();

// Nullopt when `six_digits` is a structurally valid division code.
//
// The full county list (about 3,000 entries, revised every year) is not embedded:
// it goes stale, and codes of abolished counties stay in old credit codes and
// records. What is checked instead: 6 ASCII digits; a known province; for
// Taiwan, Hong Kong and Macao only the province-level code; in a municipality
// the city part (digits 3-4) is 01 (districts) or 02 (counties); elsewhere it
// is 01-70 (prefecture-level units) or 90 (county-level units directly under
// the province); a city part of 00 requires a county part (digits 5-6) of 00.
std::optional<std::string> DivisionCodeError(std::string_view six_digits);

// The first two digits of a division code; empty if it is shorter.
std::string_view ProvinceOfDivision(std::string_view division_code);

// Level of a code that passes DivisionCodeError; nullopt otherwise.
// 440000 province, 440300 city, 440305 county. The grouping codes 110100 and
// 429000 count as city level.
std::optional<DivisionLevel> DivisionLevelOf(std::string_view division_code);

// True for a list-filter prefix: 2, 4 or 6 ASCII digits starting with a known
// province code ("44", "4403", "440305").
bool IsDivisionPrefix(std::string_view prefix);

}  // namespace osh::domain
