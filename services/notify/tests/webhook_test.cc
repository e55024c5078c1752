#include "webhook.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace osh::notify {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// ---- signatures -------------------------------------------------------------

constexpr std::string_view kSecret = "whsec_test";
constexpr int64_t kTime = 1795570200;  // 2026-11-25T09:30:00+08:00
const std::string kBody = R"({"event":"osh.events.v1.ArticlePublished","title":"职业病防治法"})";
// From Python: hmac.new(b"whsec_test", f"{kTime}.{kBody}".encode(), hashlib.sha256).hexdigest()
constexpr std::string_view kKnownMac = "848e6a355531d3ffb524f5bd1c0967fd088084bfecb85c89e3d1f03c2d3e85a1";

std::string OpenSslHexMac(std::string_view secret, const std::string& message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &length);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    static constexpr char kDigits[] = "0123456789abcdef";
    hex += kDigits[mac[i] >> 4];
    hex += kDigits[mac[i] & 0xF];
  }
  return hex;
}

TEST(WebhookSignatureTest, MatchesAKnownAnswer) {
  const std::string header = SignWebhook(kSecret, kTime, kBody);
  EXPECT_EQ(header, "t=1795570200,v1=" + OpenSslHexMac(kSecret, "1795570200." + kBody));
  EXPECT_EQ(header, "t=1795570200,v1=" + std::string(kKnownMac));
}

TEST(WebhookSignatureTest, VerifiesWithinTheTolerance) {
  const std::string header = SignWebhook(kSecret, kTime, kBody);
  EXPECT_TRUE(VerifyWebhookSignature(header, kSecret, kBody, kTime, 0));
  EXPECT_TRUE(VerifyWebhookSignature(header, kSecret, kBody, kTime + 300, 300));
  EXPECT_TRUE(VerifyWebhookSignature(header, kSecret, kBody, kTime - 300, 300));
}

TEST(WebhookSignatureTest, RejectsWrongSecretAndTamperedBody) {
  const std::string header = SignWebhook(kSecret, kTime, kBody);
  EXPECT_FALSE(VerifyWebhookSignature(header, "whsec_other", kBody, kTime, 300));
  EXPECT_FALSE(VerifyWebhookSignature(header, "", kBody, kTime, 300));
  std::string tampered = kBody;
  tampered.back() = ' ';
  EXPECT_FALSE(VerifyWebhookSignature(header, kSecret, tampered, kTime, 300));
  EXPECT_FALSE(VerifyWebhookSignature(header, kSecret, kBody + " ", kTime, 300));
}

TEST(WebhookSignatureTest, RejectsStaleAndFutureTimestamps) {
  const std::string header = SignWebhook(kSecret, kTime, kBody);
  EXPECT_FALSE(VerifyWebhookSignature(header, kSecret, kBody, kTime + 301, 300));
  EXPECT_FALSE(VerifyWebhookSignature(header, kSecret, kBody, kTime - 301, 300));
  EXPECT_FALSE(VerifyWebhookSignature(header, kSecret, kBody, kTime, -1));
  EXPECT_FALSE(VerifyWebhookSignature(header, kSecret, kBody, -1, std::numeric_limits<int64_t>::max()));
}

TEST(WebhookSignatureTest, TheTimestampIsUnderTheMac) {
  // Replaying a captured body and MAC with a fresh t must not pass.
  const std::string replayed = "t=" + std::to_string(kTime + 3600) + ",v1=" + std::string(kKnownMac);
  EXPECT_FALSE(VerifyWebhookSignature(replayed, kSecret, kBody, kTime + 3600, 300));
}

TEST(WebhookSignatureTest, AcceptsRotationAndUnknownSchemes) {
  const std::string mac(kKnownMac);
  const std::string wrong(64, '0');
  const std::string t = "t=" + std::to_string(kTime);
  EXPECT_TRUE(VerifyWebhookSignature(t + ",v1=" + wrong + ",v1=" + mac, kSecret, kBody, kTime, 300));
  EXPECT_TRUE(VerifyWebhookSignature("v1=" + mac + "," + t, kSecret, kBody, kTime, 300));
  EXPECT_TRUE(VerifyWebhookSignature(t + ",v0=whatever,v1=" + mac, kSecret, kBody, kTime, 300));
  std::string upper = mac;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(VerifyWebhookSignature(t + ",v1=" + upper, kSecret, kBody, kTime, 300));
  EXPECT_FALSE(VerifyWebhookSignature(t + ",v1=" + wrong, kSecret, kBody, kTime, 300));
}

TEST(WebhookSignatureTest, RejectsMalformedHeaders) {
  const std::string mac(kKnownMac);
  const std::string t = std::to_string(kTime);
  const std::string malformed[] = {
      "",
      "garbage",
      "t=" + t,                                   // no signature
      "v1=" + mac,                                // no time
      "t=,v1=" + mac,                             // empty time
      "t=" + t + ",v1=",                          // empty signature
      "t=abc,v1=" + mac,                          // time not a number
      "t=+" + t + ",v1=" + mac,                   // signed time
      "t=-" + t + ",v1=" + mac,                   // negative time
      "t= " + t + ",v1=" + mac,                   // padded time
      "t=" + t + "x,v1=" + mac,                   // trailing junk
      "t=99999999999999999999,v1=" + mac,         // overflows int64
      "t=" + t + ",v1=" + mac.substr(1),          // 63 digits
      "t=" + t + ",v1=" + mac + "0",              // 65 digits
      "t=" + t + ",v1=" + mac.substr(1) + "g",    // not hex
      "t=" + t + ";v1=" + mac,                    // wrong separator
      "t=" + t + ",,v1=" + mac,                   // empty element
      "t=" + t + ",v1=" + mac + ",",              // trailing comma
      "t=" + t + ",t=" + t + ",v1=" + mac,        // two times
      "t=" + t + ",v1=" + mac + ",v1=zz",         // one bad signature spoils the header
      "t=" + t + ",=x,v1=" + mac,                 // empty key
  };
  for (const std::string& header : malformed) {
    EXPECT_FALSE(VerifyWebhookSignature(header, kSecret, kBody, kTime, 300)) << header;
  }
}

TEST(WebhookSignatureTest, EmptySecretAndBodyStillSign) {
  const std::string header = SignWebhook("", 0, "");
  EXPECT_EQ(header, "t=0,v1=" + OpenSslHexMac("", "0."));
  EXPECT_TRUE(VerifyWebhookSignature(header, "", "", 0, 0));
  EXPECT_FALSE(VerifyWebhookSignature(header, "x", "", 0, 0));
}

// ---- retries ----------------------------------------------------------------

TEST(RetryDelayTest, FullJitterBoundsWithTheDefaults) {
  const RetryPolicy policy;
  for (int n = 1; n <= 10; ++n) {
    const auto low = NextRetryDelay(policy, n, 0.0);
    const auto high = NextRetryDelay(policy, n, 0.999);
    if (n >= policy.max_attempts) {
      EXPECT_EQ(low, std::nullopt) << n;
      EXPECT_EQ(high, std::nullopt) << n;
      continue;
    }
    const auto ceiling = 1000ms * (int64_t{1} << (n - 1));
    ASSERT_TRUE(low.has_value() && high.has_value()) << n;
    EXPECT_EQ(*low, 0ms) << n;
    EXPECT_LE(*high, ceiling) << n;
    EXPECT_GE(*high, ceiling * 998 / 1000) << n;
  }
}

TEST(RetryDelayTest, TheCapHolds) {
  const RetryPolicy policy{.max_attempts = 20, .base = 1000ms, .cap = 10s};
  for (int n = 1; n <= 10; ++n) {
    const auto ceiling = std::min<std::chrono::milliseconds>(10s, 1000ms * (int64_t{1} << (n - 1)));
    const auto high = NextRetryDelay(policy, n, 0.999);
    ASSERT_TRUE(high.has_value()) << n;
    EXPECT_LE(*high, ceiling) << n;
    EXPECT_GE(*high, ceiling * 998 / 1000) << n;
    EXPECT_EQ(NextRetryDelay(policy, n, 0.0), 0ms) << n;
  }
  EXPECT_EQ(NextRetryDelay(policy, 19, 0.5), 5s);
  EXPECT_EQ(NextRetryDelay(policy, 20, 0.5), std::nullopt);
}

TEST(RetryDelayTest, IsTheDrawTimesTheCeiling) {
  const RetryPolicy policy;
  EXPECT_EQ(NextRetryDelay(policy, 1, 0.5), 500ms);
  EXPECT_EQ(NextRetryDelay(policy, 3, 0.5), 2000ms);
  EXPECT_EQ(NextRetryDelay(policy, 3, 0.25), 1000ms);
}

TEST(RetryDelayTest, SurvivesExtremes) {
  const RetryPolicy huge{.max_attempts = std::numeric_limits<int>::max(), .base = 1000ms,
                         .cap = std::chrono::milliseconds::max()};
  const auto far = NextRetryDelay(huge, 1000, 0.999);
  ASSERT_TRUE(far.has_value());
  EXPECT_GT(*far, std::chrono::milliseconds::max() / 2);
  EXPECT_EQ(NextRetryDelay(RetryPolicy{}, 2, 1.5), 2000ms);   // draws above 1 count as 1
  EXPECT_EQ(NextRetryDelay(RetryPolicy{}, 2, -0.5), 0ms);
  EXPECT_EQ(NextRetryDelay(RetryPolicy{}, 2, std::nan("")), 0ms);
  EXPECT_EQ(NextRetryDelay(RetryPolicy{}, 0, 0.999), 0ms);    // nothing failed yet: go now
  EXPECT_EQ(NextRetryDelay(RetryPolicy{.max_attempts = 1}, 1, 0.5), std::nullopt);
}

// ---- delivery against a real HTTP server on loopback ------------------------------

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

// A blocking HTTP/1.1 server on 127.0.0.1 that records each request and
// answers every one the same way (or never, to provoke a timeout).
class TestHttpServer {
 public:
  struct Answer {
    int status = 200;
    std::string extra_headers;  // "Name: value\r\n" lines
    std::size_t body_bytes = 0;
    bool silent = false;        // read the request, then say nothing until stopped
  };

  explicit TestHttpServer(Answer answer) : answer_(std::move(answer)) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    const int on = 1;
    setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    if (bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(listener_, 8) != 0) {
      ADD_FAILURE() << "cannot listen on loopback";
    }
    socklen_t length = sizeof address;
    getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }

  ~TestHttpServer() {
    stop_ = true;
    thread_.join();
    close(listener_);
  }

  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  int port() const { return port_; }

  std::vector<ReceivedRequest> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  // Waits up to 50 ms for `fd` to be readable, so the loops notice stop_.
  static bool Readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return poll(&p, 1, 50) > 0;
  }

  void Serve() {
    while (!stop_) {
      if (!Readable(listener_)) continue;
      const int connection = accept(listener_, nullptr, nullptr);
      if (connection < 0) continue;
      Handle(connection);
      close(connection);
    }
  }

  // Reads until `done` says the bytes so far are enough, the peer closes, or stop.
  bool ReadUntil(int fd, std::string& data, const auto& done) {
    char buffer[4096];
    while (!stop_ && !done(data)) {
      if (!Readable(fd)) continue;
      const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) return false;
      data.append(buffer, static_cast<std::size_t>(n));
    }
    return done(data);
  }

  void Handle(int fd) {
    std::string data;
    if (!ReadUntil(fd, data, [](const std::string& d) { return d.find("\r\n\r\n") != std::string::npos; })) return;
    const std::size_t head_end = data.find("\r\n\r\n");
    ReceivedRequest request = ParseHead(data.substr(0, head_end));
    const std::size_t length = request.headers.count("content-length") != 0
                                   ? std::stoul(request.headers["content-length"])
                                   : 0;
    ReadUntil(fd, data, [&](const std::string& d) { return d.size() >= head_end + 4 + length; });
    request.body = data.substr(head_end + 4, length);
    {
      std::lock_guard lock(mu_);
      requests_.push_back(request);
    }
    if (answer_.silent) {
      while (!stop_) std::this_thread::sleep_for(10ms);
      return;
    }
    std::string response = "HTTP/1.1 " + std::to_string(answer_.status) + " Test\r\nContent-Length: " +
                            std::to_string(answer_.body_bytes) + "\r\nConnection: close\r\n" + answer_.extra_headers +
                            "\r\n" + std::string(answer_.body_bytes, 'x');
    std::size_t sent = 0;
    while (sent < response.size()) {
      // The client may hang up after 64 KiB: no SIGPIPE for that.
      const ssize_t n = send(fd, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }

  static ReceivedRequest ParseHead(const std::string& head) {
    ReceivedRequest r;
    std::size_t line_end = head.find("\r\n");
    const std::string request_line = head.substr(0, line_end);
    const std::size_t space1 = request_line.find(' ');
    const std::size_t space2 = request_line.find(' ', space1 + 1);
    r.method = request_line.substr(0, space1);
    r.target = request_line.substr(space1 + 1, space2 - space1 - 1);
    while (line_end != std::string::npos) {
      const std::size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      const std::string line = head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
      const std::size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const std::size_t value_start = line.find_first_not_of(' ', colon + 1);
      r.headers[name] = value_start == std::string::npos ? "" : line.substr(value_start);
    }
    return r;
  }

  Answer answer_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<ReceivedRequest> requests_;
};

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

WebhookResult Post(const std::string& url, std::string_view body = kBody,
                   std::chrono::milliseconds timeout = 5000ms) {
  return PostWebhook(url, body, kSecret, "evt-1", "dlv-1", timeout, /*allow_private_addresses=*/true);
}

TEST(PostWebhookTest, PrivateAddressesAreRefusedUnlessAllowed) {
  const auto result = PostWebhook("http://127.0.0.1:9/x", kBody, kSecret, "evt-1", "dlv-1", 2000ms);
  EXPECT_FALSE(result.delivered);
  EXPECT_FALSE(result.retryable) << "it will not get better by waiting";
  EXPECT_NE(result.error.find("private or loopback"), std::string::npos) << result.error;
  const auto metadata = PostWebhook("http://169.254.169.254/latest", kBody, kSecret, "evt-1", "dlv-1", 2000ms);
  EXPECT_NE(metadata.error.find("private or loopback"), std::string::npos) << metadata.error;
  const auto mapped = PostWebhook("http://[::ffff:10.0.0.1]/", kBody, kSecret, "evt-1", "dlv-1", 2000ms);
  EXPECT_NE(mapped.error.find("private or loopback"), std::string::npos) << mapped.error;
}

bool IsPrivateV4(const char* ip) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  EXPECT_EQ(inet_pton(AF_INET, ip, &a.sin_addr), 1) << ip;
  return IsPrivateAddress(reinterpret_cast<const sockaddr*>(&a));
}

bool IsPrivateV6(const char* ip) {
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  EXPECT_EQ(inet_pton(AF_INET6, ip, &a.sin6_addr), 1) << ip;
  return IsPrivateAddress(reinterpret_cast<const sockaddr*>(&a));
}

TEST(IsPrivateAddressTest, KnowsTheIpv4Ranges) {
  for (const char* ip : {"127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
                         "100.64.0.1", "100.127.255.255", "0.0.0.0", "0.1.2.3", "192.0.0.8", "192.0.2.10",
                         "192.88.99.1", "198.18.0.1", "198.19.255.255", "198.51.100.7", "203.0.113.9", "224.0.0.1",
                         "239.255.255.250", "240.0.0.1", "250.1.2.3", "255.255.255.255"}) {
    EXPECT_TRUE(IsPrivateV4(ip)) << ip;
  }
  for (const char* ip : {"8.8.8.8", "172.32.0.1", "192.169.0.1", "100.128.0.1", "202.96.128.86", "198.17.255.255",
                         "198.20.0.1", "223.255.255.255", "192.0.3.1", "1.1.1.1"}) {
    EXPECT_FALSE(IsPrivateV4(ip)) << ip;
  }
}

TEST(IsPrivateAddressTest, KnowsTheIpv6Ranges) {
  for (const char* ip : {"::", "::1", "::10.0.0.1", "::8.8.8.8", "::ffff:10.0.0.1", "::ffff:127.0.0.1",
                         "::ffff:198.18.0.1", "::ffff:224.0.0.1", "64:ff9b::a00:1", "64:ff9b::808:808",
                         "64:ff9b:1::1", "100::1", "2001::1", "2001:0:4136:e378::1", "2001:db8::1",
                         "2002:a00:1::1", "2002:808:808::1", "fc00::1", "fd00::1", "fe80::1", "febf::1", "fec0::1",
                         "ff02::1", "ff05::1:3"}) {
    EXPECT_TRUE(IsPrivateV6(ip)) << ip;
  }
  for (const char* ip : {"2400:3200::1", "::ffff:8.8.8.8", "2001:4860:4860::8888", "2408:8000::1", "64:ff9c::1",
                         "2003::1"}) {
    EXPECT_FALSE(IsPrivateV6(ip)) << ip;
  }
}

// A proxy named by the environment: the request must not go through it,
// neither for delivery (the receiver would not be the one checked) nor at all.
class ProxyEnvironment {
 public:
  explicit ProxyEnvironment(const std::string& proxy_url) {
    for (const char* name : kNames) ::setenv(name, proxy_url.c_str(), 1);
    ::unsetenv("no_proxy");
    ::unsetenv("NO_PROXY");
  }
  ~ProxyEnvironment() {
    for (const char* name : kNames) ::unsetenv(name);
  }

 private:
  static constexpr const char* kNames[] = {"http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"};
};

TEST(PostWebhookTest, DeliversASignedRequest) {
  TestHttpServer server({.status = 200});
  const WebhookResult result = Post(server.Url("/hooks/osh?tenant=44"));
  EXPECT_TRUE(result.delivered);
  EXPECT_FALSE(result.retryable);
  EXPECT_EQ(result.http_status, 200);
  EXPECT_EQ(result.error, "");

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const ReceivedRequest& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/hooks/osh?tenant=44");
  EXPECT_EQ(r.body, kBody);
  EXPECT_EQ(r.headers.at("content-type"), "application/json");
  EXPECT_EQ(r.headers.at("user-agent"), "osh-notify");
  EXPECT_EQ(r.headers.at("x-osh-event-id"), "evt-1");
  EXPECT_EQ(r.headers.at("x-osh-delivery-id"), "dlv-1");
  EXPECT_EQ(r.headers.count("expect"), 0u);
  const std::string& signature = r.headers.at("x-osh-signature");
  EXPECT_TRUE(VerifyWebhookSignature(signature, kSecret, r.body, NowSeconds(), 60)) << signature;
  EXPECT_FALSE(VerifyWebhookSignature(signature, "whsec_other", r.body, NowSeconds(), 60));
}

TEST(PostWebhookTest, DeliversAnEmptyBody) {
  TestHttpServer server({.status = 204});
  const WebhookResult result = Post(server.Url("/"), "", 2000ms);
  EXPECT_TRUE(result.delivered);
  EXPECT_EQ(result.http_status, 204);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].headers.at("content-length"), "0");
  EXPECT_EQ(requests[0].body, "");
  EXPECT_TRUE(VerifyWebhookSignature(requests[0].headers.at("x-osh-signature"), kSecret, "", NowSeconds(), 60));
}

TEST(PostWebhookTest, LargeBodiesDoNotWaitForContinue) {
  TestHttpServer server({.status = 200});
  const std::string large = "{\"pad\":\"" + std::string(2 << 20, 'p') + "\"}";
  const WebhookResult result = Post(server.Url("/"), large);
  EXPECT_TRUE(result.delivered) << result.error;
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].headers.count("expect"), 0u);
  EXPECT_EQ(requests[0].body, large);
  EXPECT_TRUE(VerifyWebhookSignature(requests[0].headers.at("x-osh-signature"), kSecret, large, NowSeconds(), 60));
}

TEST(PostWebhookTest, ServerErrorsAreRetryable) {
  for (int status : {500, 502, 503, 504, 408, 429}) {
    TestHttpServer server({.status = status});
    const WebhookResult result = Post(server.Url("/"));
    EXPECT_FALSE(result.delivered) << status;
    EXPECT_TRUE(result.retryable) << status;
    EXPECT_EQ(result.http_status, status);
    EXPECT_EQ(result.error, "answered HTTP " + std::to_string(status));
  }
}

TEST(PostWebhookTest, ClientErrorsAreFinal) {
  for (int status : {400, 401, 403, 404, 410, 413, 422}) {
    TestHttpServer server({.status = status});
    const WebhookResult result = Post(server.Url("/"));
    EXPECT_FALSE(result.delivered) << status;
    EXPECT_FALSE(result.retryable) << status;
    EXPECT_EQ(result.http_status, status);
    EXPECT_EQ(result.error, "answered HTTP " + std::to_string(status));
  }
}

TEST(PostWebhookTest, RedirectsAreNotFollowed) {
  TestHttpServer target({.status = 200});
  TestHttpServer server({.status = 302, .extra_headers = "Location: " + target.Url("/elsewhere") + "\r\n"});
  const WebhookResult result = Post(server.Url("/"));
  EXPECT_FALSE(result.delivered);
  EXPECT_FALSE(result.retryable);
  EXPECT_EQ(result.http_status, 302);
  EXPECT_THAT(result.error, HasSubstr("redirecting to " + target.Url("/elsewhere")));
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(target.requests().size(), 0u);
}

TEST(PostWebhookTest, LongAnswersAreCutButStillCount) {
  TestHttpServer ok({.status = 200, .body_bytes = 1 << 20});
  const WebhookResult delivered = Post(ok.Url("/"));
  EXPECT_TRUE(delivered.delivered) << delivered.error;
  EXPECT_EQ(delivered.http_status, 200);
  TestHttpServer failing({.status = 500, .body_bytes = 1 << 20});
  const WebhookResult failed = Post(failing.Url("/"));
  EXPECT_FALSE(failed.delivered);
  EXPECT_TRUE(failed.retryable);
  EXPECT_EQ(failed.http_status, 500);
}

TEST(PostWebhookTest, RefusedConnectionsAreRetryable) {
  // A port bound but not listening refuses connections, and nobody else can take it meanwhile.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  const WebhookResult result = Post("http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/");
  close(fd);
  EXPECT_FALSE(result.delivered);
  EXPECT_TRUE(result.retryable);
  EXPECT_EQ(result.http_status, 0);
  EXPECT_THAT(result.error, HasSubstr("Couldn't connect to server"));
}

TEST(PostWebhookTest, SilentServersTimeOutAndAreRetryable) {
  TestHttpServer server({.silent = true});
  const WebhookResult result = Post(server.Url("/"), kBody, 300ms);
  EXPECT_FALSE(result.delivered);
  EXPECT_TRUE(result.retryable);
  EXPECT_EQ(result.http_status, 0);
  EXPECT_THAT(result.error, HasSubstr("Timeout was reached"));  // curl's own clock said so
  EXPECT_EQ(server.requests().size(), 1u);  // it did reach the server
}

TEST(PostWebhookTest, ProxiesFromTheEnvironmentAreNotUsed) {
  TestHttpServer proxy({.status = 200});
  TestHttpServer receiver({.status = 200});
  const ProxyEnvironment environment("http://127.0.0.1:" + std::to_string(proxy.port()));
  const WebhookResult result = Post(receiver.Url("/hook"));
  EXPECT_TRUE(result.delivered) << result.error;
  EXPECT_EQ(receiver.requests().size(), 1u);
  EXPECT_EQ(proxy.requests().size(), 0u) << "the request went through the proxy, past the address check";
}

TEST(PostWebhookTest, OnlyHttpUrls) {
  for (const char* url : {"ftp://127.0.0.1/x", "file:///etc/passwd", "gopher://127.0.0.1/", "127.0.0.1:80/", ""}) {
    const WebhookResult result = Post(url);
    EXPECT_FALSE(result.delivered) << url;
    EXPECT_FALSE(result.retryable) << url;
    EXPECT_EQ(result.error, "url must start with http:// or https://") << url;
  }
}

TEST(PostWebhookTest, AcceptsAnUpperCaseScheme) {
  TestHttpServer server({.status = 200});
  EXPECT_TRUE(Post("HTTP://127.0.0.1:" + std::to_string(server.port()) + "/").delivered);
}

TEST(PostWebhookTest, MalformedUrlsAreFinal) {
  const WebhookResult result = Post("http://exa mple.com/");
  EXPECT_FALSE(result.delivered);
  EXPECT_FALSE(result.retryable) << result.error;
  EXPECT_NE(result.error, "");
}

TEST(PostWebhookTest, IdsCannotInjectHeaders) {
  TestHttpServer server({.status = 200});
  const WebhookResult result =
      PostWebhook(server.Url("/"), kBody, kSecret, "evt-1\r\nX-Evil: 1", "dlv-1", 2000ms, true);
  EXPECT_FALSE(result.delivered);
  EXPECT_FALSE(result.retryable);
  EXPECT_EQ(result.error, "event or delivery id holds control characters");
  EXPECT_EQ(server.requests().size(), 0u);
}

}  // namespace
}  // namespace osh::notify
