#include "gateway.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "http_errors.h"
#include "osh/auth/grpc_auth.h"
#include "osh/cache/response_cache.h"
#include "osh/core/config.h"
#include "osh/core/ids.h"
#include "osh/core/log.h"
#include "osh/core/trace.h"
#include "transcoder.h"

namespace osh::gateway {
namespace {

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("content-type", "application/json");
  r.body = std::move(body);
  return r;
}

bool IsJsonContentType(const std::string& value) {
  std::string lower = value.substr(0, value.find(';'));
  lower.erase(std::remove(lower.begin(), lower.end(), ' '), lower.end());
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower == "application/json" || (lower.size() > 5 && lower.substr(lower.size() - 5) == "+json");
}

// X-Forwarded-For entries, blanks around each trimmed ("a, b" is two addresses).
std::vector<std::string> ForwardedChain(const std::string& header) {
  std::vector<std::string> chain;
  for (const auto& item : core::SplitList(header)) {
    const auto first = item.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    chain.push_back(item.substr(first, item.find_last_not_of(" \t") - first + 1));
  }
  return chain;
}

}  // namespace

std::string ClientAddress(const std::string& peer, const std::string* forwarded_for, int trusted_proxy_hops) {
  if (trusted_proxy_hops <= 0 || forwarded_for == nullptr) return peer;
  auto chain = ForwardedChain(*forwarded_for);
  chain.push_back(peer);
  const auto back = static_cast<size_t>(trusted_proxy_hops);
  return back < chain.size() ? chain[chain.size() - 1 - back] : chain.front();
}

std::string ForwardedFor(const std::string& peer, const std::string* forwarded_for) {
  if (forwarded_for == nullptr || ForwardedChain(*forwarded_for).empty()) return peer;
  return *forwarded_for + ", " + peer;
}

struct Gateway::Metrics {
  explicit Metrics(core::MetricsRegistry& r)
      : registry(r),
        cache_hits(r.GetCounter("osh_gateway_cache_requests_total", "Cacheable GETs by outcome", {{"result", "hit"}})),
        cache_misses(r.GetCounter("osh_gateway_cache_requests_total", "Cacheable GETs by outcome", {{"result", "miss"}})),
        cache_unavailable(
            r.GetCounter("osh_gateway_cache_requests_total", "Cacheable GETs by outcome", {{"result", "unavailable"}})),
        limited_redis(r.GetCounter("osh_gateway_rate_limited_total", "Requests refused by the rate limit",
                                   {{"limiter", "redis"}})),
        limited_local(r.GetCounter("osh_gateway_rate_limited_total", "Requests refused by the rate limit",
                                   {{"limiter", "local"}})),
        local_decisions(r.GetCounter("osh_gateway_rate_limit_local_decisions_total",
                                     "Rate-limit decisions taken by the local fallback (Redis unavailable)")) {}

  void Record(const std::string& route, int status, double seconds) {
    registry.GetCounter("osh_http_requests_total", "HTTP requests by route and status",
                        {{"route", route}, {"code", std::to_string(status)}})
        .Inc();
    registry.GetHistogram("osh_http_request_duration_seconds", "HTTP request latency by route", {{"route", route}})
        .Observe(seconds);
  }

  core::MetricsRegistry& registry;
  core::Counter& cache_hits;
  core::Counter& cache_misses;
  core::Counter& cache_unavailable;
  core::Counter& limited_redis;
  core::Counter& limited_local;
  core::Counter& local_decisions;
};

// One request from routing to the answer; shared with the backend completion.
struct Gateway::Call {
  std::string request_id;
  // The gateway's span of the request's W3C trace: continues the client's
  // traceparent or starts the trace; passed on to the service in gRPC metadata.
  core::TraceContext trace;
  std::string method;
  std::string path;
  std::string origin;
  std::string remote;
  std::string subject;
  const Route* route = nullptr;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  Respond respond;
  grpc::ClientContext context;
  std::unique_ptr<google::protobuf::Message> request;
  std::unique_ptr<google::protobuf::Message> response;
  std::string cache_key;  // empty: not cached
  int64_t cache_generation = 0;
};

Gateway::Gateway(Options options, Parts parts)
    : options_(std::move(options)), parts_(std::move(parts)), metrics_(std::make_unique<Metrics>(*parts_.metrics)) {}

Gateway::~Gateway() = default;

bool Gateway::OriginAllowed(const std::string& origin) const {
  for (const auto& allowed : options_.cors_allowed_origins) {
    if (allowed == "*" || allowed == origin) return true;
  }
  return false;
}

void Gateway::Finish(Call& call, HttpResponse response, const char* cache_state) {
  response.headers.emplace_back("x-request-id", call.request_id);
  response.headers.emplace_back(core::kTraceparentHeader, call.trace.Traceparent());
  if (!call.origin.empty() && OriginAllowed(call.origin)) {
    response.headers.emplace_back("access-control-allow-origin", call.origin);
    response.headers.emplace_back("vary", "Origin");
    response.headers.emplace_back("access-control-expose-headers", "x-request-id, traceparent, retry-after, x-cache");
  }
  if (cache_state != nullptr) response.headers.emplace_back("x-cache", cache_state);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - call.start).count();
  const std::string route = call.route != nullptr ? call.route->method->name() : "unmatched";
  metrics_->Record(route, response.status, seconds);
  if (options_.access_log) {
    nlohmann::json line = {{"request_id", call.request_id}, {"trace_id", call.trace.trace_id},
                           {"span_id", call.trace.span_id}, {"method", call.method}, {"path", call.path},
                           {"route", route},                {"status", response.status},
                           {"duration_ms", std::round(seconds * 1e6) / 1e3},
                           {"remote", call.remote}};
    if (!call.subject.empty()) line["subject"] = call.subject;
    if (cache_state != nullptr) line["cache"] = cache_state;
    core::log::Info("http", line);
  }
  call.respond(std::move(response));
}

void Gateway::Invalidate(const std::string& service) {
  if (parts_.cache != nullptr) parts_.cache->Invalidate(service);
}

std::optional<HttpResponse> Gateway::CheckHeaders(const HttpRequest& head, uint64_t* body_limit) {
  const auto* length = head.Header("content-length");
  const bool has_body = (length != nullptr && *length != "0") || head.Header("transfer-encoding") != nullptr;
  if (!has_body) return std::nullopt;
  const auto match = parts_.routes->Find(head.method, head.path);
  if (match.route == nullptr || match.route->allow_anonymous) return std::nullopt;
  const auto* authorization = head.Header("authorization");
  const auto identity = auth::AuthenticateBearer(
      authorization ? std::optional<std::string_view>(*authorization) : std::nullopt, *parts_.verifier,
      std::chrono::system_clock::now());
  if (identity.ok() && identity.principal) {
    // An upload may be larger than a JSON body; only a caller with a valid token gets that allowance.
    if (TakesFile(*match.route)) *body_limit = options_.upload_body_limit_bytes;
    return std::nullopt;
  }
  // Handle refuses it before any backend call, so it answers at once, with
  // the usual headers, metrics and access log line.
  auto refusal = std::make_shared<std::optional<HttpResponse>>();
  HttpRequest without_body = head;
  Handle(std::move(without_body), [refusal](HttpResponse r) { *refusal = std::move(r); });
  return *refusal;
}

void Gateway::Handle(HttpRequest&& http, Respond respond) {
  auto call = std::make_shared<Call>();
  const auto* client_id = http.Header("x-request-id");
  call->request_id = client_id != nullptr && core::IsSaneRequestId(*client_id) ? *client_id : core::NewRequestId();
  const auto* traceparent = http.Header(core::kTraceparentHeader);
  call->trace = core::ContinueOrStartTrace(traceparent != nullptr ? std::string_view(*traceparent) : std::string_view());
  core::ScopedTrace trace(call->trace);
  call->method = http.method;
  call->path = http.path;
  call->remote = ClientAddress(http.remote_address, http.Header("x-forwarded-for"), options_.trusted_proxy_hops);
  call->respond = std::move(respond);
  if (const auto* origin = http.Header("origin")) call->origin = *origin;

  // CORS preflight: answered here, never forwarded.
  if (http.method == "OPTIONS") {
    std::string allow;
    for (const auto& m : parts_.routes->Find("OPTIONS", http.path).allowed_methods) allow += m + ", ";
    allow += "OPTIONS";
    HttpResponse r;
    r.status = 204;
    r.headers.emplace_back("allow", allow);
    if (!call->origin.empty() && OriginAllowed(call->origin)) {
      r.headers.emplace_back("access-control-allow-methods", allow);
      r.headers.emplace_back("access-control-allow-headers", "authorization, content-type, x-request-id, traceparent");
      r.headers.emplace_back("access-control-max-age", "600");
    }
    return Finish(*call, std::move(r), nullptr);
  }
  if (http.path == "/openapi.json" && http.method == "GET") {
    return Finish(*call, JsonResponse(200, parts_.openapi_json), nullptr);
  }

  auto match = parts_.routes->Find(http.method, http.path);
  if (match.route == nullptr && match.allowed_methods.empty() && parts_.site != nullptr && http.method == "GET" &&
      StaticSite::Owns(http.path)) {
    return Finish(*call, parts_.site->Serve(http.path, http.Header("accept-encoding")), nullptr);
  }
  if (match.route == nullptr) {
    if (!match.allowed_methods.empty()) {
      std::string allow;
      for (const auto& m : match.allowed_methods) allow += (allow.empty() ? "" : ", ") + m;
      auto r = ErrorResponse(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                                          "method " + http.method + " is not allowed on " + http.path));
      r.status = 405;
      r.headers.emplace_back("allow", allow);
      return Finish(*call, std::move(r), nullptr);
    }
    return Finish(*call, ErrorResponse(grpc::Status(grpc::StatusCode::NOT_FOUND, "no route for " + http.method + " " + http.path)),
                  nullptr);
  }
  const Route& route = *match.route;
  call->route = &route;

  // Authentication. The backend verifies the token again; the gateway refuses
  // early so that anonymous and forged calls never reach a service.
  const auto* authorization = http.Header("authorization");
  auto identity = auth::AuthenticateBearer(
      authorization ? std::optional<std::string_view>(*authorization) : std::nullopt, *parts_.verifier,
      std::chrono::system_clock::now());
  if (!identity.ok() || (!identity.principal && !route.allow_anonymous)) {
    auto r = ErrorResponse(grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                                        identity.ok() ? "this route needs a bearer token" : identity.error));
    r.headers.emplace_back("www-authenticate", identity.ok() ? "Bearer" : "Bearer error=\"invalid_token\"");
    return Finish(*call, std::move(r), nullptr);
  }
  if (identity.principal) call->subject = identity.principal->subject;

  if (parts_.rate_limit) {
    const std::string key = identity.principal ? "sub:" + identity.principal->subject : "ip:" + call->remote;
    const auto decision = parts_.rate_limit(key);
    if (!decision.from_redis) metrics_->local_decisions.Inc();
    if (!decision.allowed) {
      (decision.from_redis ? metrics_->limited_redis : metrics_->limited_local).Inc();
      auto r = ErrorResponse(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "rate limit exceeded; retry later"));
      const auto retry_s = std::max<int64_t>(1, (decision.retry_after.count() + 999) / 1000);
      r.headers.emplace_back("retry-after", std::to_string(retry_s));
      return Finish(*call, std::move(r), nullptr);
    }
  }

  const auto* content_type = http.Header("content-type");
  if (!http.body.empty() && !TakesFile(route)) {
    if (content_type != nullptr && !IsJsonContentType(*content_type)) {
      auto r = ErrorResponse(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                          "content-type must be application/json, not " + *content_type));
      r.status = 415;
      return Finish(*call, std::move(r), nullptr);
    }
  }
  std::string query_error;
  auto query = ParseQuery(http.query, &query_error);
  if (!query) return Finish(*call, FieldError("query", query_error), nullptr);

  auto* factory = google::protobuf::MessageFactory::generated_factory();
  call->request.reset(factory->GetPrototype(route.method->input_type())->New());
  call->response.reset(factory->GetPrototype(route.method->output_type())->New());
  if (auto error = BuildRequest(route, match.bindings, *query, http.body, call->request.get(),
                                content_type != nullptr ? std::string_view(*content_type) : std::string_view())) {
    return Finish(*call, FieldError(error->field, error->message), nullptr);
  }

  // Cache-aside. The key covers the method, the caller and the request itself
  // (deterministically serialised, so parameter order does not matter): an
  // answer is only ever served to the caller it was computed for.
  if (route.cacheable() && parts_.cache != nullptr) {
    std::string material = route.grpc_path;
    material += '\n';
    if (identity.principal) {
      const auto& p = *identity.principal;
      material += p.subject + '\n' + std::string(auth::RoleName(p.role)) + '\n' + p.province + '\n' + p.org + '\n';
    } else {
      material += "anonymous\n";
    }
    std::string serialized;
    {
      google::protobuf::io::StringOutputStream out(&serialized);
      google::protobuf::io::CodedOutputStream coded(&out);
      coded.SetSerializationDeterministic(true);
      call->request->SerializeToCodedStream(&coded);
    }
    material += serialized;
    call->cache_key = Sha256Hex(material);
    auto cached = parts_.cache->Lookup(route.service, call->cache_key);
    if (cached.hit()) {
      metrics_->cache_hits.Inc();
      return Finish(*call, JsonResponse(200, std::move(cached.body)), "hit");
    }
    if (cached.status == cache::CacheLookup::Status::kMiss) {
      metrics_->cache_misses.Inc();
      call->cache_generation = cached.generation;
    } else {
      metrics_->cache_unavailable.Inc();
      call->cache_key.clear();  // Redis is away: do not try to store either
    }
  }

  call->context.set_deadline(std::chrono::system_clock::now() +
                             (TakesFile(route)           ? options_.upload_timeout
                              : route.server_streaming ? options_.download_timeout
                                                       : options_.request_timeout));
  if (authorization != nullptr) call->context.AddMetadata("authorization", *authorization);
  call->context.AddMetadata("x-request-id", call->request_id);
  call->context.AddMetadata(core::kTraceparentHeader, call->trace.Traceparent());
  if (!http.remote_address.empty()) {
    call->context.AddMetadata("x-forwarded-for", ForwardedFor(http.remote_address, http.Header("x-forwarded-for")));
  }

  if (route.server_streaming) return StartStreamedDownload(call);
  parts_.backends->Call(route.service, route.grpc_path, &call->context, call->request.get(), call->response.get(),
                        [this, call](grpc::Status status) { OnBackendDone(call, status); });
}

void Gateway::OnBackendDone(std::shared_ptr<Call> call, const grpc::Status& status) {
  const Route& route = *call->route;
  const char* cache_state = route.cacheable() ? (parts_.cache != nullptr ? "miss" : "off") : nullptr;
  if (!status.ok()) return Finish(*call, ErrorResponse(status), cache_state);
  if (auto raw = RawBodyOf(route, *call->response)) return FinishDownload(*call, std::move(*raw));
  auto body = RenderResponse(route, *call->response);
  // A service marks an answer that holds personal data in clear with
  // `cache-control: no-store`: it is never put in Redis, and the HTTP client
  // is told the same.
  const auto& server_metadata = call->context.GetServerInitialMetadata();
  const auto cache_control = server_metadata.find("cache-control");
  const bool no_store = cache_control != server_metadata.end() &&
                        std::string_view(cache_control->second.data(), cache_control->second.size()).find("no-store") !=
                            std::string_view::npos;
  if (!call->cache_key.empty() && !no_store) {
    parts_.cache->Store(route.service, call->cache_key, body, std::chrono::seconds(route.cache_ttl_seconds),
                        call->cache_generation);
  }
  if (route.http_method != "GET") Invalidate(route.service);
  auto response = JsonResponse(200, std::move(body));
  if (no_store) response.headers.emplace_back("cache-control", "no-store");
  Finish(*call, std::move(response), no_store ? "bypass" : cache_state);
}

// A file (google.api.HttpBody) goes out as its own bytes and content type,
// with the service's `content-disposition` metadata as the header; it is never
// cached (the cache holds JSON answers).
void Gateway::FinishDownload(Call& call, RawBody raw) {
  const Route& route = *call.route;
  HttpResponse r;
  r.status = 200;
  r.headers.emplace_back("content-type", std::move(raw.content_type));
  AddDisposition(call, r);
  r.headers.emplace_back("cache-control", "no-store");
  r.body = std::move(raw.data);
  if (route.http_method != "GET") Invalidate(route.service);
  Finish(call, std::move(r), route.cacheable() ? "bypass" : nullptr);
}

void Gateway::AddDisposition(const Call& call, HttpResponse& response) {
  const auto& server_metadata = call.context.GetServerInitialMetadata();
  if (auto d = server_metadata.find("content-disposition"); d != server_metadata.end()) {
    std::string disposition(d->second.data(), d->second.size());
    // A header value cannot carry a line break (response splitting).
    if (disposition.find_first_of("\r\n") == std::string::npos) {
      response.headers.emplace_back("content-disposition", std::move(disposition));
    }
  }
}

// The answer (status, headers, access log line, metrics) goes out when the
// first part arrived, so its duration is the time to the first byte; the body
// follows part by part. A stream that fails before its first part is an
// ordinary error answer.
void Gateway::StartStreamedDownload(const std::shared_ptr<Call>& call) {
  const Route& route = *call->route;
  parts_.backends->Download(route.service, route.grpc_path, &call->context, *call->request, call,
                            [this, call](DownloadStart start) {
                              if (!start.status.ok()) return Finish(*call, ErrorResponse(start.status), nullptr);
                              HttpResponse r;
                              r.headers.emplace_back("content-type", start.content_type.empty()
                                                                         ? "application/octet-stream"
                                                                         : start.content_type);
                              AddDisposition(*call, r);
                              r.headers.emplace_back("cache-control", "no-store");
                              r.source = std::move(start.source);
                              Finish(*call, std::move(r), nullptr);
                            });
}

}  // namespace osh::gateway
