#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "osh/cache/redis_client.h"
#include "osh/core/metrics.h"

namespace osh::cache {

struct ResponseCacheOptions {
  std::string key_prefix = "osh:gw:";
  // Bodies larger than this are not cached (a few big bodies would evict many small ones).
  size_t max_body_bytes = 256 * 1024;
};

struct CacheLookup {
  enum class Status { kHit, kMiss, kUnavailable };
  Status status = Status::kUnavailable;
  std::string body;        // kHit only; binary-safe
  int64_t generation = 0;  // kHit and kMiss: the scope's generation seen; pass it to Store

  bool hit() const { return status == Status::kHit; }
};

// Cache-aside of HTTP response bodies, invalidated per scope (a backend service,
// an aggregate type) by generation rather than by deleting keys:
//
//   <prefix>{<scope>}:gen        the scope's generation (an integer)
//   <prefix>{<scope>}:e:<key>    "<generation>:<body>", written with SET EX
//
// Both keys carry the scope as Redis Cluster hash tag, so Lookup reads them in one
// MGET from one slot (the price: one scope's entries live on one shard). An entry
// counts only when its stamped generation equals the scope's current one, so
// Invalidate is one INCR and stale entries simply age out by their TTL.
//
// Use: auto l = cache.Lookup(s, k); if hit, serve l.body; otherwise fetch from the
// backend and Store(s, k, body, ttl, l.generation). Stamping the generation seen
// *before* the fetch means a body fetched across an invalidation is stored under
// the old generation and never served.
//
// A missing generation key (new scope, or evicted under maxmemory-policy
// allkeys-lru) is seeded from the server clock in microseconds, never from 0, so
// an eviction cannot bring back a generation that old entries still carry.
//
// Thread-safe; never throws on Redis failures (Lookup says kUnavailable, Store
// and Invalidate return false). Scopes must be non-empty and free of '{' and '}'
// (the hash tag); other scopes are never cached.
class ResponseCache {
 public:
  // Metrics when given: osh_response_cache_lookups_total{result=hit|miss|unavailable},
  // osh_response_cache_stores_total{result=stored|too_large|failed}.
  explicit ResponseCache(RedisClient& redis, ResponseCacheOptions options = {},
                         core::MetricsRegistry* metrics = nullptr);
  ~ResponseCache();
  ResponseCache(const ResponseCache&) = delete;
  ResponseCache& operator=(const ResponseCache&) = delete;

  // One round trip (MGET generation, entry); a second only when the scope has no
  // generation yet.
  CacheLookup Lookup(std::string_view scope, std::string_view key);

  // False when not stored: body over max_body_bytes, ttl < 1 s, generation unknown
  // (0), bad scope, or Redis failure.
  bool Store(std::string_view scope, std::string_view key, std::string_view body,
             std::chrono::seconds ttl, int64_t generation);

  // Makes every entry of the scope stale. False when Redis could not be told; then
  // entries live until their TTL.
  bool Invalidate(std::string_view scope);

  std::string GenerationKey(std::string_view scope) const;
  std::string EntryKey(std::string_view scope, std::string_view key) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace osh::cache
