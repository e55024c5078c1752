#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "osh/cache/rate_limiter.h"

#include "backends.h"
#include "client_address.h"
#include "http_errors.h"
#include "osh/auth/jwt.h"
#include "osh/core/metrics.h"
#include "route_table.h"
#include "stages.h"
#include "static_site.h"
#include "transcoder.h"

namespace osh::gateway {

// The request pipeline of the HTTP/JSON front, as the named stages of
// stages.h: preflight (CORS), route (the protos' google.api.http rules),
// authenticate, limit, transcode, cache, forward, then the backend's answer.
// Every request ends in exactly one response, a JSON body (or a file) with a
// request id and trace, one access log line and metrics.
class Gateway {
 public:
  struct Options {
    std::chrono::milliseconds request_timeout{10'000};
    // Origins the web console is served from; "*" allows any.
    std::vector<std::string> cors_allowed_origins;
    bool access_log = true;
    // Proxies (load balancer, ingress) in front of the gateway that append to
    // X-Forwarded-For; 0 trusts none and takes the socket's peer as the client.
    int trusted_proxy_hops = 0;
    // Uploads (routes whose body is a google.api.HttpBody, e.g. bulk import):
    // their largest body, refused with 413 from the Content-Length before it
    // is read, and the deadline of their backend call.
    uint64_t upload_body_limit_bytes = 256ULL << 20;
    std::chrono::milliseconds upload_timeout{300'000};
    // Downloads streamed from a backend (exports): the deadline of the whole
    // transfer, as a slow client slows the backend's stream down.
    std::chrono::milliseconds download_timeout{1'800'000};
  };
  struct Parts {
    const RouteTable* routes;
    Backends* backends;
    const auth::TokenVerifier* verifier;
    cache::ResponseCache* cache;     // null: no cache
    // The rate limit: Redis's token bucket with its local fallback, or local
    // buckets alone when the deployment runs without Redis.
    std::function<cache::RateDecision(std::string_view key)> rate_limit;
    core::MetricsRegistry* metrics;
    std::string openapi_json;
    // The web console served at `/` for GETs of paths no route owns; null: none.
    const StaticSite* site = nullptr;
  };

  Gateway(Options options, Parts parts);
  ~Gateway();

  void Handle(HttpRequest&& request, Respond respond);

  // The http::HeaderCheck of the gateway: a request with a body, on a route
  // that needs a token, without a valid one, is answered 401 (exactly as
  // Handle answers it) before its body is read.
  std::optional<HttpResponse> CheckHeaders(const HttpRequest& head, uint64_t* body_limit);

  // Drops cached answers of `service` (a write went through, or its events said so).
  void Invalidate(const std::string& service);

 private:
  struct Call;
  void Finish(Call& call, HttpResponse response, const char* cache_state);
  void FinishDownload(Call& call, RawBody raw);
  // A download route: the backend's stream of parts becomes a chunked body.
  void StartStreamedDownload(const std::shared_ptr<Call>& call);
  // The service's content-disposition metadata as a header, when it is safe to send.
  static void AddDisposition(const Call& call, HttpResponse& response);
  void OnBackendDone(std::shared_ptr<Call> call, const grpc::Status& status);

  Options options_;
  Parts parts_;
  stages::Cors cors_;
  stages::RateLimit limit_;
  stages::Cache cache_;
};

}  // namespace osh::gateway
