#include "osh/cache/redis_client.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <cerrno>
#include <charconv>
#include <stdexcept>

#include "osh/core/log.h"

namespace osh::cache {
namespace {

using Clock = std::chrono::steady_clock;

struct ContextFree {
  void operator()(redisContext* c) const { redisFree(c); }
};
struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextFree>;
using ReplyPtr = std::unique_ptr<redisReply, ReplyFree>;

timeval ToTimeval(std::chrono::milliseconds d) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  return tv;
}

RedisReply Convert(const redisReply& r) {
  RedisReply out;
  switch (r.type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kString;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = static_cast<int64_t>(r.integer);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r.elements);
      for (size_t i = 0; i < r.elements; ++i) {
        out.elements.push_back(r.element[i] != nullptr ? Convert(*r.element[i]) : RedisReply{});
      }
      break;
    default:
      out.type = RedisReply::Type::kNil;
      break;
  }
  return out;
}

std::string DescribeFailure(const redisContext* c, int saved_errno) {
  if (c == nullptr) return "out of memory";
  // A socket timeout (SO_RCVTIMEO/SO_SNDTIMEO) surfaces as EAGAIN.
  if (c->err == REDIS_ERR_IO && (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK)) return "timed out";
  return c->errstr[0] != '\0' ? std::string(c->errstr) : std::string("connection failed");
}

// Runs one command on a connection. No reply means the connection is broken.
std::optional<RedisReply> Exec(redisContext* c, const std::vector<std::string_view>& argv, std::string* error) {
  std::vector<const char*> data;
  std::vector<size_t> lengths;
  data.reserve(argv.size());
  lengths.reserve(argv.size());
  for (std::string_view a : argv) {
    data.push_back(a.data() != nullptr ? a.data() : "");
    lengths.push_back(a.size());
  }
  errno = 0;
  ReplyPtr reply(static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), data.data(), lengths.data())));
  if (!reply) {
    *error = DescribeFailure(c, errno);
    return std::nullopt;
  }
  return Convert(*reply);
}

void ParseAddress(const std::string& address, std::string* host, int* port) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    throw std::invalid_argument("redis address must be host:port, got \"" + address + "\"");
  }
  std::string h = address.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  const char* first = address.data() + colon + 1;
  const char* last = address.data() + address.size();
  int p = 0;
  auto [end, ec] = std::from_chars(first, last, p);
  if (h.empty() || ec != std::errc() || end != last || p < 1 || p > 65535) {
    throw std::invalid_argument("redis address must be host:port, got \"" + address + "\"");
  }
  *host = std::move(h);
  *port = p;
}

}  // namespace

struct RedisClient::Connection {
  ContextPtr context;
  uint64_t epoch = 0;
  Clock::time_point last_used{};
};

struct RedisClient::Lease {
  std::unique_ptr<Connection> connection;
  uint64_t epoch = 0;
  bool probe = false;
};

struct RedisClient::Metrics {
  core::Gauge* up = nullptr;
  core::Counter* errors = nullptr;
  core::Counter* rejected = nullptr;
};

RedisClient::RedisClient(RedisOptions options, core::MetricsRegistry* metrics)
    : options_(std::move(options)), metrics_(std::make_unique<Metrics>()) {
  ParseAddress(options_.address, &host_, &port_);
  if (options_.pool_size < 1) throw std::invalid_argument("redis pool_size must be at least 1");
  if (options_.db < 0) throw std::invalid_argument("redis db must not be negative");
  if (options_.connect_timeout.count() <= 0 || options_.command_timeout.count() <= 0 ||
      options_.pool_wait.count() < 0 || options_.retry_interval.count() < 0 || options_.max_idle.count() < 0) {
    throw std::invalid_argument("redis timeouts must be positive");
  }
  if (metrics != nullptr) {
    const core::Labels labels{{"address", options_.address}};
    metrics_->up = &metrics->GetGauge("osh_redis_up", "1 when Redis answers, 0 while the client treats it as down", labels);
    metrics_->errors = &metrics->GetCounter("osh_redis_errors_total",
                                            "Connection and command failures (not error replies)", labels);
    metrics_->rejected = &metrics->GetCounter("osh_redis_rejected_total",
                                              "Calls failed at once because Redis was down", labels);
    metrics_->up->Set(1);
  }
  Ping();
}

RedisClient::~RedisClient() = default;

std::unique_ptr<RedisClient::Connection> RedisClient::Connect(std::string* error) const {
  // Name resolution in redisConnectWithTimeout is not bounded by the timeout; use an
  // address or a name the local resolver answers quickly (a Kubernetes service).
  ContextPtr c(redisConnectWithTimeout(host_.c_str(), port_, ToTimeval(options_.connect_timeout)));
  if (!c || c->err != 0) {
    *error = "connect: " + DescribeFailure(c.get(), errno);
    return nullptr;
  }
  if (redisSetTimeout(c.get(), ToTimeval(options_.command_timeout)) != REDIS_OK) {
    *error = "set timeout: " + DescribeFailure(c.get(), errno);
    return nullptr;
  }
  if (!options_.password.empty()) {
    auto r = Exec(c.get(), {"AUTH", options_.password}, error);
    if (!r) return nullptr;
    if (r->is_error()) {
      *error = "AUTH refused: " + r->str;
      return nullptr;
    }
  }
  if (options_.db != 0) {
    const std::string db = std::to_string(options_.db);
    auto r = Exec(c.get(), {"SELECT", db}, error);
    if (!r) return nullptr;
    if (r->is_error()) {
      *error = "SELECT refused: " + r->str;
      return nullptr;
    }
  }
  auto connection = std::make_unique<Connection>();
  connection->context = std::move(c);
  return connection;
}

void RedisClient::TripLocked(const std::string& error, std::vector<std::unique_ptr<Connection>>* to_close) {
  down_ = true;
  probing_ = false;
  retry_at_ = Clock::now() + options_.retry_interval;
  ++epoch_;
  last_error_ = error;
  // Pooled connections went to the same server; after a restart they are all
  // dead, and finding that out one request at a time would cost a timeout each.
  open_ -= static_cast<int>(idle_.size());
  for (auto& c : idle_) to_close->push_back(std::move(c));
  idle_.clear();
  up_.store(false, std::memory_order_relaxed);
  if (metrics_->up != nullptr) metrics_->up->Set(0);
}

bool RedisClient::Acquire(Lease* lease, std::string* error) {
  std::vector<std::unique_ptr<Connection>> expired;  // closed after the lock is released
  {
    std::unique_lock lock(mu_);
    if (down_) {
      if (probing_ || Clock::now() < retry_at_) {
        if (metrics_->rejected != nullptr) metrics_->rejected->Inc();
        *error = "redis is down: " + last_error_;
        return false;
      }
      // This caller probes; the others keep failing fast until it is done.
      probing_ = true;
      lease->probe = true;
      lease->epoch = epoch_;
      ++open_;
    } else {
      const auto deadline = Clock::now() + options_.pool_wait;
      bool reserved = false;
      while (!reserved) {
        const auto now = Clock::now();
        while (!idle_.empty()) {
          std::unique_ptr<Connection> c = std::move(idle_.back());
          idle_.pop_back();
          if (now - c->last_used > options_.max_idle) {
            --open_;
            expired.push_back(std::move(c));
            continue;
          }
          lease->epoch = c->epoch;
          lease->connection = std::move(c);
          return true;
        }
        if (open_ < options_.pool_size) {
          ++open_;
          lease->epoch = epoch_;
          reserved = true;
          break;
        }
        const bool available = pool_changed_.wait_until(
            lock, deadline, [&] { return down_ || !idle_.empty() || open_ < options_.pool_size; });
        if (!available) {
          *error = "redis " + options_.address + ": no free connection within pool_wait";
          return false;
        }
        if (down_) {
          if (metrics_->rejected != nullptr) metrics_->rejected->Inc();
          *error = "redis is down: " + last_error_;
          return false;
        }
      }
    }
  }
  std::string connect_error;
  lease->connection = Connect(&connect_error);
  if (!lease->connection) {
    *error = "redis " + options_.address + ": " + connect_error;
    Release(std::move(*lease), false, *error);
    return false;
  }
  lease->connection->epoch = lease->epoch;
  return true;
}

void RedisClient::Release(Lease lease, bool ok, const std::string& error) {
  std::vector<std::unique_ptr<Connection>> to_close;
  bool went_down = false;
  bool came_up = false;
  std::string reason;
  {
    std::lock_guard lock(mu_);
    if (ok) {
      if (lease.probe) {
        down_ = false;
        probing_ = false;
        came_up = true;
        up_.store(true, std::memory_order_relaxed);
        if (metrics_->up != nullptr) metrics_->up->Set(1);
      }
      if (lease.epoch == epoch_ && lease.connection->context->err == 0) {
        lease.connection->last_used = Clock::now();
        idle_.push_back(std::move(lease.connection));
      } else {
        --open_;
        to_close.push_back(std::move(lease.connection));
      }
    } else {
      if (metrics_->errors != nullptr) metrics_->errors->Inc();
      --open_;
      if (lease.connection) to_close.push_back(std::move(lease.connection));
      // A failure on a connection from before the last trip tells nothing new: the
      // breaker already opened for it, and a probe may be under way or done.
      if (lease.epoch == epoch_) {
        went_down = !down_;
        TripLocked(error, &to_close);
        reason = last_error_;
      }
    }
  }
  pool_changed_.notify_all();
  if (went_down) {
    core::log::Warn("redis down; failing fast until a probe succeeds",
                    {{"address", options_.address}, {"error", reason},
                     {"retry_ms", options_.retry_interval.count()}});
  } else if (came_up) {
    core::log::Info("redis up again", {{"address", options_.address}});
  }
}

RedisResult RedisClient::Command(const std::vector<std::string_view>& argv) {
  RedisResult result;
  if (argv.empty()) {
    result.error = "empty command";
    return result;
  }
  Lease lease;
  if (!Acquire(&lease, &result.error)) return result;
  std::string failure;
  result.reply = Exec(lease.connection->context.get(), argv, &failure);
  if (!result.reply) result.error = "redis " + options_.address + ": " + failure;
  Release(std::move(lease), result.ok(), result.error);
  return result;
}

bool RedisClient::Ping() {
  RedisResult r = Command({"PING"});
  return r.ok() && r.reply->is_string() && r.reply->str == "PONG";
}

}  // namespace osh::cache
