// The client, the cache and the limiter against a loopback port nobody listens on.
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "osh/cache/rate_limiter.h"
#include "osh/cache/redis_client.h"
#include "osh/cache/response_cache.h"
#include "redis_test_util.h"

namespace osh::cache {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

RedisOptions Unreachable(milliseconds retry_interval) {
  const int port = testing::FreeLoopbackPort();
  EXPECT_GT(port, 0);
  return RedisOptions{.address = "127.0.0.1:" + std::to_string(port), .retry_interval = retry_interval};
}

double CounterValue(core::MetricsRegistry& m, const char* name, const RedisOptions& o) {
  return m.GetCounter(name, "", {{"address", o.address}}).Value();
}

TEST(RedisClientOptionsTest, UnusableOptionsThrowAtConstruction) {
  for (const char* bad : {"localhost", "localhost:", ":6379", "host:0", "host:65536", "host:12ab"}) {
    EXPECT_THROW(RedisClient(RedisOptions{.address = bad}), std::invalid_argument) << bad;
  }
  EXPECT_THROW(RedisClient(RedisOptions{.address = "127.0.0.1:1", .pool_size = 0}), std::invalid_argument);
  EXPECT_THROW(RedisClient(RedisOptions{.address = "127.0.0.1:1", .command_timeout = milliseconds(0)}),
               std::invalid_argument);
}

TEST(UnreachableRedisTest, CallsFailWithoutThrowingAndTheClientIsDown) {
  const RedisOptions o = Unreachable(milliseconds(1000));
  core::MetricsRegistry metrics;
  RedisClient client(o, &metrics);  // its first PING fails
  EXPECT_FALSE(client.up());
  EXPECT_EQ(metrics.GetGauge("osh_redis_up", "", {{"address", o.address}}).Value(), 0);
  RedisResult r = client.Command({"GET", "k"});
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("down"), std::string::npos) << r.error;
  EXPECT_FALSE(client.Ping());
}

TEST(UnreachableRedisTest, OneCallerProbesPerRetryInterval) {
  const RedisOptions o = Unreachable(milliseconds(1000));
  core::MetricsRegistry metrics;
  RedisClient client(o, &metrics);
  ASSERT_EQ(CounterValue(metrics, "osh_redis_errors_total", o), 1);  // the constructor's PING

  // Inside the interval nobody connects: every call is rejected.
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) EXPECT_FALSE(client.Command({"PING"}).ok());
    });
  }
  for (auto& t : threads) t.join();
  threads.clear();
  EXPECT_EQ(CounterValue(metrics, "osh_redis_errors_total", o), 1);
  EXPECT_EQ(CounterValue(metrics, "osh_redis_rejected_total", o), 400);

  // After it, eight callers at once: exactly one of them tries Redis.
  std::this_thread::sleep_for(milliseconds(1100));
  std::barrier start(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      EXPECT_FALSE(client.Command({"PING"}).ok());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(CounterValue(metrics, "osh_redis_errors_total", o), 2);
  EXPECT_EQ(CounterValue(metrics, "osh_redis_rejected_total", o), 407);
}

TEST(UnreachableRedisTest, RateLimiterFallsBackToLocalBuckets) {
  RedisClient client(Unreachable(milliseconds(1000)));
  auto now = Clock::time_point(std::chrono::hours(1));
  core::MetricsRegistry metrics;
  RateLimiter limiter(client,
                      RateLimitOptions{.capacity = 100, .refill_per_second = 100,
                                       .local_capacity = 2, .local_refill_per_second = 1},
                      &metrics, [&] { return now; });
  for (int i = 0; i < 2; ++i) {
    const RateDecision d = limiter.Allow("10.0.0.7");
    EXPECT_TRUE(d.allowed);
    EXPECT_FALSE(d.from_redis);
  }
  RateDecision d = limiter.Allow("10.0.0.7");
  EXPECT_FALSE(d.allowed);
  EXPECT_FALSE(d.from_redis);
  EXPECT_EQ(d.retry_after, milliseconds(1000));
  now += milliseconds(1000);
  EXPECT_TRUE(limiter.Allow("10.0.0.7").allowed);
  EXPECT_TRUE(limiter.Allow("10.0.0.8").allowed) << "another key has its own bucket";
  EXPECT_EQ(metrics.GetCounter("osh_rate_limit_decisions_total", "", {{"result", "refused"}, {"source", "local"}})
                .Value(),
            1);
  EXPECT_EQ(metrics.GetCounter("osh_rate_limit_decisions_total", "", {{"result", "allowed"}, {"source", "local"}})
                .Value(),
            4);
}

TEST(UnreachableRedisTest, ResponseCacheReportsUnavailable) {
  RedisClient client(Unreachable(milliseconds(1000)));
  core::MetricsRegistry metrics;
  ResponseCache cache(client, ResponseCacheOptions{.max_body_bytes = 4}, &metrics);
  const CacheLookup l = cache.Lookup("registry", "/v1/enterprises/1");
  EXPECT_EQ(l.status, CacheLookup::Status::kUnavailable);
  EXPECT_FALSE(cache.Store("registry", "/v1/enterprises/1", "body", std::chrono::seconds(60), 1));
  EXPECT_FALSE(cache.Store("registry", "/v1/enterprises/1", "too big", std::chrono::seconds(60), 1));
  EXPECT_FALSE(cache.Invalidate("registry"));
  EXPECT_EQ(metrics.GetCounter("osh_response_cache_lookups_total", "", {{"result", "unavailable"}}).Value(), 1);
  EXPECT_EQ(metrics.GetCounter("osh_response_cache_stores_total", "", {{"result", "too_large"}}).Value(), 1);
  EXPECT_EQ(metrics.GetCounter("osh_response_cache_stores_total", "", {{"result", "failed"}}).Value(), 1);
}

}  // namespace
}  // namespace osh::cache
