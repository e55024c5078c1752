#include "osh/xapi/multipart.h"

#include <cctype>

namespace osh::xapi {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> MultipartBoundary(std::string_view content_type) {
  const auto lower = Lower(content_type);
  const auto at = lower.find("boundary=");
  if (at == std::string::npos) return std::nullopt;
  auto value = content_type.substr(at + 9);
  if (!value.empty() && value.front() == '"') {
    const auto close = value.find('"', 1);
    if (close == std::string_view::npos) return std::nullopt;
    value = value.substr(1, close - 1);
  } else {
    value = Trim(value.substr(0, value.find(';')));
  }
  if (value.empty() || value.size() > 200) return std::nullopt;
  return std::string(value);
}

std::optional<std::vector<MimePart>> ParseMultipart(std::string_view body, std::string_view boundary) {
  const std::string delimiter = "--" + std::string(boundary);
  // The first delimiter may open the body or follow a preamble line.
  size_t pos = body.substr(0, delimiter.size()) == delimiter ? 0 : body.find("\r\n" + delimiter);
  if (pos == std::string_view::npos) return std::nullopt;
  if (pos != 0) pos += 2;
  std::vector<MimePart> parts;
  const std::string next_delimiter = "\r\n" + delimiter;
  while (true) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--") return parts;  // closing delimiter
    const auto line_end = body.find("\r\n", pos);
    if (line_end == std::string_view::npos) return std::nullopt;
    const auto headers_end = body.find("\r\n\r\n", line_end);
    if (headers_end == std::string_view::npos) return std::nullopt;
    MimePart part;
    size_t line = line_end + 2;
    while (line < headers_end + 2 && line <= body.size()) {
      const auto end = body.find("\r\n", line);
      const auto text = body.substr(line, end - line);
      const auto colon = text.find(':');
      if (colon == std::string_view::npos) return std::nullopt;
      part.headers[Lower(Trim(text.substr(0, colon)))] = std::string(Trim(text.substr(colon + 1)));
      line = end + 2;
    }
    const size_t content_start = headers_end + 4;
    const auto content_end = body.find(next_delimiter, content_start);
    if (content_end == std::string_view::npos) return std::nullopt;
    part.body = std::string(body.substr(content_start, content_end - content_start));
    parts.push_back(std::move(part));
    pos = content_end + 2;
  }
}

std::string RenderMultipart(const std::vector<MimePart>& parts, std::string_view boundary) {
  std::string out;
  for (const auto& part : parts) {
    out += "--";
    out += boundary;
    out += "\r\n";
    for (const auto& [name, value] : part.headers) out += name + ": " + value + "\r\n";
    out += "\r\n";
    out += part.body;
    out += "\r\n";
  }
  out += "--";
  out += boundary;
  out += "--\r\n";
  return out;
}

}  // namespace osh::xapi
