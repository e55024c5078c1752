#include "osh/http/http_server.h"

// Boost 1.74 asio uses std::exchange without including <utility> under C++20.
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <optional>

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

struct HttpServer::Impl {
  explicit Impl(int threads) : io(threads), work(asio::make_work_guard(io)) {}
  asio::io_context io;
  // Keeps the I/O threads running while requests wait on backends with no
  // socket operation pending (the acceptor closes first when draining).
  asio::executor_work_guard<asio::io_context::executor_type> work;
  tcp::acceptor acceptor{io};
};

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<HttpServer::Impl> impl, const HttpServer::Options& options,
          const HttpHandler& handler, std::shared_ptr<std::atomic<int64_t>> connections,
          std::shared_ptr<std::atomic<int64_t>> in_flight)
      : impl_(std::move(impl)),
        stream_(std::move(socket)),
        options_(options),
        handler_(handler),
        connections_(std::move(connections)),
        in_flight_(std::move(in_flight)) {
    ++*connections_;
  }
  ~Session() { --*connections_; }

  void Start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

 private:
  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(options_.header_limit_bytes);
    parser_->body_limit(options_.body_limit_bytes);
    // Between requests a keep-alive connection may idle this long.
    stream_.expires_after(options_.idle_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return Fail(ec);
    // Once a request began, all of it must arrive within the read timeout.
    stream_.expires_after(options_.read_timeout);
    const auto& req = parser_->get();
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
    bhttp::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Fail(ec);
      self->Dispatch();
    });
  }

  // A request the parser refused still gets an answer when one makes sense.
  void Fail(beast::error_code ec) {
    if (ec == bhttp::error::header_limit) return Reject(431, "request headers too large");
    if (ec == bhttp::error::body_limit) return Reject(413, "request body too large");
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof) {
      return Close();
    }
    // Anything else the parser refused is a malformed request.
    if (ec.category() == beast::error_code(bhttp::error::bad_method).category()) {
      return Reject(400, "malformed HTTP request");
    }
    Close();
  }

  void Reject(int status, std::string message) {
    keep_alive_ = false;
    version_ = 11;
    ++*in_flight_;
    HttpResponse r;
    r.status = status;
    r.headers.emplace_back("content-type", "application/json");
    r.body = "{\"code\":3,\"message\":\"" + message + "\",\"details\":[]}";
    Write(std::move(r));
  }

  void Dispatch() {
    auto& req = parser_->get();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    HttpRequest request;
    request.method = std::string(req.method_string());
    const std::string_view target(req.target().data(), req.target().size());
    const auto q = target.find('?');
    request.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) request.query = std::string(target.substr(q + 1));
    for (const auto& field : req) {
      request.headers.emplace_back(Lower(std::string_view(field.name_string().data(), field.name_string().size())),
                                   std::string(field.value()));
    }
    request.body = std::move(req.body());
    beast::error_code ec;
    const auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) request.remote_address = endpoint.address().to_string();
    ++*in_flight_;

    // The handler may answer from a gRPC completion thread: the write always
    // runs on this connection's strand.
    Respond respond = [self = shared_from_this()](HttpResponse response) {
      asio::post(self->stream_.get_executor(),
                 [self, response = std::move(response)]() mutable { self->Write(std::move(response)); });
    };
    try {
      handler_(std::move(request), respond);
    } catch (const std::exception& e) {
      // A bug, not a client's fault; still one answer per request, so the
      // connection and the drain count stay right.
      core::log::Error("http handler failed", {{"error", e.what()}});
      respond(HttpResponse{500, {{"content-type", "application/json"}},
                           R"({"code":13,"message":"internal error","details":[]})"});
    }
  }

  void Write(HttpResponse response) {
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
      if (ec || !self->keep_alive_ || !self->impl_->acceptor.is_open()) return self->Close();
      self->ReadHeader();
    });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // Keeps the io_context alive while a backend completion may still post here.
  std::shared_ptr<HttpServer::Impl> impl_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  const HttpServer::Options& options_;
  const HttpHandler& handler_;
  std::shared_ptr<std::atomic<int64_t>> connections_;
  std::shared_ptr<std::atomic<int64_t>> in_flight_;
  bool keep_alive_ = false;
  unsigned version_ = 11;
};

}  // namespace

HttpServer::HttpServer(Options options, HttpHandler handler)
    : options_(std::move(options)), handler_(std::move(handler)) {}

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
        std::make_shared<Session>(std::move(socket), impl_, options_, handler_, open_connections_, in_flight_)->Start();
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
}

}  // namespace osh::http
