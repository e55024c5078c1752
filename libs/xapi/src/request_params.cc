#include "request_params.h"

#include <algorithm>
#include <optional>

#include "lrs_error.h"

namespace osh::xapi {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded and query-string decoding.
std::optional<std::string> FormDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = HexDigit(s[i + 1]), lo = HexDigit(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::vector<Param> ParseParams(std::string_view text) {
  std::vector<Param> params;
  size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    const auto end = std::min(text.find('&', start), text.size());
    const auto item = text.substr(start, end - start);
    if (!item.empty()) {
      const auto eq = item.find('=');
      const auto name = FormDecode(item.substr(0, eq));
      const auto value = eq == std::string_view::npos ? std::optional<std::string>("") : FormDecode(item.substr(eq + 1));
      if (!name || !value) Fail(400, "malformed percent-encoding in parameters");
      params.push_back({*name, *value, std::string(item)});
    }
    start = end + 1;
  }
  return params;
}

bool ParseBool(const Param& p) {
  if (p.value == "true") return true;
  if (p.value == "false") return false;
  Fail(400, "must be true or false", p.name);
}

}  // namespace osh::xapi
