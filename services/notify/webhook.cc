#include "webhook.h"

#include "curl_handle.h"
#include "osh/domain/text.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cstring>
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

namespace osh::notify {
namespace {

using Digest = std::array<unsigned char, 32>;  // SHA-256

constexpr std::size_t kMaxResponseBytes = 64 * 1024;
constexpr char kUserAgent[] = "osh-notify";

Digest Hmac(std::string_view secret, int64_t unix_seconds, std::string_view body) {
  const std::string message = fmt::format("{}.{}", unix_seconds, body);
  Digest digest{};
  unsigned int length = 0;
  // A non-null key even for an empty secret: HMAC_Init_ex reads NULL as "reuse the previous key".
  static const unsigned char kNoKey = 0;
  const void* key = secret.empty() ? &kNoKey : static_cast<const void*>(secret.data());
  if (HMAC(EVP_sha256(), key, static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(message.data()),
           message.size(), digest.data(), &length) == nullptr ||
      length != digest.size()) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return digest;
}

std::string Hex(const Digest& digest) {
  std::string out;
  for (unsigned char b : digest) out += fmt::format("{:02x}", b);
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<Digest> ParseHexDigest(std::string_view hex) {
  Digest out{};
  if (hex.size() != 2 * out.size()) return std::nullopt;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = HexDigit(hex[2 * i]);
    const int lo = HexDigit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return out;
}

// Unix seconds as plain digits: no sign, no padding tricks beyond what from_chars reads.
std::optional<int64_t> ParseSeconds(std::string_view text) {
  if (text.empty() || text[0] < '0' || text[0] > '9') return std::nullopt;
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

struct ParsedSignature {
  int64_t time = 0;
  std::vector<Digest> v1;
};

std::optional<ParsedSignature> ParseSignatureHeader(std::string_view header) {
  std::optional<int64_t> time;
  std::vector<Digest> v1;
  while (true) {
    const auto comma = header.find(',');
    const std::string_view element = header.substr(0, comma);
    const auto eq = element.find('=');
    if (eq == std::string_view::npos || eq == 0 || eq + 1 == element.size()) return std::nullopt;
    const std::string_view key = element.substr(0, eq);
    const std::string_view value = element.substr(eq + 1);
    if (key == "t") {
      if (time) return std::nullopt;  // two times: which one did the MAC cover?
      time = ParseSeconds(value);
      if (!time) return std::nullopt;
    } else if (key == "v1") {
      const auto digest = ParseHexDigest(value);
      if (!digest) return std::nullopt;
      v1.push_back(*digest);
    }
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  if (!time || v1.empty()) return std::nullopt;
  return ParsedSignature{*time, std::move(v1)};
}

// ---- HTTP -----------------------------------------------------------------

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const char c = s[i] >= 'A' && s[i] <= 'Z' ? static_cast<char>(s[i] - 'A' + 'a') : s[i];
    if (c != prefix[i]) return false;
  }
  return true;
}

// The scheme in any case (HTTP:// too): a transport-level check, unlike domain::IsHttpUrl on stored URLs.
bool IsHttpUrlAnyCase(std::string_view url) {
  return StartsWithNoCase(url, "http://") || StartsWithNoCase(url, "https://");
}


struct ResponseSink {
  std::size_t bytes = 0;
  bool overflowed = false;
};

// Counts and drops the answer's body; returning short of `size * n` makes curl
// stop, so a receiver cannot keep a worker busy with an endless answer.
size_t CountBody(char* /*data*/, size_t size, size_t n, void* user) {
  auto* sink = static_cast<ResponseSink*>(user);
  const size_t bytes = size * n;
  if (sink->bytes + bytes > kMaxResponseBytes) {
    sink->overflowed = true;
    return 0;
  }
  sink->bytes += bytes;
  return bytes;
}

WebhookResult Refused(std::string error) { return {.delivered = false, .retryable = false, .error = std::move(error)}; }

WebhookResult FromStatus(int status, CURL* curl) {
  if (status >= 200 && status <= 299) return {.delivered = true, .http_status = status};
  const bool retryable = status == 408 || status == 429 || (status >= 500 && status <= 599);
  std::string error = fmt::format("answered HTTP {}", status);
  if (status >= 300 && status <= 399) {
    char* location = nullptr;
    curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &location);
    error += fmt::format(" redirecting to {}; redirects are not followed, so register the final URL",
                         location != nullptr ? location : "nowhere");
  }
  return {.delivered = false, .retryable = retryable, .http_status = status, .error = std::move(error)};
}

WebhookResult FromTransportError(CURLcode code, const char* detail, int status) {
  // A URL curl cannot use stays unusable; everything else (DNS, refused,
  // reset, TLS, timeout) may be the receiver's passing trouble.
  const bool retryable = code != CURLE_URL_MALFORMAT && code != CURLE_UNSUPPORTED_PROTOCOL;
  std::string error = curl_easy_strerror(code);
  if (detail[0] != '\0' && error != detail) error += fmt::format(": {}", detail);
  return {.delivered = false, .retryable = retryable, .http_status = status, .error = std::move(error)};
}

}  // namespace

std::string SignWebhook(std::string_view secret, int64_t unix_seconds, std::string_view body) {
  return fmt::format("t={},v1={}", unix_seconds, Hex(Hmac(secret, unix_seconds, body)));
}

bool VerifyWebhookSignature(std::string_view header, std::string_view secret, std::string_view body,
                            int64_t now_seconds, int64_t tolerance_seconds) {
  if (tolerance_seconds < 0 || now_seconds < 0) return false;
  const auto parsed = ParseSignatureHeader(header);
  if (!parsed) return false;
  // Both are non-negative, so the difference cannot overflow.
  const int64_t skew = parsed->time > now_seconds ? parsed->time - now_seconds : now_seconds - parsed->time;
  if (skew > tolerance_seconds) return false;
  const Digest expected = Hmac(secret, parsed->time, body);
  return std::any_of(parsed->v1.begin(), parsed->v1.end(), [&](const Digest& d) {
    return CRYPTO_memcmp(d.data(), expected.data(), d.size()) == 0;  // constant time: no timing oracle
  });
}

std::optional<std::chrono::milliseconds> NextRetryDelay(const RetryPolicy& policy, int failed_attempts,
                                                        double uniform01) {
  using std::chrono::milliseconds;
  if (failed_attempts >= policy.max_attempts) return std::nullopt;
  if (failed_attempts < 1 || policy.base <= milliseconds::zero() || policy.cap <= milliseconds::zero()) {
    return milliseconds::zero();
  }
  milliseconds ceiling = std::min(policy.base, policy.cap);
  // Doubling stops at the cap, so neither the loop nor the arithmetic can run away.
  for (int i = 1; i < failed_attempts && ceiling < policy.cap; ++i) {
    ceiling = ceiling > policy.cap / 2 ? policy.cap : ceiling * 2;
  }
  const double u = std::isnan(uniform01) ? 0.0 : std::clamp(uniform01, 0.0, 1.0);
  const double scaled = u * static_cast<double>(ceiling.count());
  if (scaled >= static_cast<double>(ceiling.count())) return ceiling;
  return milliseconds(static_cast<int64_t>(scaled));
}

namespace {

// IPv4 ranges no webhook receiver lives in (IANA special-purpose registry,
// RFC 6890 and successors): this host, private networks, shared address space,
// loopback, link-local, IETF protocol assignments, documentation, the 6to4
// relay anycast, benchmarking, multicast, reserved and broadcast.
bool IsSpecialIpv4(uint32_t ip) {
  struct Range {
    uint32_t net;
    int bits;
  };
  static constexpr Range kRanges[] = {
      {0x00000000, 8},   // 0.0.0.0/8 "this network"
      {0x0A000000, 8},   // 10.0.0.0/8 private
      {0x64400000, 10},  // 100.64.0.0/10 shared address space (CGNAT)
      {0x7F000000, 8},   // 127.0.0.0/8 loopback
      {0xA9FE0000, 16},  // 169.254.0.0/16 link-local (cloud metadata)
      {0xAC100000, 12},  // 172.16.0.0/12 private
      {0xC0000000, 24},  // 192.0.0.0/24 IETF protocol assignments
      {0xC0000200, 24},  // 192.0.2.0/24 documentation
      {0xC0586300, 24},  // 192.88.99.0/24 6to4 relay anycast
      {0xC0A80000, 16},  // 192.168.0.0/16 private
      {0xC6120000, 15},  // 198.18.0.0/15 benchmarking
      {0xC6336400, 24},  // 198.51.100.0/24 documentation
      {0xCB007100, 24},  // 203.0.113.0/24 documentation
      {0xE0000000, 4},   // 224.0.0.0/4 multicast
      {0xF0000000, 4},   // 240.0.0.0/4 reserved, and 255.255.255.255 broadcast
  };
  return std::any_of(std::begin(kRanges), std::end(kRanges),
                     [ip](const Range& r) { return (ip >> (32 - r.bits)) == (r.net >> (32 - r.bits)); });
}

// IPv6 ranges no webhook receiver lives in, besides loopback, unspecified
// and the IPv4-mapped or -compatible ones (judged by their IPv4 address).
// Translated and tunnelled addresses carry an IPv4 address that a gateway
// reaches on our behalf (NAT64, 6to4, Teredo): refused whole rather than
// trusting the gateway's view of the embedded address.
bool IsSpecialIpv6(const in6_addr& address) {
  struct Range {
    std::array<uint8_t, 16> net;
    int bits;
  };
  static constexpr Range kRanges[] = {
      {{0x00, 0x64, 0xff, 0x9b}, 96},        // 64:ff9b::/96 NAT64
      {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48},  // 64:ff9b:1::/48 local-use NAT64
      {{0x01, 0x00}, 64},                    // 100::/64 discard-only
      {{0x20, 0x01, 0x00, 0x00}, 23},        // 2001::/23 IETF protocol assignments (Teredo 2001::/32 ...)
      {{0x20, 0x01, 0x0d, 0xb8}, 32},        // 2001:db8::/32 documentation
      {{0x20, 0x02}, 16},                    // 2002::/16 6to4
      {{0xfc}, 7},                           // fc00::/7 unique local
      {{0xfe, 0x80}, 10},                    // fe80::/10 link-local
      {{0xfe, 0xc0}, 10},                    // fec0::/10 site-local (deprecated)
      {{0xff}, 8},                           // ff00::/8 multicast
  };
  const auto in = [&address](const Range& r) {
    for (int bit = 0; bit < r.bits; bit += 8) {
      const int left = r.bits - bit;
      const auto mask = static_cast<uint8_t>(left >= 8 ? 0xFF : 0xFF << (8 - left));
      if ((address.s6_addr[bit / 8] & mask) != (r.net[bit / 8] & mask)) return false;
    }
    return true;
  };
  return std::any_of(std::begin(kRanges), std::end(kRanges), in);
}

}  // namespace

bool IsPrivateAddress(const struct sockaddr* address) {
  if (address->sa_family == AF_INET) {
    return IsSpecialIpv4(ntohl(reinterpret_cast<const sockaddr_in*>(address)->sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
    // ::ffff:a.b.c.d reaches an IPv4 address: judge that one.
    if (IN6_IS_ADDR_V4MAPPED(&a)) {
      uint32_t v4 = 0;
      std::memcpy(&v4, a.s6_addr + 12, 4);
      return IsSpecialIpv4(ntohl(v4));
    }
    // ::/96: unspecified, loopback and the deprecated IPv4-compatible addresses.
    const bool first_96_bits_zero = std::all_of(a.s6_addr, a.s6_addr + 12, [](uint8_t b) { return b == 0; });
    return first_96_bits_zero || IsSpecialIpv6(a);
  }
  return true;  // anything but IP is not a webhook receiver
}

namespace {

struct AddressGuard {
  bool blocked = false;
};

// Called by curl with the address it is about to connect to.
curl_socket_t OpenCheckedSocket(void* user, curlsocktype /*purpose*/, struct curl_sockaddr* address) {
  if (IsPrivateAddress(&address->addr)) {
    static_cast<AddressGuard*>(user)->blocked = true;
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype, address->protocol);
}

}  // namespace

WebhookResult PostWebhook(const std::string& url, std::string_view body, std::string_view secret,
                          const std::string& event_id, const std::string& delivery_id,
                          std::chrono::milliseconds timeout, bool allow_private_addresses) {
  if (!IsHttpUrlAnyCase(url)) return Refused("url must start with http:// or https://");
  // CR or LF in a header value would let an id inject headers of its own.
  if (domain::HasControlCharacters(event_id) || domain::HasControlCharacters(delivery_id)) {
    return Refused("event or delivery id holds control characters");
  }
  if (const CURLcode init = CurlGlobalInit(); init != CURLE_OK) return FromTransportError(init, "", 0);
  const std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return {.retryable = true, .error = "cannot create a curl handle"};

  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string header_lines[] = {
      "Content-Type: application/json",
      "X-OSH-Signature: " + SignWebhook(secret, now, body),
      "X-OSH-Event-Id: " + event_id,
      "X-OSH-Delivery-Id: " + delivery_id,
      // Without this curl sends "Expect: 100-continue" for larger bodies and
      // waits a second for receivers that never answer it.
      "Expect:",
  };
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  for (const std::string& line : header_lines) {
    curl_slist* longer = curl_slist_append(headers.get(), line.c_str());
    if (longer == nullptr) return {.retryable = true, .error = "out of memory building headers"};
    (void)headers.release();  // `longer` now owns the old list
    headers.reset(longer);
  }

  ResponseSink sink;
  char detail[CURL_ERROR_SIZE] = {};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  // Never NULL: with POST and no fields curl would read the body from stdin.
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.empty() ? "" : body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_USERAGENT, kUserAgent);
  // 0 would mean "no timeout" to curl, which no caller means.
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<int64_t>(1, timeout.count())));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // signals and worker threads do not mix
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, CountBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
  // Straight to the receiver, whatever http_proxy, https_proxy or all_proxy
  // say: through a proxy the address check below would judge the proxy, and
  // the proxy would reach any address it is asked to.
  curl_easy_setopt(c, CURLOPT_PROXY, "");
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");

  AddressGuard guard;
  if (!allow_private_addresses) {
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, OpenCheckedSocket);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &guard);
  }
  const CURLcode code = curl_easy_perform(c);
  if (guard.blocked) return Refused("the webhook host resolves to a private or loopback address");
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  // Stopping a long answer is our choice, not a failure: its status counts.
  const bool answered = code == CURLE_OK || (code == CURLE_WRITE_ERROR && sink.overflowed && status != 0);
  if (!answered) return FromTransportError(code, detail, static_cast<int>(status));
  return FromStatus(static_cast<int>(status), c);
}

}  // namespace osh::notify
