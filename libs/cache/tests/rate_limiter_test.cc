#include "osh/cache/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "redis_test_util.h"

namespace osh::cache {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

class RateLimiterTest : public ::testing::Test {
 protected:
  RateLimiterTest() : client_(RedisOptions{.address = testing::FixtureRedisAddress()}) {}

  RateLimitOptions Options(double capacity, double refill_per_second) const {
    return RateLimitOptions{.key_prefix = prefix_, .capacity = capacity, .refill_per_second = refill_per_second};
  }
  int64_t Pttl(const RateLimiter& limiter, const std::string& key) {
    RedisResult r = client_.Command({"PTTL", limiter.BucketKey(key)});
    EXPECT_TRUE(r.ok() && r.reply->is_integer());
    return r.ok() ? r.reply->integer : -100;
  }

  const std::string prefix_ = testing::UniquePrefix();
  RedisClient client_;
};

TEST_F(RateLimiterTest, AllowsTheCapacityThenRefusesWithTimeToTheNextToken) {
  RateLimiter limiter(client_, Options(5, 1));
  for (int left = 4; left >= 0; --left) {
    const RateDecision d = limiter.Allow("alice");
    EXPECT_TRUE(d.allowed);
    EXPECT_TRUE(d.from_redis);
    EXPECT_EQ(d.remaining, left);
    EXPECT_EQ(d.retry_after, milliseconds(0));
  }
  const RateDecision d = limiter.Allow("alice");
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(d.from_redis);
  EXPECT_EQ(d.remaining, 0);
  // One token a second, and the calls above took far less than 500 ms.
  EXPECT_GT(d.retry_after, milliseconds(500));
  EXPECT_LE(d.retry_after, milliseconds(1000));
  EXPECT_TRUE(limiter.Allow("bob").allowed) << "another key has its own bucket";
}

TEST_F(RateLimiterTest, RefillsOverTime) {
  RateLimiter limiter(client_, Options(2, 20));  // a token every 50 ms
  ASSERT_TRUE(limiter.Allow("k").allowed);
  ASSERT_TRUE(limiter.Allow("k").allowed);
  const RateDecision refused = limiter.Allow("k");
  ASSERT_FALSE(refused.allowed);
  EXPECT_GT(refused.retry_after, milliseconds(0));
  EXPECT_LE(refused.retry_after, milliseconds(50));
  std::this_thread::sleep_for(refused.retry_after + milliseconds(20));
  EXPECT_TRUE(limiter.Allow("k").allowed);
  std::this_thread::sleep_for(milliseconds(300));  // 6 tokens' worth, but the bucket holds 2
  const RateDecision after_idle = limiter.Allow("k");
  EXPECT_TRUE(after_idle.allowed);
  EXPECT_EQ(after_idle.remaining, 1);
}

TEST_F(RateLimiterTest, TheBucketKeyExpiresWhenTheBucketWouldBeFull) {
  RateLimiter limiter(client_, Options(10, 1));
  ASSERT_TRUE(limiter.Allow("k").allowed);  // 9 left: full again in 1 s
  int64_t ttl = Pttl(limiter, "k");
  EXPECT_GT(ttl, 900);
  EXPECT_LE(ttl, 1000);
  for (int i = 0; i < 9; ++i) ASSERT_TRUE(limiter.Allow("k").allowed);  // empty: full in 10 s
  ttl = Pttl(limiter, "k");
  EXPECT_GT(ttl, 9000);
  EXPECT_LE(ttl, 10000);
}

TEST_F(RateLimiterTest, ConcurrentCallersNeverOverAdmit) {
  constexpr double kCapacity = 20;
  constexpr double kRate = 10;
  RateLimiter limiter(client_, Options(kCapacity, kRate));
  std::atomic<int> admitted{0};
  std::atomic<int> from_local{0};
  std::atomic<int> calls{0};
  const auto start = Clock::now();
  const auto stop = start + milliseconds(600);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      while (Clock::now() < stop) {
        const RateDecision d = limiter.Allow("shared");
        calls.fetch_add(1);
        if (d.allowed) admitted.fetch_add(1);
        if (!d.from_redis) from_local.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_EQ(from_local.load(), 0);
  EXPECT_GT(calls.load(), admitted.load()) << "the window must have been long enough to be refused";
  EXPECT_GE(admitted.load(), static_cast<int>(kCapacity));
  EXPECT_LE(admitted.load(), static_cast<int>(kCapacity + kRate * elapsed + 1))
      << calls.load() << " calls in " << elapsed << " s";
}

TEST_F(RateLimiterTest, TheScriptIsLoadedAgainAfterRedisForgetsIt) {
  RateLimiter limiter(client_, Options(5, 1));
  ASSERT_TRUE(limiter.Allow("k").from_redis);
  ASSERT_TRUE(client_.Command({"SCRIPT", "FLUSH"}).ok());  // what a restart or failover does
  const RateDecision d = limiter.Allow("k");
  EXPECT_TRUE(d.from_redis);
  EXPECT_EQ(d.remaining, 3);
}

}  // namespace
}  // namespace osh::cache
