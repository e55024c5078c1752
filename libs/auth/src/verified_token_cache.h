#pragma once

// The principals of tokens already verified (libs/auth, internal): a bounded
// LRU, so that a caller who sends the same bearer token with every call pays
// for its signature and JSON once rather than per call.

#include <openssl/evp.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <list>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "osh/auth/principal.h"

namespace osh::auth::internal {

class VerifiedTokenCache {
 public:
  // A token's SHA-256: the key under which its principal is kept, so that the
  // long-lived table holds no bearer token that could be replayed.
  using Digest = std::array<unsigned char, 32>;

  // What of a verified token depends on the time it is used at: it verifies
  // again (with the same configuration) exactly while
  // `not_before_seconds <= now + leeway` and `now < expires_seconds + leeway`.
  struct Validity {
    double not_before_seconds;  // the latest of nbf and (when a maximum lifetime is set) iat; -inf if neither
    double expires_seconds;     // exp
  };

  // `capacity` 0: nothing is kept (every Lookup misses, Insert does nothing).
  VerifiedTokenCache(size_t capacity, double leeway_seconds);
  ~VerifiedTokenCache();
  VerifiedTokenCache(const VerifiedTokenCache&) = delete;
  VerifiedTokenCache& operator=(const VerifiedTokenCache&) = delete;

  bool enabled() const { return capacity_ > 0; }
  // Fills *digest with SHA-256(token); false when OpenSSL fails (the caller then verifies uncached).
  bool DigestOf(std::string_view token, Digest* digest) const;

  // The principal of a token verified earlier that is still valid at `now_seconds`;
  // an entry found past its validity is dropped. Thread-safe.
  std::optional<Principal> Lookup(const Digest& digest, double now_seconds);
  // Keeps the principal of a token that has just verified, as the most recently
  // used entry; evicts the least recently used one beyond the capacity. Thread-safe.
  void Insert(const Digest& digest, const Principal& principal, Validity validity);

  struct Stats {
    size_t entries = 0;
    uint64_t hits = 0;
    uint64_t misses = 0;  // lookups that found nothing usable (absent or past validity)
  };
  Stats stats() const;

 private:
  struct Entry {
    Digest digest;
    Principal principal;
    Validity validity;
  };
  // A SHA-256 is uniformly distributed: its first bytes are a hash already.
  struct DigestHash {
    size_t operator()(const Digest& d) const {
      size_t h;
      std::memcpy(&h, d.data(), sizeof h);
      return h;
    }
  };
  using Lru = std::list<Entry>;  // most recently used first

  const size_t capacity_;
  const double leeway_seconds_;
  EVP_MD* sha256_ = nullptr;  // fetched once: a fetch per call costs more than the hash
  mutable std::mutex mu_;
  Lru lru_;
  std::unordered_map<Digest, Lru::iterator, DigestHash> index_;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
};

}  // namespace osh::auth::internal
