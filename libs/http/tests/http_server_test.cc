#include "osh/http/http_server.h"

// Boost 1.74 asio uses std::exchange without including <utility> under C++20.
#include <utility>

#include <boost/asio.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

namespace osh::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// How long a test waits for something that should happen at once before it
// calls it a failure: a guard against hanging, never a measure of speed.
constexpr auto kPatience = std::chrono::seconds(20);

// Polls `condition` until it holds or kPatience passed.
template <typename Condition>
bool Eventually(Condition condition) {
  const auto until = std::chrono::steady_clock::now() + kPatience;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// A raw client: what a slow, broken, greedy or keep-alive client really sends.
// Reads give up after kPatience, so a server that never answers fails the
// test instead of hanging it.
class RawClient {
 public:
  explicit RawClient(uint16_t port) : socket_(io_) { socket_.connect({asio::ip::make_address("127.0.0.1"), port}); }
  void Send(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }
  // Sends without throwing; false once the server closed or reset.
  bool TrySend(const std::string& bytes) {
    boost::system::error_code ec;
    asio::write(socket_, asio::buffer(bytes), ec);
    return !ec;
  }
  // Reads one response (headers + Content-Length body); "" when the server
  // closed or did not answer.
  std::string ReadResponse() {
    boost::system::error_code ec;
    size_t header_end = 0;
    Bounded([&](auto done) {
      asio::async_read_until(socket_, buffer_, "\r\n\r\n", [&, done](boost::system::error_code e, size_t n) {
        ec = e;
        header_end = n;
        done();
      });
    });
    if (ec || header_end == 0) return "";
    std::string head(asio::buffers_begin(buffer_.data()), asio::buffers_begin(buffer_.data()) + header_end);
    buffer_.consume(header_end);
    size_t length = 0;
    if (auto p = head.find("Content-Length: "); p != std::string::npos) length = std::stoul(head.substr(p + 16));
    if (buffer_.size() < length) {
      Bounded([&](auto done) {
        asio::async_read(socket_, buffer_, asio::transfer_exactly(length - buffer_.size()),
                         [&, done](boost::system::error_code e, size_t) {
                           ec = e;
                           done();
                         });
      });
    }
    if (buffer_.size() < length) return "";
    std::string body(asio::buffers_begin(buffer_.data()), asio::buffers_begin(buffer_.data()) + length);
    buffer_.consume(length);
    return head + body;
  }
  // Whether the server closes the connection (reading and dropping whatever
  // else it sends).
  bool ClosedByServer() {
    boost::system::error_code ec;
    Bounded([&](auto done) {
      asio::async_read(socket_, buffer_, asio::transfer_all(), [&, done](boost::system::error_code e, size_t) {
        ec = e;
        done();
      });
    });
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }
  void Close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }
  // Everything the server sends until it closes (or kPatience passed).
  std::string ReadAll() {
    Bounded([&](auto done) {
      asio::async_read(socket_, buffer_, asio::transfer_all(), [done](boost::system::error_code, size_t) { done(); });
    });
    std::string all(asio::buffers_begin(buffer_.data()), asio::buffers_end(buffer_.data()));
    buffer_.consume(buffer_.size());
    return all;
  }

 private:
  // Runs the asynchronous operation `start` begins until it completes or
  // kPatience passed (then it is cancelled).
  template <typename Start>
  void Bounded(Start start) {
    bool finished = false;
    io_.restart();
    start([&finished] { finished = true; });
    io_.run_for(kPatience);
    if (!finished) {
      boost::system::error_code ignored;
      socket_.cancel(ignored);
      io_.restart();
      io_.run();
    }
  }

  asio::io_context io_;
  tcp::socket socket_;
  asio::streambuf buffer_;
};

std::string Post(const std::string& path, size_t content_length, const std::string& extra_headers = "") {
  return "POST " + path + " HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(content_length) + "\r\n" +
         extra_headers + "\r\n";
}

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(HttpServer::Options options, HttpHandler handler, HeaderCheck check = {}) {
    options.address = "127.0.0.1:0";
    server_ = std::make_unique<HttpServer>(options, std::move(handler), std::move(check));
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
  }
  static HttpHandler Echo() {
    return [](HttpRequest&& r, Respond respond) {
      respond(HttpResponse{200, {{"content-type", "text/plain"}}, r.method + " " + r.path + "?" + r.query + " " + r.body});
    };
  }
  // Answers with the size of the body it received.
  HttpHandler CountBytes() {
    return [this](HttpRequest&& r, Respond respond) {
      ++handled_;
      respond(HttpResponse{200, {{"content-type", "text/plain"}}, "received " + std::to_string(r.body.size())});
    };
  }
  std::unique_ptr<HttpServer> server_;
  std::atomic<int> handled_{0};
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
  HttpServer::Options options;
  options.threads = 1;
  std::promise<Respond> later;
  StartServer(options, [&](HttpRequest&& r, Respond respond) {
    if (r.path == "/later") return later.set_value(std::move(respond));
    respond(HttpResponse{200, {}, "now"});
  });
  RawClient waiting(server_->port());
  waiting.Send("GET /later HTTP/1.1\r\nHost: t\r\n\r\n");
  auto respond = later.get_future().get();
  // The only I/O thread answers another request, so the first handler returned.
  RawClient other(server_->port());
  other.Send("GET /now HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_NE(other.ReadResponse().find("now"), std::string::npos);
  respond(HttpResponse{201, {}, "later"});
  const auto response = waiting.ReadResponse();
  EXPECT_NE(response.find("201"), std::string::npos);
  EXPECT_NE(response.find("later"), std::string::npos);
}

// A source of `parts` that fails instead of ending when `fail_at_end`.
std::shared_ptr<BodySource> PartsSource(std::vector<std::string> parts, bool fail_at_end,
                                        std::atomic<int>* cancelled = nullptr) {
  auto source = std::make_shared<BodySource>();
  auto remaining = std::make_shared<std::vector<std::string>>(std::move(parts));
  source->next = [remaining, fail_at_end](BodySource::Deliver deliver) {
    if (remaining->empty()) return deliver(std::nullopt, !fail_at_end);
    auto part = std::move(remaining->front());
    remaining->erase(remaining->begin());
    // From another thread, as a backend stream delivers.
    std::thread([deliver, part = std::move(part)] { deliver(part, true); }).detach();
  };
  source->cancel = [cancelled] {
    if (cancelled != nullptr) ++*cancelled;
  };
  return source;
}

TEST_F(HttpServerTest, AStreamedBodyGoesOutInChunksAsTheSourceMakesThem) {
  StartServer({}, [](HttpRequest&&, Respond respond) {
    HttpResponse r{200, {{"content-type", "text/csv"}}, "ignored", PartsSource({"alpha,1\r\n", "", "beta,2\r\n"}, false)};
    respond(std::move(r));
  });
  RawClient client(server_->port());
  client.Send("GET /export HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  const auto all = client.ReadAll();
  EXPECT_NE(all.find("Transfer-Encoding: chunked"), std::string::npos) << all;
  EXPECT_EQ(all.find("ignored"), std::string::npos) << all;
  const auto body = all.substr(all.find("\r\n\r\n") + 4);
  EXPECT_EQ(body, "9\r\nalpha,1\r\n\r\n8\r\nbeta,2\r\n\r\n0\r\n\r\n");
  EXPECT_TRUE(Eventually([&] { return server_->requests_in_flight() == 0; }));
}

TEST_F(HttpServerTest, AStreamedBodyKeepsTheConnectionForTheNextRequest) {
  StartServer({}, [](HttpRequest&& r, Respond respond) {
    if (r.path == "/export") return respond(HttpResponse{200, {}, "", PartsSource({"abc"}, false)});
    respond(HttpResponse{200, {}, "after"});
  });
  RawClient client(server_->port());
  client.Send("GET /export HTTP/1.1\r\nHost: t\r\n\r\nGET /next HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  const auto all = client.ReadAll();
  EXPECT_NE(all.find("3\r\nabc\r\n0\r\n\r\n"), std::string::npos) << all;
  EXPECT_NE(all.find("after"), std::string::npos) << all;
}

TEST_F(HttpServerTest, ASourceThatFailsMidwayCutsTheTransferWithoutItsLastChunk) {
  StartServer({}, [](HttpRequest&&, Respond respond) {
    respond(HttpResponse{200, {}, "", PartsSource({"first"}, true)});
  });
  RawClient client(server_->port());
  client.Send("GET /export HTTP/1.1\r\nHost: t\r\n\r\n");  // keep-alive asked, still closed
  const auto all = client.ReadAll();
  EXPECT_NE(all.find("5\r\nfirst\r\n"), std::string::npos) << all;
  EXPECT_EQ(all.find("0\r\n\r\n"), std::string::npos) << all;
  EXPECT_TRUE(Eventually([&] { return server_->requests_in_flight() == 0; }));
}

TEST_F(HttpServerTest, IdleConnectionsAreClosed) {
  HttpServer::Options options;
  options.idle_timeout = std::chrono::milliseconds(200);
  options.header_timeout = std::chrono::milliseconds(200);
  StartServer(options, Echo());
  RawClient silent(server_->port());
  EXPECT_TRUE(silent.ClosedByServer());
  RawClient kept_alive(server_->port());
  kept_alive.Send("GET /a HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_NE(kept_alive.ReadResponse().find("200 OK"), std::string::npos);
  EXPECT_TRUE(kept_alive.ClosedByServer());
}

// A slowloris client keeps every single read short by sending a byte now and
// then; only a deadline on the whole header drops it.
TEST_F(HttpServerTest, AClientThatNeverFinishesItsHeaderIsDropped) {
  HttpServer::Options options;
  options.header_timeout = std::chrono::milliseconds(300);
  StartServer(options, CountBytes());
  RawClient slow(server_->port());
  slow.Send("GET /slow HTTP/1.1\r\nHost: t\r\nX-Trickle: ");
  std::atomic<bool> closed{false};
  std::thread reader([&] { closed = slow.ClosedByServer(); });
  // At most 1000 bytes (well under the header limit), one every 10 ms.
  for (int i = 0; i < 1000 && !closed; ++i) {
    if (!slow.TrySend("a")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  reader.join();
  EXPECT_TRUE(closed);
  EXPECT_EQ(handled_, 0);
}

TEST_F(HttpServerTest, LimitsAreAnsweredWithStatusCodes) {
  HttpServer::Options options;
  options.body_limit_bytes = 10;
  options.header_limit_bytes = 256;
  StartServer(options, Echo());
  RawClient big_body(server_->port());
  big_body.Send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\n01234567890");
  EXPECT_NE(big_body.ReadResponse().find("413"), std::string::npos);
  // Known from Content-Length: refused before a byte of the body was sent.
  RawClient announced(server_->port());
  announced.Send(Post("/", 1 << 20));
  EXPECT_NE(announced.ReadResponse().find("413"), std::string::npos);
  EXPECT_TRUE(announced.ClosedByServer());
  RawClient big_header(server_->port());
  big_header.Send("GET / HTTP/1.1\r\nHost: t\r\nX: " + std::string(400, 'x') + "\r\n\r\n");
  EXPECT_NE(big_header.ReadResponse().find("431"), std::string::npos);
  RawClient garbage(server_->port());
  garbage.Send("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_NE(garbage.ReadResponse().find("400"), std::string::npos);
}

// 24 anonymous clients announce 16 MiB bodies and send only the start of
// them: each is refused from its headers, so the server never waits for (or
// holds) their bodies, and a signed-in upload at the same time is served.
TEST_F(HttpServerTest, AnonymousLargeUploadsAreRefusedBeforeTheirBodiesWhileASignedInClientIsServed) {
  HttpServer::Options options;
  options.body_limit_bytes = 16 << 20;
  StartServer(options, CountBytes(), [](const HttpRequest& head, uint64_t*) -> std::optional<HttpResponse> {
    const auto* authorization = head.Header("authorization");
    if (authorization != nullptr && *authorization == "Bearer good") return std::nullopt;
    return HttpResponse{401, {{"content-type", "application/json"}}, R"({"message":"authentication required"})"};
  });
  std::vector<std::unique_ptr<RawClient>> anonymous;
  for (int i = 0; i < 24; ++i) {
    anonymous.push_back(std::make_unique<RawClient>(server_->port()));
    anonymous.back()->Send(Post("/xapi/statements", 16 << 20) + std::string(64 * 1024, 'x'));
  }
  RawClient signed_in(server_->port());
  signed_in.Send(Post("/xapi/statements", 1 << 20, "Authorization: Bearer good\r\n") + std::string(1 << 20, 's'));
  const auto served = signed_in.ReadResponse();
  EXPECT_NE(served.find("200 OK"), std::string::npos) << served;
  EXPECT_NE(served.find("received 1048576"), std::string::npos) << served;
  for (auto& client : anonymous) {
    const auto refused = client->ReadResponse();
    EXPECT_NE(refused.find("401"), std::string::npos) << refused;
    EXPECT_TRUE(client->ClosedByServer());
  }
  EXPECT_EQ(handled_, 1);
  EXPECT_EQ(server_->refused(), 24);
  EXPECT_TRUE(Eventually([&] { return server_->body_bytes_in_flight() == 0; }));
}

TEST_F(HttpServerTest, HeaderCheckMayLowerTheBodyLimitOfARequest) {
  HttpServer::Options options;
  options.body_limit_bytes = 1 << 20;
  StartServer(options, CountBytes(), [](const HttpRequest& head, uint64_t* body_limit) -> std::optional<HttpResponse> {
    if (head.Header("authorization") == nullptr) *body_limit = 100;
    return std::nullopt;
  });
  RawClient anonymous(server_->port());
  anonymous.Send(Post("/", 101));
  EXPECT_NE(anonymous.ReadResponse().find("413"), std::string::npos);
  RawClient small(server_->port());
  small.Send(Post("/", 100) + std::string(100, 'x'));
  EXPECT_NE(small.ReadResponse().find("received 100"), std::string::npos);
  RawClient signed_in(server_->port());
  signed_in.Send(Post("/", 101, "Authorization: Basic x\r\n") + std::string(101, 'x'));
  EXPECT_NE(signed_in.ReadResponse().find("received 101"), std::string::npos);
}

TEST_F(HttpServerTest, HeaderCheckMayRaiseTheBodyLimitOfARequestForAnUpload) {
  HttpServer::Options options;
  options.body_limit_bytes = 100;
  StartServer(options, CountBytes(), [](const HttpRequest& head, uint64_t* body_limit) -> std::optional<HttpResponse> {
    if (head.path == "/upload") *body_limit = 1000;
    return std::nullopt;
  });
  RawClient upload(server_->port());
  upload.Send(Post("/upload", 900) + std::string(900, 'x'));
  const auto served = upload.ReadResponse();
  EXPECT_NE(served.find("received 900"), std::string::npos) << served;
  RawClient too_large(server_->port());
  too_large.Send(Post("/upload", 1001));
  EXPECT_NE(too_large.ReadResponse().find("413"), std::string::npos);
  RawClient other(server_->port());
  other.Send(Post("/", 101));
  EXPECT_NE(other.ReadResponse().find("413"), std::string::npos);
}

TEST_F(HttpServerTest, ConnectionsPerClientAddressAreCapped) {
  HttpServer::Options options;
  options.max_connections_per_client = 2;
  StartServer(options, CountBytes());
  RawClient first(server_->port());
  auto second = std::make_unique<RawClient>(server_->port());
  ASSERT_TRUE(Eventually([&] { return server_->open_connections() == 2; }));
  RawClient third(server_->port());
  const auto refused = third.ReadResponse();
  EXPECT_NE(refused.find("429"), std::string::npos) << refused;
  EXPECT_NE(refused.find("retry-after: 1"), std::string::npos) << refused;
  EXPECT_NE(refused.find("\"code\":8"), std::string::npos) << refused;
  EXPECT_TRUE(third.ClosedByServer());
  // The connections admitted are served, and a freed place can be taken.
  first.Send(Post("/", 2) + "ok");
  EXPECT_NE(first.ReadResponse().find("received 2"), std::string::npos);
  second->Close();
  ASSERT_TRUE(Eventually([&] { return server_->open_connections() == 1; }));
  RawClient fourth(server_->port());
  fourth.Send(Post("/", 2) + "ok");
  EXPECT_NE(fourth.ReadResponse().find("received 2"), std::string::npos);
}

TEST_F(HttpServerTest, ConnectionsOfTheProcessAreCapped) {
  HttpServer::Options options;
  options.max_connections = 1;
  StartServer(options, CountBytes());
  RawClient first(server_->port());
  ASSERT_TRUE(Eventually([&] { return server_->open_connections() == 1; }));
  RawClient second(server_->port());
  const auto refused = second.ReadResponse();
  EXPECT_NE(refused.find("503"), std::string::npos) << refused;
  EXPECT_NE(refused.find("retry-after"), std::string::npos) << refused;
  first.Send(Post("/", 2) + "ok");
  EXPECT_NE(first.ReadResponse().find("received 2"), std::string::npos);
}

// A client whose bodies in flight would pass its share is refused before
// its body is read; another request fits again once the first was answered.
TEST_F(HttpServerTest, BodyBytesInFlightPerClientAreCapped) {
  HttpServer::Options options;
  options.body_limit_bytes = 1 << 20;
  options.max_body_bytes_in_flight_per_client = (3 << 20) / 2;
  StartServer(options, CountBytes());
  RawClient uploading(server_->port());
  uploading.Send(Post("/", 1 << 20) + std::string(1 << 19, 'a'));
  ASSERT_TRUE(Eventually([&] { return server_->body_bytes_in_flight() == (1u << 20); }));
  RawClient greedy(server_->port());
  greedy.Send(Post("/", 1 << 20));
  const auto refused = greedy.ReadResponse();
  EXPECT_NE(refused.find("429"), std::string::npos) << refused;
  EXPECT_NE(refused.find("retry-after"), std::string::npos) << refused;
  uploading.Send(std::string(1 << 19, 'b'));
  EXPECT_NE(uploading.ReadResponse().find("received 1048576"), std::string::npos);
  ASSERT_TRUE(Eventually([&] { return server_->body_bytes_in_flight() == 0; }));
  RawClient later(server_->port());
  later.Send(Post("/", 1 << 20) + std::string(1 << 20, 'c'));
  EXPECT_NE(later.ReadResponse().find("received 1048576"), std::string::npos);
}

TEST_F(HttpServerTest, BodyBytesInFlightOfTheProcessAreCapped) {
  HttpServer::Options options;
  options.body_limit_bytes = 1 << 20;
  options.max_body_bytes_in_flight = (3 << 20) / 2;
  StartServer(options, CountBytes());
  RawClient uploading(server_->port());
  uploading.Send(Post("/", 1 << 20) + "a");
  ASSERT_TRUE(Eventually([&] { return server_->body_bytes_in_flight() == (1u << 20); }));
  RawClient another(server_->port());
  another.Send(Post("/", 1 << 20));
  const auto refused = another.ReadResponse();
  EXPECT_NE(refused.find("503"), std::string::npos) << refused;
  EXPECT_NE(refused.find("\"code\":14"), std::string::npos) << refused;
}

TEST_F(HttpServerTest, StopWaitsForRequestsInFlight) {
  std::promise<Respond> pending;
  StartServer({}, [&](HttpRequest&&, Respond respond) { pending.set_value(std::move(respond)); });
  const auto port = server_->port();
  RawClient client(port);
  client.Send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
  auto respond = pending.get_future().get();
  EXPECT_EQ(server_->requests_in_flight(), 1);
  // Answers once Stop is under way: the port no longer accepts.
  std::thread answer([respond, port] {
    Eventually([port] {
      asio::io_context io;
      tcp::socket probe(io);
      boost::system::error_code ec;
      probe.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
      return ec == asio::error::connection_refused;
    });
    respond(HttpResponse{200, {}, "finished"});
  });
  server_->Stop(std::chrono::milliseconds(30'000));
  answer.join();
  EXPECT_EQ(server_->requests_in_flight(), 0);
  EXPECT_NE(client.ReadResponse().find("finished"), std::string::npos);
}

// A connection waiting for its next request, or for a backend's answer, is
// held by a handler in the server's I/O context, and holds that context:
// Stop must break the cycle, or every such connection leaks with the context.
TEST_F(HttpServerTest, StopReleasesEveryConnectionAndAnAnswerAfterStopGoesNowhere) {
  std::promise<Respond> pending;
  StartServer({}, [&](HttpRequest&& r, Respond respond) {
    if (r.path == "/held") return pending.set_value(std::move(respond));
    respond(HttpResponse{200, {}, "now"});
  });
  RawClient idle(server_->port());
  idle.Send("GET /now HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_NE(idle.ReadResponse().find("now"), std::string::npos);  // kept alive: waits for its next request
  RawClient waiting(server_->port());
  waiting.Send("GET /held HTTP/1.1\r\nHost: t\r\n\r\n");
  auto respond = pending.get_future().get();
  EXPECT_EQ(server_->open_connections(), 2);

  server_->Stop(std::chrono::milliseconds(0));
  // Only the connection whose Respond the backend still holds is left.
  EXPECT_EQ(server_->open_connections(), 1);
  EXPECT_TRUE(idle.ClosedByServer());
  respond(HttpResponse{200, {}, "too late"});  // goes nowhere
  respond = nullptr;
  EXPECT_EQ(server_->open_connections(), 0);
  EXPECT_TRUE(waiting.ClosedByServer());
}

}  // namespace
}  // namespace osh::http
