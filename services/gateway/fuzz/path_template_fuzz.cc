// Fuzzes the google.api.http path templates of the gateway two ways:
// - raw: any template text and any request path; parsing and matching must
//   not crash, and a match binds one value per variable, in order;
// - generated: a template built from the input by the grammar
//   ("/" segments [":" verb], segments literal, *, **, {field} or
//   {field=a/*/**}) together with a request path made for it, whose values are
//   percent-encoded arbitrary bytes. Such a template must parse, and the path
//   must match it binding exactly the values that were put in.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "path_template.h"

#include "fuzz_require.h"

namespace {

using osh::gateway::PathTemplate;

void RawTemplateAndPath(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const std::string text = in.ConsumeRandomLengthString(512);
  const std::string path = in.ConsumeRemainingBytesAsString();
  std::string error;
  const auto t = PathTemplate::Parse(text, &error);
  if (!t) {
    FUZZ_REQUIRE(!error.empty());
    return;
  }
  FUZZ_REQUIRE(t->text() == text);
  (void)t->OpenApiPath();
  FUZZ_REQUIRE(t->literal_count() >= 0);
  if (const auto bindings = t->Match(path)) {
    const auto fields = t->VariableFields();
    FUZZ_REQUIRE(bindings->size() == fields.size());
    for (std::size_t i = 0; i < fields.size(); ++i) FUZZ_REQUIRE((*bindings)[i].first == fields[i]);
  }
}

// Everything but unreserved characters percent-encoded, as a client would send it.
std::string Encode(const std::string& value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : value) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// A value for one path segment: any bytes but NUL (which the gateway refuses), at least one.
std::string SegmentValue(FuzzedDataProvider& in) {
  std::string value = in.ConsumeRandomLengthString(16);
  for (char& c : value) {
    if (c == '\0') c = 'x';
  }
  return value.empty() ? "v" : value;
}

// A literal of the template's own text: '%' is left out because literal
// segments are compared as written; ':' appears because "employers:byCode" is real.
std::string Literal(FuzzedDataProvider& in, bool allow_colon) {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~+:";
  const std::size_t alphabet = sizeof kChars - 1 - (allow_colon ? 0 : 1);  // ':' is last
  std::string out;
  const std::size_t length = in.ConsumeIntegralInRange<std::size_t>(1, 8);
  for (std::size_t i = 0; i < length; ++i) {
    std::size_t index = in.ConsumeIntegralInRange<std::size_t>(0, alphabet - 1);
    out += kChars[index];
  }
  return out;
}

struct Generated {
  std::string text;   // the template
  std::string path;   // a request path it must match
  PathTemplate::Bindings expected;
};

// One segment of the template or of a variable's pattern (appended to
// `pattern`), with the path parts it stands for appended to `parts` (raw) and
// `value` (decoded, '/'-joined as a multi-segment variable binds them).
void GenerateSegment(FuzzedDataProvider& in, bool last, std::vector<std::string>& parts, std::string& value,
                     std::string& pattern) {
  const int kind = in.ConsumeIntegralInRange<int>(0, last ? 2 : 1);  // 2: "**", only last
  auto add = [&](const std::string& raw, const std::string& decoded) {
    parts.push_back(raw);
    if (!value.empty()) value += '/';
    value += decoded;
  };
  if (kind == 0) {
    const std::string literal = Literal(in, !last);
    pattern += literal;
    add(literal, literal);
  } else if (kind == 1) {
    pattern += "*";
    const std::string v = SegmentValue(in);
    add(Encode(v), v);
  } else {
    pattern += "**";
    const int count = in.ConsumeIntegralInRange<int>(1, 3);
    for (int i = 0; i < count; ++i) {
      const std::string v = SegmentValue(in);
      add(Encode(v), v);
    }
  }
}

Generated Generate(FuzzedDataProvider& in) {
  Generated g;
  std::vector<std::string> parts;
  const int segments = in.ConsumeIntegralInRange<int>(1, 6);
  int variable_number = 0;
  for (int s = 0; s < segments; ++s) {
    const bool last = s + 1 == segments;
    g.text += '/';
    if (in.ConsumeBool()) {
      // A variable: {field} or {field=pattern}.
      const std::string field = "f" + std::to_string(variable_number++) + (in.ConsumeBool() ? ".sub" : "");
      std::string value;
      std::string pattern;
      if (in.ConsumeBool()) {
        const std::string v = SegmentValue(in);
        parts.push_back(Encode(v));
        value = v;
      } else {
        const int inner = in.ConsumeIntegralInRange<int>(1, 3);
        for (int i = 0; i < inner; ++i) {
          if (i > 0) pattern += '/';
          GenerateSegment(in, last && i + 1 == inner, parts, value, pattern);
        }
      }
      g.text += "{" + field + (pattern.empty() ? "" : "=" + pattern) + "}";
      g.expected.emplace_back(field, value);
    } else {
      std::string unused_value;
      std::string pattern;
      GenerateSegment(in, last, parts, unused_value, pattern);
      g.text += pattern;
    }
  }
  for (const auto& part : parts) g.path += "/" + part;
  if (in.ConsumeBool()) {
    const std::string verb = Literal(in, /*allow_colon=*/true);
    g.text += ":" + verb;
    g.path += ":" + verb;
  }
  return g;
}

void GeneratedTemplateMatchesItsPath(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const Generated g = Generate(in);
  std::string error;
  const auto t = PathTemplate::Parse(g.text, &error);
  const auto bindings = t ? t->Match(g.path) : std::nullopt;
  // The only grammatical templates the parser may refuse are those that could
  // never match (see PathTemplate::Parse); all else must parse.
  const bool as_expected = t ? bindings == g.expected : error.find("':'") != std::string::npos;
  if (!as_expected) {
    std::fprintf(stderr, "template %s\npath %s\nparse error: %s\nbindings:", g.text.c_str(), g.path.c_str(),
                 error.c_str());
    for (const auto& [field, value] : bindings.value_or(PathTemplate::Bindings{})) {
      std::fprintf(stderr, " %s=%s", field.c_str(), value.c_str());
    }
    std::fprintf(stderr, "\n");
  }
  FUZZ_REQUIRE(as_expected);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  RawTemplateAndPath(data, size);
  GeneratedTemplateMatchesItsPath(data, size);
  return 0;
}
