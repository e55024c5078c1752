#include "route_table.h"

#include <algorithm>

#include "compiled_services.h"
#include "google/api/annotations.pb.h"
#include "osh/api/v1/http_policy.pb.h"

namespace osh::gateway {
namespace {

using google::protobuf::FieldDescriptor;

std::optional<Route> RouteFromRule(const google::protobuf::MethodDescriptor* method, const google::api::HttpRule& rule,
                                   std::string* error) {
  Route route;
  std::string path;
  switch (rule.pattern_case()) {
    case google::api::HttpRule::kGet: route.http_method = "GET"; path = rule.get(); break;
    case google::api::HttpRule::kPost: route.http_method = "POST"; path = rule.post(); break;
    case google::api::HttpRule::kPut: route.http_method = "PUT"; path = rule.put(); break;
    case google::api::HttpRule::kPatch: route.http_method = "PATCH"; path = rule.patch(); break;
    case google::api::HttpRule::kDelete: route.http_method = "DELETE"; path = rule.delete_(); break;
    case google::api::HttpRule::kCustom:
      route.http_method = rule.custom().kind();
      path = rule.custom().path();
      break;
    default:
      *error = method->full_name() + ": http rule without a pattern";
      return std::nullopt;
  }
  std::string template_error;
  auto parsed = PathTemplate::Parse(path, &template_error);
  if (!parsed) {
    *error = method->full_name() + ": " + template_error + " in \"" + path + "\"";
    return std::nullopt;
  }
  route.path = std::move(*parsed);
  route.method = method;
  route.service = method->service()->full_name();
  route.grpc_path = "/" + route.service + "/" + method->name();
  route.body = rule.body();
  route.response_body = rule.response_body();

  const auto* input = method->input_type();
  for (const auto& field_path : route.path.VariableFields()) {
    const auto* field = ResolveFieldPath(input, field_path);
    if (field == nullptr || field->is_repeated() || field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      *error = method->full_name() + ": path variable '" + field_path + "' is not a singular scalar field of " +
               input->full_name();
      return std::nullopt;
    }
  }
  if (!route.body.empty() && route.body != "*") {
    const auto* field = input->FindFieldByName(route.body);
    if (field == nullptr || field->is_repeated() || field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
      *error = method->full_name() + ": body '" + route.body + "' is not a message field of " + input->full_name();
      return std::nullopt;
    }
  }
  if (!route.response_body.empty() && method->output_type()->FindFieldByName(route.response_body) == nullptr) {
    *error = method->full_name() + ": response_body '" + route.response_body + "' is not a field";
    return std::nullopt;
  }
  // The one stream HTTP carries: a server stream of file parts, sent on as a chunked body.
  const bool download_stream = method->server_streaming() && !method->client_streaming() &&
                               method->output_type()->full_name() == "google.api.HttpBody" &&
                               route.response_body.empty();
  if (method->client_streaming() || (method->server_streaming() && !download_stream)) {
    *error = method->full_name() +
             ": streaming methods are not served over HTTP/JSON, but for a server stream of google.api.HttpBody";
    return std::nullopt;
  }
  route.server_streaming = method->server_streaming();
  const auto& policy = method->options().GetExtension(osh::api::v1::http_policy);
  route.allow_anonymous = policy.allow_anonymous();
  route.cache_ttl_seconds = policy.cache_ttl_seconds();
  return route;
}

}  // namespace

const FieldDescriptor* ResolveFieldPath(const google::protobuf::Descriptor* message, std::string_view field_path) {
  const FieldDescriptor* field = nullptr;
  while (true) {
    const auto dot = field_path.find('.');
    field = message->FindFieldByName(std::string(field_path.substr(0, dot)));
    if (field == nullptr || dot == std::string_view::npos) return field;
    if (field->is_repeated() || field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return nullptr;
    message = field->message_type();
    field_path.remove_prefix(dot + 1);
  }
}

std::optional<RouteTable> RouteTable::FromServices(const std::vector<std::string>& services, std::string* error) {
  RouteTable table;
  (void)CompiledServices();  // links the descriptors in
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const auto& name : services) {
    const auto* service = pool->FindServiceByName(name);
    if (service == nullptr) {
      *error = "unknown gRPC service " + name + " (not compiled into this gateway)";
      return std::nullopt;
    }
    for (int i = 0; i < service->method_count(); ++i) {
      const auto* method = service->method(i);
      if (!method->options().HasExtension(google::api::http)) continue;  // gRPC only
      const auto& rule = method->options().GetExtension(google::api::http);
      std::vector<const google::api::HttpRule*> rules = {&rule};
      for (const auto& extra : rule.additional_bindings()) rules.push_back(&extra);
      for (const auto* r : rules) {
        auto route = RouteFromRule(method, *r, error);
        if (!route) return std::nullopt;
        for (const auto& existing : table.routes_) {
          if (existing.http_method == route->http_method && existing.path.OpenApiPath() == route->path.OpenApiPath()) {
            *error = "routes " + existing.grpc_path + " and " + route->grpc_path + " both bind " +
                     route->http_method + " " + route->path.text();
            return std::nullopt;
          }
        }
        table.routes_.push_back(std::move(*route));
      }
    }
  }
  std::stable_sort(table.routes_.begin(), table.routes_.end(), [](const Route& a, const Route& b) {
    return a.path.literal_count() > b.path.literal_count();
  });
  return table;
}

RouteTable::Match RouteTable::Find(std::string_view http_method, std::string_view path) const {
  Match match;
  for (const auto& route : routes_) {
    auto bindings = route.path.Match(path);
    if (!bindings) continue;
    if (route.http_method == http_method) {
      match.route = &route;
      match.bindings = std::move(*bindings);
      match.allowed_methods.clear();
      return match;
    }
    if (std::find(match.allowed_methods.begin(), match.allowed_methods.end(), route.http_method) ==
        match.allowed_methods.end()) {
      match.allowed_methods.push_back(route.http_method);
    }
  }
  return match;
}

}  // namespace osh::gateway
