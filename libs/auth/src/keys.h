#pragma once

// Asymmetric keys of libs/auth (internal): PEM and JWK reading, the
// algorithm a key serves, and JOSE signatures (RS256, ES256) over OpenSSL 3.

#include <openssl/evp.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace osh::auth::internal {

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

inline constexpr int kMinRsaBits = 2048;
inline constexpr size_t kP256CoordinateBytes = 32;
inline constexpr size_t kEs256SignatureBytes = 2 * kP256CoordinateBytes;  // r || s
// Bounds the keys a token without `kid` may be tried against.
inline constexpr size_t kMaxJwksKeys = 64;

// The asymmetric algorithms accepted; each fits exactly one key type.
enum class KeyAlg { kRs256, kEs256 };

std::string_view AlgName(KeyAlg alg);
std::optional<KeyAlg> ParseKeyAlg(std::string_view name);

// One verification key taken from a JWKS.
struct VerificationKey {
  std::optional<std::string> kid;
  KeyAlg alg;
  PkeyPtr key;
};

// Appends the usable keys of a JWKS (RFC 7517) to *keys. Keys for other uses,
// algorithms, key types or curves are skipped; malformed or weak keys, private
// key material, and a JWKS without any usable key fail with *error set.
bool ParseJwks(std::string_view jwks_json, std::vector<VerificationKey>* keys, std::string* error);

// "-----BEGIN PUBLIC KEY-----" (SubjectPublicKeyInfo); null when unreadable.
PkeyPtr ReadPublicKeyPem(std::string_view pem);
// An unencrypted PEM private key (PKCS#8 or traditional); null when unreadable
// or encrypted. Never prompts for a passphrase.
PkeyPtr ReadPrivateKeyPem(std::string_view pem);

// The algorithm `key` serves: RSA of at least 2048 bits → RS256, EC on P-256 →
// ES256. Nullopt with *error set for any other key.
std::optional<KeyAlg> AlgForKey(EVP_PKEY* key, std::string* error);

// Checks a JOSE signature (RS256: PKCS#1 v1.5; ES256: 64 bytes r || s).
bool VerifyJoseSignature(KeyAlg alg, EVP_PKEY* key, std::string_view signing_input,
                         std::string_view signature);
// A JOSE signature with the private `key`; "" on failure.
std::string SignJose(KeyAlg alg, EVP_PKEY* key, std::string_view signing_input);

// Shortened, printable-ASCII form of a caller-supplied value for error messages.
std::string Quoted(std::string_view value);

}  // namespace osh::auth::internal
