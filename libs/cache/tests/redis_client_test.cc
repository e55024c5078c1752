#include "osh/cache/redis_client.h"

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

class RedisClientTest : public ::testing::Test {
 protected:
  RedisOptions Options() const { return RedisOptions{.address = testing::FixtureRedisAddress()}; }
  const std::string prefix_ = testing::UniquePrefix();
};

TEST_F(RedisClientTest, PingsAndIsUp) {
  core::MetricsRegistry metrics;
  RedisClient client(Options(), &metrics);
  EXPECT_TRUE(client.Ping());
  EXPECT_TRUE(client.up());
  EXPECT_EQ(metrics.GetGauge("osh_redis_up", "", {{"address", Options().address}}).Value(), 1);
  EXPECT_EQ(metrics.GetCounter("osh_redis_errors_total", "", {{"address", Options().address}}).Value(), 0);
}

TEST_F(RedisClientTest, CopiesEveryKindOfReply) {
  RedisClient client(Options());
  const std::string k = prefix_ + "k";
  const std::string list = prefix_ + "list";

  RedisResult r = client.Command({"SET", k, "v", "EX", "60"});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_TRUE(r.reply->is_string());
  EXPECT_EQ(r.reply->str, "OK");

  r = client.Command({"GET", prefix_ + "missing"});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_TRUE(r.reply->is_nil());

  r = client.Command({"INCRBY", prefix_ + "n", "41"});
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_TRUE(r.reply->is_integer());
  EXPECT_EQ(r.reply->integer, 41);

  ASSERT_TRUE(client.Command({"RPUSH", list, "a", "b"}).ok());
  r = client.Command({"MGET", k, prefix_ + "missing"});
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_TRUE(r.reply->is_array());
  ASSERT_EQ(r.reply->elements.size(), 2u);
  EXPECT_EQ(r.reply->elements[0].str, "v");
  EXPECT_TRUE(r.reply->elements[1].is_nil());

  // An error reply is a reply: the connection is fine and the client stays up.
  r = client.Command({"HSET", k, "field", "x"});
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_TRUE(r.reply->is_error());
  EXPECT_TRUE(r.reply->str.starts_with("WRONGTYPE")) << r.reply->str;
  EXPECT_TRUE(client.up());

  client.Command({"DEL", k, list, prefix_ + "n"});
}

TEST_F(RedisClientTest, KeysAndValuesAreBinarySafe) {
  RedisClient client(Options());
  const std::string key = prefix_ + std::string("b\0\r\n\xff", 5);
  std::string value;
  for (int i = 0; i < 256; ++i) value.push_back(static_cast<char>(i));
  value += value;
  ASSERT_TRUE(client.Command({"SET", key, value, "EX", "60"}).ok());
  RedisResult r = client.Command({"GET", key});
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_TRUE(r.reply->is_string());
  EXPECT_EQ(r.reply->str, value);
  r = client.Command({"STRLEN", key});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.reply->integer, 512);
  r = client.Command({"SET", prefix_ + "empty", "", "EX", "60"});
  ASSERT_TRUE(r.ok());
  r = client.Command({"GET", prefix_ + "empty"});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.reply->is_string());
  EXPECT_EQ(r.reply->str, "");
  client.Command({"DEL", key, prefix_ + "empty"});
}

TEST_F(RedisClientTest, SelectsTheConfiguredDatabase) {
  RedisOptions in_db3 = Options();
  in_db3.db = 3;
  RedisClient db3(in_db3);
  RedisClient db0(Options());
  const std::string k = prefix_ + "where";
  ASSERT_TRUE(db3.Command({"SET", k, "db3", "EX", "60"}).ok());
  RedisResult r = db0.Command({"GET", k});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.reply->is_nil());
  r = db3.Command({"GET", k});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.reply->str, "db3");
  db3.Command({"DEL", k});
}

TEST_F(RedisClientTest, ManyThreadsShareASmallPool) {
  RedisOptions o = Options();
  o.pool_size = 2;
  o.pool_wait = milliseconds(5000);  // correctness here, not latency
  RedisClient client(o);
  const std::string k = prefix_ + "counter";
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 250; ++i) {
        RedisResult r = client.Command({"INCR", k});
        if (!r.ok() || !r.reply->is_integer()) failures.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  RedisResult r = client.Command({"GET", k});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.reply->str, "2000");
  EXPECT_TRUE(client.up());
  client.Command({"DEL", k});
}

TEST_F(RedisClientTest, AnEmptyCommandIsAFailureNotACrash) {
  RedisClient client(Options());
  RedisResult r = client.Command({});
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.error.empty());
  EXPECT_TRUE(client.up());
}

}  // namespace
}  // namespace osh::cache
