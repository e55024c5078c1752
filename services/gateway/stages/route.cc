// route: from an HTTP method and path to the gRPC method the protos bind there.
#include "stages.h"

namespace osh::gateway::stages {

Routing RouteRequest(const HttpRequest& request, const RouteTable& routes, const std::string& openapi_json,
                     const StaticSite* site) {
  Routing routing;
  if (request.path == "/openapi.json" && request.method == "GET") {
    HttpResponse r;
    r.headers.emplace_back("content-type", "application/json");
    r.body = openapi_json;
    routing.answer = std::move(r);
    return routing;
  }
  auto match = routes.Find(request.method, request.path);
  if (match.route != nullptr) {
    routing.route = match.route;
    routing.bindings = std::move(match.bindings);
    return routing;
  }
  if (!match.allowed_methods.empty()) {
    std::string allow;
    for (const auto& m : match.allowed_methods) allow += (allow.empty() ? "" : ", ") + m;
    auto r = ErrorResponse(
        grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "method " + request.method + " is not allowed on " + request.path));
    r.status = 405;
    r.headers.emplace_back("allow", allow);
    routing.answer = std::move(r);
  } else if (site != nullptr && request.method == "GET" && StaticSite::Owns(request.path)) {
    routing.answer = site->Serve(request.path, request.Header("accept-encoding"));
  } else {
    routing.answer = ErrorResponse(
        grpc::Status(grpc::StatusCode::NOT_FOUND, "no route for " + request.method + " " + request.path));
  }
  return routing;
}

}  // namespace osh::gateway::stages
