#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "osh/cache/rate_limiter.h"

namespace osh::cache {
namespace {

using std::chrono::milliseconds;

struct FakeClock {
  std::chrono::steady_clock::time_point now{std::chrono::hours(1)};
  LocalTokenBuckets::Clock Fn() {
    return [this] { return now; };
  }
};

TEST(LocalTokenBucketsTest, AllowsCapacityThenRefusesUntilTheNextToken) {
  FakeClock clock;
  LocalTokenBuckets buckets(3, 4, 10, clock.Fn());  // a token every 250 ms
  for (int left = 2; left >= 0; --left) {
    const RateDecision d = buckets.Take("alice");
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.remaining, left);
    EXPECT_EQ(d.retry_after, milliseconds(0));
    EXPECT_FALSE(d.from_redis);
  }
  RateDecision d = buckets.Take("alice");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.remaining, 0);
  EXPECT_EQ(d.retry_after, milliseconds(250));

  clock.now += milliseconds(125);
  d = buckets.Take("alice");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, milliseconds(125));

  clock.now += milliseconds(125);
  d = buckets.Take("alice");
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 0);
}

TEST(LocalTokenBucketsTest, RefillStopsAtCapacity) {
  FakeClock clock;
  LocalTokenBuckets buckets(3, 4, 10, clock.Fn());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(buckets.Take("k").allowed);
  clock.now += std::chrono::hours(1);
  EXPECT_EQ(buckets.Take("k").remaining, 2);
  EXPECT_EQ(buckets.Take("k").remaining, 1);
  EXPECT_EQ(buckets.Take("k").remaining, 0);
  EXPECT_FALSE(buckets.Take("k").allowed);
}

TEST(LocalTokenBucketsTest, KeysHaveTheirOwnBuckets) {
  FakeClock clock;
  LocalTokenBuckets buckets(1, 1, 10, clock.Fn());
  EXPECT_TRUE(buckets.Take("a").allowed);
  EXPECT_FALSE(buckets.Take("a").allowed);
  EXPECT_TRUE(buckets.Take("b").allowed);
  EXPECT_EQ(buckets.size(), 2u);
}

TEST(LocalTokenBucketsTest, ForgetsTheLeastRecentlyUsedKeyBeyondMaxKeys) {
  FakeClock clock;
  LocalTokenBuckets buckets(1, 0.001, 2, clock.Fn());
  ASSERT_TRUE(buckets.Take("a").allowed);
  ASSERT_TRUE(buckets.Take("b").allowed);
  ASSERT_FALSE(buckets.Take("a").allowed);  // a is now the most recently used
  ASSERT_TRUE(buckets.Take("c").allowed);   // b goes
  EXPECT_EQ(buckets.size(), 2u);
  EXPECT_FALSE(buckets.Take("a").allowed) << "a was used recently and must have been kept";
  EXPECT_TRUE(buckets.Take("b").allowed) << "b was forgotten, so it starts full";
  EXPECT_EQ(buckets.size(), 2u);
}

TEST(LocalTokenBucketsTest, ConcurrentTakersNeverGetMoreThanCapacity) {
  FakeClock clock;  // frozen: no refill at all
  LocalTokenBuckets buckets(100, 1, 10, clock.Fn());
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (buckets.Take("shared").allowed) allowed.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 100);
}

TEST(LocalTokenBucketsTest, RejectsUnusableSettings) {
  EXPECT_THROW(LocalTokenBuckets(0.5, 1, 10), std::invalid_argument);
  EXPECT_THROW(LocalTokenBuckets(1, 0, 10), std::invalid_argument);
  EXPECT_THROW(LocalTokenBuckets(1, 1, 0), std::invalid_argument);
  EXPECT_NO_THROW(LocalTokenBuckets(1, 1, 1));
}

}  // namespace
}  // namespace osh::cache
