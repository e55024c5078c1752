#pragma once

// Inside the LRS handler only: query-string and form parameters.

#include <string>
#include <string_view>
#include <vector>

namespace osh::xapi {

// Parameters in their order, decoded, with the raw "name=value" kept for
// building the `more` link.
struct Param {
  std::string name;
  std::string value;
  std::string raw;
};

// Splits and decodes "a=1&b=x%20y" (application/x-www-form-urlencoded rules);
// malformed percent-encoding is a 400.
std::vector<Param> ParseParams(std::string_view text);

// "true" or "false", else a 400 naming the parameter.
bool ParseBool(const Param& p);

}  // namespace osh::xapi
