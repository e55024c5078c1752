#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "osh/cache/redis_client.h"
#include "osh/core/metrics.h"

namespace osh::cache {

struct RateLimitOptions {
  std::string key_prefix = "osh:gw:rl:";
  double capacity = 100;           // tokens: the burst a key may spend at once (>= 1)
  double refill_per_second = 50;   // tokens: the sustained rate (> 0)
  // The in-process fallback while Redis is down. Each replica limits on its own
  // then, so for the same overall rate set these to the shared values divided by
  // the number of gateway replicas.
  double local_capacity = 100;
  double local_refill_per_second = 50;
  size_t local_max_keys = 100000;  // least recently used keys are forgotten beyond this
};

struct RateDecision {
  bool allowed = false;
  int64_t remaining = 0;                       // whole tokens left after this decision
  std::chrono::milliseconds retry_after{0};    // > 0 exactly when refused
  bool from_redis = false;                     // false: decided by the local fallback
};

// Token buckets in process memory, one per key, at most max_keys of them. The one
// forgotten first is the least recently used, which is also the one that has
// refilled the longest, so forgetting it rarely loses anything. Thread-safe.
class LocalTokenBuckets {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // Throws std::invalid_argument unless capacity >= 1, refill > 0, max_keys >= 1.
  // An empty clock means std::chrono::steady_clock::now.
  LocalTokenBuckets(double capacity, double refill_per_second, size_t max_keys, Clock clock = {});

  // Takes one token from key's bucket when there is one.
  RateDecision Take(std::string_view key);
  size_t size() const;

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point updated;
    std::list<std::string>::iterator recency;
  };

  const double capacity_;
  const double refill_per_second_;
  const size_t max_keys_;
  const Clock clock_;
  mutable std::mutex mu_;
  std::list<std::string> recency_;  // most recently used first
  std::unordered_map<std::string, Bucket> buckets_;
};

// A token bucket per key (a principal's subject, a client address) shared by every
// gateway replica: one Lua script in Redis refills and takes atomically (SCRIPT
// LOAD once, then EVALSHA; loaded again after NOSCRIPT, e.g. when Redis
// restarted). The bucket key expires when the bucket would be full again, so idle
// keys cost no memory. When Redis fails, the local buckets decide, so limits hold
// (per replica) while Redis is down. Thread-safe; never throws on Redis failures.
//
// Metrics when given: osh_rate_limit_decisions_total{result=allowed|refused,source=redis|local}.
class RateLimiter {
 public:
  // Throws std::invalid_argument on invalid capacities or rates.
  RateLimiter(RedisClient& redis, RateLimitOptions options, core::MetricsRegistry* metrics = nullptr,
              LocalTokenBuckets::Clock local_clock = {});
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  RateDecision Allow(std::string_view key);

  std::string BucketKey(std::string_view key) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace osh::cache
