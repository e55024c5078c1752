#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "osh/core/metrics.h"

namespace osh::cache {

struct RedisOptions {
  std::string address = "127.0.0.1:6379";  // "host:port" ("[::1]:6379" for IPv6)
  std::string password;                     // AUTH on every new connection when not empty
  int db = 0;                               // SELECT on every new connection when not 0
  int pool_size = 8;                        // connections at most
  std::chrono::milliseconds connect_timeout{200};
  std::chrono::milliseconds command_timeout{100};  // per read/write on the socket
  // How long a caller waits for a pooled connection when all are busy; running
  // out of connections fails that call but says nothing about Redis's health.
  std::chrono::milliseconds pool_wait{100};
  // After a failure every call fails at once for this long; then one caller probes.
  std::chrono::milliseconds retry_interval{1000};
  // Idle connections older than this are closed instead of reused: a connection a
  // middlebox or the server's `timeout` dropped would otherwise open the breaker.
  std::chrono::milliseconds max_idle{30000};
};

// An owned copy of one Redis reply. Status replies ("OK", "PONG") are strings.
struct RedisReply {
  enum class Type { kNil, kInteger, kString, kArray, kError };
  Type type = Type::kNil;
  int64_t integer = 0;               // kInteger
  std::string str;                   // kString (binary-safe) and kError
  std::vector<RedisReply> elements;  // kArray

  bool is_nil() const { return type == Type::kNil; }
  bool is_integer() const { return type == Type::kInteger; }
  bool is_string() const { return type == Type::kString; }
  bool is_array() const { return type == Type::kArray; }
  bool is_error() const { return type == Type::kError; }
};

// Either a reply (which may itself be a Redis error reply such as WRONGTYPE) or a
// failure to get one: Redis down, unreachable, too slow, or no free connection.
struct RedisResult {
  std::optional<RedisReply> reply;
  std::string error;  // set exactly when there is no reply; never contains the password

  bool ok() const { return reply.has_value(); }
};

// A thread-safe Redis client for request threads: a small pool of blocking hiredis
// connections with short timeouts behind a circuit breaker, so that a slow or dead
// Redis costs a request at most one timeout and then nothing until it is back.
//
// Breaker: a connection or command failure (refused, reset, timeout, protocol
// error; not an error reply) marks the client down, closes every pooled
// connection, and discards the failed one. While down, calls fail at once. After
// retry_interval the next caller probes with a fresh connection and its own
// command; its success marks the client up, its failure starts another interval.
// Calls never throw on Redis failures.
//
// Metrics (when a registry is given), labelled address="<address>":
// osh_redis_up (gauge), osh_redis_errors_total (failures that reached Redis or
// tried to), osh_redis_rejected_total (calls failed at once while down).
class RedisClient {
 public:
  // Throws std::invalid_argument on unusable options (address, pool size,
  // timeouts): a start-up error, not a Redis failure. Connects once so that up()
  // is meaningful from the start; that costs at most connect + command timeout.
  explicit RedisClient(RedisOptions options, core::MetricsRegistry* metrics = nullptr);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // One command, binary-safe (redisCommandArgv): {"SET", key, value, "EX", "60"}.
  RedisResult Command(const std::vector<std::string_view>& argv);

  // True when Redis answered PONG.
  bool Ping();

  // False while the breaker is open (since the last failure, until a probe succeeds).
  bool up() const { return up_.load(std::memory_order_relaxed); }

  const RedisOptions& options() const { return options_; }

 private:
  struct Connection;
  struct Lease;
  struct Metrics;

  bool Acquire(Lease* lease, std::string* error);
  void Release(Lease lease, bool ok, const std::string& error);
  std::unique_ptr<Connection> Connect(std::string* error) const;
  // Called with mu_ held; moves the pooled connections into *to_close.
  void TripLocked(const std::string& error, std::vector<std::unique_ptr<Connection>>* to_close);

  const RedisOptions options_;
  std::string host_;
  int port_ = 0;
  std::unique_ptr<Metrics> metrics_;

  mutable std::mutex mu_;
  std::condition_variable pool_changed_;
  std::vector<std::unique_ptr<Connection>> idle_;  // most recently used last
  int open_ = 0;           // idle + leased + being connected
  uint64_t epoch_ = 0;     // bumped on every trip; older connections are not reused
  bool down_ = false;
  bool probing_ = false;
  std::chrono::steady_clock::time_point retry_at_{};
  std::string last_error_;
  std::atomic<bool> up_{true};
};

}  // namespace osh::cache
