#include "osh/core/service_host.h"

#include <signal.h>

#include <fstream>
#include <iostream>
#include <filesystem>
#include <thread>

#include "osh/core/log.h"

namespace osh::core {
namespace {

// Blocked in every thread (threads inherit the mask) and taken synchronously by
// sigwait in the main thread, so no work happens inside a signal handler.
sigset_t TerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

bool WriteReadyFile(const std::string& path, const nlohmann::json& content, std::string* error) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << content.dump() << "\n";
    if (!out) {
      *error = "cannot write ready file " + tmp;
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);  // atomic: readers never see half a file
  if (ec) {
    *error = "cannot rename ready file: " + ec.message();
    return false;
  }
  return true;
}

}  // namespace

ServiceHost::ServiceHost(std::string service_name, std::vector<ConfigKey> service_keys, int default_grpc_port,
                         int default_admin_port)
    : name_(std::move(service_name)), has_grpc_api_(default_grpc_port != kNoGrpcApi) {
  if (has_grpc_api_) {
    keys_.push_back(
        {"grpc-address", "127.0.0.1:" + std::to_string(default_grpc_port), "host:port of the gRPC API (port 0: any)"});
  }
  keys_.insert(keys_.end(), {
      {"admin-address", "127.0.0.1:" + std::to_string(default_admin_port),
       "host:port of /metrics, /healthz, /readyz (port 0: any)"},
      {"province", "44", "2-digit GB/T 2260 code of the province this deployment serves"},
      {"data-dir", "./var/data", "directory of the service's local files"},
      {"log-level", "info", "debug, info, warn or error"},
      {"access-log", "true", "log one JSON line per gRPC call"},
      {"shutdown-grace-ms", "500", "after SIGTERM: keep accepting calls this long while health says NOT_SERVING"},
      {"shutdown-deadline-ms", "10000", "then wait this long for in-flight calls before cancelling them"},
      {"ready-file", "", "when set, write {grpc_port, admin_port, pid} here once serving"},
  });
  keys_.insert(keys_.end(), service_keys.begin(), service_keys.end());
}

ServiceHost::~ServiceHost() {
  while (!owned_.empty()) owned_.pop_back();
}

int ServiceHost::Run(int argc, char** argv, const Wiring& wire) {
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--help" || std::string_view(argv[i]) == "-h") {
      std::cout << "osh-" << name_ << " — configuration:\n" << Config::Help(keys_);
      return 0;
    }
  }
  sigset_t signals = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::string error;
  auto config = Config::Load(keys_, argc, argv, &error);
  if (!config) {
    std::cerr << "osh-" << name_ << ": " << error << "\n";
    return 2;
  }
  config_ = std::make_unique<Config>(std::move(*config));
  auto level = log::ParseLevel(config_->GetString("log-level"));
  log::Init(name_, config_->GetString("province"), level.value_or(log::Level::kInfo));

  try {
    std::filesystem::create_directories(config_->GetString("data-dir"));
    if (!wire(*this, &error)) {
      log::Error("cannot start", {{"error", error}});
      return 1;
    }
  } catch (const std::exception& e) {
    log::Error("cannot start", {{"error", e.what()}});
    return 1;
  }

  // Services without a gRPC API still get the server object (never started):
  // one shutdown path for both kinds.
  GrpcServer::Options grpc_options;
  grpc_options.address = has_grpc_api_ ? config_->GetString("grpc-address") : "";
  grpc_options.access_log = config_->GetBool("access-log");
  grpc_options.max_receive_message_bytes = max_receive_message_bytes_;
  GrpcServer grpc_server(grpc_options, &metrics_);
  for (auto* s : grpc_services_) grpc_server.AddService(s);
  if (has_grpc_api_ && !grpc_server.Start(&error)) {
    log::Error("cannot start", {{"error", error}});
    return 1;
  }

  admin_.Handle("/metrics", [this] {
    return AdminHttpServer::Response{200, "text/plain; version=0.0.4; charset=utf-8", metrics_.RenderText()};
  });
  admin_.Handle("/healthz", [] { return AdminHttpServer::Response{200, "text/plain", "ok\n"}; });
  admin_.Handle("/readyz", [this] {
    const bool ready = !draining_.load();
    nlohmann::json body = readiness_detail_ ? readiness_detail_() : nlohmann::json::object();
    body["status"] = ready ? "ready" : "shutting down";
    return AdminHttpServer::Response{ready ? 200 : 503, "application/json", body.dump() + "\n"};
  });
  const std::string admin_address = config_->GetString("admin-address");
  const auto colon = admin_address.rfind(':');
  if (colon == std::string::npos ||
      !admin_.Start(admin_address.substr(0, colon), static_cast<uint16_t>(std::stoi(admin_address.substr(colon + 1))),
                    &error)) {
    log::Error("cannot start", {{"error", error.empty() ? "admin-address must be host:port" : error}});
    if (has_grpc_api_) grpc_server.Shutdown(std::chrono::milliseconds(0), std::chrono::milliseconds(0));
    return 1;
  }

  nlohmann::json ready = ready_info_;
  ready["service"] = name_;
  ready["admin_port"] = admin_.port();
  ready["pid"] = static_cast<int>(getpid());
  if (has_grpc_api_) ready["grpc_port"] = grpc_server.port();
  if (const auto path = config_->GetString("ready-file"); !path.empty() && !WriteReadyFile(path, ready, &error)) {
    log::Error("cannot start", {{"error", error}});
    return 1;
  }
  log::Info("serving", ready);

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  log::Info("shutting down", {{"signal", signal_number}});
  draining_ = true;
  const std::chrono::milliseconds grace(config_->GetInt("shutdown-grace-ms"));
  const std::chrono::milliseconds deadline(config_->GetInt("shutdown-deadline-ms"));
  if (has_grpc_api_) {
    grpc_server.Shutdown(grace, deadline);
  } else {
    std::this_thread::sleep_for(grace);
  }
  for (auto& hook : drain_hooks_) hook(deadline);
  admin_.Stop();
  while (!owned_.empty()) owned_.pop_back();
  log::Info("stopped");
  return 0;
}

}  // namespace osh::core
