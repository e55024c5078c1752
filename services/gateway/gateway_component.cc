#include "gateway_component.h"

#include "backends.h"
#include "gateway.h"
#include "osh/http/http_server.h"
#include "openapi.h"
#include "osh/auth/jwt.h"
#include "osh/cache/rate_limiter.h"
#include "osh/cache/redis_client.h"
#include "osh/cache/response_cache.h"
#include "osh/core/log.h"
#include "osh/events/listener.h"
#include "osh/service/grpc_front.h"
#include "route_table.h"

namespace osh::gateway {

using http::HttpServer;

std::vector<core::ConfigKey> ConfigKeys() {
  auto keys = service::TokenConfigKeys();
  keys.insert(keys.end(), {
      {"http-address", "127.0.0.1:8080", "host:port of the HTTP/JSON API (port 0: any)"},
      {"http-threads", "2", "I/O threads of the HTTP server"},
      {"upstreams",
       "osh.registry.v1.RegistryService=127.0.0.1:7101,osh.registry.v1.SupervisionService=127.0.0.1:7101,"
       "osh.reporting.v1.ReportingService=127.0.0.1:7105",
       "gRPC services served, as <full service name>=<host:port>, comma separated"},
      {"channels-per-upstream", "2", "gRPC channels (HTTP/2 connections) to each upstream"},
      {"request-timeout-ms", "10000", "deadline of each backend call"},
      {"header-limit-bytes", "16384", "largest request header block"},
      {"body-limit-bytes", "1048576", "largest request body"},
      {"upload-body-limit-bytes", "268435456",
       "largest upload (a route whose body is a file, e.g. POST /v1/imports/employers); over it: 413 before "
       "the body is read. Uploads also count against body-bytes-in-flight(-per-client)"},
      {"upload-timeout-ms", "300000", "deadline of the backend call of an upload"},
      {"download-timeout-ms", "1800000", "deadline of a streamed download (an export) from first to last byte"},
      {"idle-timeout-ms", "60000", "how long a keep-alive connection may wait for its next request"},
      {"header-timeout-ms", "10000", "how long a request's header may take to arrive once it began"},
      {"read-timeout-ms", "30000", "how long a request's body may take to arrive once its header was read"},
      {"max-connections", "2048", "HTTP connections open at once (0: no limit; over it: 503)"},
      {"max-connections-per-client", "256",
       "HTTP connections open at once from one client address, the TCP peer (0: no limit; over it: 429)"},
      {"body-bytes-in-flight", "67108864",
       "bytes of request bodies being read or answered at once (0: no limit; over it: 503)"},
      {"body-bytes-in-flight-per-client", "8388608",
       "the same from one client address (over it: 429); 0 or at least body-limit-bytes"},
      {"trusted-proxy-hops", "0",
       "proxies in front that append to X-Forwarded-For (the client address of anonymous rate limits and logs)"},
      {"web-root", "", "directory of the built web console (web/dist) served at /; empty: no console"},
      {"web-connect-src", "",
       "origins beside its own the console may call (the OpenID Connect provider), space separated"},
      {"cors-allowed-origins", "", "origins of the web console allowed by CORS, comma separated ('*': any)"},
      {"redis-address", "127.0.0.1:6379", "Redis for the response cache and rate limits; empty disables both"},
      {"redis-password-file", "", "file holding the Redis password (else OSH_REDIS_PASSWORD, else none)"},
      {"cache", "true", "serve cacheable GETs from Redis (cache-aside)"},
      {"rate-limit-per-second", "50", "token-bucket refill per principal (or client address when anonymous)"},
      {"rate-limit-capacity", "100", "token-bucket burst per principal"},
      {"rate-limit-local-per-second", "50",
       "the per-replica fallback refill when Redis is unavailable (burst: rate-limit-capacity)"},
      {"kafka-brokers", "",
       "Kafka bootstrap servers; when set, each upstream's events (osh.<service>.events) drop its cached answers"},
      {"consumer-group", "", "Kafka consumer group of the cache invalidation (default gateway-<province>)"},
  });
  return keys;
}

bool Wire(core::ServiceHost& host, std::string* error) {
  const auto& config = host.config();

  const auto* verifier = service::AdoptTokenVerifier(host, error);
  if (verifier == nullptr) return false;

  auto upstreams = Backends::ParseUpstreams(config.GetString("upstreams"), error);
  if (!upstreams) return false;
  std::vector<std::string> services;
  for (const auto& [service, unused] : *upstreams) services.push_back(service);
  auto routes = RouteTable::FromServices(services, error);
  if (!routes) return false;
  auto& routes_ref = host.Adopt(std::make_unique<RouteTable>(std::move(*routes)));
  OpenApiInfo info;
  info.description = "HTTP/JSON API of osh-platform (province " + config.GetString("province") +
                     "), generated from the gRPC services' google.api.http rules.";
  std::string openapi = BuildOpenApi(routes_ref, info);

  auto& backends = host.Adopt(
      std::make_unique<Backends>(*upstreams, static_cast<int>(config.GetInt("channels-per-upstream"))));

  // Redis is optional at run time: without it the gateway serves uncached and
  // limits locally, and says so in /readyz.
  cache::RedisClient* redis = nullptr;
  cache::ResponseCache* response_cache = nullptr;
  cache::RateLimitOptions limit_options;
  limit_options.refill_per_second = static_cast<double>(config.GetInt("rate-limit-per-second"));
  limit_options.capacity = static_cast<double>(config.GetInt("rate-limit-capacity"));
  limit_options.local_refill_per_second = static_cast<double>(config.GetInt("rate-limit-local-per-second"));
  limit_options.local_capacity = limit_options.capacity;
  std::function<cache::RateDecision(std::string_view)> rate_limit;
  if (const auto address = config.GetString("redis-address"); !address.empty()) {
    cache::RedisOptions redis_options;
    redis_options.address = address;
    if (const auto file = config.GetString("redis-password-file"); !file.empty()) {
      redis_options.password = auth::LoadSecret(file, "", error);
      if (redis_options.password.empty()) return false;
    } else if (const char* env = std::getenv("OSH_REDIS_PASSWORD")) {
      redis_options.password = env;
    }
    redis = &host.Adopt(std::make_unique<cache::RedisClient>(redis_options, &host.metrics()));
    if (config.GetBool("cache")) {
      response_cache = &host.Adopt(std::make_unique<cache::ResponseCache>(*redis, cache::ResponseCacheOptions{},
                                                                          &host.metrics()));
    }
    auto& limiter = host.Adopt(std::make_unique<cache::RateLimiter>(*redis, limit_options, &host.metrics()));
    rate_limit = [&limiter](std::string_view key) { return limiter.Allow(key); };
  } else {
    auto& local = host.Adopt(std::make_unique<cache::LocalTokenBuckets>(
        limit_options.local_capacity, limit_options.local_refill_per_second, limit_options.local_max_keys));
    rate_limit = [&local](std::string_view key) { return local.Take(key); };
  }

  const StaticSite* site = nullptr;
  if (const auto web_root = config.GetString("web-root"); !web_root.empty()) {
    auto loaded = StaticSite::Load({.root = web_root, .extra_connect_src = config.GetString("web-connect-src")}, error);
    if (!loaded) return false;
    site = &host.Adopt(std::move(loaded));
  }

  Gateway::Options options;
  options.request_timeout = std::chrono::milliseconds(config.GetInt("request-timeout-ms"));
  options.cors_allowed_origins = core::SplitList(config.GetString("cors-allowed-origins"));
  options.access_log = config.GetBool("access-log");
  options.trusted_proxy_hops = static_cast<int>(config.GetInt("trusted-proxy-hops"));
  options.upload_body_limit_bytes = static_cast<uint64_t>(config.GetInt("upload-body-limit-bytes"));
  options.upload_timeout = std::chrono::milliseconds(config.GetInt("upload-timeout-ms"));
  options.download_timeout = std::chrono::milliseconds(config.GetInt("download-timeout-ms"));
  auto& gateway = host.Adopt(std::make_unique<Gateway>(
      options, Gateway::Parts{.routes = &routes_ref,
                              .backends = &backends,
                              .verifier = verifier,
                              .cache = response_cache,
                              .rate_limit = std::move(rate_limit),
                              .metrics = &host.metrics(),
                              .openapi_json = std::move(openapi),
                              .site = site}));

  // Writes that do not pass through this gateway (another replica's are seen
  // through Redis already; transfers imported from other provinces are not)
  // reach the cache through the owning service's events.
  if (const auto brokers = config.GetString("kafka-brokers"); !brokers.empty() && response_cache != nullptr) {
    std::map<std::string, std::vector<std::string>> services_of_topic;
    for (const auto& service : services) {
      // "osh.registry.v1.RegistryService" is owned by "registry", whose events are osh.registry.events.
      const auto first = service.find('.');
      const auto second = service.find('.', first + 1);
      if (first == std::string::npos || second == std::string::npos) continue;
      services_of_topic[events::TopicFor(service.substr(first + 1, second - first - 1))].push_back(service);
    }
    events::EventListener::Options listen;
    listen.brokers = brokers;
    listen.group_id = config.GetString("consumer-group").empty() ? "gateway-" + config.GetString("province")
                                                                  : config.GetString("consumer-group");
    for (const auto& [topic, unused] : services_of_topic) listen.topics.push_back(topic);
    auto& listener = host.Adopt(std::make_unique<events::EventListener>(
        listen,
        [&gateway, services_of_topic](const events::Event& event) {
          if (auto it = services_of_topic.find(event.topic); it != services_of_topic.end()) {
            for (const auto& service : it->second) gateway.Invalidate(service);
          }
        },
        &host.metrics()));
    if (!listener.Start(error)) return false;
  }

  HttpServer::Options http_options;
  http_options.address = config.GetString("http-address");
  http_options.threads = static_cast<int>(config.GetInt("http-threads"));
  http_options.header_limit_bytes = static_cast<uint32_t>(config.GetInt("header-limit-bytes"));
  http_options.body_limit_bytes = static_cast<uint64_t>(config.GetInt("body-limit-bytes"));
  http_options.idle_timeout = std::chrono::milliseconds(config.GetInt("idle-timeout-ms"));
  http_options.header_timeout = std::chrono::milliseconds(config.GetInt("header-timeout-ms"));
  http_options.read_timeout = std::chrono::milliseconds(config.GetInt("read-timeout-ms"));
  http_options.max_connections = static_cast<int>(config.GetInt("max-connections"));
  http_options.max_connections_per_client = static_cast<int>(config.GetInt("max-connections-per-client"));
  http_options.max_body_bytes_in_flight = static_cast<uint64_t>(config.GetInt("body-bytes-in-flight"));
  http_options.max_body_bytes_in_flight_per_client =
      static_cast<uint64_t>(config.GetInt("body-bytes-in-flight-per-client"));
  if (!http::CheckAdmissionLimits(http_options, error)) return false;
  auto& http = host.Adopt(std::make_unique<HttpServer>(
      http_options,
      [&gateway](HttpRequest&& request, Respond respond) { gateway.Handle(std::move(request), std::move(respond)); },
      [&gateway](const HttpRequest& head, uint64_t* body_limit) { return gateway.CheckHeaders(head, body_limit); }));
  if (!http.Start(error)) return false;
  host.ready_info()["http_port"] = http.port();
  host.AddDrainHook([&http](std::chrono::milliseconds deadline) { http.Stop(deadline); });

  auto& connections = host.metrics().GetGauge("osh_http_open_connections", "HTTP connections open now");
  host.SetReadinessDetail([redis, response_cache, &backends, &http, &connections] {
    connections.Set(static_cast<double>(http.open_connections()));
    const bool redis_up = redis != nullptr && redis->up();
    return nlohmann::json{
        {"redis", redis == nullptr ? "disabled" : redis_up ? "up" : "down"},
        {"cache", response_cache != nullptr && redis_up ? "on" : "off"},
        {"rate_limit", redis_up ? "redis" : "local"},
        {"upstreams", backends.State()},
    };
  });
  return true;
}

}  // namespace osh::gateway
