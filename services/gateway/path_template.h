#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace osh::gateway {

// A google.api.http path template ("/v1/{name=shelves/*}/books:search"):
//   Template = "/" Segments [ ":" Verb ] ;  Segment = "*" | "**" | LITERAL | Variable ;
//   Variable = "{" FieldPath [ "=" Segments ] "}" .
// A literal may itself hold a ':' ("employers:byCreditCode"); only a ':' in the
// last segment, outside braces, starts the verb, and the last segment holds no
// other ':' (a request's verb starts at the first one).
class PathTemplate {
 public:
  // Null with *error set when the template does not follow the grammar.
  static std::optional<PathTemplate> Parse(std::string_view text, std::string* error);

  // (field path, value) of each variable, values percent-decoded ("/" kept
  // for multi-segment variables). Nullopt when the path does not match.
  using Bindings = std::vector<std::pair<std::string, std::string>>;
  std::optional<Bindings> Match(std::string_view path) const;

  const std::string& text() const { return text_; }
  const std::string& verb() const { return verb_; }
  // Field paths of the variables, in order.
  std::vector<std::string> VariableFields() const;
  // The template in OpenAPI form: "/v1/employers/{id}" ("{name=shelves/*}" → "{name}",
  // "{employer.id}" → "{employer_id}").
  std::string OpenApiPath() const;
  // Literal segments count: more specific templates are tried first.
  int literal_count() const;

 private:
  enum class Kind { kLiteral, kSingle, kMulti };  // literal, "*", "**"
  struct Segment {
    Kind kind;
    std::string literal;
  };
  struct Variable {
    std::string field_path;
    size_t first_segment;
    size_t end_segment;  // exclusive
  };

  std::string text_;
  std::vector<Segment> segments_;
  std::vector<Variable> variables_;
  std::string verb_;
};

// The OpenAPI name of a path variable: dots become '_', because OpenAPI tools
// (schemathesis among them) fill "{a.b}" as attribute access. The wire format
// is unchanged; the document names the field path in x-osh-field-path.
std::string OpenApiName(std::string_view field_path);

// Percent-decodes one path segment or query component ("+" is only a space
// when `plus_is_space`). Nullopt for a malformed escape or a decoded NUL.
std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space);

}  // namespace osh::gateway
