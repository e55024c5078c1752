#pragma once

// Token forging helpers for tests: they build tokens byte by byte so that
// tests can produce every malformed or hostile shape a verifier must refuse.

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "osh/auth/base64url.h"

namespace osh::auth::testutil {

inline constexpr std::string_view kSecret = "test-secret-0123456789abcdef-0123456789";
inline const std::chrono::system_clock::time_point kNow{std::chrono::seconds{1'700'000'000}};
inline constexpr long long kNowSeconds = 1'700'000'000;

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

inline std::string Segment(const nlohmann::json& value) {
  return Base64UrlEncode(value.dump());
}

inline std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &mac_len);
  return std::string(reinterpret_cast<const char*>(mac), mac_len);
}

// header.payload.HMAC(header.payload) with the segments taken verbatim.
inline std::string SignRawHs256(std::string_view header_segment, std::string_view payload_segment,
                                std::string_view secret) {
  std::string input = std::string(header_segment) + "." + std::string(payload_segment);
  return input + "." + Base64UrlEncode(HmacSha256(secret, input));
}

inline std::string HsToken(const nlohmann::json& claims, std::string_view secret = kSecret,
                           const nlohmann::json& header = {{"alg", "HS256"}, {"typ", "JWT"}}) {
  return SignRawHs256(Segment(header), Segment(claims), secret);
}

inline PkeyPtr GenerateRsaKey(int bits) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
  EVP_PKEY* key = nullptr;
  const bool ok = ctx != nullptr && EVP_PKEY_keygen_init(ctx) == 1 &&
                  EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits) == 1 &&
                  EVP_PKEY_keygen(ctx, &key) == 1;
  EVP_PKEY_CTX_free(ctx);
  if (!ok) throw std::runtime_error("RSA key generation failed");
  return PkeyPtr(key);
}

inline PkeyPtr GenerateEcKey() {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* key = nullptr;
  const bool ok = ctx != nullptr && EVP_PKEY_keygen_init(ctx) == 1 &&
                  EVP_PKEY_CTX_set_group_name(ctx, "P-256") == 1 &&
                  EVP_PKEY_keygen(ctx, &key) == 1;
  EVP_PKEY_CTX_free(ctx);
  if (!ok) throw std::runtime_error("EC key generation failed");
  return PkeyPtr(key);
}

inline std::string PublicKeyPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio, key) != 1) {
    BIO_free(bio);
    throw std::runtime_error("PEM export failed");
  }
  std::string pem(BIO_ctrl_pending(bio), '\0');
  const int read = BIO_read(bio, pem.data(), static_cast<int>(pem.size()));
  BIO_free(bio);
  pem.resize(read > 0 ? static_cast<size_t>(read) : 0);
  return pem;
}

inline std::string PrivateKeyPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr ||
      PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    BIO_free(bio);
    throw std::runtime_error("PEM export failed");
  }
  std::string pem(BIO_ctrl_pending(bio), '\0');
  const int read = BIO_read(bio, pem.data(), static_cast<int>(pem.size()));
  BIO_free(bio);
  pem.resize(read > 0 ? static_cast<size_t>(read) : 0);
  return pem;
}

// SHA-256 signature of `data` as OpenSSL produces it: PKCS#1 v1.5 for RSA
// keys, DER-encoded ECDSA-Sig-Value for EC keys.
inline std::string Sha256Signature(EVP_PKEY* key, std::string_view data) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t length = 0;
  std::string signature;
  bool ok = ctx != nullptr && EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestSign(ctx, nullptr, &length,
                           reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  if (ok) {
    signature.resize(length);
    ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                        reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
    signature.resize(length);
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) throw std::runtime_error("signing failed");
  return signature;
}

inline std::string RsaSha256Signature(EVP_PKEY* key, std::string_view data) {
  return Sha256Signature(key, data);
}

inline bool Sha256Verify(EVP_PKEY* key, std::string_view data, std::string_view signature) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      ctx != nullptr && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                       data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

// DER ECDSA-Sig-Value -> JOSE r || s (RFC 7518 §3.4), written independently of
// the library so that a bug shared by its signer and verifier shows.
inline std::string DerToJoseEs256(std::string_view der) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size()));
  if (sig == nullptr) throw std::runtime_error("not a DER ECDSA signature");
  std::string out(64, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  const bool ok = BN_bn2binpad(ECDSA_SIG_get0_r(sig), bytes, 32) == 32 &&
                  BN_bn2binpad(ECDSA_SIG_get0_s(sig), bytes + 32, 32) == 32;
  ECDSA_SIG_free(sig);
  if (!ok) throw std::runtime_error("ECDSA signature conversion failed");
  return out;
}

inline std::string JoseToDerEs256(std::string_view jose) {
  if (jose.size() != 64) throw std::runtime_error("not a 64-byte ES256 signature");
  ECDSA_SIG* sig = ECDSA_SIG_new();
  const auto* bytes = reinterpret_cast<const unsigned char*>(jose.data());
  BIGNUM* r = BN_bin2bn(bytes, 32, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + 32, 32, nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr ||
      ECDSA_SIG_set0(sig, r, s) != 1) {
    throw std::runtime_error("ECDSA signature conversion failed");
  }
  unsigned char* der = nullptr;
  const int length = i2d_ECDSA_SIG(sig, &der);
  std::string out(reinterpret_cast<const char*>(der), length > 0 ? static_cast<size_t>(length) : 0);
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  return out;
}

inline std::string EsToken(EVP_PKEY* key, const nlohmann::json& claims,
                           const nlohmann::json& header = {{"alg", "ES256"}, {"typ", "JWT"}}) {
  const std::string input = Segment(header) + "." + Segment(claims);
  return input + "." + Base64UrlEncode(DerToJoseEs256(Sha256Signature(key, input)));
}

// Public JWKs built from the key parameters, independently of PublicJwkFromPem.
inline std::string BnParamBytes(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) throw std::runtime_error("no such parameter");
  std::string out(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

inline nlohmann::json RsaJwk(EVP_PKEY* key, std::string_view kid = "") {
  nlohmann::json jwk{{"kty", "RSA"},
                     {"n", Base64UrlEncode(BnParamBytes(key, OSSL_PKEY_PARAM_RSA_N))},
                     {"e", Base64UrlEncode(BnParamBytes(key, OSSL_PKEY_PARAM_RSA_E))}};
  if (!kid.empty()) jwk["kid"] = kid;
  return jwk;
}

inline nlohmann::json EcJwk(EVP_PKEY* key, std::string_view kid = "") {
  unsigned char point[65];
  size_t length = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point,
                                      sizeof(point), &length) != 1 ||
      length != 65 || point[0] != 0x04) {
    throw std::runtime_error("EC public key export failed");
  }
  const std::string_view xy(reinterpret_cast<const char*>(point) + 1, 64);
  nlohmann::json jwk{{"kty", "EC"},
                     {"crv", "P-256"},
                     {"x", Base64UrlEncode(xy.substr(0, 32))},
                     {"y", Base64UrlEncode(xy.substr(32))}};
  if (!kid.empty()) jwk["kid"] = kid;
  return jwk;
}

// A vector, not a json: `{jwk}` would copy the object instead of making an array.
inline std::string Jwks(const std::vector<nlohmann::json>& keys) {
  return nlohmann::json{{"keys", keys}}.dump();
}

inline std::string RsToken(EVP_PKEY* key, const nlohmann::json& claims,
                           const nlohmann::json& header = {{"alg", "RS256"}, {"typ", "JWT"}}) {
  const std::string input = Segment(header) + "." + Segment(claims);
  return input + "." + Base64UrlEncode(RsaSha256Signature(key, input));
}

inline nlohmann::json ProvinceAdminClaims() {
  return {{"sub", "alice"},
          {"role", "province_admin"},
          {"province", "44"},
          {"exp", kNowSeconds + 3600}};
}

}  // namespace osh::auth::testutil
