#include "path_template.h"

#include <algorithm>

namespace osh::gateway {
namespace {

// Splits at `sep` outside braces.
std::vector<std::string_view> SplitOutsideBraces(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '{') ++depth;
    if (s[i] == '}') --depth;
    if (s[i] == sep && depth == 0) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(s.substr(start));
  return parts;
}

bool IsFieldPath(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    (c == '.' && s[i - 1] != '.');
    if (!ok) return false;
  }
  return true;
}

bool IsLiteral(std::string_view s) { return !s.empty() && s.find_first_of("{}*/") == std::string_view::npos; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string OpenApiName(std::string_view field_path) {
  std::string name(field_path);
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      const char c = static_cast<char>(hi * 16 + lo);
      if (c == '\0') return std::nullopt;
      out.push_back(c);
      i += 2;
    } else if (in[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

std::optional<PathTemplate> PathTemplate::Parse(std::string_view text, std::string* error) {
  PathTemplate t;
  t.text_ = std::string(text);
  if (text.size() < 2 || text.front() != '/') {
    *error = "path template must start with '/' and name something";
    return std::nullopt;
  }
  auto segments = SplitOutsideBraces(text.substr(1), '/');
  // The verb: a ':' outside braces in the last segment.
  {
    std::string_view& last = segments.back();
    auto pieces = SplitOutsideBraces(last, ':');
    // Match takes a request's verb from the first ':' of its last segment, so
    // a template with a second ':' there could never match anything.
    if (pieces.size() > 2) {
      *error = "the last segment of a path template may hold one ':' (before the verb)";
      return std::nullopt;
    }
    if (pieces.size() > 1) {
      // "{id}:transfer" or "books:search": the text after the last ':' is the verb.
      const size_t colon = last.size() - pieces.back().size() - 1;
      t.verb_ = std::string(pieces.back());
      if (!IsLiteral(t.verb_)) {
        *error = "bad verb in path template";
        return std::nullopt;
      }
      last = last.substr(0, colon);
    }
  }
  for (const auto token : segments) {
    if (token.size() >= 2 && token.front() == '{' && token.back() == '}') {
      const auto inner = token.substr(1, token.size() - 2);
      const auto eq = inner.find('=');
      Variable v;
      v.field_path = std::string(inner.substr(0, eq));
      if (!IsFieldPath(v.field_path)) {
        *error = "bad variable '" + std::string(inner) + "' in path template";
        return std::nullopt;
      }
      v.first_segment = t.segments_.size();
      if (eq == std::string_view::npos) {
        t.segments_.push_back({Kind::kSingle, ""});
      } else {
        for (const auto sub : SplitOutsideBraces(inner.substr(eq + 1), '/')) {
          if (sub == "*") {
            t.segments_.push_back({Kind::kSingle, ""});
          } else if (sub == "**") {
            t.segments_.push_back({Kind::kMulti, ""});
          } else if (IsLiteral(sub)) {
            t.segments_.push_back({Kind::kLiteral, std::string(sub)});
          } else {
            *error = "bad segment '" + std::string(sub) + "' in variable " + v.field_path;
            return std::nullopt;
          }
        }
      }
      v.end_segment = t.segments_.size();
      t.variables_.push_back(std::move(v));
    } else if (token == "*") {
      t.segments_.push_back({Kind::kSingle, ""});
    } else if (token == "**") {
      t.segments_.push_back({Kind::kMulti, ""});
    } else if (IsLiteral(token)) {
      t.segments_.push_back({Kind::kLiteral, std::string(token)});
    } else {
      *error = "bad segment '" + std::string(token) + "' in path template";
      return std::nullopt;
    }
  }
  if (!t.segments_.empty() && t.segments_.back().kind == Kind::kLiteral &&
      t.segments_.back().literal.find(':') != std::string::npos) {
    *error = "a ':' in the last segment of a path template (inside a variable) would start the request's verb";
    return std::nullopt;
  }
  for (size_t i = 0; i + 1 < t.segments_.size(); ++i) {
    if (t.segments_[i].kind == Kind::kMulti) {
      *error = "'**' may only be the last segment of a path template";
      return std::nullopt;
    }
  }
  return t;
}

std::optional<PathTemplate::Bindings> PathTemplate::Match(std::string_view path) const {
  if (path.empty() || path.front() != '/') return std::nullopt;
  path.remove_prefix(1);
  // As in Google's HTTP rule matching, a ':' in the last segment always starts
  // a verb: "/v1/declarations/d1:review" is the review route, never GET
  // "/v1/declarations/{id}" with id "d1:review".
  const auto last_slash = path.rfind('/');
  const auto colon = path.find(':', last_slash == std::string_view::npos ? 0 : last_slash);
  const std::string_view request_verb = colon == std::string_view::npos ? std::string_view() : path.substr(colon + 1);
  if (request_verb != verb_) return std::nullopt;
  if (colon != std::string_view::npos) path = path.substr(0, colon);
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      parts.push_back(path.substr(start, i - start));
      start = i + 1;
    }
  }
  // Where each template segment's match begins in `parts`; a trailing "**"
  // takes the rest (at least one part).
  std::vector<size_t> begin(segments_.size() + 1);
  size_t p = 0;
  for (size_t s = 0; s < segments_.size(); ++s) {
    begin[s] = p;
    const auto& seg = segments_[s];
    if (seg.kind == Kind::kMulti) {
      if (p >= parts.size()) return std::nullopt;
      for (; p < parts.size(); ++p) {
        if (parts[p].empty()) return std::nullopt;
      }
      continue;
    }
    if (p >= parts.size() || parts[p].empty()) return std::nullopt;
    if (seg.kind == Kind::kLiteral && parts[p] != seg.literal) return std::nullopt;
    ++p;
  }
  if (p != parts.size()) return std::nullopt;
  begin[segments_.size()] = p;

  Bindings bindings;
  for (const auto& v : variables_) {
    const size_t from = begin[v.first_segment];
    const size_t to = begin[v.end_segment];
    const auto raw = path.substr(parts[from].data() - path.data(),
                                 (parts[to - 1].data() + parts[to - 1].size()) - parts[from].data());
    auto decoded = PercentDecode(raw, false);
    if (!decoded) return std::nullopt;
    bindings.emplace_back(v.field_path, std::move(*decoded));
  }
  return bindings;
}

std::vector<std::string> PathTemplate::VariableFields() const {
  std::vector<std::string> out;
  for (const auto& v : variables_) out.push_back(v.field_path);
  return out;
}

std::string PathTemplate::OpenApiPath() const {
  std::string out;
  for (size_t s = 0; s < segments_.size();) {
    out += '/';
    const Variable* var = nullptr;
    for (const auto& v : variables_) {
      if (v.first_segment == s) var = &v;
    }
    if (var != nullptr) {
      out += "{" + OpenApiName(var->field_path) + "}";
      s = var->end_segment;
    } else {
      out += segments_[s].kind == Kind::kLiteral ? segments_[s].literal : segments_[s].kind == Kind::kSingle ? "*" : "**";
      ++s;
    }
  }
  if (!verb_.empty()) out += ":" + verb_;
  return out;
}

int PathTemplate::literal_count() const {
  int n = 0;
  for (const auto& s : segments_) n += s.kind == Kind::kLiteral ? 1 : 0;
  return n + (verb_.empty() ? 0 : 1);
}

}  // namespace osh::gateway
