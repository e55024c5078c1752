#include "osh/cache/response_cache.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "redis_test_util.h"

namespace osh::cache {
namespace {

using std::chrono::seconds;
using namespace std::string_literals;

// Redis Cluster's rule: the part between the first '{' and the next '}' when non-empty.
std::string HashTag(const std::string& key) {
  const auto open = key.find('{');
  if (open == std::string::npos) return key;
  const auto close = key.find('}', open + 1);
  if (close == std::string::npos || close == open + 1) return key;
  return key.substr(open + 1, close - open - 1);
}

class ResponseCacheTest : public ::testing::Test {
 protected:
  ResponseCacheTest() : client_(RedisOptions{.address = testing::FixtureRedisAddress()}) {}

  ResponseCacheOptions Options(size_t max_body_bytes = 1024) const {
    return ResponseCacheOptions{.key_prefix = prefix_, .max_body_bytes = max_body_bytes};
  }

  const std::string prefix_ = testing::UniquePrefix();
  RedisClient client_;
};

TEST_F(ResponseCacheTest, StoredBodyIsAHitAndBinarySafe) {
  ResponseCache cache(client_, Options());
  const std::string body = "{\"name\":\"东莞\"}\0\xff\r\n"s;
  CacheLookup l = cache.Lookup("registry", "/v1/enterprises/91440300");
  ASSERT_EQ(l.status, CacheLookup::Status::kMiss);
  EXPECT_GT(l.generation, 0);
  ASSERT_TRUE(cache.Store("registry", "/v1/enterprises/91440300", body, seconds(60), l.generation));
  CacheLookup hit = cache.Lookup("registry", "/v1/enterprises/91440300");
  ASSERT_EQ(hit.status, CacheLookup::Status::kHit);
  EXPECT_EQ(hit.body, body);
  EXPECT_EQ(hit.generation, l.generation);
  EXPECT_EQ(cache.Lookup("registry", "/v1/enterprises/other").status, CacheLookup::Status::kMiss);
}

TEST_F(ResponseCacheTest, InvalidateMakesTheScopesEntriesStale) {
  core::MetricsRegistry metrics;
  ResponseCache cache(client_, Options(), &metrics);
  const CacheLookup first = cache.Lookup("registry", "a");
  ASSERT_TRUE(cache.Store("registry", "a", "old", seconds(60), first.generation));
  const CacheLookup other = cache.Lookup("content", "a");
  ASSERT_TRUE(cache.Store("content", "a", "article", seconds(60), other.generation));

  ASSERT_TRUE(cache.Invalidate("registry"));
  const CacheLookup after = cache.Lookup("registry", "a");
  EXPECT_EQ(after.status, CacheLookup::Status::kMiss);
  EXPECT_EQ(after.generation, first.generation + 1);
  EXPECT_TRUE(cache.Lookup("content", "a").hit()) << "another scope is untouched";

  ASSERT_TRUE(cache.Store("registry", "a", "new", seconds(60), after.generation));
  const CacheLookup fresh = cache.Lookup("registry", "a");
  ASSERT_TRUE(fresh.hit());
  EXPECT_EQ(fresh.body, "new");
  EXPECT_EQ(metrics.GetCounter("osh_response_cache_lookups_total", "", {{"result", "hit"}}).Value(), 2);
  EXPECT_EQ(metrics.GetCounter("osh_response_cache_lookups_total", "", {{"result", "miss"}}).Value(), 3);
}

TEST_F(ResponseCacheTest, ABodyFetchedAcrossAnInvalidationIsNeverServed) {
  ResponseCache cache(client_, Options());
  const CacheLookup miss = cache.Lookup("registry", "k");
  ASSERT_EQ(miss.status, CacheLookup::Status::kMiss);
  // ... the backend is called; meanwhile an event invalidates the scope ...
  ASSERT_TRUE(cache.Invalidate("registry"));
  EXPECT_TRUE(cache.Store("registry", "k", "possibly stale", seconds(60), miss.generation));
  EXPECT_EQ(cache.Lookup("registry", "k").status, CacheLookup::Status::kMiss);
}

TEST_F(ResponseCacheTest, AnEvictedGenerationDoesNotReviveOldEntries) {
  ResponseCache cache(client_, Options());
  const CacheLookup l = cache.Lookup("registry", "k");
  ASSERT_TRUE(cache.Store("registry", "k", "v", seconds(60), l.generation));
  ASSERT_TRUE(cache.Invalidate("registry"));
  // allkeys-lru may evict the generation key; an INCR from scratch would give 1, 2, ...
  ASSERT_TRUE(client_.Command({"DEL", cache.GenerationKey("registry")}).ok());
  ASSERT_TRUE(cache.Invalidate("registry"));
  const CacheLookup after = cache.Lookup("registry", "k");
  EXPECT_EQ(after.status, CacheLookup::Status::kMiss);
  EXPECT_GT(after.generation, l.generation + 1);
  ASSERT_TRUE(client_.Command({"DEL", cache.GenerationKey("registry")}).ok());
  const CacheLookup again = cache.Lookup("registry", "k");
  EXPECT_EQ(again.status, CacheLookup::Status::kMiss);
  EXPECT_GT(again.generation, after.generation);
}

TEST_F(ResponseCacheTest, EntriesExpireAfterTheirTtl) {
  ResponseCache cache(client_, Options());
  const CacheLookup l = cache.Lookup("registry", "short");
  ASSERT_TRUE(cache.Store("registry", "short", "v", seconds(1), l.generation));
  RedisResult ttl = client_.Command({"PTTL", cache.EntryKey("registry", "short")});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(ttl.reply->integer, 0);
  EXPECT_LE(ttl.reply->integer, 1000);
  EXPECT_TRUE(cache.Lookup("registry", "short").hit());
  // Redis expires the entry on its own clock: poll for the miss (bounded) rather than sleep past the TTL.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (cache.Lookup("registry", "short").hit() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(cache.Lookup("registry", "short").status, CacheLookup::Status::kMiss);
}

TEST_F(ResponseCacheTest, BodiesOverTheLimitAreNotCached) {
  core::MetricsRegistry metrics;
  ResponseCache cache(client_, Options(16), &metrics);
  const CacheLookup l = cache.Lookup("registry", "big");
  EXPECT_FALSE(cache.Store("registry", "big", std::string(17, 'x'), seconds(60), l.generation));
  EXPECT_EQ(cache.Lookup("registry", "big").status, CacheLookup::Status::kMiss);
  EXPECT_TRUE(cache.Store("registry", "big", std::string(16, 'x'), seconds(60), l.generation));
  EXPECT_TRUE(cache.Lookup("registry", "big").hit());
  EXPECT_EQ(metrics.GetCounter("osh_response_cache_stores_total", "", {{"result", "too_large"}}).Value(), 1);
}

TEST_F(ResponseCacheTest, UnusableArgumentsAreNeverCached) {
  ResponseCache cache(client_, Options());
  const CacheLookup l = cache.Lookup("registry", "k");
  EXPECT_FALSE(cache.Store("registry", "k", "v", seconds(0), l.generation));
  EXPECT_FALSE(cache.Store("registry", "k", "v", seconds(60), 0));
  EXPECT_FALSE(cache.Store("reg{istry", "k", "v", seconds(60), l.generation));
  EXPECT_FALSE(cache.Store("", "k", "v", seconds(60), l.generation));
  EXPECT_EQ(cache.Lookup("reg}istry", "k").status, CacheLookup::Status::kMiss);
  EXPECT_FALSE(cache.Invalidate(""));
  EXPECT_EQ(cache.Lookup("registry", "k").status, CacheLookup::Status::kMiss);
}

TEST_F(ResponseCacheTest, GenerationAndEntryShareAClusterSlot) {
  ResponseCache cache(client_, ResponseCacheOptions{});
  EXPECT_EQ(cache.GenerationKey("registry"), "osh:gw:{registry}:gen");
  EXPECT_EQ(cache.EntryKey("registry", "/v1/x?y={z}"), "osh:gw:{registry}:e:/v1/x?y={z}");
  EXPECT_EQ(HashTag(cache.GenerationKey("registry")), "registry");
  EXPECT_EQ(HashTag(cache.EntryKey("registry", "/v1/x?y={z}")), "registry");
}

}  // namespace
}  // namespace osh::cache
