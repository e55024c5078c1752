#include "osh/cache/response_cache.h"

#include <charconv>

#include "lua_script.h"

namespace osh::cache {
namespace {

// Returns the scope's generation, creating it when missing. A new generation is the
// server's clock in microseconds: larger than any generation an evicted key could
// have reached by INCR (that would take a million invalidations a second), so old
// entries never match again. String concatenation keeps all 16 digits; Lua numbers
// would print as 1.7e+15.
constexpr const char* kEnsureGeneration = R"lua(
local g = redis.call('GET', KEYS[1])
if g then return g end
local t = redis.call('TIME')
g = t[1] .. string.format('%06d', tonumber(t[2]))
redis.call('SET', KEYS[1], g)
return g
)lua";

// INCR, except that a missing generation is seeded as above rather than becoming 1.
constexpr const char* kBumpGeneration = R"lua(
local g = redis.call('INCR', KEYS[1])
if g == 1 then
  local t = redis.call('TIME')
  local seed = t[1] .. string.format('%06d', tonumber(t[2]))
  redis.call('SET', KEYS[1], seed)
  return seed
end
return g
)lua";

bool ValidScope(std::string_view scope) {
  return !scope.empty() && scope.find_first_of("{}") == std::string_view::npos;
}

bool ParseInt(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// An integer reply or a decimal string reply.
bool GenerationOf(const RedisResult& r, int64_t* out) {
  if (!r.ok()) return false;
  if (r.reply->is_integer()) {
    *out = r.reply->integer;
    return true;
  }
  return r.reply->is_string() && ParseInt(r.reply->str, out);
}

}  // namespace

struct ResponseCache::Impl {
  Impl(RedisClient& r, ResponseCacheOptions o) : redis(r), options(std::move(o)) {}

  RedisClient& redis;
  ResponseCacheOptions options;
  internal::LuaScript ensure_generation{kEnsureGeneration};
  internal::LuaScript bump_generation{kBumpGeneration};
  core::Counter* hits = nullptr;
  core::Counter* misses = nullptr;
  core::Counter* unavailable = nullptr;
  core::Counter* stored = nullptr;
  core::Counter* too_large = nullptr;
  core::Counter* store_failed = nullptr;

  static void Inc(core::Counter* c) {
    if (c != nullptr) c->Inc();
  }
};

ResponseCache::ResponseCache(RedisClient& redis, ResponseCacheOptions options, core::MetricsRegistry* metrics)
    : impl_(std::make_unique<Impl>(redis, std::move(options))) {
  if (metrics != nullptr) {
    constexpr const char* kLookups = "osh_response_cache_lookups_total";
    constexpr const char* kLookupsHelp = "Response cache lookups by result";
    constexpr const char* kStores = "osh_response_cache_stores_total";
    constexpr const char* kStoresHelp = "Response cache stores by result";
    impl_->hits = &metrics->GetCounter(kLookups, kLookupsHelp, {{"result", "hit"}});
    impl_->misses = &metrics->GetCounter(kLookups, kLookupsHelp, {{"result", "miss"}});
    impl_->unavailable = &metrics->GetCounter(kLookups, kLookupsHelp, {{"result", "unavailable"}});
    impl_->stored = &metrics->GetCounter(kStores, kStoresHelp, {{"result", "stored"}});
    impl_->too_large = &metrics->GetCounter(kStores, kStoresHelp, {{"result", "too_large"}});
    impl_->store_failed = &metrics->GetCounter(kStores, kStoresHelp, {{"result", "failed"}});
  }
}

ResponseCache::~ResponseCache() = default;

std::string ResponseCache::GenerationKey(std::string_view scope) const {
  std::string k = impl_->options.key_prefix;
  k += '{';
  k += scope;
  k += "}:gen";
  return k;
}

std::string ResponseCache::EntryKey(std::string_view scope, std::string_view key) const {
  std::string k = impl_->options.key_prefix;
  k += '{';
  k += scope;
  k += "}:e:";
  k += key;
  return k;
}

CacheLookup ResponseCache::Lookup(std::string_view scope, std::string_view key) {
  CacheLookup out;
  if (!ValidScope(scope)) {
    out.status = CacheLookup::Status::kMiss;
    Impl::Inc(impl_->misses);
    return out;
  }
  const std::string gen_key = GenerationKey(scope);
  const std::string entry_key = EntryKey(scope, key);
  RedisResult r = impl_->redis.Command({"MGET", gen_key, entry_key});
  if (!r.ok() || !r.reply->is_array() || r.reply->elements.size() != 2) {
    Impl::Inc(impl_->unavailable);
    return out;
  }
  const RedisReply& gen = r.reply->elements[0];
  const RedisReply& entry = r.reply->elements[1];
  if (gen.is_nil()) {
    // New or evicted scope: no entry can be current, but the caller needs a
    // generation to store under.
    RedisResult created = impl_->ensure_generation.Run(impl_->redis, {gen_key}, {});
    if (!GenerationOf(created, &out.generation)) {
      Impl::Inc(impl_->unavailable);
      return out;
    }
    out.status = CacheLookup::Status::kMiss;
    Impl::Inc(impl_->misses);
    return out;
  }
  if (!gen.is_string() || !ParseInt(gen.str, &out.generation)) {
    Impl::Inc(impl_->unavailable);
    return out;
  }
  out.status = CacheLookup::Status::kMiss;
  if (entry.is_string()) {
    const std::string_view value = entry.str;
    const auto colon = value.find(':');
    int64_t stamped = 0;
    if (colon != std::string_view::npos && ParseInt(value.substr(0, colon), &stamped) &&
        stamped == out.generation) {
      out.status = CacheLookup::Status::kHit;
      out.body.assign(value.substr(colon + 1));
    }
  }
  Impl::Inc(out.hit() ? impl_->hits : impl_->misses);
  return out;
}

bool ResponseCache::Store(std::string_view scope, std::string_view key, std::string_view body,
                          std::chrono::seconds ttl, int64_t generation) {
  if (body.size() > impl_->options.max_body_bytes) {
    Impl::Inc(impl_->too_large);
    return false;
  }
  if (!ValidScope(scope) || ttl.count() < 1 || generation == 0) return false;
  std::string value = std::to_string(generation);
  value += ':';
  value += body;
  const std::string seconds = std::to_string(ttl.count());
  RedisResult r = impl_->redis.Command({"SET", EntryKey(scope, key), value, "EX", seconds});
  const bool ok = r.ok() && r.reply->is_string() && r.reply->str == "OK";
  Impl::Inc(ok ? impl_->stored : impl_->store_failed);
  return ok;
}

bool ResponseCache::Invalidate(std::string_view scope) {
  if (!ValidScope(scope)) return false;
  RedisResult r = impl_->bump_generation.Run(impl_->redis, {GenerationKey(scope)}, {});
  int64_t generation = 0;
  return GenerationOf(r, &generation);
}

}  // namespace osh::cache
