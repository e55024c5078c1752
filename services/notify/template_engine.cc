#include "template_engine.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "osh/domain/text.h"

namespace osh::notify {
namespace {

namespace pb = google::protobuf;
using FieldPath = std::vector<const pb::FieldDescriptor*>;

constexpr std::string_view kOpen = "{{";
constexpr std::string_view kClose = "}}";
constexpr std::string_view kListSeparator = ", ";
constexpr std::size_t kMaxListedChoices = 10;
// Placeholders echoed in error messages are cut to this many characters, so a
// runaway placeholder (say, a missing `}}` much later) does not flood the reply.
constexpr std::size_t kMaxEchoedChars = 64;
// China Standard Time has no daylight saving, so a fixed offset is exact.
constexpr std::chrono::hours kChinaOffset{8};
// google.protobuf.Timestamp's documented range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
constexpr std::int64_t kMinTimestampSeconds = -62135596800;
constexpr std::int64_t kMaxTimestampSeconds = 253402300799;

// ---- descriptors --------------------------------------------------------

bool IsTimestamp(const pb::Descriptor* type) { return type->full_name() == "google.protobuf.Timestamp"; }

bool IsMessage(const pb::FieldDescriptor* f) { return f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE; }

// A field a placeholder may end on.
bool IsLeaf(const pb::FieldDescriptor* f) {
  if (IsMessage(f)) return !f->is_repeated() && IsTimestamp(f->message_type());
  return f->type() != pb::FieldDescriptor::TYPE_BYTES;
}

// A field a path may pass through to reach a leaf.
bool IsTraversable(const pb::FieldDescriptor* f) { return IsMessage(f) && !f->is_repeated(); }

// The fields of `type` a path may continue with, spelled as full paths, so an
// author can copy one instead of guessing again.
std::string ListChoices(const pb::Descriptor* type, const std::string& prefix) {
  std::vector<std::string> choices;
  for (int i = 0; i < type->field_count(); ++i) {
    const pb::FieldDescriptor* f = type->field(i);
    if (IsLeaf(f) || IsTraversable(f)) choices.push_back(prefix + f->name());
  }
  if (choices.empty()) return "none";
  const std::size_t shown = std::min(choices.size(), kMaxListedChoices);
  std::string list = fmt::format("{}", fmt::join(choices.begin(), choices.begin() + shown, ", "));
  if (choices.size() > shown) list += fmt::format(" and {} more", choices.size() - shown);
  return list;
}

// The first leaf under a message field, for a "did you mean" hint.
std::optional<std::string> FirstLeaf(const pb::Descriptor* type, const std::string& prefix) {
  for (int i = 0; i < type->field_count(); ++i) {
    if (IsLeaf(type->field(i))) return prefix + type->field(i)->name();
  }
  return std::nullopt;
}

// Resolves dotted `segments` against `type`: the fields, or why not.
std::variant<FieldPath, std::string> Resolve(const std::vector<std::string_view>& segments,
                                             const pb::Descriptor* type) {
  FieldPath fields;
  std::string prefix;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const pb::FieldDescriptor* f = type->FindFieldByName(std::string(segments[i]));
    if (f == nullptr) {
      return fmt::format("{} has no field \"{}\"; valid here: {}", type->full_name(), segments[i],
                         ListChoices(type, prefix));
    }
    const std::string here = prefix + f->name();
    const bool last = i + 1 == segments.size();
    if (!last && !IsMessage(f)) {
      return fmt::format("{} is a scalar ({}) and has no fields", here, f->type_name());
    }
    if (f->is_repeated() && IsMessage(f)) {
      return fmt::format("{} is a {}; only repeated strings, numbers, bools and enums can be shown", here,
                         f->is_map() ? "map" : "repeated message");
    }
    if (last && IsMessage(f) && !IsTimestamp(f->message_type())) {
      const auto hint = FirstLeaf(f->message_type(), here + ".");
      return fmt::format("{} is a message ({}), not a value; name one of its fields{}", here,
                         f->message_type()->full_name(), hint ? ", e.g. " + *hint : std::string());
    }
    if (last && f->type() == pb::FieldDescriptor::TYPE_BYTES) {
      return fmt::format("{} holds bytes, which need not be text", here);
    }
    fields.push_back(f);
    type = IsMessage(f) ? f->message_type() : nullptr;
    prefix = here + ".";
  }
  return fields;
}

// ---- parsing ------------------------------------------------------------

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// The dot-separated segments of `path`, or nullopt when one is not an identifier.
std::optional<std::vector<std::string_view>> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  while (true) {
    const auto dot = path.find('.');
    const std::string_view segment = path.substr(0, dot);
    if (!IsIdentifier(segment)) return std::nullopt;
    segments.push_back(segment);
    if (dot == std::string_view::npos) return segments;
    path.remove_prefix(dot + 1);
  }
}

std::string Echo(std::string_view inner) {
  const std::string_view shown = domain::Utf8Prefix(inner, kMaxEchoedChars);
  return fmt::format("{{{{{}{}}}}}", shown, shown.size() < inner.size() ? "…" : "");
}

// Collects errors under one field name, prefixed with the placeholder they concern.
class ErrorSink {
 public:
  ErrorSink(std::vector<TemplateError>* errors, std::string_view field) : errors_(errors), field_(field) {}
  void Add(std::string message) {
    errors_->push_back({field_, std::move(message)});
    ++count_;
  }
  void AddAt(std::string_view inner, std::size_t offset, std::string_view reason) {
    Add(fmt::format("placeholder {} at byte {}: {}", Echo(inner), offset, reason));
  }
  bool any() const { return count_ > 0; }

 private:
  std::vector<TemplateError>* errors_;
  std::string field_;
  std::size_t count_ = 0;
};

// One placeholder's contents (between the braces, at byte `offset` of the text).
std::optional<CompiledTemplate::Placeholder> ParsePlaceholder(std::string_view inner, std::size_t offset,
                                                              const pb::Descriptor* event_type, ErrorSink& sink) {
  const std::string_view path = Trim(inner);
  if (path.empty()) {
    sink.AddAt(inner, offset, "is empty; write a field path such as {{" + FirstLeaf(event_type, "").value_or("id") +
                                  "}}");
    return std::nullopt;
  }
  const auto segments = SplitPath(path);
  if (!segments) {
    sink.AddAt(inner, offset, "is not a field path (names of letters, digits and _, joined by dots)");
    return std::nullopt;
  }
  auto resolved = Resolve(*segments, event_type);
  if (auto* why = std::get_if<std::string>(&resolved)) {
    sink.AddAt(inner, offset, *why);
    return std::nullopt;
  }
  return CompiledTemplate::Placeholder{std::string(path), std::move(std::get<FieldPath>(resolved))};
}

// ---- values -------------------------------------------------------------

// Appends `s`, with each byte that does not start a well-formed sequence
// replaced by U+FFFD: C++ setters do not check UTF-8, yet every channel
// (protobuf, JSON, email) refuses malformed text.
void AppendValidUtf8(std::string_view s, std::string& out) {
  if (!domain::Utf8Error(s)) {
    out.append(s);
    return;
  }
  std::size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<unsigned char>(s[i]);
    const std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    const std::string_view candidate = s.substr(i, length);
    if (candidate.size() == length && !domain::Utf8Error(candidate)) {
      out.append(candidate);
      i += length;
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
  }
}

template <typename Number>
std::string NumberText(Number n) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, n);  // shortest round-trip form for floats
  return ec == std::errc() ? std::string(buffer, end) : std::string();
}

// NaN and the infinities have no JSON form: a webhook body gets null for them
// (valid wherever a number is); people read "nan" and "inf".
template <typename Floating>
std::string FloatingText(Floating n, Escaping escaping) {
  if (escaping == Escaping::kJson && !std::isfinite(n)) return "null";
  return NumberText(n);
}

std::string EnumText(const pb::FieldDescriptor* f, int number) {
  const pb::EnumValueDescriptor* value = f->enum_type()->FindValueByNumber(number);
  // proto3 enums are open: a newer producer may send a value this build does not know.
  return value != nullptr ? value->name() : std::to_string(number);
}

// One scalar: the singular value when `index` < 0, else element `index`.
std::string ScalarText(const pb::Message& m, const pb::FieldDescriptor* f, int index, Escaping escaping) {
  const pb::Reflection* r = m.GetReflection();
  const bool one = index < 0;
  switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_INT32:
      return NumberText(one ? r->GetInt32(m, f) : r->GetRepeatedInt32(m, f, index));
    case pb::FieldDescriptor::CPPTYPE_INT64:
      return NumberText(one ? r->GetInt64(m, f) : r->GetRepeatedInt64(m, f, index));
    case pb::FieldDescriptor::CPPTYPE_UINT32:
      return NumberText(one ? r->GetUInt32(m, f) : r->GetRepeatedUInt32(m, f, index));
    case pb::FieldDescriptor::CPPTYPE_UINT64:
      return NumberText(one ? r->GetUInt64(m, f) : r->GetRepeatedUInt64(m, f, index));
    case pb::FieldDescriptor::CPPTYPE_DOUBLE:
      return FloatingText(one ? r->GetDouble(m, f) : r->GetRepeatedDouble(m, f, index), escaping);
    case pb::FieldDescriptor::CPPTYPE_FLOAT:
      return FloatingText(one ? r->GetFloat(m, f) : r->GetRepeatedFloat(m, f, index), escaping);
    case pb::FieldDescriptor::CPPTYPE_BOOL:
      return (one ? r->GetBool(m, f) : r->GetRepeatedBool(m, f, index)) ? "true" : "false";
    case pb::FieldDescriptor::CPPTYPE_ENUM:
      return EnumText(f, one ? r->GetEnumValue(m, f) : r->GetRepeatedEnumValue(m, f, index));
    case pb::FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& s =
          one ? r->GetStringReference(m, f, &scratch) : r->GetRepeatedStringReference(m, f, index, &scratch);
      std::string out;
      AppendValidUtf8(s, out);
      return out;
    }
    case pb::FieldDescriptor::CPPTYPE_MESSAGE: break;  // CompileTemplate lets only Timestamps through, handled apart
  }
  return {};
}

// RFC 3339 in China Standard Time, to the second: recipients read these, and
// the offset tells a machine reader the exact instant anyway.
std::string ChinaTimeText(const pb::Message& timestamp) {
  const pb::Descriptor* d = timestamp.GetDescriptor();
  const std::int64_t unix_seconds = timestamp.GetReflection()->GetInt64(timestamp, d->FindFieldByName("seconds"));
  if (unix_seconds < kMinTimestampSeconds || unix_seconds > kMaxTimestampSeconds) return {};  // not a time at all
  using namespace std::chrono;
  const sys_seconds local{seconds{unix_seconds} + kChinaOffset};
  const sys_days day = floor<days>(local);
  const year_month_day ymd{day};
  const hh_mm_ss hms{local - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+08:00", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count());
}

std::string ValueText(const pb::Message& event, const FieldPath& fields, Escaping escaping) {
  const pb::Message* m = &event;
  for (std::size_t i = 0; i + 1 < fields.size(); ++i) {
    // An unset message reads as its default instance: its values are empty, not missing.
    m = &m->GetReflection()->GetMessage(*m, fields[i]);
  }
  const pb::FieldDescriptor* f = fields.back();
  const pb::Reflection* r = m->GetReflection();
  if (f->is_repeated()) {
    std::string joined;
    for (int i = 0; i < r->FieldSize(*m, f); ++i) {
      if (i > 0) joined += kListSeparator;
      joined += ScalarText(*m, f, i, escaping);
    }
    return joined;
  }
  if (IsMessage(f)) {
    // An absent time is not 1970-01-01: leave it blank.
    return r->HasField(*m, f) ? ChinaTimeText(r->GetMessage(*m, f)) : std::string();
  }
  return ScalarText(*m, f, -1, escaping);
}

// ---- escaping -----------------------------------------------------------

void AppendHtml(std::string_view s, std::string& out) {
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
}

void AppendJson(std::string_view s, std::string& out) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += fmt::format("\\u{:04x}", c);
        } else if (c == 0xE2 && s.substr(i + 1, 2) == "\x80\xA8") {
          // U+2028/U+2029 are valid JSON but end a line in JavaScript, where
          // receivers often paste payloads.
          out += "\\u2028";
          i += 2;
        } else if (c == 0xE2 && s.substr(i + 1, 2) == "\x80\xA9") {
          out += "\\u2029";
          i += 2;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

void AppendEscaped(std::string_view value, Escaping escaping, std::string& out) {
  switch (escaping) {
    case Escaping::kPlainText: out.append(value); return;
    case Escaping::kHtml: AppendHtml(value, out); return;
    case Escaping::kJson: AppendJson(value, out); return;
  }
}

void CollectVariables(const pb::Descriptor* type, const std::string& prefix, int depth, std::vector<std::string>& out) {
  for (int i = 0; i < type->field_count(); ++i) {
    const pb::FieldDescriptor* f = type->field(i);
    if (IsLeaf(f)) {
      out.push_back(prefix + f->name());
    } else if (IsTraversable(f) && depth < kMaxListedPathDepth) {
      CollectVariables(f->message_type(), prefix + f->name() + ".", depth + 1, out);
    }
  }
}

}  // namespace

std::vector<std::string> CompiledTemplate::paths() const {
  std::vector<std::string> out;
  for (const Piece& piece : pieces_) {
    if (const auto* p = std::get_if<Placeholder>(&piece)) out.push_back(p->path);
  }
  return out;
}

std::optional<CompiledTemplate> CompileTemplate(std::string_view text, const pb::Descriptor* event_type,
                                                std::vector<TemplateError>* errors, std::string_view field_name) {
  std::vector<TemplateError> ignored;
  ErrorSink sink(errors != nullptr ? errors : &ignored, field_name);
  if (event_type == nullptr) {
    sink.Add("names no event type to check its placeholders against");
    return std::nullopt;
  }
  if (text.size() > kMaxTemplateBytes) {
    sink.Add(fmt::format("is {} bytes, more than the {} allowed", text.size(), kMaxTemplateBytes));
    return std::nullopt;
  }
  if (const auto bad = domain::Utf8Error(text)) {
    sink.Add(*bad);
    return std::nullopt;
  }
  std::vector<CompiledTemplate::Piece> pieces;
  std::string literal;
  std::size_t placeholders = 0;
  std::size_t pos = 0;
  while (true) {
    const std::size_t open = text.find(kOpen, pos);
    literal.append(text.substr(pos, open - pos));
    if (open == std::string_view::npos) break;
    const std::size_t close = text.find(kClose, open + kOpen.size());
    if (close == std::string_view::npos) {
      // Nothing after an unclosed `{{` can be parsed with confidence; one error says it all.
      sink.Add(fmt::format("{{{{ at byte {} is never closed with }}}}", open));
      return std::nullopt;
    }
    if (++placeholders > kMaxPlaceholders) {
      sink.Add(fmt::format("has more than {} placeholders (number {} is at byte {})", kMaxPlaceholders, placeholders,
                           open));
      return std::nullopt;
    }
    const std::string_view inner = text.substr(open + kOpen.size(), close - open - kOpen.size());
    if (auto placeholder = ParsePlaceholder(inner, open, event_type, sink)) {
      if (!literal.empty()) pieces.emplace_back(std::exchange(literal, {}));
      pieces.emplace_back(std::move(*placeholder));
    }
    pos = close + kClose.size();
  }
  if (sink.any()) return std::nullopt;
  if (!literal.empty()) pieces.emplace_back(std::move(literal));
  return CompiledTemplate(event_type, std::move(pieces));
}

std::string Render(const CompiledTemplate& t, const pb::Message& event, Escaping escaping) {
  if (event.GetDescriptor() != t.event_type()) {
    // Reflection with another type's field descriptors would crash the process.
    throw std::invalid_argument(fmt::format("template is for {}, event is {}", t.event_type()->full_name(),
                                            event.GetDescriptor()->full_name()));
  }
  std::string out;
  for (const CompiledTemplate::Piece& piece : t.pieces()) {
    if (const auto* literal = std::get_if<std::string>(&piece)) {
      out += *literal;
    } else {
      AppendEscaped(ValueText(event, std::get<CompiledTemplate::Placeholder>(piece).fields, escaping), escaping, out);
    }
  }
  return out;
}

std::vector<std::string> AvailableVariables(const pb::Descriptor* event_type) {
  std::vector<std::string> out;
  CollectVariables(event_type, "", 1, out);
  return out;
}

namespace {

void Fill(google::protobuf::Message& m, int depth, bool negative) {
  using google::protobuf::FieldDescriptor;
  const auto* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    const int copies = f->is_repeated() ? 2 : 1;
    for (int c = 0; c < copies; ++c) {
      switch (f->cpp_type()) {
        case FieldDescriptor::CPPTYPE_STRING:
          f->is_repeated() ? r->AddString(&m, f, "a \"b\" c") : r->SetString(&m, f, "a \"b\" c");
          break;
        case FieldDescriptor::CPPTYPE_INT32:
          f->is_repeated() ? r->AddInt32(&m, f, negative ? -12 : 12) : r->SetInt32(&m, f, negative ? -12 : 12);
          break;
        case FieldDescriptor::CPPTYPE_INT64:
          f->is_repeated() ? r->AddInt64(&m, f, negative ? -12 : 12) : r->SetInt64(&m, f, negative ? -12 : 12);
          break;
        case FieldDescriptor::CPPTYPE_UINT32:
          f->is_repeated() ? r->AddUInt32(&m, f, 12) : r->SetUInt32(&m, f, 12);
          break;
        case FieldDescriptor::CPPTYPE_UINT64:
          f->is_repeated() ? r->AddUInt64(&m, f, 12) : r->SetUInt64(&m, f, 12);
          break;
        case FieldDescriptor::CPPTYPE_DOUBLE:
          f->is_repeated() ? r->AddDouble(&m, f, negative ? -1.5 : 1.5) : r->SetDouble(&m, f, negative ? -1.5 : 1.5);
          break;
        case FieldDescriptor::CPPTYPE_FLOAT:
          f->is_repeated() ? r->AddFloat(&m, f, negative ? -1.5F : 1.5F) : r->SetFloat(&m, f, negative ? -1.5F : 1.5F);
          break;
        case FieldDescriptor::CPPTYPE_BOOL:
          f->is_repeated() ? r->AddBool(&m, f, true) : r->SetBool(&m, f, true);
          break;
        case FieldDescriptor::CPPTYPE_ENUM: {
          const auto* e = f->enum_type();
          const auto* v = e->value(e->value_count() > 1 ? 1 : 0);
          f->is_repeated() ? r->AddEnum(&m, f, v) : r->SetEnum(&m, f, v);
          break;
        }
        case FieldDescriptor::CPPTYPE_MESSAGE:
          if (depth < 3) {
            Fill(f->is_repeated() ? *r->AddMessage(&m, f) : *r->MutableMessage(&m, f), depth + 1, negative);
          }
          break;
      }
    }
  }
}

}  // namespace

std::unique_ptr<google::protobuf::Message> FilledSample(const google::protobuf::Descriptor* event_type,
                                                        bool negative) {
  std::unique_ptr<google::protobuf::Message> m(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(event_type)->New());
  Fill(*m, 0, negative);
  return m;
}

bool RendersJsonWhateverTheValues(const CompiledTemplate& t) {
  const auto* empty = google::protobuf::MessageFactory::generated_factory()->GetPrototype(t.event_type());
  return nlohmann::json::accept(Render(t, *empty, Escaping::kJson)) &&
         nlohmann::json::accept(Render(t, *FilledSample(t.event_type()), Escaping::kJson)) &&
         nlohmann::json::accept(Render(t, *FilledSample(t.event_type(), /*negative=*/true), Escaping::kJson));
}

}  // namespace osh::notify
