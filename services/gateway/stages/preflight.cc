// preflight: CORS for the web console when it is served from another origin.
#include "stages.h"

namespace osh::gateway::stages {

bool Cors::Allows(const std::string& origin) const {
  for (const auto& allowed : allowed_origins_) {
    if (allowed == "*" || allowed == origin) return true;
  }
  return false;
}

Answer Cors::Preflight(const HttpRequest& request, const RouteTable& routes, const std::string& origin) const {
  if (request.method != "OPTIONS") return std::nullopt;
  std::string allow;
  for (const auto& m : routes.Find("OPTIONS", request.path).allowed_methods) allow += m + ", ";
  allow += "OPTIONS";
  HttpResponse r;
  r.status = 204;
  r.headers.emplace_back("allow", allow);
  if (!origin.empty() && Allows(origin)) {
    r.headers.emplace_back("access-control-allow-methods", allow);
    r.headers.emplace_back("access-control-allow-headers", "authorization, content-type, x-request-id, traceparent");
    r.headers.emplace_back("access-control-max-age", "600");
  }
  return r;
}

void Cors::Decorate(const std::string& origin, HttpResponse& response) const {
  if (origin.empty() || !Allows(origin)) return;
  response.headers.emplace_back("access-control-allow-origin", origin);
  response.headers.emplace_back("vary", "Origin");
  response.headers.emplace_back("access-control-expose-headers", "x-request-id, traceparent, retry-after, x-cache");
}

}  // namespace osh::gateway::stages
