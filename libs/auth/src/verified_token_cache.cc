#include "verified_token_cache.h"

namespace osh::auth::internal {

VerifiedTokenCache::VerifiedTokenCache(size_t capacity, double leeway_seconds)
    : capacity_(capacity), leeway_seconds_(leeway_seconds) {
  if (capacity_ > 0) {
    sha256_ = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    index_.reserve(capacity_);
  }
}

VerifiedTokenCache::~VerifiedTokenCache() { EVP_MD_free(sha256_); }

bool VerifiedTokenCache::DigestOf(std::string_view token, Digest* digest) const {
  if (sha256_ == nullptr) return false;
  unsigned int size = 0;
  return EVP_Digest(token.data(), token.size(), digest->data(), &size, sha256_, nullptr) == 1 &&
         size == digest->size();
}

std::optional<Principal> VerifiedTokenCache::Lookup(const Digest& digest, double now_seconds) {
  if (capacity_ == 0) return std::nullopt;
  std::lock_guard lock(mu_);
  const auto it = index_.find(digest);
  if (it == index_.end()) {
    ++misses_;
    return std::nullopt;
  }
  const Validity& v = it->second->validity;
  // The same comparisons as the verification's, so a hit answers what verifying again would.
  if (now_seconds >= v.expires_seconds + leeway_seconds_ || now_seconds + leeway_seconds_ < v.not_before_seconds) {
    lru_.erase(it->second);
    index_.erase(it);
    ++misses_;
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  ++hits_;
  return it->second->principal;
}

void VerifiedTokenCache::Insert(const Digest& digest, const Principal& principal, Validity validity) {
  if (capacity_ == 0) return;
  std::lock_guard lock(mu_);
  if (const auto it = index_.find(digest); it != index_.end()) {
    // Two calls verified the same token at once; the later verification wins.
    it->second->principal = principal;
    it->second->validity = validity;
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  if (lru_.size() >= capacity_) {
    index_.erase(lru_.back().digest);
    lru_.pop_back();
  }
  lru_.push_front(Entry{digest, principal, validity});
  index_.emplace(digest, lru_.begin());
}

VerifiedTokenCache::Stats VerifiedTokenCache::stats() const {
  std::lock_guard lock(mu_);
  return Stats{lru_.size(), hits_, misses_};
}

}  // namespace osh::auth::internal
