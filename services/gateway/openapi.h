#pragma once

#include <string>

#include "route_table.h"

namespace osh::gateway {

struct OpenApiInfo {
  std::string title = "osh-platform API";
  std::string version = "v1";
  std::string description;
};

// An OpenAPI 3.0 document of every route, generated from the same descriptors
// the gateway routes by, so the document cannot drift from what is served.
// Schemas follow protobuf's JSON mapping (lowerCamelCase names, 64-bit
// integers as strings, enums by name, well-known types in their JSON form).
std::string BuildOpenApi(const RouteTable& routes, const OpenApiInfo& info);

}  // namespace osh::gateway
