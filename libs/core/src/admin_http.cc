#include "osh/core/admin_http.h"

// Boost 1.74 asio uses std::exchange without including <utility> under C++20.
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "osh/core/log.h"

namespace osh::core {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct AdminHttpServer::Impl {
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const std::map<std::string, AdminHttpServer::Handler>& handlers)
      : stream_(std::move(socket)), handlers_(handlers) {}

  void Run() { Read(); }

 private:
  void Read() {
    request_ = {};
    stream_.expires_after(std::chrono::seconds(10));
    http::async_read(stream_, buffer_, request_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return;  // closed, timed out or garbage: nothing to answer
      self->Respond();
    });
  }

  void Respond() {
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(request_.version());
    res->keep_alive(request_.keep_alive());
    std::string target(request_.target());
    if (auto q = target.find('?'); q != std::string::npos) target.resize(q);
    auto it = handlers_.find(target);
    if (request_.method() != http::verb::get && request_.method() != http::verb::head) {
      res->result(http::status::method_not_allowed);
      res->body() = "only GET\n";
    } else if (it == handlers_.end()) {
      res->result(http::status::not_found);
      res->body() = "not found\n";
    } else {
      AdminHttpServer::Response r;
      try {
        r = it->second();
      } catch (const std::exception& e) {
        r = {500, "text/plain", std::string("handler failed: ") + e.what() + "\n"};
      }
      res->result(static_cast<http::status>(r.status));
      res->set(http::field::content_type, r.content_type);
      res->body() = std::move(r.body);
    }
    res->prepare_payload();
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, size_t) {
      if (ec || !res->keep_alive()) {
        beast::error_code ignored;
        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        return;
      }
      self->Read();
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  const std::map<std::string, AdminHttpServer::Handler>& handlers_;
};

void Accept(tcp::acceptor& acceptor, const std::map<std::string, AdminHttpServer::Handler>& handlers) {
  acceptor.async_accept([&acceptor, &handlers](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) std::make_shared<Session>(std::move(socket), handlers)->Run();
    Accept(acceptor, handlers);
  });
}

}  // namespace

AdminHttpServer::AdminHttpServer() : impl_(std::make_unique<Impl>()) {}
AdminHttpServer::~AdminHttpServer() { Stop(); }

void AdminHttpServer::Handle(std::string path, Handler handler) { handlers_[std::move(path)] = std::move(handler); }

bool AdminHttpServer::Start(const std::string& host, uint16_t port, std::string* error) {
  beast::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) {
    *error = "admin address '" + host + "': " + ec.message();
    return false;
  }
  tcp::endpoint endpoint(address, port);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "admin http bind " + host + ":" + std::to_string(port) + ": " + ec.message();
    return false;
  }
  port_ = impl_->acceptor.local_endpoint().port();
  Accept(impl_->acceptor, handlers_);
  thread_ = std::thread([this] { impl_->io.run(); });
  return true;
}

void AdminHttpServer::Stop() {
  if (!thread_.joinable()) return;
  asio::post(impl_->io, [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    impl_->io.stop();
  });
  thread_.join();
}

}  // namespace osh::core
