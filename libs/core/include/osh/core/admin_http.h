#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

namespace osh::core {

// The operator-facing HTTP port of a service: /metrics (Prometheus text),
// /healthz (process alive), /readyz (serving traffic) and whatever a service adds.
// One thread, asynchronous Beast; it is not on the request path of the product.
class AdminHttpServer {
 public:
  struct Response {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
  };
  using Handler = std::function<Response()>;

  AdminHttpServer();
  ~AdminHttpServer();
  AdminHttpServer(const AdminHttpServer&) = delete;
  AdminHttpServer& operator=(const AdminHttpServer&) = delete;

  // Routes are exact paths; register them before Start.
  void Handle(std::string path, Handler handler);
  // Binds host:port (port 0 picks a free port) and starts serving; returns false
  // and sets *error if the address cannot be bound.
  bool Start(const std::string& host, uint16_t port, std::string* error);
  uint16_t port() const { return port_; }
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::map<std::string, Handler> handlers_;
  uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace osh::core
