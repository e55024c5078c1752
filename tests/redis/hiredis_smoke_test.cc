// Debian's hiredis against the real redis-server of the ctest fixture `redis`:
// the commands the gateway's cache and rate limiter will rely on.
#include <hiredis/hiredis.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

namespace {

struct ContextDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

Context Connect() {
  const char* address = std::getenv("OSH_TEST_REDIS_ADDRESS");
  std::string a = address != nullptr ? address : "127.0.0.1:16379";
  const auto colon = a.rfind(':');
  timeval timeout{2, 0};
  return Context(redisConnectWithTimeout(a.substr(0, colon).c_str(), std::stoi(a.substr(colon + 1)), timeout));
}

Reply Command(redisContext* c, const char* format, const std::string& a = "", const std::string& b = "") {
  return Reply(static_cast<redisReply*>(redisCommand(c, format, a.c_str(), b.c_str())));
}

TEST(RedisSmokeTest, PingSetGetWithExpiry) {
  auto c = Connect();
  ASSERT_TRUE(c && !c->err) << (c ? c->errstr : "no context");
  auto pong = Reply(static_cast<redisReply*>(redisCommand(c.get(), "PING")));
  ASSERT_TRUE(pong);
  EXPECT_STREQ(pong->str, "PONG");
  auto set = Reply(static_cast<redisReply*>(redisCommand(c.get(), "SET %s %s EX 60", "osh:test:k", "东莞")));
  ASSERT_TRUE(set);
  EXPECT_STREQ(set->str, "OK");
  auto get = Command(c.get(), "GET %s", "osh:test:k");
  ASSERT_TRUE(get);
  ASSERT_EQ(get->type, REDIS_REPLY_STRING);
  EXPECT_EQ(std::string(get->str, get->len), "东莞");
  auto ttl = Command(c.get(), "TTL %s", "osh:test:k");
  ASSERT_TRUE(ttl);
  EXPECT_GT(ttl->integer, 0);
}

TEST(RedisSmokeTest, LuaScriptsRunAtomically) {
  auto c = Connect();
  ASSERT_TRUE(c && !c->err);
  Command(c.get(), "DEL %s", "osh:test:counter");
  const char* script = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
  for (int expected : {5, 10}) {
    auto r = Reply(static_cast<redisReply*>(redisCommand(c.get(), "EVAL %s 1 %s %s", script, "osh:test:counter", "5")));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->type, REDIS_REPLY_INTEGER) << (r->str ? r->str : "");
    EXPECT_EQ(r->integer, expected);
  }
}

}  // namespace
