#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "osh/core/admin_http.h"
#include "osh/core/config.h"
#include "osh/core/grpc_server.h"
#include "osh/core/metrics.h"
#include <nlohmann/json.hpp>

namespace osh::core {

// Runs one service process. It owns what every service has — configuration,
// logging, metrics, the admin HTTP port, the gRPC server and graceful shutdown —
// and a service's main() only hands it a wiring function that builds the
// service's own components and registers their gRPC services.
//
// Common configuration keys (each also OSH_<KEY> in the environment):
//   grpc-address, admin-address, province, data-dir, log-level, access-log,
//   shutdown-grace-ms, shutdown-deadline-ms, ready-file
// (grpc-address only for services with a gRPC API).
class ServiceHost {
 public:
  // `default_grpc_port` for a process that serves no gRPC API (the gateway).
  static constexpr int kNoGrpcApi = -1;

  // `service_keys` are the service's own keys; `default_grpc_port` and
  // `default_admin_port` give each service distinct local ports.
  ServiceHost(std::string service_name, std::vector<ConfigKey> service_keys, int default_grpc_port,
              int default_admin_port);
  ~ServiceHost();

  const std::string& name() const { return name_; }
  const Config& config() const { return *config_; }
  MetricsRegistry& metrics() { return metrics_; }
  AdminHttpServer& admin() { return admin_; }
  void AddGrpcService(grpc::Service* service) { grpc_services_.push_back(service); }
  // Raises the largest request the gRPC server takes (default 4 MiB), for a
  // service that accepts uploads (the registry's bulk import).
  void SetMaxReceiveMessageBytes(int bytes) { max_receive_message_bytes_ = bytes; }

  // Extra facts for /readyz (a JSON object merged into its body), e.g. the
  // state of an optional dependency the process degrades without.
  void SetReadinessDetail(std::function<nlohmann::json()> detail) { readiness_detail_ = std::move(detail); }
  // Called once after the shutdown grace period, for servers the host does not
  // run itself (the gateway's HTTP port): stop accepting, finish in-flight work
  // within `deadline`.
  void AddDrainHook(std::function<void(std::chrono::milliseconds deadline)> hook) {
    drain_hooks_.push_back(std::move(hook));
  }
  // Added to the ready file (e.g. {"http_port": 8080}).
  nlohmann::json& ready_info() { return ready_info_; }
  // True from SIGTERM on: /readyz answers 503 so load balancers move away.
  bool draining() const { return draining_.load(); }

  // Keeps a component alive until after the gRPC server has drained; components
  // are destroyed in reverse order of adoption.
  template <typename T>
  T& Adopt(std::unique_ptr<T> component) {
    T& ref = *component;
    owned_.push_back(std::shared_ptr<void>(std::move(component)));
    return ref;
  }

  // Returns false with *error set when the service cannot start.
  using Wiring = std::function<bool(ServiceHost&, std::string* error)>;

  // Loads configuration, wires, serves until SIGTERM or SIGINT, drains, exits.
  // Returns the process exit code.
  int Run(int argc, char** argv, const Wiring& wire);

 private:
  std::string name_;
  std::vector<ConfigKey> keys_;
  std::unique_ptr<Config> config_;
  MetricsRegistry metrics_;
  AdminHttpServer admin_;
  std::vector<grpc::Service*> grpc_services_;
  std::vector<std::shared_ptr<void>> owned_;
  bool has_grpc_api_;
  int max_receive_message_bytes_ = 4 * 1024 * 1024;
  std::function<nlohmann::json()> readiness_detail_;
  std::vector<std::function<void(std::chrono::milliseconds)>> drain_hooks_;
  nlohmann::json ready_info_ = nlohmann::json::object();
  std::atomic<bool> draining_{false};
};

}  // namespace osh::core
