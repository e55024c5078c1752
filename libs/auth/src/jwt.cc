#include "osh/auth/jwt.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <utility>
#include <vector>

#include "keys.h"
#include "verified_token_cache.h"
#include "osh/auth/base64url.h"

namespace osh::auth {
namespace {

using nlohmann::json;
using internal::KeyAlg;
using internal::PkeyPtr;
using internal::Quoted;

// Real tokens are a few hundred bytes; the cap bounds the work an anonymous
// caller can cause before the signature is checked.
constexpr size_t kMaxTokenBytes = 8192;
constexpr size_t kMinHs256SecretBytes = 32;  // RFC 7518 §3.2: at least the hash size
constexpr size_t kSha256Bytes = 32;

// Claim and header values come from the caller: they pass through Quoted
// (shortened, printable ASCII) before they appear in an error and a log line.

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac,
           &mac_len) == nullptr) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(mac), mac_len);
}

bool IsTwoDigits(std::string_view s) {
  return s.size() == 2 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9';
}

VerifyResult Fail(std::string error) { return VerifyResult{std::nullopt, std::move(error)}; }

double SecondsOf(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// Parses a base64url segment as a JSON object; nullopt with *error on failure.
std::optional<json> DecodeJsonObject(std::string_view segment, std::string_view what,
                                     std::string* error) {
  const auto bytes = Base64UrlDecode(segment);
  if (!bytes) {
    *error = std::string(what) + " is not valid base64url";
    return std::nullopt;
  }
  json parsed = json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    *error = std::string(what) + " is not a JSON object";
    return std::nullopt;
  }
  return parsed;
}

// An optional string claim: nullopt when absent, *error when present but not a string.
std::optional<std::string> StringClaim(const json& claims, const char* name, std::string* error) {
  const auto it = claims.find(name);
  if (it == claims.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    *error = std::string("claim '") + name + "' is not a string";
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::optional<double> NumericDateClaim(const json& claims, const char* name, std::string* error) {
  const auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  if (!it->is_number()) {
    *error = std::string("claim '") + name + "' is not a number";
    return std::nullopt;
  }
  return it->get<double>();
}

bool AudienceMatches(const json& aud, const std::string& expected) {
  if (aud.is_string()) return aud.get_ref<const std::string&>() == expected;
  if (aud.is_array()) {
    for (const auto& entry : aud) {
      if (entry.is_string() && entry.get_ref<const std::string&>() == expected) return true;
    }
  }
  return false;
}

VerifyResult PrincipalFromClaims(const json& claims) {
  std::string error;
  const auto subject = StringClaim(claims, "sub", &error);
  if (!error.empty()) return Fail(error);
  if (!subject || subject->empty()) return Fail("claim 'sub' missing");

  const auto role_name = StringClaim(claims, "role", &error);
  if (!error.empty()) return Fail(error);
  if (!role_name) return Fail("claim 'role' missing");
  const auto role = ParseRole(*role_name);
  if (!role) return Fail("claim 'role' has unknown value " + Quoted(*role_name));

  auto province = StringClaim(claims, "province", &error);
  if (!error.empty()) return Fail(error);
  auto org = StringClaim(claims, "org", &error);
  if (!error.empty()) return Fail(error);

  const std::string role_text(RoleName(*role));
  if (IsProvincialRole(*role)) {
    if (!province || province->empty()) {
      return Fail("claim 'province' missing for role " + role_text);
    }
    if (!IsTwoDigits(*province)) {
      return Fail("claim 'province' has invalid value " + Quoted(*province) +
                  "; expected 2 digits");
    }
  } else if (province && !province->empty()) {
    return Fail("claim 'province' must be empty for role " + role_text);
  }
  if ((*role == Role::kEmployer || *role == Role::kInstitution) && (!org || org->empty())) {
    return Fail("claim 'org' missing for role " + role_text);
  }

  Principal principal;
  principal.subject = *subject;
  principal.role = *role;
  principal.province = province.value_or("");
  principal.org = org.value_or("");
  return VerifyResult{std::move(principal), {}};
}

}  // namespace

struct TokenVerifier::Keys {
  PkeyPtr rs256_public_key;                      // from rs256_public_key_pem; no kid
  std::vector<internal::VerificationKey> jwks;  // from jwks_json

  bool HasKeyFor(KeyAlg alg) const {
    if (alg == KeyAlg::kRs256 && rs256_public_key) return true;
    return std::any_of(jwks.begin(), jwks.end(),
                       [alg](const internal::VerificationKey& key) { return key.alg == alg; });
  }
};

struct TokenVerifier::TimeBounds : internal::VerifiedTokenCache::Validity {};

TokenVerifier::TokenVerifier(VerifierConfig config, std::unique_ptr<Keys> keys)
    : config_(std::move(config)),
      keys_(std::move(keys)),
      cache_(std::make_unique<internal::VerifiedTokenCache>(config_.verified_token_cache_entries,
                                                            static_cast<double>(config_.leeway.count()))) {}

TokenVerifier::~TokenVerifier() = default;

std::unique_ptr<TokenVerifier> TokenVerifier::Create(const VerifierConfig& config,
                                                     std::string* error) {
  if (config.hs256_secret.empty() && config.rs256_public_key_pem.empty() &&
      config.jwks_json.empty()) {
    *error = "no verification key: set an HS256 secret, an RS256 public key or a JWKS";
    return nullptr;
  }
  if (!config.hs256_secret.empty() && config.hs256_secret.size() < kMinHs256SecretBytes) {
    *error = "HS256 secret is shorter than 32 bytes";
    return nullptr;
  }
  // A PEM used as an HMAC secret is the raw material of the RS256->HS256
  // confusion attack; refuse configurations that make it possible.
  if (config.hs256_secret.find("-----BEGIN") != std::string::npos) {
    *error = "HS256 secret looks like a PEM key";
    return nullptr;
  }
  // The same confusion with the public keys of a JWKS.
  if (config.hs256_secret.find("\"kty\"") != std::string::npos) {
    *error = "HS256 secret looks like a JWK or JWKS";
    return nullptr;
  }
  if (config.leeway.count() < 0) {
    *error = "leeway is negative";
    return nullptr;
  }
  if (config.max_lifetime.count() < 0) {
    *error = "maximum token lifetime is negative";
    return nullptr;
  }

  auto keys = std::make_unique<Keys>();
  if (!config.rs256_public_key_pem.empty()) {
    keys->rs256_public_key = internal::ReadPublicKeyPem(config.rs256_public_key_pem);
    if (!keys->rs256_public_key) {
      *error = "RS256 public key is not a PEM public key";
      return nullptr;
    }
    if (EVP_PKEY_base_id(keys->rs256_public_key.get()) != EVP_PKEY_RSA) {
      *error = "RS256 public key is not an RSA key";
      return nullptr;
    }
    if (EVP_PKEY_get_bits(keys->rs256_public_key.get()) < internal::kMinRsaBits) {
      *error = "RS256 public key is shorter than 2048 bits";
      return nullptr;
    }
  }
  if (!config.jwks_json.empty() && !internal::ParseJwks(config.jwks_json, &keys->jwks, error)) {
    return nullptr;
  }
  return std::unique_ptr<TokenVerifier>(new TokenVerifier(config, std::move(keys)));
}

VerifyResult TokenVerifier::Verify(std::string_view token,
                                   std::chrono::system_clock::time_point now) const {
  internal::VerifiedTokenCache::Digest digest;
  if (!cache_->enabled() || token.empty() || token.size() > kMaxTokenBytes || !cache_->DigestOf(token, &digest)) {
    return VerifyUncached(token, now, nullptr);
  }
  if (auto principal = cache_->Lookup(digest, SecondsOf(now))) return VerifyResult{std::move(principal), {}};
  TimeBounds bounds{};
  VerifyResult result = VerifyUncached(token, now, &bounds);
  if (result.ok()) cache_->Insert(digest, *result.principal, bounds);
  return result;
}

VerifiedTokenCacheStats TokenVerifier::cache_stats() const {
  const auto stats = cache_->stats();
  return VerifiedTokenCacheStats{stats.entries, stats.hits, stats.misses};
}

VerifyResult TokenVerifier::VerifyUncached(std::string_view token, std::chrono::system_clock::time_point now,
                                           TimeBounds* bounds) const {
  if (token.empty()) return Fail("token is empty");
  if (token.size() > kMaxTokenBytes) return Fail("token is longer than 8192 bytes");
  const size_t first_dot = token.find('.');
  const size_t second_dot =
      first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos ||
      token.find('.', second_dot + 1) != std::string_view::npos) {
    return Fail("token is not three dot-separated segments");
  }
  const std::string_view header_segment = token.substr(0, first_dot);
  const std::string_view signing_input = token.substr(0, second_dot);
  const std::string_view signature_segment = token.substr(second_dot + 1);

  try {
    std::string error;
    const auto header = DecodeJsonObject(header_segment, "header", &error);
    if (!header) return Fail(error);

    const auto alg_it = header->find("alg");
    if (alg_it == header->end() || !alg_it->is_string()) return Fail("header 'alg' missing");
    const std::string& alg = alg_it->get_ref<const std::string&>();
    // RFC 7515 §4.1.11: extensions we do not implement must make the token invalid.
    if (header->contains("crit")) return Fail("header 'crit' is not supported");

    const auto signature = Base64UrlDecode(signature_segment);
    if (!signature) return Fail("signature is not valid base64url");

    if (alg == "HS256" && !config_.hs256_secret.empty()) {
      const std::string expected = HmacSha256(config_.hs256_secret, signing_input);
      if (expected.size() != kSha256Bytes || signature->size() != kSha256Bytes ||
          CRYPTO_memcmp(expected.data(), signature->data(), kSha256Bytes) != 0) {
        return Fail("signature mismatch");
      }
    } else if (const auto key_alg = internal::ParseKeyAlg(alg);
               key_alg && keys_->HasKeyFor(*key_alg)) {
      // Each key serves exactly one alg, so an RS256 token is never checked
      // with an EC key or the other way round.
      std::vector<EVP_PKEY*> candidates;
      const auto kid_it = header->find("kid");
      if (kid_it != header->end()) {
        if (!kid_it->is_string()) return Fail("header 'kid' is not a string");
        const std::string& kid = kid_it->get_ref<const std::string&>();
        bool kid_known = false;
        for (const auto& key : keys_->jwks) {
          if (key.kid != kid) continue;
          kid_known = true;
          if (key.alg == *key_alg) candidates.push_back(key.key.get());
        }
        if (!kid_known) {
          // The PEM key has no kid; it keeps accepting RS256 tokens of any kid.
          if (*key_alg != KeyAlg::kRs256 || !keys_->rs256_public_key) {
            return Fail("unknown key id");
          }
          candidates.push_back(keys_->rs256_public_key.get());
        } else if (candidates.empty()) {
          return Fail("alg " + Quoted(alg) + " does not match the key of this key id");
        }
      } else {
        if (*key_alg == KeyAlg::kRs256 && keys_->rs256_public_key) {
          candidates.push_back(keys_->rs256_public_key.get());
        }
        for (const auto& key : keys_->jwks) {
          if (key.alg == *key_alg) candidates.push_back(key.key.get());
        }
      }
      if (*key_alg == KeyAlg::kEs256 && signature->size() != internal::kEs256SignatureBytes) {
        return Fail("ES256 signature is not 64 bytes");
      }
      const bool verified =
          std::any_of(candidates.begin(), candidates.end(), [&](EVP_PKEY* key) {
            return internal::VerifyJoseSignature(*key_alg, key, signing_input, *signature);
          });
      if (!verified) return Fail("signature mismatch");
    } else {
      // Covers "none", algorithms we never accept, and an algorithm whose key
      // is not configured (the RS256/HS256 confusion).
      return Fail("alg " + Quoted(alg) + " is not accepted");
    }

    // Only signed content is interpreted from here on.
    const auto claims = DecodeJsonObject(token.substr(first_dot + 1, second_dot - first_dot - 1),
                                         "payload", &error);
    if (!claims) return Fail(error);

    const double now_seconds = SecondsOf(now);
    const auto leeway = static_cast<double>(config_.leeway.count());
    const auto exp = NumericDateClaim(*claims, "exp", &error);
    if (!error.empty()) return Fail(error);
    if (!exp) return Fail("claim 'exp' missing");
    if (now_seconds >= *exp + leeway) return Fail("token expired");
    const auto nbf = NumericDateClaim(*claims, "nbf", &error);
    if (!error.empty()) return Fail(error);
    if (nbf && now_seconds + leeway < *nbf) return Fail("token not yet valid");
    double not_before = nbf.value_or(-std::numeric_limits<double>::infinity());
    if (config_.max_lifetime.count() > 0) {
      const auto iat = NumericDateClaim(*claims, "iat", &error);
      if (!error.empty()) return Fail(error);
      if (!iat) return Fail("claim 'iat' missing");
      if (*iat > now_seconds + leeway) return Fail("claim 'iat' is in the future");
      not_before = std::max(not_before, *iat);
      const auto max_lifetime = static_cast<double>(config_.max_lifetime.count());
      if (*exp - *iat > max_lifetime) {
        return Fail("token lifetime (exp - iat) exceeds " + std::to_string(config_.max_lifetime.count()) +
                    " seconds");
      }
    }

    if (!config_.issuer.empty()) {
      const auto iss = StringClaim(*claims, "iss", &error);
      if (!error.empty()) return Fail(error);
      if (!iss) return Fail("claim 'iss' missing");
      if (*iss != config_.issuer) return Fail("claim 'iss' has unexpected value " + Quoted(*iss));
    }
    if (!config_.audience.empty()) {
      const auto aud = claims->find("aud");
      if (aud == claims->end()) return Fail("claim 'aud' missing");
      if (!AudienceMatches(*aud, config_.audience)) {
        return Fail("claim 'aud' does not contain " + Quoted(config_.audience));
      }
    }
    if (bounds != nullptr) {
      bounds->not_before_seconds = not_before;
      bounds->expires_seconds = *exp;
    }
    return PrincipalFromClaims(*claims);
  } catch (const std::exception&) {
    // nlohmann throws on unexpected shapes (e.g. out-of-range numbers); the
    // message might quote the payload, so it is not passed on.
    return Fail("token is malformed");
  }
}

std::string SignHs256(const nlohmann::json& claims, std::string_view secret) {
  const std::string signing_input = Base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})") + "." +
                                    Base64UrlEncode(claims.dump());
  return signing_input + "." + Base64UrlEncode(HmacSha256(secret, signing_input));
}

std::string SignAsymmetric(const nlohmann::json& claims, std::string_view alg,
                           std::string_view private_key_pem, std::string_view kid,
                           std::string* error) {
  std::string problem;
  const auto key_alg = internal::ParseKeyAlg(alg);
  const PkeyPtr key = key_alg ? internal::ReadPrivateKeyPem(private_key_pem) : nullptr;
  std::optional<KeyAlg> fits;
  if (!key_alg) {
    problem = "alg must be RS256 or ES256";
  } else if (!key) {
    problem = "not an unencrypted PEM private key";
  } else if (fits = internal::AlgForKey(key.get(), &problem); fits && *fits != *key_alg) {
    problem = std::string(alg) +
              (*key_alg == KeyAlg::kRs256 ? " needs an RSA key" : " needs an EC P-256 key");
  }
  std::string token;
  if (problem.empty()) {
    json header{{"alg", alg}, {"typ", "JWT"}};
    if (!kid.empty()) header["kid"] = kid;
    const std::string signing_input =
        Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());
    const std::string signature = internal::SignJose(*key_alg, key.get(), signing_input);
    if (signature.empty()) {
      problem = "signing failed";
    } else {
      token = signing_input + "." + Base64UrlEncode(signature);
    }
  }
  if (!problem.empty() && error != nullptr) *error = problem;
  return token;
}

std::string LoadSecret(std::string_view file_path_or_empty, std::string_view env_var_name,
                       std::string* error) {
  std::string secret;
  if (!file_path_or_empty.empty()) {
    const std::string path(file_path_or_empty);
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      *error = "cannot read secret file '" + path + "'";
      return {};
    }
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad()) {
      *error = "cannot read secret file '" + path + "'";
      return {};
    }
    secret = std::move(content).str();
    // Editors and `echo` end files with a newline that is not part of the secret.
    if (!secret.empty() && secret.back() == '\n') secret.pop_back();
    if (!secret.empty() && secret.back() == '\r') secret.pop_back();
    if (secret.empty()) {
      *error = "secret file '" + path + "' is empty";
      return {};
    }
    return secret;
  }
  if (env_var_name.empty()) {
    *error = "no secret: neither a secret file nor an environment variable is named";
    return {};
  }
  const std::string name(env_var_name);
  const char* value = std::getenv(name.c_str());
  if (value == nullptr || *value == '\0') {
    *error = "no secret: no secret file given and environment variable " + name + " is not set";
    return {};
  }
  return value;
}

}  // namespace osh::auth
