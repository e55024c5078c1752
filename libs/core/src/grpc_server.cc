#include "osh/core/grpc_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <google/protobuf/descriptor.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/server_builder_option.h>
#include <grpcpp/impl/server_builder_plugin.h>
#include <grpcpp/impl/server_initializer.h>
#include <grpcpp/support/server_interceptor.h>

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "grpc/health/v1/health.pb.h"
#include "osh/core/ids.h"
#include "osh/core/log.h"
#include "osh/core/trace.h"

namespace osh::core {
namespace {

constexpr char kRequestIdHeader[] = "x-request-id";
// The method label of calls to methods the server does not serve. A client
// chooses the path it sends; labelling by it would let anyone add series.
constexpr char kUnknownMethod[] = "unknown";
// What of an unknown path the access log keeps.
constexpr size_t kMaxLoggedPathBytes = 200;

bool IsSaneRequestId(grpc::string_ref id) { return core::IsSaneRequestId(std::string_view(id.data(), id.size())); }

std::string_view CodeName(grpc::StatusCode code) {
  static constexpr std::string_view kNames[] = {
      "OK",        "CANCELLED",         "UNKNOWN",        "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
      "OUT_OF_RANGE", "UNIMPLEMENTED",   "INTERNAL",       "UNAVAILABLE",      "DATA_LOSS",         "UNAUTHENTICATED"};
  auto i = static_cast<size_t>(code);
  return i < std::size(kNames) ? kNames[i] : "UNKNOWN";
}

// The start of a client-chosen text as a log may show it: printable ASCII, the rest as '?'.
std::string PrintablePrefix(std::string_view text, size_t max_bytes) {
  std::string out(text.substr(0, max_bytes));
  for (char& c : out) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return out;
}

constexpr size_t kStatusCodes = 17;  // OK .. UNAUTHENTICATED

// The metrics of one method label, found once per call by the method's path;
// each series is looked up in the registry (labels rendered, maps searched
// under its lock) at its first use only, then taken from here.
struct MethodMetrics {
  explicit MethodMetrics(std::string label) : method(std::move(label)) {}
  const std::string method;  // the `method` label
  std::atomic<Histogram*> latency{nullptr};
  std::array<std::atomic<Counter*>, kStatusCodes> handled{};

  Counter& Handled(MetricsRegistry& metrics, grpc::StatusCode code) {
    auto i = static_cast<size_t>(code);
    if (i >= kStatusCodes) i = static_cast<size_t>(grpc::StatusCode::UNKNOWN);  // as CodeName names it
    Counter* counter = handled[i].load(std::memory_order_acquire);
    if (counter == nullptr) {
      // Two calls may race here; the registry hands both the same series.
      counter = &metrics.GetCounter("osh_grpc_server_handled_total", "gRPC calls completed, by method and status code",
                                    {{"method", method}, {"code", std::string(CodeName(code))}});
      handled[i].store(counter, std::memory_order_release);
    }
    return *counter;
  }
  Histogram& Latency(MetricsRegistry& metrics) {
    Histogram* histogram = latency.load(std::memory_order_acquire);
    if (histogram == nullptr) {
      histogram = &metrics.GetHistogram("osh_grpc_server_handling_seconds", "gRPC call latency in seconds",
                                        {{"method", method}});
      latency.store(histogram, std::memory_order_release);
    }
    return *histogram;
  }
};

// One per call. Ensures the call has a request id (generating one into the
// received metadata so the handler sees it), echoes it back, and records the
// outcome in metrics and the access log.
class ObservingInterceptor final : public grpc::experimental::Interceptor {
 public:
  // `method`: the served method's metrics, or those of the unknown label.
  ObservingInterceptor(grpc::experimental::ServerRpcInfo* info, MethodMetrics* method, bool known,
                       MetricsRegistry* metrics, bool access_log)
      : method_(method),
        known_(known),
        metrics_(metrics),
        access_log_(access_log),
        start_(std::chrono::steady_clock::now()) {
    // Copied at once: for calls to unknown methods gRPC frees the name before the call ends.
    if (!known_ && access_log_ && info->method() != nullptr) path_ = info->method();
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      auto* md = methods->GetRecvInitialMetadata();
      auto it = md->find(kRequestIdHeader);
      if (it != md->end() && IsSaneRequestId(it->second)) {
        request_id_.assign(it->second.data(), it->second.size());
      } else {
        if (it != md->end()) md->erase(it);
        request_id_ = NewRequestId();
        md->emplace(kRequestIdHeader, request_id_);
      }
      // This call's span of the caller's trace (a new trace when it sent none or a
      // malformed one), put where the handler reads it (TraceOf).
      auto parent = md->find(kTraceparentHeader);
      trace_ = ContinueOrStartTrace(parent != md->end() ? std::string_view(parent->second.data(), parent->second.size())
                                                        : std::string_view());
      if (parent != md->end()) md->erase(parent);
      traceparent_ = trace_.Traceparent();
      md->emplace(kTraceparentHeader, traceparent_);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      if (!request_id_.empty()) methods->GetSendInitialMetadata()->emplace(kRequestIdHeader, request_id_);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      // gRPC hands the interceptor no message when the request bytes did not
      // parse (for proto3, most often a string field that is not UTF-8).
      request_unparsable_ = methods->GetRecvMessage() == nullptr;
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      // gRPC 1.51's callback handlers answer an unparsable request with a bare
      // UNIMPLEMENTED; the truth is a bad request.
      if (request_unparsable_ && methods->GetSendStatus().error_code() == grpc::StatusCode::UNIMPLEMENTED) {
        methods->ModifySendStatus(grpc::Status(
            grpc::StatusCode::INVALID_ARGUMENT,
            "the request message could not be parsed (malformed protobuf, or a string field that is not valid UTF-8)"));
      }
      code_ = methods->GetSendStatus().error_code();
      status_message_ = methods->GetSendStatus().error_message();
      status_seen_ = true;
    }
    methods->Proceed();
  }

  // gRPC destroys the interceptors when the call is over, whatever its ending.
  ~ObservingInterceptor() override { Record(); }

 private:
  void Record() {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const std::string& method = method_->method;
    const grpc::StatusCode code = status_seen_ ? code_ : grpc::StatusCode::CANCELLED;
    if (metrics_ != nullptr) {
      method_->Handled(*metrics_, code).Inc();
      method_->Latency(*metrics_).Observe(seconds);
    }
    if (access_log_) {
      nlohmann::json fields = {{"request_id", request_id_},
                               {"trace_id", trace_.trace_id},
                               {"span_id", trace_.span_id},
                               {"method", method},
                               {"code", CodeName(code)},
                               {"duration_ms", seconds * 1000.0}};
      if (!known_) fields["path"] = PrintablePrefix(path_, kMaxLoggedPathBytes);
      if (code != grpc::StatusCode::OK) fields["error"] = status_message_;
      log::Info("grpc call", fields);
    }
  }

  MethodMetrics* method_;
  std::string path_;  // of a call to an unknown method, for the access log
  bool known_;        // a method of a service the server registered
  MetricsRegistry* metrics_;
  bool access_log_;
  std::chrono::steady_clock::time_point start_;
  std::string request_id_;
  TraceContext trace_;
  std::string traceparent_;  // owns what the received metadata points at
  grpc::StatusCode code_ = grpc::StatusCode::OK;
  std::string status_message_;
  bool status_seen_ = false;
  bool request_unparsable_ = false;
};

class ObservingInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  ObservingInterceptorFactory(const std::set<std::string>* served, MetricsRegistry* metrics, bool access_log)
      : served_(served), metrics_(metrics), access_log_(access_log), unknown_(kUnknownMethod) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    // The served methods are known before the first call (ServedMethodsPlugin); from then on the table is only read.
    std::call_once(methods_built_, [this] {
      for (const auto& path : *served_) methods_.try_emplace(path, path);
    });
    const std::string_view path = info->method() != nullptr ? info->method() : "";
    const auto it = methods_.find(path);
    const bool known = it != methods_.end();
    return new ObservingInterceptor(info, known ? &it->second : &unknown_, known, metrics_, access_log_);
  }

 private:
  const std::set<std::string>* served_;
  MetricsRegistry* metrics_;
  bool access_log_;
  std::once_flag methods_built_;
  std::map<std::string, MethodMetrics, std::less<>> methods_;  // by path
  MethodMetrics unknown_;
};

// gRPC tells only its builder plugins which services a server registered
// (its own health and reflection services included). This one turns them into
// the method paths ("/<service>/<method>", from the services' descriptors) the
// metrics may name; it runs before the server accepts its first call.
class ServedMethodsPlugin final : public grpc::ServerBuilderPlugin {
 public:
  explicit ServedMethodsPlugin(std::set<std::string>* served) : served_(served) {}
  std::string name() override { return "osh_served_methods"; }
  void InitServer(grpc::ServerInitializer* initializer) override {
    std::vector<std::string> services = *initializer->GetServiceList();
    // The default health service registers itself when the server starts, after the plugins ran.
    services.push_back(grpc::health::v1::HealthCheckResponse::descriptor()->file()->package() + ".Health");
    for (const auto& name : services) {
      const auto* service = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
      if (service == nullptr) continue;  // no descriptor linked in: its calls count as unknown
      for (int i = 0; i < service->method_count(); ++i) served_->insert("/" + name + "/" + service->method(i)->name());
    }
  }
  void Finish(grpc::ServerInitializer* /*initializer*/) override {}
  void ChangeArguments(const std::string& /*name*/, void* /*value*/) override {}

 private:
  std::set<std::string>* served_;
};

// The public way to hand a builder one more plugin.
class AddServedMethodsPlugin final : public grpc::ServerBuilderOption {
 public:
  explicit AddServedMethodsPlugin(std::set<std::string>* served) : served_(served) {}
  void UpdateArguments(grpc::ChannelArguments* /*args*/) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    plugins->push_back(std::make_unique<ServedMethodsPlugin>(served_));
  }

 private:
  std::set<std::string>* served_;
};

}  // namespace

std::string RequestIdOf(const grpc::ServerContextBase& context) {
  const auto& md = context.client_metadata();
  auto it = md.find(kRequestIdHeader);
  if (it != md.end() && IsSaneRequestId(it->second)) return std::string(it->second.data(), it->second.size());
  return "";
}

TraceContext TraceOf(const grpc::ServerContextBase& context) {
  const auto& md = context.client_metadata();
  auto it = md.find(kTraceparentHeader);
  if (it != md.end()) {
    if (auto trace = ParseTraceparent(std::string_view(it->second.data(), it->second.size()))) return *trace;
  }
  return NewTrace();
}

GrpcServer::GrpcServer(Options options, MetricsRegistry* metrics) : options_(std::move(options)), metrics_(metrics) {}

GrpcServer::~GrpcServer() {
  if (server_) Shutdown(std::chrono::milliseconds(0), std::chrono::milliseconds(1000));
}

void GrpcServer::AddService(grpc::Service* service) { services_.push_back(service); }

bool GrpcServer::Start(std::string* error) {
  grpc::EnableDefaultHealthCheckService(true);
  // Referencing the descriptor links health.pb.o into the binary, which puts
  // grpc.health.v1 in the descriptor pool that reflection answers from.
  (void)grpc::health::v1::HealthCheckResponse::descriptor();
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options_.address, grpc::InsecureServerCredentials(), &port_);
  builder.SetMaxReceiveMessageSize(options_.max_receive_message_bytes);
  for (auto* s : services_) builder.RegisterService(s);
  served_methods_.clear();
  builder.SetOption(std::make_unique<AddServedMethodsPlugin>(&served_methods_));
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(
      std::make_unique<ObservingInterceptorFactory>(&served_methods_, metrics_, options_.access_log));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server_ = builder.BuildAndStart();
  if (!server_ || port_ == 0) {
    *error = "cannot listen for gRPC on " + options_.address;
    server_.reset();
    return false;
  }
  server_->GetHealthCheckService()->SetServingStatus(true);
  serving_ = true;
  return true;
}

void GrpcServer::Shutdown(std::chrono::milliseconds grace, std::chrono::milliseconds drain_deadline) {
  if (!server_) return;
  server_->GetHealthCheckService()->SetServingStatus(false);
  serving_ = false;
  if (grace.count() > 0) std::this_thread::sleep_for(grace);
  server_->Shutdown(std::chrono::system_clock::now() + drain_deadline);
  server_->Wait();
  server_.reset();
}

}  // namespace osh::core
