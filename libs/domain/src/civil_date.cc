#include "osh/domain/civil_date.h"

#include <fmt/format.h>

namespace osh::domain {
namespace {

int Digits(std::string_view text) {
  int value = 0;
  for (char c : text) value = value * 10 + (c - '0');
  return value;
}

}  // namespace

std::optional<std::chrono::sys_days> ParseCivilDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year(Digits(text.substr(0, 4))),
                                        std::chrono::month(static_cast<unsigned>(Digits(text.substr(5, 2)))),
                                        std::chrono::day(static_cast<unsigned>(Digits(text.substr(8, 2))))};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd);
}

bool IsCivilDate(std::string_view text) { return ParseCivilDate(text).has_value(); }

int DaysBetween(std::string_view a, std::string_view b) {
  return static_cast<int>((*ParseCivilDate(b) - *ParseCivilDate(a)).count());
}

std::string ChinaDateOf(std::chrono::system_clock::time_point instant) {
  const auto china = std::chrono::floor<std::chrono::days>(instant + std::chrono::hours(8));
  const std::chrono::year_month_day ymd{china};
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

}  // namespace osh::domain
