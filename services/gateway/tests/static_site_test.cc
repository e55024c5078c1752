// The web console served by the gateway at `/`, over a real socket: a real
// HttpServer in front of the real Gateway pipeline, a built console tree in a
// temporary directory, and a client that sends raw HTTP/1.1 (so that paths
// such as /../ reach the server exactly as written).
#include "static_site.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "gateway.h"
#include "osh/auth/jwt.h"
#include "osh/core/metrics.h"
#include "osh/http/http_server.h"
#include "tests/platform_routes.h"

namespace osh::gateway {
namespace {

namespace fs = std::filesystem;

struct Reply {
  int status = 0;
  std::string head;  // status line and headers, names as sent
  std::string body;
  std::string Header(const std::string& lower_name) const {
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    const auto at = lower.find("\r\n" + lower_name + ":");
    if (at == std::string::npos) return "";
    const auto start = head.find_first_not_of(' ', at + 3 + lower_name.size());
    return head.substr(start, head.find("\r\n", start) - start);
  }
};

// One request on its own connection (Connection: close), read to the end.
Reply Get(uint16_t port, const std::string& target, const std::string& extra_headers = "") {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  timeval patience{.tv_sec = 20, .tv_usec = 0};  // a guard against hanging, not a measure of speed
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
  Reply reply;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return reply;
  }
  const std::string request =
      "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extra_headers + "\r\n";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string raw;
  char buffer[8192];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) raw.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  const auto end = raw.find("\r\n\r\n");
  if (end == std::string::npos) return reply;
  reply.head = raw.substr(0, end);
  reply.body = raw.substr(end + 4);
  reply.status = std::stoi(raw.substr(9, 3));
  return reply;
}

void Write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

class WebConsoleOverSocket : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("osh-web-" + std::to_string(std::random_device{}()));
    root_ = dir_ / "dist";
    Write(root_ / "index.html", "<!doctype html><title>console</title><script type=module src=/assets/app-1a2b.js></script>");
    Write(root_ / "assets" / "app-1a2b.js", "console.log('app')");
    Write(root_ / "assets" / "app-1a2b.js.gz", "GZIPPED-BYTES");
    Write(root_ / "config.json", "{\"oidc\":null}");
    Write(dir_ / "secret.txt", "outside the web root");

    std::string error;
    site_ = StaticSite::Load({.root = root_.string(), .extra_connect_src = "https://idp.example.cn"}, &error);
    ASSERT_NE(site_, nullptr) << error;
    verifier_ = auth::TokenVerifier::Create({.hs256_secret = std::string(48, 's')}, &error);
    ASSERT_NE(verifier_, nullptr) << error;
    backends_ = std::make_unique<Backends>(std::map<std::string, std::string>{}, 1);
    gateway_ = std::make_unique<Gateway>(Gateway::Options{.access_log = false},
                                         Gateway::Parts{.routes = &testing::PlatformRoutes(),
                                                        .backends = backends_.get(),
                                                        .verifier = verifier_.get(),
                                                        .cache = nullptr,
                                                        .rate_limit = {},
                                                        .metrics = &metrics_,
                                                        .openapi_json = "{\"openapi\":\"3.0.3\"}",
                                                        .site = site_.get()});
    server_ = std::make_unique<http::HttpServer>(http::HttpServer::Options{}, [this](HttpRequest&& r, Respond respond) {
      gateway_->Handle(std::move(r), std::move(respond));
    });
    ASSERT_TRUE(server_->Start(&error)) << error;
    port_ = server_->port();
  }
  void TearDown() override {
    if (server_) server_->Stop(std::chrono::milliseconds(100));
    fs::remove_all(dir_);
  }

  fs::path dir_, root_;
  std::unique_ptr<StaticSite> site_;
  std::unique_ptr<auth::TokenVerifier> verifier_;
  std::unique_ptr<Backends> backends_;
  core::MetricsRegistry metrics_;
  std::unique_ptr<Gateway> gateway_;
  std::unique_ptr<http::HttpServer> server_;
  uint16_t port_ = 0;
};

TEST_F(WebConsoleOverSocket, TheRootAnswersIndexHtmlRevalidatedEveryTimeUnderAStrictPolicy) {
  const auto reply = Get(port_, "/");
  ASSERT_EQ(reply.status, 200) << reply.head;
  EXPECT_NE(reply.body.find("<title>console</title>"), std::string::npos);
  EXPECT_EQ(reply.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(reply.Header("cache-control"), "no-cache");
  EXPECT_EQ(reply.Header("x-content-type-options"), "nosniff");
  const auto csp = reply.Header("content-security-policy");
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'self';"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;  // neither scripts nor styles inline
  EXPECT_NE(csp.find("connect-src 'self' https://idp.example.cn"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
}

TEST_F(WebConsoleOverSocket, HashedAssetsAreCachedForAYearAndSentGzippedToClientsThatAcceptIt) {
  const auto plain = Get(port_, "/assets/app-1a2b.js");
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(plain.body, "console.log('app')");
  EXPECT_EQ(plain.Header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(plain.Header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(plain.Header("content-encoding"), "");
  EXPECT_EQ(plain.Header("vary"), "Accept-Encoding");

  const auto gzipped = Get(port_, "/assets/app-1a2b.js", "Accept-Encoding: gzip, br\r\n");
  ASSERT_EQ(gzipped.status, 200);
  EXPECT_EQ(gzipped.Header("content-encoding"), "gzip");
  EXPECT_EQ(gzipped.body, "GZIPPED-BYTES");
  // The twin is never a file of its own.
  EXPECT_EQ(Get(port_, "/assets/app-1a2b.js.gz").status, 404);
}

TEST_F(WebConsoleOverSocket, PagesOfTheAppFallBackToIndexHtmlButMissingFilesAre404) {
  for (const auto* page : {"/national", "/province/employers/0190f3e4-aaaa", "/library/search"}) {
    const auto reply = Get(port_, page);
    EXPECT_EQ(reply.status, 200) << page;
    EXPECT_NE(reply.body.find("<title>console</title>"), std::string::npos) << page;
    EXPECT_EQ(reply.Header("cache-control"), "no-cache") << page;
  }
  const auto missing = Get(port_, "/assets/gone-9f9f.js");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("\"code\":5"), std::string::npos) << missing.body;
  EXPECT_EQ(missing.Header("x-content-type-options"), "nosniff");
}

TEST_F(WebConsoleOverSocket, PathsThatClimbOutOfTheRootAreRefusedAndNothingOutsideIsEverSent) {
  for (const auto* target : {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt",
                             "/assets/%2E%2E%2F%2E%2E%2Fsecret.txt", "/..%5csecret.txt", "/assets/%00x.js",
                             "/%zz/index.html"}) {
    const auto reply = Get(port_, target);
    EXPECT_EQ(reply.status, 400) << target << "\n" << reply.head;
    EXPECT_EQ(reply.body.find("outside the web root"), std::string::npos) << target;
    EXPECT_NE(reply.body.find("\"field\":\"path\""), std::string::npos) << target << " " << reply.body;
  }
}

TEST_F(WebConsoleOverSocket, ApiRoutesKeepTheirJsonAnswers) {
  const auto employers = Get(port_, "/v1/employers");
  EXPECT_EQ(employers.status, 401);  // a route needing a token, not the console
  EXPECT_EQ(employers.Header("content-type"), "application/json");
  const auto unknown = Get(port_, "/v1/no-such-thing");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body.find("<title>"), std::string::npos);
  EXPECT_NE(unknown.body.find("no route for GET /v1/no-such-thing"), std::string::npos) << unknown.body;
  const auto openapi = Get(port_, "/openapi.json");
  EXPECT_EQ(openapi.status, 200);
  EXPECT_EQ(openapi.body, "{\"openapi\":\"3.0.3\"}");
}

TEST(StaticSiteLoad, ARootWithoutIndexHtmlOrThatIsMissingFailsTheStartWithAReason) {
  const auto dir = fs::temp_directory_path() / ("osh-web-empty-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  std::string error;
  EXPECT_EQ(StaticSite::Load({.root = dir.string()}, &error), nullptr);
  EXPECT_NE(error.find("no index.html"), std::string::npos) << error;
  EXPECT_EQ(StaticSite::Load({.root = (dir / "absent").string()}, &error), nullptr);
  EXPECT_NE(error.find("not a directory"), std::string::npos) << error;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace osh::gateway
