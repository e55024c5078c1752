#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace osh::domain {

// Civil dates ("YYYY-MM-DD"): deadlines, inspection days and publication days
// are dates in China Standard Time, not instants.
std::optional<std::chrono::sys_days> ParseCivilDate(std::string_view text);
bool IsCivilDate(std::string_view text);

// Days from `a` to `b` (negative when b is earlier); both must be civil dates.
int DaysBetween(std::string_view a, std::string_view b);

// The date in China Standard Time (UTC+8, no daylight saving) at `instant`.
std::string ChinaDateOf(std::chrono::system_clock::time_point instant);

}  // namespace osh::domain
