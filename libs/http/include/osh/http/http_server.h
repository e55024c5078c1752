#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace osh::http {

struct HttpRequest {
  std::string method;  // "GET", …
  std::string path;    // raw (still percent-encoded), without the query
  std::string query;   // raw, without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote_address;

  // The first value of header `lower_name`, or null.
  const std::string* Header(std::string_view lower_name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Answers one request. `respond` must be called exactly once, from any thread,
// possibly after the handler returned (when a backend call completes).
using Respond = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(HttpRequest&&, Respond)>;

// HTTP/1.1 on Boost.Beast: asynchronous, a few I/O threads, keep-alive, one
// request at a time per connection, and limits so a slow or greedy client
// cannot hold the gateway: header and body size, an idle timeout between
// requests and a read timeout for a request once it began.
class HttpServer {
 public:
  struct Options {
    std::string address = "127.0.0.1:0";  // port 0 picks a free port
    int threads = 2;
    uint32_t header_limit_bytes = 16 * 1024;
    uint64_t body_limit_bytes = 1024 * 1024;
    std::chrono::milliseconds idle_timeout{60'000};
    std::chrono::milliseconds read_timeout{30'000};
    std::chrono::milliseconds write_timeout{30'000};
  };

  HttpServer(Options options, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  bool Start(std::string* error);
  uint16_t port() const { return port_; }
  // Stops accepting, lets requests in flight finish within `deadline`, closes the rest.
  void Stop(std::chrono::milliseconds deadline);

  // Connections open and requests being answered now (for metrics).
  int64_t open_connections() const { return open_connections_->load(); }
  int64_t requests_in_flight() const { return in_flight_->load(); }

 public:
  struct Impl;  // shared with connections, which may outlive Stop

 private:
  Options options_;
  HttpHandler handler_;
  std::shared_ptr<Impl> impl_;
  std::shared_ptr<void> accept_loop_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  std::shared_ptr<std::atomic<int64_t>> open_connections_ = std::make_shared<std::atomic<int64_t>>(0);
  std::shared_ptr<std::atomic<int64_t>> in_flight_ = std::make_shared<std::atomic<int64_t>>(0);
};

}  // namespace osh::http
