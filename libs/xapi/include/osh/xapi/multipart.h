#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace osh::xapi {

// multipart/mixed (RFC 2046 §5.1), as xAPI uses it to carry attachments
// after the statements (Communication 1.5.2).
struct MimePart {
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// The boundary parameter of a Content-Type header, unquoted, or nullopt.
std::optional<std::string> MultipartBoundary(std::string_view content_type);

// The parts between the boundaries, or nullopt when the body is not
// well-formed (no opening or closing delimiter, a part without headers end).
std::optional<std::vector<MimePart>> ParseMultipart(std::string_view body, std::string_view boundary);

// A multipart/mixed body of `parts` with `boundary`.
std::string RenderMultipart(const std::vector<MimePart>& parts, std::string_view boundary);

}  // namespace osh::xapi
