// Redis going away and coming back, with redis-servers of this test's own (never the
// shared fixture's): killed, paused (a hung server, the worst case for timeouts),
// restarted on the same port.
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "osh/cache/rate_limiter.h"
#include "osh/cache/redis_client.h"
#include "osh/cache/response_cache.h"
#include "redis_test_util.h"

extern char** environ;

namespace osh::cache {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

class RedisServerProcess {
 public:
  explicit RedisServerProcess(std::vector<std::string> extra_args = {})
      : port_(testing::FreeLoopbackPort()), extra_args_(std::move(extra_args)) {}
  ~RedisServerProcess() { Kill(); }
  RedisServerProcess(const RedisServerProcess&) = delete;
  RedisServerProcess& operator=(const RedisServerProcess&) = delete;

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  // Starts redis-server on the port and waits until it answers.
  ::testing::AssertionResult Start() {
    if (port_ <= 0) return ::testing::AssertionFailure() << "no free port";
    std::vector<std::string> args = {"redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1",
                                     "--save", "", "--appendonly", "no",
                                     "--dir", std::filesystem::temp_directory_path().string()};
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&files, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    const int rc = posix_spawnp(&pid_, "redis-server", &files, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&files);
    if (rc != 0) {
      pid_ = -1;
      return ::testing::AssertionFailure() << "cannot run redis-server: " << rc;
    }
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (Clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return ::testing::AssertionFailure() << "redis-server exited at start (port " << port_ << " taken?)";
      }
      if (Answers()) return ::testing::AssertionSuccess();
      std::this_thread::sleep_for(milliseconds(20));
    }
    return ::testing::AssertionFailure() << "redis-server on port " << port_ << " did not answer within 10 s";
  }

  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  // A stopped process keeps its sockets: connects succeed, nothing is ever answered.
  void Pause() { kill(pid_, SIGSTOP); }
  void Resume() { kill(pid_, SIGCONT); }

 private:
  bool Answers() const {
    timeval tv{0, 200000};
    redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
    bool answered = false;
    if (c != nullptr && c->err == 0) {
      auto* reply = static_cast<redisReply*>(redisCommand(c, "PING"));
      answered = reply != nullptr;  // even NOAUTH means it is serving
      if (reply != nullptr) freeReplyObject(reply);
    }
    if (c != nullptr) redisFree(c);
    return answered;
  }

  int port_;
  std::vector<std::string> extra_args_;
  pid_t pid_ = -1;
};

RedisOptions OutageOptions(const std::string& address) {
  return RedisOptions{.address = address,
                      .connect_timeout = milliseconds(200),
                      .command_timeout = milliseconds(100),
                      .retry_interval = milliseconds(500)};
}

double Rejected(core::MetricsRegistry& metrics, const std::string& address) {
  return metrics.GetCounter("osh_redis_rejected_total", "", {{"address", address}}).Value();
}
double Errors(core::MetricsRegistry& metrics, const std::string& address) {
  return metrics.GetCounter("osh_redis_errors_total", "", {{"address", address}}).Value();
}

// Calls while the breaker is open fail without touching the network: each is
// counted as rejected, none as a connection or command failure, and none waits
// for a timeout (which would make it an error). How fast that is, is measured by
// bench/cache_outage_bench.sh, not asserted here.
void ExpectFailsFast(RedisClient& client, core::MetricsRegistry& metrics, const std::string& address, int calls) {
  const double rejected = Rejected(metrics, address);
  const double errors = Errors(metrics, address);
  for (int i = 0; i < calls; ++i) {
    const RedisResult r = client.Command({"GET", "k"});
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.error.rfind("redis is down: ", 0), 0u) << r.error;
  }
  EXPECT_EQ(Rejected(metrics, address), rejected + calls);
  EXPECT_EQ(Errors(metrics, address), errors) << "a rejected call went to the network";
}

bool WaitUntilPingAnswers(RedisClient& client, std::chrono::seconds limit) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (client.Ping()) return true;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return false;
}

TEST(RedisOutageTest, KilledRedisFailsFastFallsBackAndRecoversAfterRestart) {
  RedisServerProcess server;
  ASSERT_TRUE(server.Start());
  core::MetricsRegistry metrics;
  RedisClient client(OutageOptions(server.address()), &metrics);
  ASSERT_TRUE(client.up());
  RateLimiter limiter(client, RateLimitOptions{.key_prefix = "rl:", .capacity = 100, .refill_per_second = 100,
                                               .local_capacity = 2, .local_refill_per_second = 0.5});
  ResponseCache cache(client);
  ASSERT_TRUE(limiter.Allow("alice").from_redis);
  const CacheLookup before = cache.Lookup("registry", "k");
  ASSERT_EQ(before.status, CacheLookup::Status::kMiss);
  ASSERT_TRUE(cache.Store("registry", "k", "v", std::chrono::seconds(60), before.generation));

  server.Kill();
  EXPECT_FALSE(client.Command({"GET", "k"}).ok());  // finds out on a pooled connection
  EXPECT_FALSE(client.up());
  EXPECT_EQ(metrics.GetGauge("osh_redis_up", "", {{"address", server.address()}}).Value(), 0);

  ExpectFailsFast(client, metrics, server.address(), 20);

  // The limiter keeps limiting, on the local buckets.
  RateDecision d = limiter.Allow("alice");
  EXPECT_TRUE(d.allowed);
  EXPECT_FALSE(d.from_redis);
  EXPECT_TRUE(limiter.Allow("alice").allowed);
  d = limiter.Allow("alice");
  EXPECT_FALSE(d.allowed);
  EXPECT_FALSE(d.from_redis);
  EXPECT_GT(d.retry_after, milliseconds(0));

  const double rejected = Rejected(metrics, server.address());
  EXPECT_EQ(cache.Lookup("registry", "k").status, CacheLookup::Status::kUnavailable);
  EXPECT_GT(Rejected(metrics, server.address()), rejected) << "the cache must not wait for a dead Redis";

  ASSERT_TRUE(server.Start());  // same port, empty: no keys, no scripts
  ASSERT_TRUE(WaitUntilPingAnswers(client, std::chrono::seconds(5)));
  EXPECT_TRUE(client.up());
  EXPECT_EQ(metrics.GetGauge("osh_redis_up", "", {{"address", server.address()}}).Value(), 1);
  d = limiter.Allow("alice");
  EXPECT_TRUE(d.from_redis) << "the script must be loaded again after NOSCRIPT";
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(cache.Lookup("registry", "k").status, CacheLookup::Status::kMiss);
}

TEST(RedisOutageTest, AHungRedisCostsOneCommandTimeoutThenCallsFailAtOnce) {
  RedisServerProcess server;
  ASSERT_TRUE(server.Start());
  core::MetricsRegistry metrics;
  RedisClient client(OutageOptions(server.address()), &metrics);
  ASSERT_TRUE(client.Ping());

  server.Pause();
  RedisResult r = client.Command({"PING"});
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("timed out"), std::string::npos) << r.error;
  EXPECT_EQ(Errors(metrics, server.address()), 1);
  EXPECT_FALSE(client.up());

  ExpectFailsFast(client, metrics, server.address(), 20);

  // After the interval one caller probes (and waits out the timeout); the others
  // keep failing at once meanwhile. Two callers call until one of them has made
  // the probe: every other call must have been rejected, and only that one probe
  // may have reached the hung server.
  std::atomic<bool> probed{false};
  std::atomic<int> probes{0};
  std::atomic<int> rejected{0};
  const auto caller = [&] {
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (!probed && Clock::now() < deadline) {
      const RedisResult p = client.Command({"PING"});
      EXPECT_FALSE(p.ok());
      if (p.error.rfind("redis is down: ", 0) == 0) {
        ++rejected;
        std::this_thread::sleep_for(milliseconds(1));  // poll interval, not a synchronisation
      } else {
        EXPECT_NE(p.error.find("timed out"), std::string::npos) << p.error;
        ++probes;
        probed = true;
      }
    }
  };
  std::thread first(caller);
  std::thread second(caller);
  first.join();
  second.join();
  EXPECT_EQ(probes.load(), 1) << "exactly one caller probes";
  EXPECT_GT(rejected.load(), 0);
  EXPECT_EQ(Errors(metrics, server.address()), 2) << "one timeout at first, one probe after the interval";

  server.Resume();
  ASSERT_TRUE(WaitUntilPingAnswers(client, std::chrono::seconds(5)));
  EXPECT_TRUE(client.up());
}

TEST(RedisOutageTest, PasswordIsSentWithAuthAndAWrongOneLeavesTheClientDown) {
  RedisServerProcess server({"--requirepass", "s3cret-for-test"});
  ASSERT_TRUE(server.Start());

  RedisOptions good = OutageOptions(server.address());
  good.password = "s3cret-for-test";
  good.db = 2;
  RedisClient client(good);
  EXPECT_TRUE(client.up());
  EXPECT_TRUE(client.Ping());
  ASSERT_TRUE(client.Command({"SET", "k", "v"}).ok());

  RedisOptions bad = good;
  bad.password = "wrong-password";
  RedisClient refused(bad);
  EXPECT_FALSE(refused.up());
  RedisResult r = refused.Command({"GET", "k"});
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("AUTH refused"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("wrong-password"), std::string::npos) << "the password must not leak into errors";
}

}  // namespace
}  // namespace osh::cache
