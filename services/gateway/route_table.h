#pragma once

#include <google/protobuf/descriptor.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "path_template.h"

namespace osh::gateway {

// One HTTP binding of a gRPC method, read from its google.api.http rule (and
// each additional_binding) plus the platform's osh.api.v1.http_policy.
struct Route {
  std::string http_method;  // GET, POST, PUT, PATCH, DELETE
  PathTemplate path;
  const google::protobuf::MethodDescriptor* method = nullptr;
  std::string grpc_path;      // "/osh.registry.v1.RegistryService/GetEmployer"
  std::string service;        // "osh.registry.v1.RegistryService": which backend serves it
  std::string body;           // "" (no body), "*" (the whole request) or a top-level field name
  std::string response_body;  // "" (the whole response) or a top-level field name
  bool allow_anonymous = false;
  uint32_t cache_ttl_seconds = 0;
  // The method answers a stream of google.api.HttpBody parts: a download
  // relayed as a chunked HTTP body (download_stream.h), never cached.
  bool server_streaming = false;

  bool cacheable() const { return http_method == "GET" && cache_ttl_seconds > 0; }
};

class RouteTable {
 public:
  // Reads the rules of `services` (full names) from the generated descriptor
  // pool. Fails with *error on an unknown service, a malformed template, a
  // variable or body naming no field, or two routes that would shadow each other.
  static std::optional<RouteTable> FromServices(const std::vector<std::string>& services, std::string* error);

  struct Match {
    const Route* route = nullptr;  // null when nothing matched
    PathTemplate::Bindings bindings;
    // When the path matched other methods only: those methods (for 405 + Allow).
    std::vector<std::string> allowed_methods;
  };
  // Literal-richer templates first, so "/v1/employers:byCreditCode/{c}" wins over "/v1/employers/{id}".
  Match Find(std::string_view http_method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// Resolves a dotted field path ("employer.id") from `message`; null when a part
// is missing or a non-final part is not a singular message.
const google::protobuf::FieldDescriptor* ResolveFieldPath(const google::protobuf::Descriptor* message,
                                                          std::string_view field_path);

}  // namespace osh::gateway
