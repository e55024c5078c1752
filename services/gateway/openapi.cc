#include "openapi.h"

#include "transcoder.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <utility>
#include <vector>

namespace osh::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using nlohmann::json;

class SchemaBuilder {
 public:
  // A schema for a field's JSON value (one element when the field is repeated).
  json ForFieldValue(const FieldDescriptor* field) {
    switch (field->type()) {
      case FieldDescriptor::TYPE_STRING: return {{"type", "string"}};
      case FieldDescriptor::TYPE_BYTES: return {{"type", "string"}, {"format", "byte"}};
      case FieldDescriptor::TYPE_BOOL: return {{"type", "boolean"}};
      case FieldDescriptor::TYPE_INT32:
      case FieldDescriptor::TYPE_SINT32:
      case FieldDescriptor::TYPE_SFIXED32: return {{"type", "integer"}, {"format", "int32"}};
      case FieldDescriptor::TYPE_UINT32:
      case FieldDescriptor::TYPE_FIXED32:
        return {{"type", "integer"}, {"format", "int64"}, {"minimum", 0}, {"maximum", 4294967295LL}};
      case FieldDescriptor::TYPE_INT64:
      case FieldDescriptor::TYPE_SINT64:
      case FieldDescriptor::TYPE_SFIXED64:
        return {{"type", "string"}, {"format", "int64"}, {"pattern", "^-?[0-9]{1,19}$"}};
      case FieldDescriptor::TYPE_UINT64:
      case FieldDescriptor::TYPE_FIXED64:
        return {{"type", "string"}, {"format", "uint64"}, {"pattern", "^[0-9]{1,20}$"}};
      case FieldDescriptor::TYPE_FLOAT: return {{"type", "number"}, {"format", "float"}};
      case FieldDescriptor::TYPE_DOUBLE: return {{"type", "number"}, {"format", "double"}};
      case FieldDescriptor::TYPE_ENUM: {
        json values = json::array();
        const auto* e = field->enum_type();
        for (int i = 0; i < e->value_count(); ++i) values.push_back(e->value(i)->name());
        return {{"type", "string"}, {"enum", values}};
      }
      default: return ForMessage(field->message_type());
    }
  }

  json ForField(const FieldDescriptor* field) {
    if (field->is_map()) {
      return {{"type", "object"}, {"additionalProperties", ForFieldValue(field->message_type()->map_value())}};
    }
    if (field->is_repeated()) return {{"type", "array"}, {"items", ForFieldValue(field)}};
    return ForFieldValue(field);
  }

  // A $ref to the message's component schema (built once), or the inline JSON
  // form of a well-known type.
  json ForMessage(const Descriptor* message) {
    const auto& name = message->full_name();
    if (name == "google.protobuf.Timestamp") return {{"type", "string"}, {"format", "date-time"}};
    if (name == "google.protobuf.Duration") return {{"type", "string"}, {"pattern", "^-?[0-9]+(\\.[0-9]{1,9})?s$"}};
    if (name == "google.protobuf.FieldMask") return {{"type", "string"}};
    if (name == "google.protobuf.Empty") return {{"type", "object"}, {"additionalProperties", false}};
    if (name == "google.protobuf.Struct") return {{"type", "object"}};
    if (name == "google.protobuf.Value") return json::object();
    if (name == "google.protobuf.Any") return {{"type", "object"}, {"properties", {{"@type", {{"type", "string"}}}}}};
    if (name.rfind("google.protobuf.", 0) == 0 && name.size() > 5 && name.substr(name.size() - 5) == "Value") {
      return ForFieldValue(message->FindFieldByName("value"));
    }
    if (!components_.contains(name)) {
      components_[name] = json::object();  // placeholder: recursive messages terminate
      json properties = json::object();
      for (int i = 0; i < message->field_count(); ++i) {
        const auto* f = message->field(i);
        properties[f->json_name()] = ForField(f);
      }
      components_[name] = {{"type", "object"}, {"properties", properties}, {"additionalProperties", false}};
    }
    return {{"$ref", "#/components/schemas/" + name}};
  }

  json& components() { return components_; }

 private:
  json components_ = json::object();
};

// Query parameters for every leaf field not bound by the path or the body,
// nested messages flattened with dots (two levels deep).
void AddQueryParameters(SchemaBuilder& schemas, const Descriptor* message, const std::string& prefix,
                        const std::set<std::string>& excluded, int depth, json& parameters) {
  for (int i = 0; i < message->field_count(); ++i) {
    const auto* f = message->field(i);
    const std::string name = prefix + f->name();
    if (excluded.count(name) || f->is_map()) continue;
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      auto schema = schemas.ForFieldValue(f);
      if (!schema.contains("$ref")) {  // a well-known type with a string form
        parameters.push_back({{"name", name}, {"in", "query"}, {"required", false}, {"schema", schemas.ForField(f)}});
      } else if (!f->is_repeated() && depth < 2) {
        AddQueryParameters(schemas, f->message_type(), name + ".", excluded, depth + 1, parameters);
      }
      continue;
    }
    json p = {{"name", name}, {"in", "query"}, {"required", false}, {"schema", schemas.ForField(f)}};
    if (f->is_repeated()) {
      p["style"] = "form";
      p["explode"] = true;
    }
    parameters.push_back(std::move(p));
  }
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

std::string BuildOpenApi(const RouteTable& routes, const OpenApiInfo& info) {
  SchemaBuilder schemas;
  json paths = json::object();
  std::set<std::string> operation_ids;
  // OpenAPI treats "/v1/employers/{id}" and "/v1/employers/{employer_id}" as one
  // path: routes of the same shape share the first one's parameter names.
  std::map<std::string, std::pair<std::string, std::vector<std::string>>> by_shape;  // shape → key, names
  for (const auto& route : routes.routes()) {
    const auto* input = route.method->input_type();
    const auto fields = route.path.VariableFields();
    std::vector<std::string> names;
    for (const auto& f : fields) names.push_back(OpenApiName(f));
    std::string key = route.path.OpenApiPath();
    std::string shape;
    bool in_variable = false;
    for (const char c : key) {
      if (c == '{') shape += "{}";
      in_variable = (in_variable || c == '{') && c != '}';
      if (!in_variable && c != '}') shape += c;
    }
    if (auto it = by_shape.find(shape); it != by_shape.end()) {
      key = it->second.first;
      names = it->second.second;
    } else {
      by_shape[shape] = {key, names};
    }
    json parameters = json::array();
    std::set<std::string> excluded;
    for (size_t i = 0; i < fields.size(); ++i) {
      const auto& field_path = fields[i];
      excluded.insert(field_path);
      json parameter = {{"name", names[i]},
                        {"in", "path"},
                        {"required", true},
                        {"schema", schemas.ForFieldValue(ResolveFieldPath(input, field_path))}};
      if (parameter["name"] != field_path) parameter["x-osh-field-path"] = field_path;
      parameters.push_back(std::move(parameter));
    }
    json operation = json::object();
    if (route.body.empty()) {
      AddQueryParameters(schemas, input, "", excluded, 0, parameters);
    } else if (TakesFile(route) && route.body != "*") {
      // An upload: the body is the file itself, in the media type it is.
      excluded.insert(route.body);
      AddQueryParameters(schemas, input, "", excluded, 0, parameters);
      const json binary = {{"schema", {{"type", "string"}, {"format", "binary"}}}};
      operation["requestBody"] = {{"required", true},
                                  {"content", {{"text/csv", binary}, {"application/x-ndjson", binary}}}};
    } else if (route.body != "*") {
      excluded.insert(route.body);
      AddQueryParameters(schemas, input, "", excluded, 0, parameters);
      operation["requestBody"] = {
          {"required", true},
          {"content",
           {{"application/json", {{"schema", schemas.ForMessage(input->FindFieldByName(route.body)->message_type())}}}}}};
    } else {
      operation["requestBody"] = {{"required", true},
                                  {"content", {{"application/json", {{"schema", schemas.ForMessage(input)}}}}}};
    }
    json response_schema = schemas.ForMessage(route.method->output_type());
    if (!route.response_body.empty()) {
      response_schema = schemas.ForField(route.method->output_type()->FindFieldByName(route.response_body));
    }
    std::string operation_id = route.method->name();
    if (operation_ids.count(operation_id)) operation_id = route.service + "." + operation_id;
    operation_ids.insert(operation_id);
    operation["operationId"] = operation_id;
    operation["tags"] = json::array({route.method->service()->name()});
    operation["summary"] = route.grpc_path;
    operation["parameters"] = parameters;
    // A google.api.HttpBody answer is a file whose type the service chooses
    // (text/csv, text/html …): any media type, as bytes.
    const bool file = IsHttpBody(route.response_body.empty()
                                     ? route.method->output_type()
                                     : route.method->output_type()->FindFieldByName(route.response_body)->message_type());
    json ok_content = {{"application/json", {{"schema", response_schema}}}};
    if (file) ok_content = {{"*/*", {{"schema", {{"type", "string"}, {"format", "binary"}}}}}};
    operation["responses"] = {
        {"200", {{"description", file ? "The file, with its content type and Content-Disposition" : "OK"},
                 {"content", ok_content}}},
        {"default",
         {{"description", "An error: the gRPC status code, a message and details (e.g. field violations)"},
          {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}}}};
    if (route.allow_anonymous) operation["security"] = json::array({json::object(), {{"bearer", json::array()}}});
    if (route.cacheable()) operation["x-osh-cache-ttl-seconds"] = route.cache_ttl_seconds;
    paths[key][Lower(route.http_method)] = std::move(operation);
  }
  json& components = schemas.components();
  components["Error"] = {
      {"type", "object"},
      {"required", {"code", "message"}},
      {"properties",
       {{"code", {{"type", "integer"}, {"description", "gRPC status code"}}},
        {"message", {{"type", "string"}}},
        {"details", {{"type", "array"}, {"items", {{"type", "object"}}}}}}}};
  json doc = {
      {"openapi", "3.0.3"},
      {"info", {{"title", info.title}, {"version", info.version}, {"description", info.description}}},
      {"paths", paths},
      {"components",
       {{"schemas", components},
        {"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}, {"bearerFormat", "JWT"}}}}}}},
      {"security", json::array({{{"bearer", json::array()}}})},
  };
  return doc.dump();
}

}  // namespace osh::gateway
