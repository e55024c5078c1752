#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "osh/core/metrics.h"
#include "osh/core/trace.h"

namespace osh::core {

// Builds and runs one gRPC server: the services a process registers, plus the
// standard health service (grpc.health.v1), server reflection, per-method
// metrics, request ids, W3C trace context and the access log. Metrics name the methods the server
// serves; calls to any other path count under method="unknown", so clients
// cannot grow the number of series.
class GrpcServer {
 public:
  struct Options {
    std::string address = "127.0.0.1:0";  // port 0 picks a free port
    bool access_log = true;
    int max_receive_message_bytes = 4 * 1024 * 1024;
  };

  GrpcServer(Options options, MetricsRegistry* metrics);
  ~GrpcServer();
  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;

  // Services are not owned and must outlive the server.
  void AddService(grpc::Service* service);
  bool Start(std::string* error);
  int port() const { return port_; }
  bool serving() const { return serving_; }

  // Graceful stop: health turns NOT_SERVING at once so load balancers stop
  // sending, calls are still accepted for `grace` while they notice, then the
  // server stops accepting and waits up to `drain_deadline` for in-flight calls
  // before cancelling what is left.
  void Shutdown(std::chrono::milliseconds grace, std::chrono::milliseconds drain_deadline);

 private:
  Options options_;
  MetricsRegistry* metrics_;
  std::vector<grpc::Service*> services_;
  std::set<std::string> served_methods_;  // "/<service>/<method>", filled once before serving
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool serving_ = false;
};

// The request id of a call: the client's `x-request-id` when it sent a sane one,
// otherwise the id the server generated for it.
std::string RequestIdOf(const grpc::ServerContextBase& context);

// The call's span of its W3C trace: the server continues the client's
// `traceparent` metadata (or starts a trace when it is missing or malformed)
// before the handler runs, and logs it in the access log line.
TraceContext TraceOf(const grpc::ServerContextBase& context);

}  // namespace osh::core
