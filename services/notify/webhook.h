#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <sys/socket.h>

namespace osh::notify {

// Delivering one webhook: a signed JSON POST, and the backoff between tries.
//
// Receivers check X-OSH-Signature the way Stripe's receivers check theirs:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 over "<t>.<body>">". Putting the time
// under the MAC lets a receiver refuse replays of an old, captured request.

// The X-OSH-Signature value for `body` sent at `unix_seconds`. Throws
// std::runtime_error only if OpenSSL cannot compute an HMAC.
std::string SignWebhook(std::string_view secret, int64_t unix_seconds, std::string_view body);

// True when `header` carries a v1 signature of `body` under `secret` made at
// most `tolerance_seconds` away from `now_seconds` (either way: a clock ahead
// is no better than one behind). Unknown keys are ignored, so a future scheme
// can be sent beside v1; several v1 values may be sent while a secret rotates.
// False on any malformed header.
bool VerifyWebhookSignature(std::string_view header, std::string_view secret, std::string_view body,
                            int64_t now_seconds, int64_t tolerance_seconds);

struct RetryPolicy {
  int max_attempts = 8;
  std::chrono::milliseconds base{1000};
  std::chrono::milliseconds cap{std::chrono::minutes(30)};
};

// The wait before the next attempt after `failed_attempts` (>= 1) failures:
// "full jitter" backoff, uniform01 * min(cap, base * 2^(failed_attempts - 1)),
// so receivers that failed together are not hit together again. `uniform01`
// is the caller's draw from [0, 1), injected to keep tests deterministic.
// Nullopt once failed_attempts reaches max_attempts: the delivery is dead.
std::optional<std::chrono::milliseconds> NextRetryDelay(const RetryPolicy& policy, int failed_attempts,
                                                        double uniform01);

struct WebhookResult {
  bool delivered = false;  // a 2xx answer
  bool retryable = false;  // 408, 429, 5xx or no answer at all; other failures will not get better by waiting
  int http_status = 0;     // 0 when no HTTP answer came
  std::string error;       // empty when delivered
};

// POSTs `body` as application/json to `url` (http:// or https:// only) with
// X-OSH-Signature (signed now), X-OSH-Event-Id, X-OSH-Delivery-Id and
// User-Agent osh-notify. Redirects are not followed: the signature was meant
// for the URL the subscriber registered. Gives up after `timeout`; reads at
// most 64 KiB of the answer, whose body is otherwise ignored. Thread-safe.
//
// Unless `allow_private_addresses`, the connection is refused (for good, not
// retried) when the host resolves to an address of a special-purpose range
// (IsPrivateAddress): rule authors must not be able to make the service call
// its own cluster or the cloud's metadata endpoint. The check is made on the
// address of the socket curl is about to connect, and that socket is the
// connection, so a DNS answer that changes between a check and the connection
// (rebinding) cannot slip past it. Proxies from the environment (http_proxy,
// https_proxy, all_proxy) are never used: the connection goes to the receiver.
WebhookResult PostWebhook(const std::string& url, std::string_view body, std::string_view secret,
                          const std::string& event_id, const std::string& delivery_id,
                          std::chrono::milliseconds timeout, bool allow_private_addresses = false);

// Whether an IPv4 or IPv6 socket address is one PostWebhook refuses by default:
// loopback, unspecified, private, shared (CGNAT), link-local, documentation,
// benchmarking, multicast, reserved and broadcast IPv4; ::/96, unique local,
// link- and site-local, multicast, discard, documentation, IETF-assigned
// (Teredo) IPv6, and the translated or tunnelled IPv4 of NAT64 (64:ff9b::/96,
// 64:ff9b:1::/48) and 6to4 (2002::/16); IPv4-mapped addresses by their IPv4
// address; anything that is not IP.
bool IsPrivateAddress(const struct sockaddr* address);

}  // namespace osh::notify
