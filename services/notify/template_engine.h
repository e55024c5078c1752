#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

namespace osh::notify {

// Notification templates: text with `{{path}}` placeholders, where `path` is a
// dotted field path into the event message that triggers the notification
// (`{{title}}`, `{{ employer.credit_code }}`). There is no escape syntax: a
// lone `{` or `}` is literal text and an unclosed `{{` is an authoring error.
//
// Templates are checked against the event's descriptor when they are saved,
// not when an event arrives, so an author learns of a typo at once instead of
// subscribers receiving a half-filled message later.

// How substituted values are escaped; the template's own text never is.
enum class Escaping {
  kPlainText,  // in-app inbox and plain-text email
  kHtml,       // HTML email
  kJson,       // inside a JSON string of a webhook payload (no surrounding quotes)
};

struct TemplateError {
  std::string field;    // "subject", "body", ... as passed to CompileTemplate
  std::string message;  // names the placeholder, its byte offset and the reason
};

inline constexpr std::size_t kMaxTemplateBytes = 16 * 1024;
inline constexpr std::size_t kMaxPlaceholders = 100;
// Paths AvailableVariables offers are at most this many segments long, so
// recursive messages do not make the listing endless.
inline constexpr int kMaxListedPathDepth = 3;

// A template whose placeholders all resolve to fields of `event_type()`.
class CompiledTemplate {
 public:
  struct Placeholder {
    std::string path;                                      // "employer.credit_code"
    std::vector<const google::protobuf::FieldDescriptor*> fields;  // one per segment
  };
  using Piece = std::variant<std::string, Placeholder>;  // literal text or a placeholder

  const google::protobuf::Descriptor* event_type() const { return event_type_; }
  const std::vector<Piece>& pieces() const { return pieces_; }
  // The placeholder paths in order of appearance (repeats included).
  std::vector<std::string> paths() const;

 private:
  friend std::optional<CompiledTemplate> CompileTemplate(std::string_view, const google::protobuf::Descriptor*,
                                                         std::vector<TemplateError>*, std::string_view);
  CompiledTemplate(const google::protobuf::Descriptor* event_type, std::vector<Piece> pieces)
      : event_type_(event_type), pieces_(std::move(pieces)) {}

  const google::protobuf::Descriptor* event_type_;
  std::vector<Piece> pieces_;
};

// Parses `text` and resolves every placeholder against `event_type`. Each path
// segment must name a field; every segment but the last a singular message
// field; the last a scalar (string, number, bool, enum; repeated allowed, shown
// joined with ", ") or a singular google.protobuf.Timestamp. Bytes fields are
// refused: they need not be text. Text must be valid UTF-8 of at most 16 KiB
// with at most 100 placeholders. On failure returns nullopt and appends to
// `errors` one entry per problem, each with `field_name` as its field.
std::optional<CompiledTemplate> CompileTemplate(std::string_view text, const google::protobuf::Descriptor* event_type,
                                                std::vector<TemplateError>* errors, std::string_view field_name);

// Fills the placeholders from `event` by reflection: enums by value name (the
// number when the value is unknown), google.protobuf.Timestamp as RFC 3339 in
// China Standard Time ("2026-11-25T09:30:00+08:00"; empty when unset), bools as
// true/false, integers in decimal, floating point in its shortest exact form
// (NaN and infinities as null with Escaping::kJson). Each value is escaped per `escaping`, and
// invalid UTF-8 in string fields becomes U+FFFD, so the output is always valid
// UTF-8. Throws std::invalid_argument when `event` is not of the template's type.
std::string Render(const CompiledTemplate& t, const google::protobuf::Message& event, Escaping escaping);

// An event of `event_type` with every scalar field set (strings with a quote
// and a space, numbers 12 and 1.5, or -12 and -1.5 when `negative`, repeated
// fields twice, messages three levels deep): what a webhook body must still
// render to JSON with, beside the empty event.
std::unique_ptr<google::protobuf::Message> FilledSample(const google::protobuf::Descriptor* event_type,
                                                        bool negative = false);

// True when the template renders to JSON (Escaping::kJson) for the empty
// event and for both filled samples. Then it does for every event of its type:
// text placeholders sit inside JSON strings, numbers where a number may stand
// whatever its sign (not after a '-' or a digit), NaN and infinities render
// as null. Webhook bodies must pass this when they are saved.
bool RendersJsonWhateverTheValues(const CompiledTemplate& t);

// Every path a template for `event_type` may use, in field order, at most
// kMaxListedPathDepth segments deep: for error messages and the API's listing.
std::vector<std::string> AvailableVariables(const google::protobuf::Descriptor* event_type);

}  // namespace osh::notify
