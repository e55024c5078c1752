#include "transcoder.h"

#include <google/protobuf/util/json_util.h>

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <set>
#include <vector>

#include "osh/domain/text.h"

namespace osh::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

// Well-known types whose JSON form is a string, so a query parameter can carry them.
bool IsStringWellKnownType(const Descriptor* d) {
  const auto& n = d->full_name();
  return n == "google.protobuf.Timestamp" || n == "google.protobuf.Duration" || n == "google.protobuf.FieldMask" ||
         n == "google.protobuf.StringValue" || n == "google.protobuf.BytesValue" ||
         n == "google.protobuf.Int64Value" || n == "google.protobuf.UInt64Value" ||
         n == "google.protobuf.Int32Value" || n == "google.protobuf.UInt32Value" ||
         n == "google.protobuf.DoubleValue" || n == "google.protobuf.FloatValue";
}

// By proto name ("page_size") or JSON name ("pageSize"), as the JSON parser accepts both.
const FieldDescriptor* FindField(const Descriptor* message, const std::string& name) {
  if (const auto* f = message->FindFieldByName(name)) return f;
  for (int i = 0; i < message->field_count(); ++i) {
    if (message->field(i)->json_name() == name) return message->field(i);
  }
  return nullptr;
}

template <typename T>
std::optional<T> ParseNumber(const std::string& text) {
  T value{};
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<double> ParseDouble(const std::string& text) {
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "Infinity") return std::numeric_limits<double>::infinity();
  if (text == "-Infinity") return -std::numeric_limits<double>::infinity();
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// Sets (or adds to, when repeated) one leaf field from a parameter's text, by
// reflection: scalars as protobuf's JSON mapping reads them, bytes and the
// well-known types with a string form through the JSON parser.
std::optional<std::string> SetLeaf(google::protobuf::Message* message, const FieldDescriptor* field,
                                   const std::string& text) {
  const auto* r = message->GetReflection();
  const bool repeated = field->is_repeated();
  const auto integer_error = std::optional<std::string>("must be an integer in range");
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      if (field->type() == FieldDescriptor::TYPE_BYTES) break;  // base64: the JSON parser's job
      repeated ? r->AddString(message, field, text) : r->SetString(message, field, text);
      return std::nullopt;
    case FieldDescriptor::CPPTYPE_BOOL: {
      if (text != "true" && text != "false" && text != "1" && text != "0") return "must be true or false";
      const bool v = text == "true" || text == "1";
      repeated ? r->AddBool(message, field, v) : r->SetBool(message, field, v);
      return std::nullopt;
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      auto v = ParseNumber<int32_t>(text);
      if (!v) return integer_error;
      repeated ? r->AddInt32(message, field, *v) : r->SetInt32(message, field, *v);
      return std::nullopt;
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      auto v = ParseNumber<int64_t>(text);
      if (!v) return integer_error;
      repeated ? r->AddInt64(message, field, *v) : r->SetInt64(message, field, *v);
      return std::nullopt;
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      auto v = ParseNumber<uint32_t>(text);
      if (!v) return integer_error;
      repeated ? r->AddUInt32(message, field, *v) : r->SetUInt32(message, field, *v);
      return std::nullopt;
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      auto v = ParseNumber<uint64_t>(text);
      if (!v) return integer_error;
      repeated ? r->AddUInt64(message, field, *v) : r->SetUInt64(message, field, *v);
      return std::nullopt;
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      auto v = ParseDouble(text);
      if (!v) return "must be a number";
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
        repeated ? r->AddDouble(message, field, *v) : r->SetDouble(message, field, *v);
      } else {
        const auto f = static_cast<float>(*v);
        repeated ? r->AddFloat(message, field, f) : r->SetFloat(message, field, f);
      }
      return std::nullopt;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      int number = 0;
      if (const auto* value = field->enum_type()->FindValueByName(text)) {
        number = value->number();
      } else if (auto n = ParseNumber<int32_t>(text); n && field->enum_type()->FindValueByNumber(*n)) {
        number = *n;
      } else {
        return "is not a value of " + field->enum_type()->name();
      }
      repeated ? r->AddEnumValue(message, field, number) : r->SetEnumValue(message, field, number);
      return std::nullopt;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (!IsStringWellKnownType(field->message_type())) return "is a message and cannot be given as a parameter";
      break;
  }
  // Bytes and string-form well-known types: let protobuf's JSON parser read the
  // text as the JSON string it stands for.
  std::unique_ptr<google::protobuf::Message> holder(message->New());
  const std::string json = "{" + nlohmann::json(field->json_name()).dump() + ":" +
                           (repeated ? "[" + nlohmann::json(text).dump() + "]" : nlohmann::json(text).dump()) + "}";
  google::protobuf::util::JsonParseOptions strict;
  const auto status = google::protobuf::util::JsonStringToMessage(json, holder.get(), strict);
  if (!status.ok()) return "is not valid: " + std::string(status.message());
  if (!repeated) r->ClearField(message, field);
  message->MergeFrom(*holder);  // holder has nothing but this field set
  return std::nullopt;
}

// Sets `field_path` = `text` in `request`; `assigned` catches a singular field given twice.
std::optional<TranscodeError> SetParam(google::protobuf::Message* request, const std::string& field_path,
                                       const std::string& text, bool from_path, std::set<std::string>& assigned) {
  google::protobuf::Message* message = request;
  std::string_view rest = field_path;
  while (true) {
    const auto dot = rest.find('.');
    const std::string part(rest.substr(0, dot));
    const FieldDescriptor* field = FindField(message->GetDescriptor(), part);
    if (field == nullptr) {
      return TranscodeError{field_path, "unknown " + std::string(from_path ? "path variable" : "query parameter") +
                                            " '" + field_path + "'"};
    }
    if (dot != std::string_view::npos) {
      if (field->is_repeated() || field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
          IsStringWellKnownType(field->message_type())) {
        return TranscodeError{field_path, "'" + part + "' has no fields to name in '" + field_path + "'"};
      }
      message = message->GetReflection()->MutableMessage(message, field);
      rest.remove_prefix(dot + 1);
      continue;
    }
    if (field->is_map()) return TranscodeError{field_path, "map field '" + field_path + "' cannot be a parameter"};
    if (!field->is_repeated() && !from_path && !assigned.insert(field_path).second) {
      return TranscodeError{field_path, "'" + field_path + "' is given more than once"};
    }
    if (auto why = SetLeaf(message, field, text)) return TranscodeError{field_path, "'" + field_path + "' " + *why};
    return std::nullopt;
  }
}

// Protobuf's JSON errors quote the input around the error, cut by bytes: a
// cut inside a character would make the client's 400 invalid UTF-8. Then only
// the first line (protobuf's own words) is kept.
std::string StatusText(const google::protobuf::util::Status& status) {
  std::string text(status.message());
  if (domain::Utf8Error(text)) text = text.substr(0, text.find('\n'));
  if (domain::Utf8Error(text)) return "the body is not valid JSON for this request";
  return text;
}

}  // namespace

std::optional<QueryParams> ParseQuery(std::string_view query, std::string* error) {
  QueryParams params;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto key = PercentDecode(pair.substr(0, eq), true);
    auto value = PercentDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!key || !value || key->empty()) {
      const auto shown = pair.substr(0, 64);
      *error = domain::Utf8Error(shown) ? "malformed query parameter"
                                        : "malformed query parameter '" + std::string(shown) + "'";
      return std::nullopt;
    }
    params.emplace_back(std::move(*key), std::move(*value));
  }
  return params;
}

std::optional<TranscodeError> BuildRequest(const Route& route, const PathTemplate::Bindings& bindings,
                                           const QueryParams& query, std::string_view body,
                                           google::protobuf::Message* request, std::string_view content_type) {
  google::protobuf::util::JsonParseOptions strict;
  strict.ignore_unknown_fields = false;
  const auto* input = request->GetDescriptor();
  const bool file = TakesFile(route);

  // Protobuf strings and JSON are UTF-8; a client's stray bytes end here with a
  // 400 rather than deep inside a parser or a backend. A file is bytes: the
  // service reads it in the charset it names.
  if (!file) {
    if (auto bad = domain::Utf8Error(body)) return TranscodeError{"body", "the body is not " + *bad};
  }
  for (const auto& [field_path, value] : bindings) {
    if (auto bad = domain::Utf8Error(value)) return TranscodeError{field_path, "'" + field_path + "' is not " + *bad};
  }
  for (const auto& [name, value] : query) {
    if (domain::Utf8Error(name)) return TranscodeError{"query", "a query parameter name is not valid UTF-8"};
    if (auto bad = domain::Utf8Error(value)) return TranscodeError{name, "'" + name + "' is not " + *bad};
  }

  if (route.body.empty()) {
    if (!body.empty()) return TranscodeError{"body", route.http_method + " " + route.path.text() + " takes no body"};
  } else if (file) {
    google::protobuf::Message* target = request;
    if (route.body != "*") {
      target = request->GetReflection()->MutableMessage(request, input->FindFieldByName(route.body));
    }
    if (domain::Utf8Error(content_type) || domain::HasControlCharacters(content_type)) {
      return TranscodeError{"content-type", "the content-type header is not plain text"};
    }
    const auto* d = target->GetDescriptor();
    target->GetReflection()->SetString(target, d->FindFieldByName("content_type"), std::string(content_type));
    target->GetReflection()->SetString(target, d->FindFieldByName("data"), std::string(body));
  } else {
    const std::string text = body.empty() ? "{}" : std::string(body);
    google::protobuf::Message* target = request;
    if (route.body != "*") {
      target = request->GetReflection()->MutableMessage(request, input->FindFieldByName(route.body));
    }
    const auto status = google::protobuf::util::JsonStringToMessage(text, target, strict);
    if (!status.ok()) return TranscodeError{"body", "invalid JSON body: " + StatusText(status)};
  }

  // Path variables win over the same fields in the body; query parameters
  // name only fields the body does not carry.
  std::set<std::string> assigned;
  for (const auto& [field_path, value] : bindings) {
    if (auto e = SetParam(request, field_path, value, true, assigned)) return e;
  }
  for (const auto& [name, value] : query) {
    if (route.body == "*") {
      return TranscodeError{name, "query parameter '" + name + "' is not accepted: the JSON body carries every field"};
    }
    const auto top = name.substr(0, name.find('.'));
    const auto* top_field = FindField(input, top);
    if (!route.body.empty() && top_field != nullptr && top_field->name() == route.body) {
      return TranscodeError{name, "query parameter '" + name + "' belongs in the JSON body"};
    }
    for (const auto& [field_path, unused] : bindings) {
      if (field_path == name) return TranscodeError{name, "'" + name + "' is already given in the path"};
    }
    if (auto e = SetParam(request, name, value, false, assigned)) return e;
  }
  return std::nullopt;
}

std::string RenderResponse(const Route& route, const google::protobuf::Message& response) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = false;
  std::string out;
  const google::protobuf::Message* shown = &response;
  if (!route.response_body.empty()) {
    const auto* field = response.GetDescriptor()->FindFieldByName(route.response_body);
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !field->is_repeated()) {
      shown = &response.GetReflection()->GetMessage(response, field);
    }
  }
  (void)google::protobuf::util::MessageToJsonString(*shown, &out, options);
  return out;
}

bool IsHttpBody(const google::protobuf::Descriptor* message) {
  return message != nullptr && message->full_name() == "google.api.HttpBody";
}

bool TakesFile(const Route& route) {
  if (route.body.empty() || route.method == nullptr) return false;
  const auto* input = route.method->input_type();
  if (route.body == "*") return IsHttpBody(input);
  const auto* field = input->FindFieldByName(route.body);
  return field != nullptr && !field->is_repeated() && IsHttpBody(field->message_type());
}

std::optional<RawBody> RawBodyOf(const Route& route, const google::protobuf::Message& response) {
  const google::protobuf::Message* body = &response;
  if (!route.response_body.empty()) {
    const auto* field = response.GetDescriptor()->FindFieldByName(route.response_body);
    if (field == nullptr || field->is_repeated() || field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
      return std::nullopt;
    }
    body = &response.GetReflection()->GetMessage(response, field);
  }
  const auto* descriptor = body->GetDescriptor();
  if (!IsHttpBody(descriptor)) return std::nullopt;
  // By reflection, so the gateway needs no generated code of its own for it.
  const auto* reflection = body->GetReflection();
  RawBody raw;
  raw.content_type = reflection->GetString(*body, descriptor->FindFieldByName("content_type"));
  raw.data = reflection->GetString(*body, descriptor->FindFieldByName("data"));
  if (raw.content_type.empty() || raw.content_type.find_first_of("\r\n") != std::string::npos) {
    raw.content_type = "application/octet-stream";
  }
  return raw;
}

}  // namespace osh::gateway
