#include "osh/cache/rate_limiter.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "lua_script.h"

namespace osh::cache {
namespace {

// KEYS[1]: the bucket, a hash {tokens, ts (microseconds)}. ARGV: capacity, refill per second.
// Returns {allowed (0|1), whole tokens left, retry after (ms, 0 when allowed)}.
//
// Time is the Redis server's (TIME), not the caller's: every gateway replica takes
// from the same bucket, and replicas' clocks disagree. With caller time a replica
// whose clock runs ahead would mint tokens and one running behind would see no
// refill; with one clock per key (a key lives on one server) refills are exact.
// Redis >= 5 replicates a script's effects rather than the script, so reading the
// non-deterministic TIME before writing is allowed (Debian 12 ships Redis 7).
//
// Microseconds since the epoch (~1.7e15) are exact in Lua's doubles (< 2^53) and
// are written with %.0f, as tostring would print 1.7e+15.
constexpr const char* kTakeToken = R"lua(
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = capacity
elseif now > ts then
  tokens = math.min(capacity, tokens + (now - ts) * rate / 1000000)
end
local allowed = 0
local retry_ms = 0
if tokens >= 1 then
  allowed = 1
  tokens = tokens - 1
else
  retry_ms = math.max(1, math.ceil((1 - tokens) * 1000 / rate))
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'ts', string.format('%.0f', now))
redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil((capacity - tokens) * 1000 / rate)))
return {allowed, math.floor(tokens), retry_ms}
)lua";

void CheckBucket(double capacity, double refill_per_second, const char* what) {
  if (!(capacity >= 1) || !(refill_per_second > 0) || !std::isfinite(capacity) || !std::isfinite(refill_per_second)) {
    throw std::invalid_argument(std::string(what) + ": capacity must be >= 1 and refill_per_second > 0");
  }
}

}  // namespace

LocalTokenBuckets::LocalTokenBuckets(double capacity, double refill_per_second, size_t max_keys, Clock clock)
    : capacity_(capacity),
      refill_per_second_(refill_per_second),
      max_keys_(max_keys),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })) {
  CheckBucket(capacity, refill_per_second, "local token buckets");
  if (max_keys < 1) throw std::invalid_argument("local token buckets: max_keys must be >= 1");
}

RateDecision LocalTokenBuckets::Take(std::string_view key) {
  std::lock_guard lock(mu_);
  const auto now = clock_();
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) {
      buckets_.erase(recency_.back());
      recency_.pop_back();
    }
    recency_.emplace_front(key);
    it = buckets_.emplace(recency_.front(), Bucket{capacity_, now, recency_.begin()}).first;
  } else {
    recency_.splice(recency_.begin(), recency_, it->second.recency);
    const std::chrono::duration<double> elapsed = now - it->second.updated;
    if (elapsed.count() > 0) {
      it->second.tokens = std::min(capacity_, it->second.tokens + elapsed.count() * refill_per_second_);
      it->second.updated = now;
    }
  }
  Bucket& b = it->second;
  RateDecision d;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    d.allowed = true;
  } else {
    const double wait_ms = std::ceil((1 - b.tokens) * 1000 / refill_per_second_);
    d.retry_after = std::chrono::milliseconds(std::max<int64_t>(1, static_cast<int64_t>(wait_ms)));
  }
  d.remaining = static_cast<int64_t>(std::floor(b.tokens));
  return d;
}

size_t LocalTokenBuckets::size() const {
  std::lock_guard lock(mu_);
  return buckets_.size();
}

struct RateLimiter::Impl {
  Impl(RedisClient& r, RateLimitOptions o, LocalTokenBuckets::Clock clock)
      : redis(r),
        options(std::move(o)),
        capacity_arg(fmt::format("{}", options.capacity)),
        rate_arg(fmt::format("{}", options.refill_per_second)),
        local(options.local_capacity, options.local_refill_per_second, options.local_max_keys, std::move(clock)) {}

  RedisClient& redis;
  const RateLimitOptions options;
  const std::string capacity_arg;
  const std::string rate_arg;
  internal::LuaScript take_token{kTakeToken};
  LocalTokenBuckets local;
  core::Counter* counters[2][2] = {{nullptr, nullptr}, {nullptr, nullptr}};  // [from_redis][allowed]

  bool FromRedis(const std::string& bucket, RateDecision* d) {
    RedisResult r = take_token.Run(redis, {bucket}, {capacity_arg, rate_arg});
    if (!r.ok() || !r.reply->is_array() || r.reply->elements.size() != 3) return false;
    const auto& e = r.reply->elements;
    if (!e[0].is_integer() || !e[1].is_integer() || !e[2].is_integer()) return false;
    d->allowed = e[0].integer == 1;
    d->remaining = e[1].integer;
    d->retry_after = d->allowed ? std::chrono::milliseconds(0)
                                : std::chrono::milliseconds(std::max<int64_t>(1, e[2].integer));
    d->from_redis = true;
    return true;
  }
};

RateLimiter::RateLimiter(RedisClient& redis, RateLimitOptions options, core::MetricsRegistry* metrics,
                         LocalTokenBuckets::Clock local_clock) {
  CheckBucket(options.capacity, options.refill_per_second, "rate limiter");
  impl_ = std::make_unique<Impl>(redis, std::move(options), std::move(local_clock));
  if (metrics != nullptr) {
    constexpr const char* kName = "osh_rate_limit_decisions_total";
    constexpr const char* kHelp = "Rate limit decisions by result and by who decided (Redis or the local fallback)";
    for (int from_redis = 0; from_redis < 2; ++from_redis) {
      for (int allowed = 0; allowed < 2; ++allowed) {
        impl_->counters[from_redis][allowed] = &metrics->GetCounter(
            kName, kHelp, {{"result", allowed ? "allowed" : "refused"}, {"source", from_redis ? "redis" : "local"}});
      }
    }
  }
}

RateLimiter::~RateLimiter() = default;

std::string RateLimiter::BucketKey(std::string_view key) const {
  std::string k = impl_->options.key_prefix;
  k += key;
  return k;
}

RateDecision RateLimiter::Allow(std::string_view key) {
  RateDecision d;
  if (!impl_->FromRedis(BucketKey(key), &d)) d = impl_->local.Take(key);
  if (core::Counter* c = impl_->counters[d.from_redis ? 1 : 0][d.allowed ? 1 : 0]; c != nullptr) c->Inc();
  return d;
}

}  // namespace osh::cache
