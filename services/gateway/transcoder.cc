#include "transcoder.h"

#include <google/protobuf/util/json_util.h>

#include <nlohmann/json.hpp>

#include <memory>

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

bool IsDecimal(std::string_view s) {
  if (s.empty()) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

// A parameter's text as the JSON value protobuf's parser expects for `field`
// (which accepts numbers as strings, but not booleans or enum numbers as strings).
std::optional<nlohmann::json> JsonValueFor(const FieldDescriptor* field, const std::string& text, std::string* why) {
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_BOOL:
      if (text == "true" || text == "1") return true;
      if (text == "false" || text == "0") return false;
      *why = "must be true or false";
      return std::nullopt;
    case FieldDescriptor::CPPTYPE_ENUM:
      if (IsDecimal(text)) return std::stoll(text);
      return text;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (IsStringWellKnownType(field->message_type())) return text;
      *why = "is a message and cannot be given as a parameter";
      return std::nullopt;
    default:
      return text;
  }
}

// Sets `field_path` = `text` inside `root` (JSON with field json names).
std::optional<TranscodeError> SetParam(const Descriptor* message, const std::string& field_path,
                                       const std::string& text, bool from_path, nlohmann::json& root) {
  nlohmann::json* node = &root;
  std::string_view rest = field_path;
  while (true) {
    const auto dot = rest.find('.');
    const std::string part(rest.substr(0, dot));
    const FieldDescriptor* field = FindField(message, part);
    if (field == nullptr) {
      return TranscodeError{field_path, "unknown " + std::string(from_path ? "path variable" : "query parameter") +
                                            " '" + field_path + "'"};
    }
    if (dot != std::string_view::npos) {
      if (field->is_repeated() || field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
          IsStringWellKnownType(field->message_type())) {
        return TranscodeError{field_path, "'" + part + "' has no fields to name in '" + field_path + "'"};
      }
      node = &(*node)[field->json_name()];
      message = field->message_type();
      rest.remove_prefix(dot + 1);
      continue;
    }
    if (field->is_map()) return TranscodeError{field_path, "map field '" + field_path + "' cannot be a parameter"};
    std::string why;
    auto value = JsonValueFor(field, text, &why);
    if (!value) return TranscodeError{field_path, "'" + field_path + "' " + why};
    auto& slot = (*node)[field->json_name()];
    if (field->is_repeated()) {
      slot.push_back(std::move(*value));
    } else if (!slot.is_null()) {
      return TranscodeError{field_path, "'" + field_path + "' is given more than once"};
    } else {
      slot = std::move(*value);
    }
    return std::nullopt;
  }
}

std::string StatusText(const google::protobuf::util::Status& status) { return std::string(status.message()); }

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
                                           google::protobuf::Message* request) {
  google::protobuf::util::JsonParseOptions strict;
  strict.ignore_unknown_fields = false;
  const auto* input = request->GetDescriptor();

  // Protobuf strings and JSON are UTF-8; a client's stray bytes end here with a
  // 400 rather than deep inside a parser or a backend.
  if (auto bad = domain::Utf8Error(body)) return TranscodeError{"body", "the body is not " + *bad};
  for (const auto& [field_path, value] : bindings) {
    if (auto bad = domain::Utf8Error(value)) return TranscodeError{field_path, "'" + field_path + "' is not " + *bad};
  }
  for (const auto& [name, value] : query) {
    if (domain::Utf8Error(name)) return TranscodeError{"query", "a query parameter name is not valid UTF-8"};
    if (auto bad = domain::Utf8Error(value)) return TranscodeError{name, "'" + name + "' is not " + *bad};
  }

  if (route.body.empty()) {
    if (!body.empty()) return TranscodeError{"body", route.http_method + " " + route.path.text() + " takes no body"};
  } else {
    const std::string text = body.empty() ? "{}" : std::string(body);
    google::protobuf::Message* target = request;
    if (route.body != "*") {
      target = request->GetReflection()->MutableMessage(request, input->FindFieldByName(route.body));
    }
    const auto status = google::protobuf::util::JsonStringToMessage(text, target, strict);
    if (!status.ok()) return TranscodeError{"body", "invalid JSON body: " + StatusText(status)};
  }

  nlohmann::json params = nlohmann::json::object();
  for (const auto& [field_path, value] : bindings) {
    if (auto e = SetParam(input, field_path, value, true, params)) return e;
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
    bool bound_by_path = false;
    for (const auto& [field_path, unused] : bindings) bound_by_path |= field_path == name;
    if (bound_by_path) return TranscodeError{name, "'" + name + "' is already given in the path"};
    if (auto e = SetParam(input, name, value, false, params)) return e;
  }
  if (params.empty()) return std::nullopt;
  std::unique_ptr<google::protobuf::Message> overlay(request->New());
  const auto status = google::protobuf::util::JsonStringToMessage(params.dump(), overlay.get(), strict);
  if (!status.ok()) return TranscodeError{"query", "invalid parameter: " + StatusText(status)};
  // Path variables win over the same fields in the body.
  request->MergeFrom(*overlay);
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

}  // namespace osh::gateway
