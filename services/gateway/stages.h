#pragma once

#include <grpcpp/client_context.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http_errors.h"
#include "osh/auth/jwt.h"
#include "osh/cache/rate_limiter.h"
#include "osh/core/metrics.h"
#include "osh/core/trace.h"
#include "route_table.h"
#include "static_site.h"

namespace osh::cache {
class ResponseCache;
}  // namespace osh::cache

// The named stages a request passes through in the gateway, in order:
//   preflight → route → authenticate → limit → transcode → cache → forward.
// Each stage either lets the request go on or answers it (an Answer); none
// knows of the others or of the Gateway that runs them, so each is tested
// alone (tests/stages_test.cc). Gateway::Handle only strings them together and
// finishes every request the same way (headers, metrics, access log).
namespace osh::gateway::stages {

// nullopt: go on to the next stage; a response: the request ends here with it.
using Answer = std::optional<HttpResponse>;

// preflight: CORS. An OPTIONS request is answered here and never forwarded;
// every answer to an allowed origin carries the CORS headers.
class Cors {
 public:
  // Origins the web console is served from; "*" allows any.
  explicit Cors(std::vector<std::string> allowed_origins) : allowed_origins_(std::move(allowed_origins)) {}

  bool Allows(const std::string& origin) const;
  // For OPTIONS: 204 with the path's methods in Allow and, for an allowed
  // origin, the preflight headers. nullopt for every other method.
  Answer Preflight(const HttpRequest& request, const RouteTable& routes, const std::string& origin) const;
  // The headers that let an allowed origin's script read `response`.
  void Decorate(const std::string& origin, HttpResponse& response) const;

 private:
  std::vector<std::string> allowed_origins_;
};

// route: which gRPC method an HTTP request names. Requests no route owns are
// answered here: GET /openapi.json, the web console's files, 405 with Allow
// for a path that takes other methods, 404 otherwise.
struct Routing {
  Answer answer;
  const Route* route = nullptr;  // set exactly when answer is empty
  PathTemplate::Bindings bindings;
};
Routing RouteRequest(const HttpRequest& request, const RouteTable& routes, const std::string& openapi_json,
                     const StaticSite* site);

// authenticate: the caller from the bearer token. The backend verifies the
// token again; the gateway refuses early (401 with WWW-Authenticate) so that
// anonymous calls to routes that need a token, and forged tokens on any
// route, never reach a service.
struct Authentication {
  Answer answer;
  std::optional<auth::Principal> principal;  // empty: anonymous
};
Authentication Authenticate(const HttpRequest& request, bool allow_anonymous, const auth::TokenVerifier& verifier,
                            std::chrono::system_clock::time_point now);

// limit: the rate limit per caller (the token's subject, or the client's
// address for anonymous calls). Refusals are 429 with Retry-After in whole
// seconds, counted by which limiter decided (Redis or the local fallback).
class RateLimit {
 public:
  using Decide = std::function<cache::RateDecision(std::string_view key)>;
  RateLimit(Decide decide, core::MetricsRegistry& metrics);

  Answer Check(const std::optional<auth::Principal>& principal, const std::string& client_address);

 private:
  Decide decide_;
  core::Counter& limited_redis_;
  core::Counter& limited_local_;
  core::Counter& local_decisions_;
};

// transcode: the HTTP request as the route's gRPC request message. A JSON
// route sent a body of another content type is 415; a bad query string, path
// variable or body is 400 naming the field.
Answer Transcode(const HttpRequest& request, const Route& route, const PathTemplate::Bindings& bindings,
                 google::protobuf::Message* grpc_request);

// cache: cache-aside of cacheable GETs in Redis. The key covers the method,
// the caller and the request itself (deterministically serialised, so
// parameter order does not matter): an answer is only ever served to the
// caller it was computed for. Answers a service marks `cache-control:
// no-store` (personal data in clear) are never kept.
std::string CacheKey(const Route& route, const std::optional<auth::Principal>& principal,
                     const google::protobuf::Message& grpc_request);

class Cache {
 public:
  // `cache` null: no cache, every cacheable answer is "off".
  Cache(cache::ResponseCache* cache, core::MetricsRegistry& metrics);

  // What a lookup leaves for Keep: the key and the scope's generation, both
  // empty when the answer must not be stored (not cacheable, Redis away).
  struct Ticket {
    std::string key;
    int64_t generation = 0;
  };
  // A hit answers the request (200 with the cached body); a miss gives the
  // ticket to keep the answer with.
  Answer Lookup(const Route& route, const std::optional<auth::Principal>& principal,
                const google::protobuf::Message& grpc_request, Ticket* ticket);
  void Keep(const Route& route, const Ticket& ticket, const std::string& body);
  // A write went through, or events said so: drop the service's answers.
  void Invalidate(const std::string& service);
  // The X-Cache value of an answer from the backend: miss, off (no cache) or
  // null for routes that are not cacheable.
  const char* BackendState(const Route& route) const;

 private:
  cache::ResponseCache* cache_;
  core::Counter& hits_;
  core::Counter& misses_;
  core::Counter& unavailable_;
};

// forward: the backend call's context. The caller's token (re-verified by the
// service), the request id, the trace and the client chain travel as gRPC
// metadata; uploads and streamed downloads get their own, longer deadlines.
struct ForwardOptions {
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::milliseconds upload_timeout{300'000};
  std::chrono::milliseconds download_timeout{1'800'000};  // streamed exports: the whole transfer
};
void PrepareForward(const HttpRequest& request, const Route& route, const std::string& request_id,
                    const core::TraceContext& trace, const ForwardOptions& options, grpc::ClientContext& context);

// Whether the service marked its answer `cache-control: no-store`.
bool MarkedNoStore(const grpc::ClientContext& context);

}  // namespace osh::gateway::stages
