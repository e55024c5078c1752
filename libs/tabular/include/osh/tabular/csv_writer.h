#pragma once

#include <string>
#include <string_view>

namespace osh::tabular {

// Appends one RFC 4180 field to `out`: as is, or in double quotes with inner
// quotes doubled when it holds a comma, quote or line break. What CsvReader
// reads back to the same text.
inline void AppendCsvField(std::string& out, std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += value;
    return;
  }
  out += '"';
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace osh::tabular
