#include "lua_script.h"

namespace osh::cache::internal {

bool LuaScript::Load(RedisClient& redis, std::string* sha, std::string* error) {
  RedisResult r = redis.Command({"SCRIPT", "LOAD", source_});
  if (!r.ok()) {
    *error = r.error;
    return false;
  }
  if (!r.reply->is_string()) {
    *error = "SCRIPT LOAD: " + (r.reply->is_error() ? r.reply->str : std::string("unexpected reply"));
    return false;
  }
  *sha = r.reply->str;
  std::lock_guard lock(mu_);
  sha_ = *sha;
  return true;
}

RedisResult LuaScript::EvalSha(RedisClient& redis, const std::string& sha, const std::vector<std::string_view>& keys,
                               const std::vector<std::string_view>& args) {
  const std::string key_count = std::to_string(keys.size());
  std::vector<std::string_view> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.push_back("EVALSHA");
  argv.push_back(sha);
  argv.push_back(key_count);
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return redis.Command(argv);
}

RedisResult LuaScript::Run(RedisClient& redis, const std::vector<std::string_view>& keys,
                           const std::vector<std::string_view>& args) {
  std::string sha;
  {
    std::lock_guard lock(mu_);
    sha = sha_;
  }
  RedisResult failed;
  if (sha.empty() && !Load(redis, &sha, &failed.error)) return failed;
  RedisResult r = EvalSha(redis, sha, keys, args);
  if (r.ok() && r.reply->is_error() && r.reply->str.starts_with("NOSCRIPT")) {
    if (!Load(redis, &sha, &failed.error)) return failed;
    r = EvalSha(redis, sha, keys, args);
  }
  return r;
}

}  // namespace osh::cache::internal
