#include "osh/http/http_server.h"

// Boost 1.74 asio uses std::exchange without including <utility> under C++20.
#include <limits>
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <mutex>
#include <optional>

#include "admission.h"
#include "osh/core/log.h"

namespace osh::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

const std::string* HttpRequest::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return &value;
  }
  return nullptr;
}

// The I/O context, owned jointly by the server and its connections: a
// connection (held by its pending handlers, or by a Respond a backend still
// holds) must not outlive the context its socket belongs to.
struct HttpServer::Impl {
  // An io_context whose pending handlers can be destroyed before the context
  // itself (execution_context::shutdown is protected).
  class Io : public asio::io_context {
   public:
    using asio::io_context::io_context;
    void DestroyPendingHandlers() { shutdown(); }
  };

  explicit Impl(int threads) : io(threads), work(asio::make_work_guard(io)) {}

  // Posts `handler` unless the server stopped: after Stop nothing runs on the
  // context, and a handler posted then would keep its connection, and the
  // connection this Impl, alive for good.
  template <typename Handler>
  void PostUnlessStopped(const asio::any_io_executor& executor, Handler&& handler) {
    std::lock_guard lock(mu);
    if (!stopped) asio::post(executor, std::forward<Handler>(handler));
  }

  // Once the I/O threads are gone: destroys every pending handler (of reads,
  // writes, timers and accepts), and with them the connections they hold.
  // Without this the handlers hold the connections, the connections this
  // Impl, and the Impl the handlers (in its io_context): a cycle nothing frees.
  void Stopped() {
    {
      std::lock_guard lock(mu);
      stopped = true;
    }
    io.DestroyPendingHandlers();
  }

  Io io;
  // Keeps the I/O threads running while requests wait on backends with no
  // socket operation pending (the acceptor closes first when draining).
  asio::executor_work_guard<asio::io_context::executor_type> work;
  tcp::acceptor acceptor{io};
  std::mutex mu;
  bool stopped = false;  // guarded by mu
};

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string ErrorBody(int code, std::string_view message) {
  return "{\"code\":" + std::to_string(code) + ",\"message\":\"" + std::string(message) + "\",\"details\":[]}";
}

// The answer when a limit of HttpServer::Options is reached: the process is
// full (503, gRPC UNAVAILABLE) or this client holds its share (429,
// RESOURCE_EXHAUSTED); either way worth retrying a little later.
HttpResponse Overloaded(HttpServer::Admission::Verdict verdict, std::string_view what, int retry_after_seconds) {
  const bool server = verdict == HttpServer::Admission::Verdict::kServerFull;
  HttpResponse r;
  r.status = server ? 503 : 429;
  r.headers = {{"content-type", "application/json"}, {"retry-after", std::to_string(retry_after_seconds)}};
  r.body = ErrorBody(server ? 14 : 8, server ? "server busy: too many " + std::string(what) + "; retry later"
                                             : "too many " + std::string(what) + " from this client; retry later");
  return r;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<HttpServer::Impl> impl, const HttpServer::Options& options,
          const HttpHandler& handler, const HeaderCheck& header_check,
          std::shared_ptr<HttpServer::Admission> admission, std::shared_ptr<std::atomic<int64_t>> in_flight)
      : impl_(std::move(impl)),
        stream_(std::move(socket)),
        options_(options),
        handler_(handler),
        header_check_(header_check),
        admission_(std::move(admission)),
        in_flight_(std::move(in_flight)) {
    beast::error_code ec;
    const auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) client_ = endpoint.address().to_string();
  }
  ~Session() {
    ReleaseBody();
    if (admitted_) admission_->CloseConnection(client_);
  }

  void Start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      const auto verdict = self->admission_->OpenConnection(self->client_);
      if (verdict != HttpServer::Admission::Verdict::kAdmitted) {
        // Refused before anything was read: no lingering, the answer and close.
        self->admission_->CountRefusal();
        self->keep_alive_ = false;
        ++*self->in_flight_;
        return self->Write(Overloaded(verdict, "connections", self->options_.retry_after_seconds));
      }
      self->admitted_ = true;
      self->WaitForRequest(self->options_.header_timeout);
    });
  }

 private:
  // A new connection may wait header_timeout for its first byte, a keep-alive
  // one idle_timeout; from the first byte on the whole header must arrive
  // within header_timeout, however slowly it trickles.
  void WaitForRequest(std::chrono::milliseconds wait) {
    parser_.emplace();
    parser_->header_limit(options_.header_limit_bytes);
    // No limit while the header is parsed: Beast would refuse a Content-Length
    // over it before OnHeader, where the header check may raise the limit
    // for the route (uploads). OnHeader applies the request's own limit.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    if (buffer_.size() > 0) return ReadHeader();
    stream_.expires_after(wait);
    stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, size_t n) {
      if (ec) return self->Fail(ec);
      self->buffer_.commit(n);
      self->ReadHeader();
    });
  }

  void ReadHeader() {
    stream_.expires_after(options_.header_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return Fail(ec);
    auto& req = parser_->get();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    request_ = HttpRequest{};
    request_.method = std::string(req.method_string());
    const std::string_view target(req.target().data(), req.target().size());
    const auto q = target.find('?');
    request_.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) request_.query = std::string(target.substr(q + 1));
    for (const auto& field : req) {
      request_.headers.emplace_back(Lower(std::string_view(field.name_string().data(), field.name_string().size())),
                                    std::string(field.value()));
    }
    request_.remote_address = client_;

    // Everything that can refuse the request does so before its body is read.
    uint64_t body_limit = options_.body_limit_bytes;
    if (header_check_) {
      std::optional<HttpResponse> refusal;
      try {
        refusal = header_check_(request_, &body_limit);
      } catch (const std::exception& e) {
        core::log::Error("http header check failed", {{"error", e.what()}});
        refusal = HttpResponse{500, {{"content-type", "application/json"}}, ErrorBody(13, "internal error")};
      }
      if (refusal) return Refuse(std::move(*refusal));
    }
    const auto length = parser_->content_length();
    if (length && *length > body_limit) return Refuse(Status(413, 3, "request body too large"));
    parser_->body_limit(body_limit);
    const uint64_t reserve = length ? *length : (parser_->chunked() ? body_limit : 0);
    if (reserve > 0) {
      const auto verdict = admission_->ReserveBody(client_, reserve);
      if (verdict != HttpServer::Admission::Verdict::kAdmitted) {
        return Refuse(Overloaded(verdict, "request bytes", options_.retry_after_seconds));
      }
      reserved_ = reserve;
    }

    // Once a request began, all of it must arrive within the read timeout.
    stream_.expires_after(options_.read_timeout);
    if (beast::iequals(req[bhttp::field::expect], "100-continue") && !parser_->is_done()) {
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, req.version());
      bhttp::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code wec, size_t) {
        if (wec) return self->Fail(wec);
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done()) return Dispatch();
    stream_.expires_after(options_.read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Fail(ec);
      self->Dispatch();
    });
  }

  // A request the parser refused still gets an answer when one makes sense.
  void Fail(beast::error_code ec) {
    if (ec == bhttp::error::header_limit) return Refuse(Status(431, 3, "request headers too large"));
    if (ec == bhttp::error::body_limit) return Refuse(Status(413, 3, "request body too large"));
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof) {
      return Close();
    }
    // Anything else the parser refused is a malformed request.
    if (ec.category() == beast::error_code(bhttp::error::bad_method).category()) {
      return Refuse(Status(400, 3, "malformed HTTP request"));
    }
    Close();
  }

  static HttpResponse Status(int status, int code, std::string_view message) {
    return HttpResponse{status, {{"content-type", "application/json"}}, ErrorBody(code, message)};
  }

  // Answers without reading (the rest of) the body, then closes.
  void Refuse(HttpResponse response) {
    admission_->CountRefusal();
    keep_alive_ = false;
    linger_ = true;
    ++*in_flight_;
    Write(std::move(response));
  }

  void Dispatch() {
    request_.body = std::move(parser_->get().body());
    ++*in_flight_;

    // The handler may answer from a gRPC completion thread: the write always
    // runs on this connection's strand. An answer after Stop goes nowhere.
    Respond respond = [self = shared_from_this()](HttpResponse response) {
      self->impl_->PostUnlessStopped(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->Write(std::move(response));
      });
    };
    try {
      handler_(std::move(request_), respond);
    } catch (const std::exception& e) {
      // A bug, not a client's fault; still one answer per request, so the
      // connection and the drain count stay right.
      core::log::Error("http handler failed", {{"error", e.what()}});
      respond(Status(500, 13, "internal error"));
    }
  }

  void Write(HttpResponse response) {
    if (response.source) return WriteStream(std::move(response));
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(version_);
    res->result(static_cast<unsigned>(response.status));
    for (auto& [name, value] : response.headers) res->set(name, value);
    res->keep_alive(keep_alive_);
    res->body() = std::move(response.body);
    res->prepare_payload();
    stream_.expires_after(options_.write_timeout);
    bhttp::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, size_t) {
      --*self->in_flight_;
      // The body is answered: its bytes no longer count against the limits.
      self->ReleaseBody();
      if (!ec && self->linger_) return self->Linger();
      if (ec || !self->keep_alive_ || !self->impl_->acceptor.is_open()) return self->Close();
      self->WaitForRequest(self->options_.idle_timeout);
    });
  }

  // A streamed answer: the header, then each part of the source as one chunk
  // when the one before is written, then the last chunk.
  void WriteStream(HttpResponse response) {
    auto head = std::make_shared<bhttp::response<bhttp::empty_body>>();
    head->version(version_);
    head->result(static_cast<unsigned>(response.status));
    for (auto& [name, value] : response.headers) head->set(name, value);
    head->keep_alive(keep_alive_);
    head->chunked(true);
    auto serializer = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*head);
    stream_.expires_after(options_.write_timeout);
    bhttp::async_write_header(stream_, *serializer,
                              [self = shared_from_this(), head, serializer, source = response.source](
                                  beast::error_code ec, size_t) {
                                if (ec) return self->EndStream(*source, false);
                                self->NextPart(source);
                              });
  }

  void NextPart(const std::shared_ptr<BodySource>& source) {
    source->next([self = shared_from_this(), source](std::optional<std::string> part, bool complete) {
      self->impl_->PostUnlessStopped(self->stream_.get_executor(),
                                     [self, source, part = std::move(part), complete]() mutable {
                                       self->WritePart(source, std::move(part), complete);
                                     });
    });
  }

  void WritePart(const std::shared_ptr<BodySource>& source, std::optional<std::string> part, bool complete) {
    stream_.expires_after(options_.write_timeout);
    if (!part) {
      if (!complete) return EndStream(*source, true);
      return asio::async_write(stream_, bhttp::make_chunk_last(),
                               [self = shared_from_this(), source](beast::error_code ec, size_t) {
                                 if (ec) return self->EndStream(*source, false);
                                 self->Answered();
                               });
    }
    if (part->empty()) return NextPart(source);
    auto data = std::make_shared<std::string>(std::move(*part));
    asio::async_write(stream_, bhttp::make_chunk(asio::buffer(*data)),
                      [self = shared_from_this(), source, data](beast::error_code ec, size_t) {
                        if (ec) return self->EndStream(*source, false);
                        self->NextPart(source);
                      });
  }

  // A streamed answer that cannot end well: the source failed (`source_ended`)
  // or the client is gone (the source is cancelled). Closing without the last
  // chunk tells the client the body is incomplete.
  void EndStream(BodySource& source, bool source_ended) {
    if (!source_ended && source.cancel) source.cancel();
    --*in_flight_;
    ReleaseBody();
    keep_alive_ = false;
    Close();
  }

  // The answer is written: next request, or close.
  void Answered() {
    --*in_flight_;
    ReleaseBody();
    if (linger_) return Linger();
    if (!keep_alive_ || !impl_->acceptor.is_open()) return Close();
    WaitForRequest(options_.idle_timeout);
  }

  // After refusing a request whose body was not read: closing at once would
  // make the kernel reset the connection while the client still sends, and
  // the client could lose the answer. So stop sending, and discard whatever
  // still arrives, into a fixed buffer, for at most linger_timeout.
  void Linger() {
    Close();
    stream_.expires_after(options_.linger_timeout);
    Discard();
  }

  void Discard() {
    stream_.async_read_some(asio::buffer(discard_), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (!ec) self->Discard();
    });
  }

  void ReleaseBody() {
    if (reserved_ == 0) return;
    admission_->ReleaseBody(client_, reserved_);
    reserved_ = 0;
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // Keeps the io_context alive while this connection exists (its socket
  // belongs to it), e.g. held by a backend's Respond after Stop.
  std::shared_ptr<HttpServer::Impl> impl_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  HttpRequest request_;
  const HttpServer::Options& options_;
  const HttpHandler& handler_;
  const HeaderCheck& header_check_;
  std::shared_ptr<HttpServer::Admission> admission_;
  std::shared_ptr<std::atomic<int64_t>> in_flight_;
  std::string client_;
  bool admitted_ = false;
  uint64_t reserved_ = 0;
  bool keep_alive_ = false;
  bool linger_ = false;
  unsigned version_ = 11;
  std::array<char, 4096> discard_;
};

}  // namespace

bool CheckAdmissionLimits(const HttpServer::Options& options, std::string* error) {
  const auto below_body_limit = [&](uint64_t budget) { return budget > 0 && budget < options.body_limit_bytes; };
  if (below_body_limit(options.max_body_bytes_in_flight) ||
      below_body_limit(options.max_body_bytes_in_flight_per_client)) {
    *error = "the body bytes in flight (in all and per client) must be 0 or at least the body limit (" +
             std::to_string(options.body_limit_bytes) + ")";
    return false;
  }
  if (options.max_connections < 0 || options.max_connections_per_client < 0) {
    *error = "connection limits must be 0 (none) or more";
    return false;
  }
  return true;
}

HttpServer::HttpServer(Options options, HttpHandler handler, HeaderCheck header_check)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      header_check_(std::move(header_check)),
      admission_(std::make_shared<Admission>(options_.max_connections, options_.max_connections_per_client,
                                             options_.max_body_bytes_in_flight,
                                             options_.max_body_bytes_in_flight_per_client)) {}

int64_t HttpServer::open_connections() const { return admission_->connections(); }
uint64_t HttpServer::body_bytes_in_flight() const { return admission_->body_bytes(); }
int64_t HttpServer::refused() const { return admission_->refused(); }

HttpServer::~HttpServer() { Stop(std::chrono::milliseconds(0)); }

bool HttpServer::Start(std::string* error) {
  const auto colon = options_.address.rfind(':');
  if (colon == std::string::npos) {
    *error = "http address must be host:port";
    return false;
  }
  impl_ = std::make_shared<Impl>(options_.threads);
  beast::error_code ec;
  const auto address = asio::ip::make_address(options_.address.substr(0, colon), ec);
  if (ec) {
    *error = "bad http address " + options_.address + ": " + ec.message();
    return false;
  }
  const tcp::endpoint endpoint(address, static_cast<uint16_t>(std::stoi(options_.address.substr(colon + 1))));
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "cannot listen on " + options_.address + ": " + ec.message();
    return false;
  }
  port_ = acceptor.local_endpoint().port();

  auto accept = std::make_shared<std::function<void()>>();
  *accept = [this, accept_weak = std::weak_ptr<std::function<void()>>(accept)] {
    impl_->acceptor.async_accept(asio::make_strand(impl_->io), [this, accept_weak](beast::error_code aec,
                                                                                  tcp::socket socket) {
      if (!aec) {
        socket.set_option(tcp::no_delay(true), aec);
        std::make_shared<Session>(std::move(socket), impl_, options_, handler_, header_check_, admission_, in_flight_)
            ->Start();
      }
      if (impl_->acceptor.is_open()) {
        if (auto next = accept_weak.lock()) (*next)();
      }
    });
  };
  accept_loop_ = accept;
  (*accept)();
  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    threads_.emplace_back([this] { impl_->io.run(); });
  }
  return true;
}

void HttpServer::Stop(std::chrono::milliseconds deadline) {
  if (!impl_ || threads_.empty()) return;
  asio::post(impl_->io, [impl = impl_] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
  });
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (in_flight_->load() > 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  impl_->work.reset();
  impl_->io.stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  impl_->Stopped();
}

}  // namespace osh::http
