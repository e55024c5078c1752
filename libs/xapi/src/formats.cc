#include "osh/xapi/formats.h"

#include <fmt/format.h>

#include <cctype>
#include <ctime>
#include <regex>

namespace osh::xapi {
namespace {

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool IsAlpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// libstdc++'s std::regex matches recursively, a few stack frames per
// character: a long enough string (a statement body may be 16 MiB) overflows
// the stack and takes the process down. Every pattern here is matched only
// against text no longer than this, far more than any real value needs.
constexpr size_t kMaxRegexInput = 128;

int Digits(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

}  // namespace

bool IsUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position ? text[i] != '-' : !IsHex(text[i])) return false;
  }
  const char version = text[14];
  const char variant = static_cast<char>(std::tolower(static_cast<unsigned char>(text[19])));
  return version >= '1' && version <= '5' && (variant == '8' || variant == '9' || variant == 'a' || variant == 'b');
}

std::optional<int64_t> ParseTimestamp(std::string_view text) {
  static const std::regex pattern(
      R"(^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|([+-])(\d{2})(?::?(\d{2}))?)?$)");
  if (text.size() > kMaxRegexInput) return std::nullopt;
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(text.begin(), text.end(), m, pattern)) return std::nullopt;
  auto part = [&](int i) { return std::string_view(&*m[i].first, static_cast<size_t>(m[i].length())); };
  const int year = Digits(part(1)), month = Digits(part(2)), day = Digits(part(3));
  const int hour = Digits(part(4)), minute = Digits(part(5));
  const int second = m[6].matched ? Digits(part(6)) : 0;
  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  int64_t micros = 0;
  if (m[7].matched) {
    auto fraction = std::string(part(7)).substr(0, 6);
    fraction.resize(6, '0');
    micros = Digits(fraction);
  }
  int offset_minutes = 0;
  if (m[9].matched) {
    const int offset_hours = Digits(part(10));
    const int offset_mins = m[11].matched ? Digits(part(11)) : 0;
    if (offset_hours > 23 || offset_mins > 59) return std::nullopt;
    if (part(9) == "-" && offset_hours == 0 && offset_mins == 0) return std::nullopt;
    offset_minutes = (part(9) == "-" ? -1 : 1) * (offset_hours * 60 + offset_mins);
  }
  const int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return seconds * 1'000'000 + micros;
}

std::string FormatTimestamp(int64_t micros_since_epoch) {
  const int64_t millis = micros_since_epoch >= 0 ? micros_since_epoch / 1000 : (micros_since_epoch - 999) / 1000;
  const int64_t seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000;
  const int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  const int64_t second_of_day = seconds - days * 86400;
  const std::chrono::year_month_day date{std::chrono::sys_days(std::chrono::days(days))};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), second_of_day / 3600,
                     second_of_day / 60 % 60, second_of_day % 60, millis - seconds * 1000);
}

std::string FormatTimestamp(std::chrono::system_clock::time_point instant) {
  return FormatTimestamp(std::chrono::duration_cast<std::chrono::microseconds>(instant.time_since_epoch()).count());
}

std::string FormatHttpDate(int64_t micros_since_epoch) {
  const auto seconds =
      micros_since_epoch >= 0 ? micros_since_epoch / 1'000'000 : (micros_since_epoch - 999'999) / 1'000'000;
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

bool IsDuration(std::string_view text) {
  static const std::regex pattern(
      R"(^P(?:\d+(?:\.\d+)?W|(?:\d+(?:\.\d+)?Y)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?D)?)"
      R"((?:T(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?)$)");
  if (text.size() < 2 || text.size() > kMaxRegexInput || text.back() == 'T') return false;
  return std::regex_match(text.begin(), text.end(), pattern);
}

bool IsIri(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) return false;
  if (!IsAlpha(text[0])) return false;
  for (size_t i = 1; i < colon; ++i) {
    const char c = text[i];
    if (!IsAlnum(c) && c != '+' && c != '-' && c != '.') return false;
  }
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '"' || c == '<' || c == '>') return false;
  }
  return true;
}

bool IsLanguageTag(std::string_view text) {
  // Shape of RFC 5646 langtag | privateuse | grandfathered (irregular ones start with i-).
  static const std::regex pattern(R"(^(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8}|[iIxX])(?:-[A-Za-z0-9]{1,8})*$)");
  return !text.empty() && text.size() <= 64 && std::regex_match(text.begin(), text.end(), pattern);
}

bool IsMailtoIri(std::string_view text) {
  constexpr std::string_view kScheme = "mailto:";
  if (text.substr(0, kScheme.size()) != kScheme) return false;
  const auto address = text.substr(kScheme.size());
  const auto at = address.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) return false;
  if (address.find('@', at + 1) != std::string_view::npos) return false;
  for (char c : address) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '<' || c == '>' || c == ',') return false;
  }
  return true;
}

bool IsSha1Hex(std::string_view text) {
  if (text.size() != 40) return false;
  for (char c : text) {
    if (!IsHex(c)) return false;
  }
  return true;
}

}  // namespace osh::xapi
