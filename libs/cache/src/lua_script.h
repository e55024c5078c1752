#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "osh/cache/redis_client.h"

namespace osh::cache::internal {

// A Lua script run by its SHA1: SCRIPT LOAD on first use, EVALSHA afterwards, and
// SCRIPT LOAD again when Redis answers NOSCRIPT (restarted, failed over, or
// SCRIPT FLUSHed). Thread-safe.
class LuaScript {
 public:
  explicit LuaScript(std::string source) : source_(std::move(source)) {}

  RedisResult Run(RedisClient& redis, const std::vector<std::string_view>& keys,
                  const std::vector<std::string_view>& args);

 private:
  bool Load(RedisClient& redis, std::string* sha, std::string* error);
  RedisResult EvalSha(RedisClient& redis, const std::string& sha, const std::vector<std::string_view>& keys,
                      const std::vector<std::string_view>& args);

  const std::string source_;
  std::mutex mu_;
  std::string sha_;  // empty until loaded
};

}  // namespace osh::cache::internal
