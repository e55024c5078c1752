#pragma once

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "osh/auth/principal.h"

namespace osh::auth {

struct VerifierConfig {
  // HS256 is accepted only when a secret is set; RS256 only when an RSA key is
  // set (PEM or JWKS); ES256 only when the JWKS holds a P-256 key.
  std::string hs256_secret;          // at least 32 bytes
  std::string rs256_public_key_pem;  // "-----BEGIN PUBLIC KEY-----", RSA >= 2048 bits
  std::string issuer;                // checked against `iss` when not empty
  std::string audience;              // must appear in `aud` (a string or an array) when not empty
  std::chrono::seconds leeway{30};   // clock skew tolerated on exp, nbf and iat
  // Longest lifetime (exp - iat) a token may have; 0: no maximum. When set, a
  // token without `iat`, or issued later than now (plus leeway), is refused:
  // otherwise a stolen long-lived token, or one dated in the future, would
  // outlive the maximum. `exp` is always required.
  std::chrono::seconds max_lifetime{0};
  // The text of a JWKS (RFC 7517): {"keys": [...]}. Keys with kty "RSA" (n, e;
  // at least 2048 bits) verify RS256, kty "EC" with crv "P-256" (x, y) ES256.
  // Keys whose "use" is not "sig", whose "alg" names another algorithm, or of
  // other types or curves are skipped. A token whose header has `kid` is
  // verified only with the key(s) of that kid ("unknown key id" otherwise); a
  // token without `kid` with every key of its alg. rs256_public_key_pem, when
  // also set, is a key without kid: it verifies RS256 tokens whatever their kid
  // unless the kid names a JWKS key.
  std::string jwks_json;
  // How many verified tokens' principals are kept (a bounded LRU keyed by the
  // token's SHA-256, never by the token itself), so that a token sent with
  // every call is verified once rather than per call. Only tokens that
  // verified are kept, and a kept one is used only while verifying it again
  // would succeed: never past exp + leeway, nor before nbf (or iat) - leeway.
  // 0: every call verifies.
  size_t verified_token_cache_entries = 10000;
};

// Either a principal (error empty) or an error (principal empty). Errors are
// short and never contain the token; they are meant for logs and for the
// message of an UNAUTHENTICATED status.
struct VerifyResult {
  std::optional<Principal> principal;
  std::string error;

  bool ok() const { return error.empty(); }
};

// The verified-token cache of a TokenVerifier, for tests and metrics.
struct VerifiedTokenCacheStats {
  size_t entries = 0;   // principals kept now
  uint64_t hits = 0;    // verifications answered from the cache
  uint64_t misses = 0;  // verifications of tokens not kept (or kept past their validity)
};

namespace internal {
class VerifiedTokenCache;
}

class TokenVerifier {
 public:
  // Null with *error set when the configuration is unusable (no key at all,
  // short secret, unreadable or non-RSA public key, malformed JWKS, a JWKS
  // without usable key, weak or invalid JWKS keys, private keys in the JWKS).
  static std::unique_ptr<TokenVerifier> Create(const VerifierConfig& config, std::string* error);

  ~TokenVerifier();
  TokenVerifier(const TokenVerifier&) = delete;
  TokenVerifier& operator=(const TokenVerifier&) = delete;

  // Thread-safe; `now` is injected so that tests control the clock. A token
  // that verified before is answered from the cache with the same principal
  // (see VerifierConfig::verified_token_cache_entries).
  VerifyResult Verify(std::string_view token, std::chrono::system_clock::time_point now) const;

  VerifiedTokenCacheStats cache_stats() const;

 private:
  struct Keys;
  struct TimeBounds;
  TokenVerifier(VerifierConfig config, std::unique_ptr<Keys> keys);

  // The whole verification; on success *bounds (when given) receives what of it depends on time.
  VerifyResult VerifyUncached(std::string_view token, std::chrono::system_clock::time_point now,
                              TimeBounds* bounds) const;

  VerifierConfig config_;
  std::unique_ptr<Keys> keys_;
  std::unique_ptr<internal::VerifiedTokenCache> cache_;
};

// A compact HS256 JWT over `claims` (for tests and osh-devtoken).
std::string SignHs256(const nlohmann::json& claims, std::string_view secret);

// A compact JWT over `claims` signed with an unencrypted PEM private key (for
// tests and tools): `alg` "RS256" needs an RSA key of at least 2048 bits,
// "ES256" an EC P-256 key (the signature is JOSE r || s, 64 bytes). The header
// is {"alg":alg,"kid":kid,"typ":"JWT"}, without "kid" when `kid` is empty.
// Returns "" (and sets *error when given) when the key is unreadable or does
// not fit `alg`. Pair with PublicJwkFromPem (osh/auth/jwk.h) for the JWKS.
std::string SignAsymmetric(const nlohmann::json& claims, std::string_view alg,
                           std::string_view private_key_pem, std::string_view kid,
                           std::string* error = nullptr);

// Reads a secret from `file_path_or_empty` when given (one trailing newline
// stripped), otherwise from the environment variable `env_var_name`. Secrets
// never live in the repository. Returns "" with *error set when neither yields
// a non-empty secret.
std::string LoadSecret(std::string_view file_path_or_empty, std::string_view env_var_name,
                       std::string* error);

}  // namespace osh::auth
