#include "gateway.h"

#include <cmath>

#include "osh/core/ids.h"
#include "osh/core/log.h"
#include "osh/core/trace.h"

namespace osh::gateway {
namespace {

void RecordRequest(core::MetricsRegistry& registry, const std::string& route, int status, double seconds) {
  registry
      .GetCounter("osh_http_requests_total", "HTTP requests by route and status",
                  {{"route", route}, {"code", std::to_string(status)}})
      .Inc();
  registry.GetHistogram("osh_http_request_duration_seconds", "HTTP request latency by route", {{"route", route}})
      .Observe(seconds);
}

}  // namespace

// One request from its arrival to the answer; shared with the backend completion.
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
  stages::Cache::Ticket cache_ticket;
};

Gateway::Gateway(Options options, Parts parts)
    : options_(std::move(options)),
      parts_(std::move(parts)),
      cors_(options_.cors_allowed_origins),
      limit_(parts_.rate_limit, *parts_.metrics),
      cache_(parts_.cache, *parts_.metrics) {}

Gateway::~Gateway() = default;

void Gateway::Finish(Call& call, HttpResponse response, const char* cache_state) {
  response.headers.emplace_back("x-request-id", call.request_id);
  response.headers.emplace_back(core::kTraceparentHeader, call.trace.Traceparent());
  cors_.Decorate(call.origin, response);
  if (cache_state != nullptr) response.headers.emplace_back("x-cache", cache_state);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - call.start).count();
  const std::string route = call.route != nullptr ? call.route->method->name() : "unmatched";
  RecordRequest(*parts_.metrics, route, response.status, seconds);
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

void Gateway::Invalidate(const std::string& service) { cache_.Invalidate(service); }

std::optional<HttpResponse> Gateway::CheckHeaders(const HttpRequest& head, uint64_t* body_limit) {
  const auto* length = head.Header("content-length");
  const bool has_body = (length != nullptr && *length != "0") || head.Header("transfer-encoding") != nullptr;
  if (!has_body) return std::nullopt;
  const auto match = parts_.routes->Find(head.method, head.path);
  if (match.route == nullptr || match.route->allow_anonymous) return std::nullopt;
  if (!stages::Authenticate(head, false, *parts_.verifier, std::chrono::system_clock::now()).answer) {
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

  if (auto answer = cors_.Preflight(http, *parts_.routes, call->origin)) return Finish(*call, std::move(*answer), nullptr);
  auto routing = stages::RouteRequest(http, *parts_.routes, parts_.openapi_json, parts_.site);
  if (routing.answer) return Finish(*call, std::move(*routing.answer), nullptr);
  const Route& route = *routing.route;
  call->route = &route;
  auto caller = stages::Authenticate(http, route.allow_anonymous, *parts_.verifier, std::chrono::system_clock::now());
  if (caller.answer) return Finish(*call, std::move(*caller.answer), nullptr);
  if (caller.principal) call->subject = caller.principal->subject;
  if (auto answer = limit_.Check(caller.principal, call->remote)) return Finish(*call, std::move(*answer), nullptr);

  auto* factory = google::protobuf::MessageFactory::generated_factory();
  call->request.reset(factory->GetPrototype(route.method->input_type())->New());
  call->response.reset(factory->GetPrototype(route.method->output_type())->New());
  if (auto answer = stages::Transcode(http, route, routing.bindings, call->request.get())) {
    return Finish(*call, std::move(*answer), nullptr);
  }
  if (auto hit = cache_.Lookup(route, caller.principal, *call->request, &call->cache_ticket)) {
    return Finish(*call, std::move(*hit), "hit");
  }
  stages::PrepareForward(http, route, call->request_id, call->trace,
                         {.request_timeout = options_.request_timeout,
                          .upload_timeout = options_.upload_timeout,
                          .download_timeout = options_.download_timeout},
                         call->context);
  if (route.server_streaming) return StartStreamedDownload(call);
  parts_.backends->Call(route.service, route.grpc_path, &call->context, call->request.get(), call->response.get(),
                        [this, call](grpc::Status status) { OnBackendDone(call, status); });
}

void Gateway::OnBackendDone(std::shared_ptr<Call> call, const grpc::Status& status) {
  const Route& route = *call->route;
  const char* cache_state = cache_.BackendState(route);
  if (!status.ok()) return Finish(*call, ErrorResponse(status), cache_state);
  if (auto raw = RawBodyOf(route, *call->response)) return FinishDownload(*call, std::move(*raw));
  auto body = RenderResponse(route, *call->response);
  // A service marks an answer that holds personal data in clear with
  // `cache-control: no-store`: it is never put in Redis, and the HTTP client
  // is told the same.
  const bool no_store = stages::MarkedNoStore(call->context);
  if (!no_store) cache_.Keep(route, call->cache_ticket, body);
  if (route.http_method != "GET") Invalidate(route.service);
  HttpResponse response;
  response.headers.emplace_back("content-type", "application/json");
  response.body = std::move(body);
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
