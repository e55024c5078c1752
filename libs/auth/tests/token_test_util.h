#pragma once

// Token forging helpers for tests: they build tokens byte by byte so that
// tests can produce every malformed or hostile shape a verifier must refuse.

#include <openssl/bio.h>
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

inline std::string RsaSha256Signature(EVP_PKEY* key, std::string_view data) {
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
  if (!ok) throw std::runtime_error("RSA signing failed");
  return signature;
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
