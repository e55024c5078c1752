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
  // Moves the bucket's last refill `by` into the past, as if that much time had
  // gone by since the last call (the script takes time from Redis's TIME).
  void Age(const RateLimiter& limiter, const std::string& key, milliseconds by) {
    RedisResult ts = client_.Command({"HGET", limiter.BucketKey(key), "ts"});
    ASSERT_TRUE(ts.ok() && ts.reply->type == RedisReply::Type::kString);
    const auto earlier = std::stoll(ts.reply->str) - by.count() * 1000;
    ASSERT_TRUE(client_.Command({"HSET", limiter.BucketKey(key), "ts", std::to_string(earlier)}).ok());
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
  const auto start = Clock::now();
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
  // One token a second: the next one is due a second after the bucket was first
  // touched, so the wait is what is left of that second (whatever this machine's speed).
  const auto since_start = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  EXPECT_GE(d.retry_after, milliseconds(1000) - since_start - milliseconds(1));
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
  Age(limiter, "k", milliseconds(50));  // one token's worth
  const RateDecision refilled = limiter.Allow("k");
  EXPECT_TRUE(refilled.allowed);
  Age(limiter, "k", milliseconds(300));  // 6 tokens' worth, but the bucket holds 2
  const RateDecision after_idle = limiter.Allow("k");
  EXPECT_TRUE(after_idle.allowed);
  EXPECT_EQ(after_idle.remaining, 1);
}

TEST_F(RateLimiterTest, TheBucketKeyExpiresWhenTheBucketWouldBeFull) {
  RateLimiter limiter(client_, Options(10, 1));
  // Expiry counts down, and tokens refill, in real time: the lower bounds allow for
  // the time the calls took, whatever this machine's speed.
  const auto start = Clock::now();
  const auto elapsed_ms = [&] { return std::chrono::duration_cast<milliseconds>(Clock::now() - start).count(); };
  ASSERT_TRUE(limiter.Allow("k").allowed);  // 9 left: full again in 1 s
  int64_t ttl = Pttl(limiter, "k");
  EXPECT_GE(ttl, 1000 - elapsed_ms() - 1);
  EXPECT_LE(ttl, 1000);
  for (int i = 0; i < 9; ++i) ASSERT_TRUE(limiter.Allow("k").allowed);  // empty: full in 10 s
  ttl = Pttl(limiter, "k");
  EXPECT_GE(ttl, 10000 - elapsed_ms() - 1);
  EXPECT_LE(ttl, 10000);
}

TEST_F(RateLimiterTest, ConcurrentCallersNeverOverAdmit) {
  constexpr double kCapacity = 20;
  constexpr double kRate = 10;
  RateLimiter limiter(client_, Options(kCapacity, kRate));
  std::atomic<int> admitted{0};
  std::atomic<int> from_local{0};
  std::atomic<int> calls{0};
  constexpr int kCallsPerThread = 50;
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kCallsPerThread; ++i) {
        const RateDecision d = limiter.Allow("shared");
        calls.fetch_add(1);
        if (d.allowed) admitted.fetch_add(1);
        if (!d.from_redis) from_local.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  // What refilled while the calls ran may be admitted too: the bound uses the time they took.
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_EQ(from_local.load(), 0);
  EXPECT_GT(calls.load(), admitted.load()) << "the calls must have outrun the bucket";
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
