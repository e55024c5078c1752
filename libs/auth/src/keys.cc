#include "keys.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <nlohmann/json.hpp>

#include <array>
#include <utility>

#include "osh/auth/base64url.h"
#include "osh/auth/jwk.h"

namespace osh::auth {
namespace internal {
namespace {

using nlohmann::json;

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct BnDeleter {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
struct BldDeleter {
  void operator()(OSSL_PARAM_BLD* bld) const { OSSL_PARAM_BLD_free(bld); }
};
struct ParamDeleter {
  void operator()(OSSL_PARAM* params) const { OSSL_PARAM_free(params); }
};
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct EcdsaSigDeleter {
  void operator()(ECDSA_SIG* sig) const { ECDSA_SIG_free(sig); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;

// OpenSSL's name of P-256 (also known as secp256r1).
constexpr char kP256GroupName[] = "prime256v1";

const unsigned char* Bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

std::unique_ptr<BIO, BioDeleter> MemBio(std::string_view text) {
  return std::unique_ptr<BIO, BioDeleter>(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// A pem_password_cb that refuses: encrypted keys fail instead of prompting.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) { return -1; }

BnPtr BnFromBytes(std::string_view bytes) {
  return BnPtr(BN_bin2bn(Bytes(bytes), static_cast<int>(bytes.size()), nullptr));
}

// Big-endian bytes of `bn`, left-padded with zeros to `width` when width > 0.
std::optional<std::string> BnBytes(const BIGNUM* bn, int width) {
  std::string out(static_cast<size_t>(width > 0 ? width : BN_num_bytes(bn)), '\0');
  auto* data = reinterpret_cast<unsigned char*>(out.data());
  const int written = width > 0 ? BN_bn2binpad(bn, data, width) : BN_bn2bin(bn, data);
  if (written < 0 || static_cast<size_t>(written) != out.size()) return std::nullopt;
  return out;
}

std::optional<std::string> BnParam(EVP_PKEY* key, const char* name, int width) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) return std::nullopt;
  const BnPtr bn(raw);
  return BnBytes(bn.get(), width);
}

// A public key of `type` ("RSA", "EC") from the parameters in `bld`.
PkeyPtr PublicKeyFromData(const char* type, OSSL_PARAM_BLD* bld) {
  const std::unique_ptr<OSSL_PARAM, ParamDeleter> params(OSSL_PARAM_BLD_to_param(bld));
  const std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    EVP_PKEY_free(key);
    return nullptr;
  }
  return PkeyPtr(key);
}

// OpenSSL's own consistency checks of a public key (RSA: odd modulus, exponent
// in range, no small factors; EC: point on the curve, in the right subgroup).
bool PublicKeyChecks(EVP_PKEY* key) {
  const std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx(
      EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  return ctx && EVP_PKEY_public_check(ctx.get()) == 1;
}

// Decodes the base64url member `name` of `jwk`; nullopt with *error set when it
// is missing, not a string, not base64url or empty.
std::optional<std::string> Member(const json& jwk, const char* name, const std::string& where,
                                  std::string* error) {
  const auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) {
    *error = where + ": '" + name + "' missing";
    return std::nullopt;
  }
  auto bytes = Base64UrlDecode(it->get_ref<const std::string&>());
  if (!bytes) {
    *error = where + ": '" + name + "' is not valid base64url";
    return std::nullopt;
  }
  if (bytes->empty()) {
    *error = where + ": '" + name + "' is empty";
    return std::nullopt;
  }
  return bytes;
}

PkeyPtr RsaKeyFromJwk(const json& jwk, const std::string& where, std::string* error) {
  const auto n = Member(jwk, "n", where, error);
  if (!n) return nullptr;
  const auto e = Member(jwk, "e", where, error);
  if (!e) return nullptr;
  const BnPtr n_bn = BnFromBytes(*n);
  const BnPtr e_bn = BnFromBytes(*e);
  const std::unique_ptr<OSSL_PARAM_BLD, BldDeleter> bld(OSSL_PARAM_BLD_new());
  PkeyPtr key;
  if (n_bn && e_bn && bld && OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n_bn.get()) == 1 &&
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e_bn.get()) == 1) {
    key = PublicKeyFromData("RSA", bld.get());
  }
  if (!key) {
    *error = where + ": not a usable RSA public key";
    return nullptr;
  }
  if (EVP_PKEY_get_bits(key.get()) < kMinRsaBits) {
    *error = where + ": RSA key is shorter than 2048 bits";
    return nullptr;
  }
  // SP 800-56B: an odd exponent with 2^16 < e < 2^256 (OpenSSL alone accepts e = 3).
  const int e_bits = BN_num_bits(e_bn.get());
  if (!BN_is_odd(e_bn.get()) || e_bits <= 16 || e_bits > 256) {
    *error = where + ": RSA exponent 'e' must be odd and between 65537 and 2^256";
    return nullptr;
  }
  if (!PublicKeyChecks(key.get())) {
    *error = where + ": RSA key fails the public key checks";
    return nullptr;
  }
  return key;
}

PkeyPtr EcKeyFromJwk(const json& jwk, const std::string& where, std::string* error) {
  const auto x = Member(jwk, "x", where, error);
  if (!x) return nullptr;
  const auto y = Member(jwk, "y", where, error);
  if (!y) return nullptr;
  // RFC 7518 §6.2.1.2-3: each coordinate is the full 32 bytes for P-256.
  if (x->size() != kP256CoordinateBytes || y->size() != kP256CoordinateBytes) {
    *error = where + ": 'x' and 'y' must be 32 bytes each for P-256";
    return nullptr;
  }
  const std::string point = std::string(1, '\x04') + *x + *y;  // SEC 1 uncompressed point
  const std::unique_ptr<OSSL_PARAM_BLD, BldDeleter> bld(OSSL_PARAM_BLD_new());
  PkeyPtr key;
  if (bld &&
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, kP256GroupName, 0) == 1 &&
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) ==
          1) {
    key = PublicKeyFromData("EC", bld.get());
  }
  if (!key || !PublicKeyChecks(key.get())) {
    *error = where + ": 'x', 'y' is not a point on P-256";
    return nullptr;
  }
  return key;
}

// An optional string member; nullopt when absent, *error when not a string.
std::optional<std::string> OptionalString(const json& jwk, const char* name, const std::string& where,
                                          std::string* error) {
  const auto it = jwk.find(name);
  if (it == jwk.end()) return std::nullopt;
  if (!it->is_string()) {
    *error = where + ": '" + name + "' is not a string";
    return std::nullopt;
  }
  return it->get<std::string>();
}

// Parses one JWK. Returns false with *error on a fatal problem; true with
// *key left null when the key is skipped (not meant for RS256/ES256 signatures).
bool ParseJwk(const json& jwk, size_t index, VerificationKey* out, std::string* error) {
  std::string where = "JWKS key " + std::to_string(index);
  if (!jwk.is_object()) {
    *error = where + " is not an object";
    return false;
  }
  const auto kid = OptionalString(jwk, "kid", where, error);
  if (!error->empty()) return false;
  if (kid) where += " (kid " + Quoted(*kid) + ")";
  const auto kty = OptionalString(jwk, "kty", where, error);
  if (!error->empty()) return false;
  if (!kty) {
    *error = where + ": 'kty' missing";
    return false;
  }
  const auto use = OptionalString(jwk, "use", where, error);
  if (!error->empty()) return false;
  const auto alg = OptionalString(jwk, "alg", where, error);
  if (!error->empty()) return false;
  if (use && *use != "sig") return true;  // e.g. "enc"
  if (const auto ops = jwk.find("key_ops"); ops != jwk.end()) {
    if (!ops->is_array()) {
      *error = where + ": 'key_ops' is not an array";
      return false;
    }
    bool verify = false;
    for (const auto& op : *ops) {
      verify = verify || (op.is_string() && op.get_ref<const std::string&>() == "verify");
    }
    if (!verify) return true;
  }

  KeyAlg key_alg;
  if (*kty == "RSA") {
    key_alg = KeyAlg::kRs256;
  } else if (*kty == "EC") {
    const auto crv = OptionalString(jwk, "crv", where, error);
    if (!error->empty()) return false;
    if (!crv) {
      *error = where + ": 'crv' missing";
      return false;
    }
    if (*crv != "P-256") return true;  // P-384, P-521, ... serve other algorithms
    key_alg = KeyAlg::kEs256;
  } else {
    return true;  // RFC 7517 §5: ignore unknown key types; "oct" is never an HS256 key here
  }
  if (alg && *alg != AlgName(key_alg)) return true;  // e.g. RS512, PS256

  // A published JWKS with private parts means the signing key has leaked.
  for (const char* member : {"d", "p", "q", "dp", "dq", "qi", "oth"}) {
    if (jwk.contains(member)) {
      *error = where + " holds private key material ('" + member + "'); a JWKS carries public keys only";
      return false;
    }
  }
  PkeyPtr key = key_alg == KeyAlg::kRs256 ? RsaKeyFromJwk(jwk, where, error)
                                           : EcKeyFromJwk(jwk, where, error);
  ERR_clear_error();
  if (!key) return false;
  out->kid = kid;
  out->alg = key_alg;
  out->key = std::move(key);
  return true;
}

std::string EcdsaDerToJose(std::string_view der) {
  const unsigned char* cursor = Bytes(der);
  const std::unique_ptr<ECDSA_SIG, EcdsaSigDeleter> sig(
      d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size())));
  if (!sig) return {};
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  const auto r_bytes = BnBytes(r, static_cast<int>(kP256CoordinateBytes));
  const auto s_bytes = BnBytes(s, static_cast<int>(kP256CoordinateBytes));
  if (!r_bytes || !s_bytes) return {};
  return *r_bytes + *s_bytes;
}

std::optional<std::string> EcdsaJoseToDer(std::string_view jose) {
  if (jose.size() != kEs256SignatureBytes) return std::nullopt;
  const std::unique_ptr<ECDSA_SIG, EcdsaSigDeleter> sig(ECDSA_SIG_new());
  BnPtr r = BnFromBytes(jose.substr(0, kP256CoordinateBytes));
  BnPtr s = BnFromBytes(jose.substr(kP256CoordinateBytes));
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return std::nullopt;
  // ECDSA_SIG_set0 took ownership of r and s.
  static_cast<void>(r.release());
  static_cast<void>(s.release());
  const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (length <= 0) return std::nullopt;
  std::string der(static_cast<size_t>(length), '\0');
  auto* cursor = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &cursor) != length) return std::nullopt;
  return der;
}

}  // namespace

std::string Quoted(std::string_view value) {
  constexpr size_t kMaxShown = 40;
  std::string out = "'";
  for (size_t i = 0; i < value.size() && i < kMaxShown; ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    out.push_back(c < 0x20 || c >= 0x7F || c == '\'' ? '?' : value[i]);
  }
  if (value.size() > kMaxShown) out += "...";
  out += "'";
  return out;
}

std::string_view AlgName(KeyAlg alg) { return alg == KeyAlg::kRs256 ? "RS256" : "ES256"; }

std::optional<KeyAlg> ParseKeyAlg(std::string_view name) {
  if (name == "RS256") return KeyAlg::kRs256;
  if (name == "ES256") return KeyAlg::kEs256;
  return std::nullopt;
}

bool ParseJwks(std::string_view jwks_json, std::vector<VerificationKey>* keys, std::string* error) {
  const json document = json::parse(jwks_json, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    *error = "JWKS is not valid JSON";
    return false;
  }
  const auto list = document.is_object() ? document.find("keys") : document.end();
  if (!document.is_object() || list == document.end() || !list->is_array()) {
    *error = "JWKS has no 'keys' array";
    return false;
  }
  if (list->size() > kMaxJwksKeys) {
    *error = "JWKS has more than " + std::to_string(kMaxJwksKeys) + " keys";
    return false;
  }
  const size_t before = keys->size();
  for (size_t i = 0; i < list->size(); ++i) {
    VerificationKey key;
    error->clear();
    if (!ParseJwk((*list)[i], i, &key, error)) return false;
    if (key.key) keys->push_back(std::move(key));
  }
  if (keys->size() == before) {
    *error = "JWKS has no usable key (kty RSA for RS256 or kty EC with crv P-256 for ES256, use 'sig')";
    return false;
  }
  return true;
}

PkeyPtr ReadPublicKeyPem(std::string_view pem) {
  const auto bio = MemBio(pem);
  PkeyPtr key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr) : nullptr);
  ERR_clear_error();
  return key;
}

PkeyPtr ReadPrivateKeyPem(std::string_view pem) {
  const auto bio = MemBio(pem);
  PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr) : nullptr);
  ERR_clear_error();
  return key;
}

std::optional<KeyAlg> AlgForKey(EVP_PKEY* key, std::string* error) {
  if (EVP_PKEY_is_a(key, "RSA")) {
    if (EVP_PKEY_get_bits(key) < kMinRsaBits) {
      *error = "RSA key is shorter than 2048 bits";
      return std::nullopt;
    }
    return KeyAlg::kRs256;
  }
  if (EVP_PKEY_is_a(key, "EC")) {
    std::array<char, 64> group{};
    size_t length = 0;
    const bool named = EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(),
                                                      group.size(), &length) == 1;
    ERR_clear_error();
    if (!named || std::string_view(group.data(), length) != kP256GroupName) {
      *error = "EC key is not on curve P-256";
      return std::nullopt;
    }
    return KeyAlg::kEs256;
  }
  *error = "key is neither RSA nor EC";
  return std::nullopt;
}

bool VerifyJoseSignature(KeyAlg alg, EVP_PKEY* key, std::string_view signing_input,
                         std::string_view signature) {
  std::string der;
  if (alg == KeyAlg::kEs256) {
    auto converted = EcdsaJoseToDer(signature);
    if (!converted) return false;
    der = std::move(*converted);
    signature = der;
  }
  const std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  const bool verified =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(signing_input),
                       signing_input.size()) == 1;
  ERR_clear_error();
  return verified;
}

std::string SignJose(KeyAlg alg, EVP_PKEY* key, std::string_view signing_input) {
  const std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  size_t length = 0;
  std::string signature;
  bool ok = ctx && EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestSign(ctx.get(), nullptr, &length, Bytes(signing_input), signing_input.size()) == 1;
  if (ok) {
    signature.resize(length);
    ok = EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                        Bytes(signing_input), signing_input.size()) == 1;
    signature.resize(length);
  }
  ERR_clear_error();
  if (!ok) return {};
  return alg == KeyAlg::kEs256 ? EcdsaDerToJose(signature) : signature;
}

}  // namespace internal

std::string PublicJwkFromPem(std::string_view public_or_private_key_pem, std::string_view kid,
                             std::string* error) {
  using internal::KeyAlg;
  internal::PkeyPtr key = internal::ReadPublicKeyPem(public_or_private_key_pem);
  if (!key) key = internal::ReadPrivateKeyPem(public_or_private_key_pem);
  if (!key) {
    *error = "not a PEM public key or unencrypted PEM private key";
    return {};
  }
  const auto alg = internal::AlgForKey(key.get(), error);
  if (!alg) return {};
  nlohmann::json jwk{{"use", "sig"}, {"alg", internal::AlgName(*alg)}};
  if (!kid.empty()) jwk["kid"] = kid;
  if (*alg == KeyAlg::kRs256) {
    // RFC 7518 §6.3.1: big-endian, minimal length.
    const auto n = internal::BnParam(key.get(), OSSL_PKEY_PARAM_RSA_N, 0);
    const auto e = internal::BnParam(key.get(), OSSL_PKEY_PARAM_RSA_E, 0);
    ERR_clear_error();
    if (!n || !e) {
      *error = "cannot read the RSA public key";
      return {};
    }
    jwk["kty"] = "RSA";
    jwk["n"] = Base64UrlEncode(*n);
    jwk["e"] = Base64UrlEncode(*e);
  } else {
    // RFC 7518 §6.2.1: full-length coordinates.
    const int width = static_cast<int>(internal::kP256CoordinateBytes);
    const auto x = internal::BnParam(key.get(), OSSL_PKEY_PARAM_EC_PUB_X, width);
    const auto y = internal::BnParam(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, width);
    ERR_clear_error();
    if (!x || !y) {
      *error = "cannot read the EC public key";
      return {};
    }
    jwk["kty"] = "EC";
    jwk["crv"] = "P-256";
    jwk["x"] = Base64UrlEncode(*x);
    jwk["y"] = Base64UrlEncode(*y);
  }
  return jwk.dump();
}

}  // namespace osh::auth
