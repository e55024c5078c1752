#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
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

// A response body sent in parts as they are made (chunked transfer
// encoding), so that a large download (an export of a whole province) never
// sits whole in memory. The server asks for one part at a time and asks again
// only once that part is written, so a slow client slows the source down.
// `next(deliver)` must call `deliver` exactly once, from any thread: with a
// part (may be empty), or with std::nullopt at the end, `complete` false when
// the source failed midway: the connection is then closed without the last
// chunk, so the client sees a cut transfer rather than a short file.
// `cancel` runs instead of further asks when the client went away or a write
// failed. After HttpServer::Stop neither runs again.
struct BodySource {
  using Deliver = std::function<void(std::optional<std::string> part, bool complete)>;
  std::function<void(Deliver deliver)> next;
  std::function<void()> cancel;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Set: the body comes from here, chunked, and `body` is ignored.
  std::shared_ptr<BodySource> source;
};

// Answers one request. `respond` must be called exactly once, from any thread,
// possibly after the handler returned (when a backend call completes).
using Respond = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(HttpRequest&&, Respond)>;

// Looks at a request's line and headers (`head`, whose body is empty) before
// a byte of its body is read, so that a request that will be refused anyway
// (no or wrong credentials, say) costs no memory for its body. A response
// refuses the request: it is sent at once, the body is never read and the
// connection closes. Nullopt lets the request proceed; `body_limit` (the
// server's limit on entry) may be lowered for this request, e.g. for requests
// that can only authenticate inside their body. Runs on an I/O thread: quick,
// never blocking.
using HeaderCheck = std::function<std::optional<HttpResponse>(const HttpRequest& head, uint64_t* body_limit)>;

// HTTP/1.1 on Boost.Beast: asynchronous, a few I/O threads, keep-alive, one
// request at a time per connection, and limits so a slow or greedy client
// cannot hold the server: header and body size; a deadline for a whole
// header (bytes trickled one at a time do not extend it) and for a whole
// body; connections and bytes of request bodies held at once, per process
// and per client address. Over a limit a client gets a JSON error with
// Retry-After: 503 when the process is full, 429 when that client holds its
// share. A refused request's body is discarded unread, for at most
// linger_timeout, so the client still reads the answer.
class HttpServer {
 public:
  struct Options {
    std::string address = "127.0.0.1:0";  // port 0 picks a free port
    int threads = 2;
    uint32_t header_limit_bytes = 16 * 1024;
    uint64_t body_limit_bytes = 1024 * 1024;
    // A keep-alive connection may wait this long for the next request's first byte.
    std::chrono::milliseconds idle_timeout{60'000};
    // From a new connection or a request's first byte, its whole header must arrive within this.
    std::chrono::milliseconds header_timeout{10'000};
    // The whole body must arrive within this once the header was read.
    std::chrono::milliseconds read_timeout{30'000};
    std::chrono::milliseconds write_timeout{30'000};
    std::chrono::milliseconds linger_timeout{2'000};
    // Connections open at once (0: no limit), in all and from one client address.
    int max_connections = 0;
    int max_connections_per_client = 0;
    // Bytes of request bodies being read or answered at once (0: no limit):
    // a request reserves its Content-Length (a chunked one body_limit_bytes)
    // before its body is read and frees it once answered.
    uint64_t max_body_bytes_in_flight = 0;
    uint64_t max_body_bytes_in_flight_per_client = 0;
    int retry_after_seconds = 1;  // the Retry-After of 503 and 429
  };

  HttpServer(Options options, HttpHandler handler, HeaderCheck header_check = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  bool Start(std::string* error);
  uint16_t port() const { return port_; }
  // Stops accepting, lets requests in flight finish within `deadline`, closes the rest.
  void Stop(std::chrono::milliseconds deadline);

  // For metrics and tests: connections admitted and open now, requests being
  // answered now, bytes of request bodies reserved now, and connections or
  // requests refused by the limits (or the header check) so far.
  int64_t open_connections() const;
  int64_t requests_in_flight() const { return in_flight_->load(); }
  uint64_t body_bytes_in_flight() const;
  int64_t refused() const;

  // What a connection may hold, shared with connections (defined in the source).
  class Admission;
  struct Impl;  // shared with connections, which may outlive Stop

 private:
  Options options_;
  HttpHandler handler_;
  HeaderCheck header_check_;
  std::shared_ptr<Impl> impl_;
  std::shared_ptr<Admission> admission_;
  std::shared_ptr<void> accept_loop_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  std::shared_ptr<std::atomic<int64_t>> in_flight_ = std::make_shared<std::atomic<int64_t>>(0);
};

// False with *error when the limits of `options` contradict each other: a
// body budget below body_limit_bytes would refuse every large (and every
// chunked) request, and a per-client share above the whole means nothing.
bool CheckAdmissionLimits(const HttpServer::Options& options, std::string* error);

}  // namespace osh::http
