#include "osh/http/http_server.h"

// Boost 1.74 asio uses std::exchange without including <utility> under C++20.
#include <utility>

#include <boost/asio.hpp>
#include <gtest/gtest.h>

#include <future>
#include <thread>

namespace osh::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// A raw client: what a slow, broken or keep-alive client really sends.
class RawClient {
 public:
  explicit RawClient(uint16_t port) : socket_(io_) { socket_.connect({asio::ip::make_address("127.0.0.1"), port}); }
  void Send(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }
  // Reads one response (headers + Content-Length body); "" when the server closed.
  std::string ReadResponse() {
    boost::system::error_code ec;
    const size_t header_end = asio::read_until(socket_, buffer_, "\r\n\r\n", ec);
    if (ec) return "";
    std::string head(asio::buffers_begin(buffer_.data()), asio::buffers_begin(buffer_.data()) + header_end);
    buffer_.consume(header_end);
    size_t length = 0;
    if (auto p = head.find("Content-Length: "); p != std::string::npos) length = std::stoul(head.substr(p + 16));
    if (buffer_.size() < length) asio::read(socket_, buffer_, asio::transfer_exactly(length - buffer_.size()), ec);
    std::string body(asio::buffers_begin(buffer_.data()), asio::buffers_begin(buffer_.data()) + length);
    buffer_.consume(length);
    return head + body;
  }
  bool ClosedByServer() {
    boost::system::error_code ec;
    char c;
    socket_.read_some(asio::buffer(&c, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  asio::streambuf buffer_;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(HttpServer::Options options, HttpHandler handler) {
    options.address = "127.0.0.1:0";
    server_ = std::make_unique<HttpServer>(options, std::move(handler));
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
  }
  static HttpHandler Echo() {
    return [](HttpRequest&& r, Respond respond) {
      respond(HttpResponse{200, {{"content-type", "text/plain"}}, r.method + " " + r.path + "?" + r.query + " " + r.body});
    };
  }
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer({}, Echo());
  RawClient client(server_->port());
  client.Send("GET /a?x=1 HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_NE(client.ReadResponse().find("GET /a?x=1 "), std::string::npos);
  client.Send("POST /b HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_NE(client.ReadResponse().find("POST /b? hello"), std::string::npos);
  EXPECT_EQ(server_->open_connections(), 1);
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  StartServer({}, Echo());
  RawClient client(server_->port());
  client.Send("GET /a HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_NE(client.ReadResponse().find("200 OK"), std::string::npos);
  EXPECT_TRUE(client.ClosedByServer());
}

TEST_F(HttpServerTest, AnswersFromAnotherThreadAfterTheHandlerReturned) {
  std::vector<std::thread> workers;
  std::mutex mu;
  StartServer({}, [&](HttpRequest&&, Respond respond) {
    std::lock_guard lock(mu);
    workers.emplace_back([respond] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      respond(HttpResponse{201, {}, "later"});
    });
  });
  RawClient client(server_->port());
  client.Send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
  const auto response = client.ReadResponse();
  EXPECT_NE(response.find("201"), std::string::npos);
  EXPECT_NE(response.find("later"), std::string::npos);
  for (auto& w : workers) w.join();
}

TEST_F(HttpServerTest, IdleConnectionsAreClosed) {
  HttpServer::Options options;
  options.idle_timeout = std::chrono::milliseconds(200);
  StartServer(options, Echo());
  RawClient client(server_->port());
  // Half a request line, then silence: a slow client may not hold a connection.
  client.Send("GET /slow HT");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.ClosedByServer());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(HttpServerTest, LimitsAreAnsweredWithStatusCodes) {
  HttpServer::Options options;
  options.body_limit_bytes = 10;
  options.header_limit_bytes = 256;
  StartServer(options, Echo());
  RawClient big_body(server_->port());
  big_body.Send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\n01234567890");
  EXPECT_NE(big_body.ReadResponse().find("413"), std::string::npos);
  RawClient big_header(server_->port());
  big_header.Send("GET / HTTP/1.1\r\nHost: t\r\nX: " + std::string(400, 'x') + "\r\n\r\n");
  EXPECT_NE(big_header.ReadResponse().find("431"), std::string::npos);
  RawClient garbage(server_->port());
  garbage.Send("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_NE(garbage.ReadResponse().find("400"), std::string::npos);
}

TEST_F(HttpServerTest, StopWaitsForRequestsInFlight) {
  std::promise<Respond> pending;
  StartServer({}, [&](HttpRequest&&, Respond respond) { pending.set_value(std::move(respond)); });
  RawClient client(server_->port());
  client.Send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
  auto respond = pending.get_future().get();
  EXPECT_EQ(server_->requests_in_flight(), 1);
  std::thread answer([respond] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    respond(HttpResponse{200, {}, "finished"});
  });
  server_->Stop(std::chrono::milliseconds(5000));
  answer.join();
  EXPECT_EQ(server_->requests_in_flight(), 0);
  EXPECT_NE(client.ReadResponse().find("finished"), std::string::npos);
}

}  // namespace
}  // namespace osh::http
