// RS256 and ES256 verification with keys from a JWKS, the signing helpers and
// PublicJwkFromPem. Keys are generated in-test; tokens are forged with the
// independent helpers of token_test_util.h unless the library's own signer is
// under test.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "osh/auth/jwk.h"
#include "osh/auth/jwt.h"
#include "token_test_util.h"

namespace osh::auth {
namespace {

using nlohmann::json;
using namespace osh::auth::testutil;  // NOLINT(build/namespaces)

std::string ReplaceSegment(const std::string& token, int index, const std::string& segment) {
  const size_t first = token.find('.');
  const size_t second = token.find('.', first + 1);
  if (index == 0) return segment + token.substr(first);
  if (index == 1) return token.substr(0, first + 1) + segment + token.substr(second);
  return token.substr(0, second + 1) + segment;
}

std::string SignatureBytes(const std::string& token) {
  return *Base64UrlDecode(token.substr(token.rfind('.') + 1));
}

std::string WithSignature(const std::string& token, const std::string& signature_bytes) {
  return ReplaceSegment(token, 2, Base64UrlEncode(signature_bytes));
}

json Header(const char* alg, const char* kid = nullptr) {
  json header{{"alg", alg}, {"typ", "JWT"}};
  if (kid != nullptr) header["kid"] = kid;
  return header;
}

std::string CreateError(const VerifierConfig& config) {
  std::string error;
  const auto verifier = TokenVerifier::Create(config, &error);
  EXPECT_EQ(verifier, nullptr);
  return error;
}

VerifierConfig JwksConfig(const std::vector<json>& keys) {
  VerifierConfig config;
  config.jwks_json = Jwks(keys);
  return config;
}

// Four keys: two RSA, two EC P-256, shared by the suite (RSA generation is slow).
class JwksTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_a_ = GenerateRsaKey(2048).release();
    rsa_b_ = GenerateRsaKey(2048).release();
    ec_a_ = GenerateEcKey().release();
    ec_b_ = GenerateEcKey().release();
  }
  static void TearDownTestSuite() {
    for (EVP_PKEY* key : {rsa_a_, rsa_b_, ec_a_, ec_b_}) EVP_PKEY_free(key);
  }

  static std::unique_ptr<TokenVerifier> MustCreate(const VerifierConfig& config) {
    std::string error;
    auto verifier = TokenVerifier::Create(config, &error);
    EXPECT_NE(verifier, nullptr) << error;
    return verifier;
  }

  // Verifier configurations used by the tables below.
  static VerifierConfig Config(const std::string& name) {
    if (name == "mixed") {
      return JwksConfig({RsaJwk(rsa_a_, "rsa-1"), EcJwk(ec_a_, "ec-1"), RsaJwk(rsa_b_, "rsa-2"),
                         EcJwk(ec_b_, "ec-2")});
    }
    if (name == "rsa_only") return JwksConfig({RsaJwk(rsa_a_, "rsa-1")});
    if (name == "ec_only") return JwksConfig({EcJwk(ec_a_, "ec-1")});
    if (name == "no_kids") return JwksConfig({RsaJwk(rsa_a_), EcJwk(ec_a_)});
    if (name == "pem_and_jwks") {
      // rsa_b_ is the PEM key (no kid); rsa_a_ and ec_a_ come from the JWKS.
      VerifierConfig config = JwksConfig({RsaJwk(rsa_a_, "rsa-1"), EcJwk(ec_a_, "ec-1")});
      config.rs256_public_key_pem = PublicKeyPem(rsa_b_);
      return config;
    }
    if (name == "pem_only") {
      VerifierConfig config;
      config.rs256_public_key_pem = PublicKeyPem(rsa_b_);
      return config;
    }
    if (name == "hs_and_jwks") {
      VerifierConfig config = Config("mixed");
      config.hs256_secret = std::string(kSecret);
      return config;
    }
    ADD_FAILURE() << "unknown configuration " << name;
    return {};
  }

  static EVP_PKEY* rsa_a_;
  static EVP_PKEY* rsa_b_;
  static EVP_PKEY* ec_a_;
  static EVP_PKEY* ec_b_;
};

EVP_PKEY* JwksTest::rsa_a_ = nullptr;
EVP_PKEY* JwksTest::rsa_b_ = nullptr;
EVP_PKEY* JwksTest::ec_a_ = nullptr;
EVP_PKEY* JwksTest::ec_b_ = nullptr;

struct Keys {
  EVP_PKEY* rsa_a;
  EVP_PKEY* rsa_b;
  EVP_PKEY* ec_a;
  EVP_PKEY* ec_b;
};

struct TokenCase {
  std::string name;
  std::string config;  // see JwksTest::Config
  std::function<std::string(const Keys&)> token;
  std::string expected_error;  // empty: accepted
};

// Failure messages name the case instead of dumping its bytes.
void PrintTo(const TokenCase& c, std::ostream* os) { *os << c.name; }

std::vector<TokenCase> TokenCases() {
  const json claims = ProvinceAdminClaims();
  json national_claims = claims;
  national_claims["role"] = "national_admin";
  national_claims.erase("province");
  using K = const Keys&;
  auto rs = [claims](auto pick, const char* kid) {
    return [claims, pick, kid](K k) { return RsToken(pick(k), claims, Header("RS256", kid)); };
  };
  auto es = [claims](auto pick, const char* kid) {
    return [claims, pick, kid](K k) { return EsToken(pick(k), claims, Header("ES256", kid)); };
  };
  auto rsa_a = [](K k) { return k.rsa_a; };
  auto rsa_b = [](K k) { return k.rsa_b; };
  auto ec_a = [](K k) { return k.ec_a; };
  auto ec_b = [](K k) { return k.ec_b; };
  // `signer` signs the token whose header says `alg` (for alg/key confusion).
  auto signed_as = [claims](auto pick, const char* alg, const char* kid, bool jose_ecdsa) {
    return [claims, pick, alg, kid, jose_ecdsa](K k) {
      const std::string input = Segment(Header(alg, kid)) + "." + Segment(claims);
      const std::string signature = Sha256Signature(pick(k), input);
      return input + "." + Base64UrlEncode(jose_ecdsa ? DerToJoseEs256(signature) : signature);
    };
  };
  auto es_signature = [claims](std::function<std::string(const std::string&)> edit) {
    return [claims, edit](K k) {
      const std::string token = EsToken(k.ec_a, claims, Header("ES256", "ec-1"));
      return WithSignature(token, edit(SignatureBytes(token)));
    };
  };
  return {
      // Accepted: the key named by kid, or any key of the alg without kid.
      {"Rs256ByKid", "mixed", rs(rsa_a, "rsa-1"), ""},
      {"Rs256SecondKeyByKid", "mixed", rs(rsa_b, "rsa-2"), ""},
      {"Es256ByKid", "mixed", es(ec_a, "ec-1"), ""},
      {"Es256SecondKeyByKid", "mixed", es(ec_b, "ec-2"), ""},
      {"Rs256WithoutKidTriesEveryRsaKey", "mixed", rs(rsa_b, nullptr), ""},
      {"Es256WithoutKidTriesEveryEcKey", "mixed", es(ec_b, nullptr), ""},
      {"Rs256JwksWithoutKids", "no_kids", rs(rsa_a, nullptr), ""},
      {"Es256JwksWithoutKids", "no_kids", es(ec_a, nullptr), ""},
      {"Rs256RsaOnlyJwks", "rsa_only", rs(rsa_a, "rsa-1"), ""},
      {"Es256EcOnlyJwks", "ec_only", es(ec_a, "ec-1"), ""},
      {"Hs256AlongsideJwks", "hs_and_jwks", [claims](K) { return HsToken(claims); }, ""},
      {"Es256AlongsideHs256", "hs_and_jwks", es(ec_a, "ec-1"), ""},
      // kid selects exactly one key.
      {"Rs256KidOfOtherKey", "mixed", rs(rsa_a, "rsa-2"), "signature mismatch"},
      {"Es256KidOfOtherKey", "mixed", es(ec_a, "ec-2"), "signature mismatch"},
      {"Rs256UnknownKid", "mixed", rs(rsa_a, "rsa-9"), "unknown key id"},
      {"Es256UnknownKid", "mixed", es(ec_a, "ec-9"), "unknown key id"},
      {"KidWhenJwksHasNoKids", "no_kids", es(ec_a, "ec-1"), "unknown key id"},
      {"KidNotString", "mixed",
       [claims](K k) { return RsToken(k.rsa_a, claims, {{"alg", "RS256"}, {"kid", 1}}); },
       "header 'kid' is not a string"},
      // The algorithm must fit the key type.
      {"Es256HeaderKidOfRsaKey", "mixed", es(ec_a, "rsa-1"),
       "alg 'ES256' does not match the key of this key id"},
      {"Rs256HeaderKidOfEcKey", "mixed", rs(rsa_a, "ec-1"),
       "alg 'RS256' does not match the key of this key id"},
      {"Es256HeaderRsaSignatureKidOfRsaKey", "mixed", signed_as(rsa_a, "ES256", "rsa-1", false),
       "alg 'ES256' does not match the key of this key id"},
      {"Rs256HeaderEcdsaDerSignatureKidOfEcKey", "mixed", signed_as(ec_a, "RS256", "ec-1", false),
       "alg 'RS256' does not match the key of this key id"},
      // Without kid, an ECDSA signature (as OpenSSL's DER) under an RS256
      // header verifies only if an EC key were used for RS256.
      {"Rs256HeaderEcdsaDerSignatureNoKid", "mixed", signed_as(ec_a, "RS256", nullptr, false),
       "signature mismatch"},
      {"Rs256HeaderEcdsaJoseSignatureNoKid", "mixed", signed_as(ec_a, "RS256", nullptr, true),
       "signature mismatch"},
      {"Es256HeaderRsaSignatureNoKid", "mixed", signed_as(rsa_a, "ES256", nullptr, false),
       "ES256 signature is not 64 bytes"},
      {"Es256WithRsaOnlyJwks", "rsa_only", es(ec_a, nullptr), "alg 'ES256' is not accepted"},
      {"Es256KidWithRsaOnlyJwks", "rsa_only", es(ec_a, "rsa-1"), "alg 'ES256' is not accepted"},
      {"Rs256WithEcOnlyJwks", "ec_only", rs(rsa_a, nullptr), "alg 'RS256' is not accepted"},
      {"Hs256WithOnlyJwks", "mixed", [claims](K) { return HsToken(claims); },
       "alg 'HS256' is not accepted"},
      {"Hs256KeyedWithJwksText", "mixed",
       [claims](K k) {
         return HsToken(claims, Jwks({RsaJwk(k.rsa_a, "rsa-1"), EcJwk(k.ec_a, "ec-1"),
                                      RsaJwk(k.rsa_b, "rsa-2"), EcJwk(k.ec_b, "ec-2")}));
       },
       "alg 'HS256' is not accepted"},
      {"Hs256KeyedWithJwkText", "ec_only",
       [claims](K k) { return HsToken(claims, EcJwk(k.ec_a, "ec-1").dump()); },
       "alg 'HS256' is not accepted"},
      {"Es384Header", "mixed",
       [claims](K k) { return EsToken(k.ec_a, claims, Header("ES384", "ec-1")); },
       "alg 'ES384' is not accepted"},
      {"AlgNone", "mixed",
       [claims](K) { return Segment(Header("none")) + "." + Segment(claims) + "."; },
       "alg 'none' is not accepted"},
      // Tampering.
      {"Rs256TamperedPayload", "mixed",
       [claims, national_claims](K k) {
         return ReplaceSegment(RsToken(k.rsa_a, claims, Header("RS256", "rsa-1")), 1,
                               Segment(national_claims));
       },
       "signature mismatch"},
      {"Es256TamperedPayload", "mixed",
       [claims, national_claims](K k) {
         return ReplaceSegment(EsToken(k.ec_a, claims, Header("ES256", "ec-1")), 1,
                               Segment(national_claims));
       },
       "signature mismatch"},
      {"Es256TamperedHeader", "mixed",
       [claims](K k) {
         const std::string token = EsToken(k.ec_a, claims, Header("ES256", "ec-1"));
         return ReplaceSegment(token, 0, Segment({{"alg", "ES256"}, {"kid", "ec-1"}}));
       },
       "signature mismatch"},
      {"Rs256TamperedSignature", "mixed",
       [claims](K k) {
         const std::string token = RsToken(k.rsa_a, claims, Header("RS256", "rsa-1"));
         std::string signature = SignatureBytes(token);
         signature[10] = static_cast<char>(signature[10] ^ 0x01);
         return WithSignature(token, signature);
       },
       "signature mismatch"},
      {"Es256TamperedR", "mixed",
       es_signature([](const std::string& sig) {
         std::string out = sig;
         out[5] = static_cast<char>(out[5] ^ 0x01);
         return out;
       }),
       "signature mismatch"},
      {"Es256TamperedS", "mixed",
       es_signature([](const std::string& sig) {
         std::string out = sig;
         out[60] = static_cast<char>(out[60] ^ 0x01);
         return out;
       }),
       "signature mismatch"},
      {"Es256RAndSSwapped", "mixed",
       es_signature([](const std::string& sig) { return sig.substr(32) + sig.substr(0, 32); }),
       "signature mismatch"},
      {"Es256ZeroSignature", "mixed",
       es_signature([](const std::string&) { return std::string(64, '\0'); }),
       "signature mismatch"},
      {"Es256SignedByOtherKey", "ec_only", es(ec_b, "ec-1"), "signature mismatch"},
      // ES256 signatures are exactly 64 bytes.
      {"Es256Signature63Bytes", "mixed",
       es_signature([](const std::string& sig) { return sig.substr(0, 63); }),
       "ES256 signature is not 64 bytes"},
      {"Es256Signature65Bytes", "mixed",
       es_signature([](const std::string& sig) { return sig + std::string(1, '\0'); }),
       "ES256 signature is not 64 bytes"},
      {"Es256SignatureEmpty", "mixed", es_signature([](const std::string&) { return ""; }),
       "ES256 signature is not 64 bytes"},
      {"Es256SignatureAsDer", "mixed",
       es_signature([](const std::string& sig) { return JoseToDerEs256(sig); }),
       "ES256 signature is not 64 bytes"},
      // The PEM key has no kid and keeps accepting RS256 tokens of any kid.
      {"PemOnlyRs256WithKid", "pem_only", rs(rsa_b, "anything"), ""},
      {"PemOnlyEs256", "pem_only", es(ec_a, nullptr), "alg 'ES256' is not accepted"},
      {"PemAndJwksPemKeyNoKid", "pem_and_jwks", rs(rsa_b, nullptr), ""},
      {"PemAndJwksJwksKeyNoKid", "pem_and_jwks", rs(rsa_a, nullptr), ""},
      {"PemAndJwksPemKeyUnknownKid", "pem_and_jwks", rs(rsa_b, "legacy"), ""},
      {"PemAndJwksKidNamesJwksKey", "pem_and_jwks", rs(rsa_b, "rsa-1"), "signature mismatch"},
      {"PemAndJwksEs256UnknownKid", "pem_and_jwks", es(ec_a, "ec-9"), "unknown key id"},
  };
}

class JwksTokenTest : public JwksTest, public ::testing::WithParamInterface<TokenCase> {};

TEST_P(JwksTokenTest, VerifiesAsExpected) {
  const TokenCase& c = GetParam();
  const auto verifier = MustCreate(Config(c.config));
  ASSERT_NE(verifier, nullptr);
  const std::string token = c.token(Keys{rsa_a_, rsa_b_, ec_a_, ec_b_});
  const VerifyResult result = verifier->Verify(token, kNow);
  EXPECT_EQ(result.error, c.expected_error);
  EXPECT_EQ(result.principal.has_value(), c.expected_error.empty());
  if (result.principal) {
    EXPECT_EQ(result.principal->subject, "alice");
    EXPECT_EQ(result.principal->role, Role::kProvinceAdmin);
    EXPECT_EQ(result.principal->province, "44");
  }
}

INSTANTIATE_TEST_SUITE_P(Jwks, JwksTokenTest, ::testing::ValuesIn(TokenCases()),
                         [](const ::testing::TestParamInfo<TokenCase>& param_info) {
                           return param_info.param.name;
                         });

// exp, nbf, iss and aud are checked after an RS256/ES256 signature as after HS256.
TEST_F(JwksTest, ClaimsAreCheckedAfterAsymmetricSignatures) {
  VerifierConfig config = Config("mixed");
  config.issuer = "osh-idp";
  config.audience = "osh-gd";
  const auto verifier = MustCreate(config);
  ASSERT_NE(verifier, nullptr);
  json good = ProvinceAdminClaims();
  good["iss"] = "osh-idp";
  good["aud"] = json::array({"x", "osh-gd"});
  struct Case {
    std::string name;
    std::function<void(json&)> edit;
    std::string expected_error;
  };
  const std::vector<Case> cases = {
      {"Valid", [](json&) {}, ""},
      {"Expired", [](json& c) { c["exp"] = kNowSeconds - 31; }, "token expired"},
      {"ExpMissing", [](json& c) { c.erase("exp"); }, "claim 'exp' missing"},
      {"NotYetValid", [](json& c) { c["nbf"] = kNowSeconds + 31; }, "token not yet valid"},
      {"IssuerMismatch", [](json& c) { c["iss"] = "evil"; },
       "claim 'iss' has unexpected value 'evil'"},
      {"IssuerMissing", [](json& c) { c.erase("iss"); }, "claim 'iss' missing"},
      {"AudienceMismatch", [](json& c) { c["aud"] = "osh-js"; },
       "claim 'aud' does not contain 'osh-gd'"},
      {"AudienceMissing", [](json& c) { c.erase("aud"); }, "claim 'aud' missing"},
      {"RoleMissing", [](json& c) { c.erase("role"); }, "claim 'role' missing"},
  };
  for (const Case& c : cases) {
    json claims = good;
    c.edit(claims);
    const std::string rs_token = RsToken(rsa_b_, claims, Header("RS256", "rsa-2"));
    const std::string es_token = EsToken(ec_b_, claims, Header("ES256", "ec-2"));
    for (const std::string& token : {rs_token, es_token}) {
      const VerifyResult result = verifier->Verify(token, kNow);
      EXPECT_EQ(result.error, c.expected_error) << c.name;
      EXPECT_EQ(result.principal.has_value(), c.expected_error.empty()) << c.name;
    }
  }
}

// ---------------------------------------------------------------------------
// Known answers: RFC 7515 appendices A.2 (RS256) and A.3 (ES256). Their claims
// lack `sub`, so a correctly verified signature ends in "claim 'sub' missing".

constexpr char kRfcPayload[] =
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
const std::chrono::system_clock::time_point kRfcNow{std::chrono::seconds{1'300'819'000}};

constexpr char kRfcEcX[] = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr char kRfcEcY[] = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
constexpr char kRfcEcPublicPem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEf83OJ3D2xF1Bg8vub9tLe1gHMzV7\n"
    "6e8Tus9uPHvRVEXH8UTNG72bfocs3+257rn0s2ldbqkLJK2KRiMohYjlrQ==\n"
    "-----END PUBLIC KEY-----\n";
constexpr char kRfcEsSignature[] =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

constexpr char kRfcRsaN[] =
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4Ql"
    "L-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUs"
    "LA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoud"
    "F8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
constexpr char kRfcRsaPublicPem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAofgWCuLjybRlzo0tZWJj\n"
    "NiuSfb4p4fAkd/wWJcyQoTbji9k0l8W26mPddxHmfHQp+Vaw+4qPCJrcS2mJPMEz\n"
    "P1Pt0Bm4d4QlL+yRT+SFd2lZS+pCgNMsD1W/YpRPEwOWvG6b32690r2jZ47soMZo\n"
    "9wGzjb/7OMg0LOL+bSf63kpaSHSXndS5z5rexMdbBYUsLA9e+KXBdQOS+UTo7WTB\n"
    "EMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6/I5IhlJH7aGhyxX\n"
    "FvUK+DWNmoudF8NAco9/h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXp\n"
    "oQIDAQAB\n"
    "-----END PUBLIC KEY-----\n";
constexpr char kRfcRsSignature[] =
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujG"
    "bds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K"
    "0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6"
    "LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

TEST(JwksKnownAnswer, Rfc7515Es256) {
  const VerifierConfig config =
      JwksConfig({{{"kty", "EC"}, {"crv", "P-256"}, {"x", kRfcEcX}, {"y", kRfcEcY}}});
  std::string error;
  const auto verifier = TokenVerifier::Create(config, &error);
  ASSERT_NE(verifier, nullptr) << error;
  const std::string token =
      std::string("eyJhbGciOiJFUzI1NiJ9.") + kRfcPayload + "." + kRfcEsSignature;
  EXPECT_EQ(verifier->Verify(token, kRfcNow).error, "claim 'sub' missing");
  EXPECT_EQ(verifier->Verify(token, kRfcNow + std::chrono::hours(1)).error, "token expired");
  std::string tampered = SignatureBytes(token);
  tampered[0] = static_cast<char>(tampered[0] ^ 0x80);
  EXPECT_EQ(verifier->Verify(WithSignature(token, tampered), kRfcNow).error, "signature mismatch");
}

TEST(JwksKnownAnswer, Rfc7515Rs256) {
  const VerifierConfig config = JwksConfig({{{"kty", "RSA"}, {"n", kRfcRsaN}, {"e", "AQAB"}}});
  std::string error;
  const auto verifier = TokenVerifier::Create(config, &error);
  ASSERT_NE(verifier, nullptr) << error;
  const std::string token =
      std::string("eyJhbGciOiJSUzI1NiJ9.") + kRfcPayload + "." + kRfcRsSignature;
  EXPECT_EQ(verifier->Verify(token, kRfcNow).error, "claim 'sub' missing");
  const std::string as_es256 = ReplaceSegment(token, 0, "eyJhbGciOiJFUzI1NiJ9");
  EXPECT_EQ(verifier->Verify(as_es256, kRfcNow).error, "alg 'ES256' is not accepted");
}

TEST(JwksKnownAnswer, PublicJwkFromRfcPems) {
  std::string error;
  const std::string ec_text = PublicJwkFromPem(kRfcEcPublicPem, "e9bc097a", &error);
  ASSERT_FALSE(ec_text.empty()) << error;
  EXPECT_EQ(json::parse(ec_text), json({{"kty", "EC"},
                                        {"crv", "P-256"},
                                        {"alg", "ES256"},
                                        {"use", "sig"},
                                        {"kid", "e9bc097a"},
                                        {"x", kRfcEcX},
                                        {"y", kRfcEcY}}));
  const std::string rsa_text = PublicJwkFromPem(kRfcRsaPublicPem, "", &error);
  ASSERT_FALSE(rsa_text.empty()) << error;
  EXPECT_EQ(json::parse(rsa_text), json({{"kty", "RSA"},
                                         {"alg", "RS256"},
                                         {"use", "sig"},
                                         {"n", kRfcRsaN},
                                         {"e", "AQAB"}}));
}

// ---------------------------------------------------------------------------
// Unusable JWKS documents make Create fail with a clear error.

TEST_F(JwksTest, CreateRejectsUnusableJwks) {
  const json rsa = RsaJwk(rsa_a_, "k");
  const json ec = EcJwk(ec_a_, "k");
  auto with = [](json jwk, const char* key, json value) {
    jwk[key] = std::move(value);
    return jwk;
  };
  auto without = [](json jwk, const char* key) {
    jwk.erase(key);
    return jwk;
  };
  auto short_rsa = GenerateRsaKey(1024);
  // An EC point moved off the curve: y + 1.
  std::string y = *Base64UrlDecode(ec["y"].get<std::string>());
  y[31] = static_cast<char>(y[31] ^ 0x01);
  // An even modulus cannot be an RSA modulus.
  std::string n = *Base64UrlDecode(rsa["n"].get<std::string>());
  n.back() = static_cast<char>(n.back() & 0xFE);
  std::vector<json> many;
  for (int i = 0; i < 65; ++i) many.push_back(with(ec, "kid", "k" + std::to_string(i)));

  struct Case {
    std::string name;
    std::string jwks;
    std::string expected_error;
  };
  const std::string no_usable =
      "JWKS has no usable key (kty RSA for RS256 or kty EC with crv P-256 for ES256, use 'sig')";
  const std::vector<Case> cases = {
      {"NotJson", "{\"keys\": [", "JWKS is not valid JSON"},
      {"Array", "[]", "JWKS has no 'keys' array"},
      {"KeysNotArray", R"({"keys": {}})", "JWKS has no 'keys' array"},
      {"NoKeys", R"({"keys": []})", no_usable},
      {"KeyNotObject", R"({"keys": ["RSA"]})", "JWKS key 0 is not an object"},
      {"KtyMissing", Jwks({without(rsa, "kty")}), "JWKS key 0 (kid 'k'): 'kty' missing"},
      {"KidNotString", Jwks({with(rsa, "kid", 5)}), "JWKS key 0: 'kid' is not a string"},
      {"UseNotString", Jwks({with(rsa, "use", true)}), "JWKS key 0 (kid 'k'): 'use' is not a string"},
      {"AlgNotString", Jwks({with(ec, "alg", 256)}), "JWKS key 0 (kid 'k'): 'alg' is not a string"},
      {"OnlyEncryptionKey", Jwks({with(rsa, "use", "enc")}), no_usable},
      {"OnlyRs512Key", Jwks({with(rsa, "alg", "RS512")}), no_usable},
      {"OnlyPs256Key", Jwks({with(rsa, "alg", "PS256")}), no_usable},
      {"EcKeyWithRs256Alg", Jwks({with(ec, "alg", "RS256")}), no_usable},
      {"RsaKeyWithEs256Alg", Jwks({with(rsa, "alg", "ES256")}), no_usable},
      {"OnlyP384Key", Jwks({with(ec, "crv", "P-384")}), no_usable},
      {"OnlyOctKey", Jwks({{{"kty", "oct"}, {"k", Base64UrlEncode(kSecret)}}}), no_usable},
      {"OnlyEncryptKeyOps", Jwks({with(ec, "key_ops", json::array({"encrypt"}))}), no_usable},
      {"CrvMissing", Jwks({without(ec, "crv")}), "JWKS key 0 (kid 'k'): 'crv' missing"},
      {"NMissing", Jwks({without(rsa, "n")}), "JWKS key 0 (kid 'k'): 'n' missing"},
      {"EPadded", Jwks({with(rsa, "e", "AQAB=")}), "JWKS key 0 (kid 'k'): 'e' is not valid base64url"},
      {"NStandardAlphabet", Jwks({with(rsa, "n", "ab+/" + rsa["n"].get<std::string>())}),
       "JWKS key 0 (kid 'k'): 'n' is not valid base64url"},
      {"XNotBase64", Jwks({with(ec, "x", "not base64!")}),
       "JWKS key 0 (kid 'k'): 'x' is not valid base64url"},
      {"NEmpty", Jwks({with(rsa, "n", "")}), "JWKS key 0 (kid 'k'): 'n' is empty"},
      {"WeakRsa", Jwks({RsaJwk(short_rsa.get(), "weak")}),
       "JWKS key 0 (kid 'weak'): RSA key is shorter than 2048 bits"},
      {"EvenModulus", Jwks({with(rsa, "n", Base64UrlEncode(n))}),
       "JWKS key 0 (kid 'k'): RSA key fails the public key checks"},
      {"ExponentThree", Jwks({with(rsa, "e", "Aw")}),
       "JWKS key 0 (kid 'k'): RSA exponent 'e' must be odd and between 65537 and 2^256"},
      {"ExponentEven", Jwks({with(rsa, "e", "AQAA")}),
       "JWKS key 0 (kid 'k'): RSA exponent 'e' must be odd and between 65537 and 2^256"},
      {"ShortX", Jwks({with(ec, "x", Base64UrlEncode(std::string(31, 'x')))}),
       "JWKS key 0 (kid 'k'): 'x' and 'y' must be 32 bytes each for P-256"},
      {"PointOffCurve", Jwks({with(ec, "y", Base64UrlEncode(y))}),
       "JWKS key 0 (kid 'k'): 'x', 'y' is not a point on P-256"},
      {"RsaPrivateParts", Jwks({with(rsa, "d", "AQAB")}),
       "JWKS key 0 (kid 'k') holds private key material ('d'); a JWKS carries public keys only"},
      {"EcPrivateParts", Jwks({with(ec, "d", Base64UrlEncode(std::string(32, 'd')))}),
       "JWKS key 0 (kid 'k') holds private key material ('d'); a JWKS carries public keys only"},
      // A usable key does not excuse a broken one.
      {"BrokenSecondKey", Jwks({rsa, with(ec, "x", "!!")}),
       "JWKS key 1 (kid 'k'): 'x' is not valid base64url"},
      {"TooManyKeys", Jwks(many), "JWKS has more than 64 keys"},
  };
  for (const Case& c : cases) {
    VerifierConfig config;
    config.jwks_json = c.jwks;
    EXPECT_EQ(CreateError(config), c.expected_error) << c.name;
  }
  // A broken JWKS is refused even when an HS256 secret is configured too.
  VerifierConfig with_secret;
  with_secret.hs256_secret = std::string(kSecret);
  with_secret.jwks_json = R"({"keys": []})";
  EXPECT_EQ(CreateError(with_secret), no_usable);
  // The JWKS (or one of its keys) as HS256 secret enables the HS256/RS256 confusion.
  VerifierConfig jwks_as_secret;
  jwks_as_secret.hs256_secret = Jwks({rsa});
  jwks_as_secret.jwks_json = Jwks({rsa});
  EXPECT_EQ(CreateError(jwks_as_secret), "HS256 secret looks like a JWK or JWKS");
}

TEST_F(JwksTest, SkippedKeysBesideUsableOnesAreIgnored) {
  const std::vector<json> jwks = {
      {{"kty", "oct"}, {"k", Base64UrlEncode(kSecret)}, {"kid", "hmac"}},
      [&] {
        json jwk = RsaJwk(rsa_b_, "enc");
        jwk["use"] = "enc";
        return jwk;
      }(),
      [&] {
        json jwk = EcJwk(ec_b_, "p384");
        jwk["crv"] = "P-384";
        return jwk;
      }(),
      [&] {
        json jwk = RsaJwk(rsa_a_, "rsa-1");
        jwk["use"] = "sig";
        jwk["alg"] = "RS256";
        jwk["key_ops"] = json::array({"verify"});
        return jwk;
      }(),
      [&] {
        json jwk = EcJwk(ec_a_, "ec-1");
        jwk["alg"] = "ES256";
        return jwk;
      }(),
  };
  const auto verifier = MustCreate(JwksConfig(jwks));
  ASSERT_NE(verifier, nullptr);
  const json claims = ProvinceAdminClaims();
  EXPECT_EQ(verifier->Verify(RsToken(rsa_a_, claims, Header("RS256", "rsa-1")), kNow).error, "");
  EXPECT_EQ(verifier->Verify(EsToken(ec_a_, claims, Header("ES256", "ec-1")), kNow).error, "");
  // The skipped keys are not keys: their kids are unknown, their tokens refused.
  EXPECT_EQ(verifier->Verify(RsToken(rsa_b_, claims, Header("RS256", "enc")), kNow).error,
            "unknown key id");
  EXPECT_EQ(verifier->Verify(RsToken(rsa_b_, claims, Header("RS256")), kNow).error,
            "signature mismatch");
  EXPECT_EQ(verifier->Verify(EsToken(ec_b_, claims, Header("ES256", "p384")), kNow).error,
            "unknown key id");
  EXPECT_EQ(verifier->Verify(HsToken(claims, kSecret, Header("HS256", "hmac")), kNow).error,
            "alg 'HS256' is not accepted");
}

// ---------------------------------------------------------------------------
// SignAsymmetric and PublicJwkFromPem.

TEST_F(JwksTest, SignAsymmetricProducesStandardTokens) {
  const json claims = ProvinceAdminClaims();
  struct Case {
    const char* alg;
    EVP_PKEY* key;
    const char* kid;
  };
  for (const Case& c : {Case{"RS256", rsa_a_, "rsa-1"}, Case{"ES256", ec_a_, "ec-1"},
                        Case{"RS256", rsa_b_, ""}, Case{"ES256", ec_b_, ""}}) {
    SCOPED_TRACE(std::string(c.alg) + " kid '" + c.kid + "'");
    std::string error;
    const std::string token = SignAsymmetric(claims, c.alg, PrivateKeyPem(c.key), c.kid, &error);
    ASSERT_FALSE(token.empty()) << error;
    const size_t first_dot = token.find('.');
    const size_t last_dot = token.rfind('.');
    json expected_header{{"alg", c.alg}, {"typ", "JWT"}};
    if (*c.kid != '\0') expected_header["kid"] = c.kid;
    EXPECT_EQ(json::parse(*Base64UrlDecode(token.substr(0, first_dot))), expected_header);
    EXPECT_EQ(json::parse(*Base64UrlDecode(token.substr(first_dot + 1, last_dot - first_dot - 1))),
              claims);
    // Checked with OpenSSL directly, not with the library's verifier.
    const std::string signature = SignatureBytes(token);
    const std::string input = token.substr(0, last_dot);
    if (std::string_view(c.alg) == "ES256") {
      ASSERT_EQ(signature.size(), 64u);
      EXPECT_TRUE(Sha256Verify(c.key, input, JoseToDerEs256(signature)));
    } else {
      ASSERT_EQ(signature.size(), 256u);
      EXPECT_TRUE(Sha256Verify(c.key, input, signature));
    }
    // And accepted by a verifier whose JWKS comes from PublicJwkFromPem.
    const std::string jwk = PublicJwkFromPem(PrivateKeyPem(c.key), c.kid, &error);
    ASSERT_FALSE(jwk.empty()) << error;
    VerifierConfig config;
    config.jwks_json = "{\"keys\":[" + jwk + "]}";
    const auto verifier = MustCreate(config);
    ASSERT_NE(verifier, nullptr);
    const VerifyResult result = verifier->Verify(token, kNow);
    EXPECT_TRUE(result.ok()) << result.error;
  }
}

TEST_F(JwksTest, SignAsymmetricRefusesKeysThatDoNotFit) {
  const json claims = ProvinceAdminClaims();
  auto short_rsa = GenerateRsaKey(1024);
  struct Case {
    std::string name;
    std::string alg;
    std::string pem;
    std::string expected_error;
  };
  const std::vector<Case> cases = {
      {"Hs256", "HS256", PrivateKeyPem(rsa_a_), "alg must be RS256 or ES256"},
      {"Es512", "ES512", PrivateKeyPem(ec_a_), "alg must be RS256 or ES256"},
      {"Rs256WithEcKey", "RS256", PrivateKeyPem(ec_a_), "RS256 needs an RSA key"},
      {"Es256WithRsaKey", "ES256", PrivateKeyPem(rsa_a_), "ES256 needs an EC P-256 key"},
      {"PublicKey", "RS256", PublicKeyPem(rsa_a_), "not an unencrypted PEM private key"},
      {"Garbage", "ES256", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
       "not an unencrypted PEM private key"},
      {"WeakRsa", "RS256", PrivateKeyPem(short_rsa.get()), "RSA key is shorter than 2048 bits"},
  };
  for (const Case& c : cases) {
    std::string error;
    EXPECT_EQ(SignAsymmetric(claims, c.alg, c.pem, "k", &error), "") << c.name;
    EXPECT_EQ(error, c.expected_error) << c.name;
    EXPECT_EQ(SignAsymmetric(claims, c.alg, c.pem, "k"), "") << c.name;  // no error pointer
  }
}

TEST_F(JwksTest, PublicJwkFromPemExportsOnlyThePublicKey) {
  for (EVP_PKEY* key : {rsa_a_, ec_a_}) {
    std::string error;
    const std::string from_private = PublicJwkFromPem(PrivateKeyPem(key), "k1", &error);
    ASSERT_FALSE(from_private.empty()) << error;
    const std::string from_public = PublicJwkFromPem(PublicKeyPem(key), "k1", &error);
    EXPECT_EQ(from_private, from_public);
    const json jwk = json::parse(from_private);
    EXPECT_FALSE(jwk.contains("d"));
    // Same key material as the independent exporter of the test helpers.
    json expected = EVP_PKEY_is_a(key, "RSA") ? RsaJwk(key, "k1") : EcJwk(key, "k1");
    expected["use"] = "sig";
    expected["alg"] = EVP_PKEY_is_a(key, "RSA") ? "RS256" : "ES256";
    EXPECT_EQ(jwk, expected);
  }
  // Without kid there is no "kid" member.
  std::string error;
  EXPECT_FALSE(json::parse(PublicJwkFromPem(PublicKeyPem(ec_b_), "", &error)).contains("kid"));
}

TEST(Jwk, PublicJwkFromPemRefusesUnusableKeys) {
  auto short_rsa = GenerateRsaKey(1024);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* p384 = nullptr;
  ASSERT_TRUE(ctx != nullptr && EVP_PKEY_keygen_init(ctx) == 1 &&
              EVP_PKEY_CTX_set_group_name(ctx, "P-384") == 1 && EVP_PKEY_keygen(ctx, &p384) == 1);
  EVP_PKEY_CTX_free(ctx);
  const PkeyPtr p384_key(p384);
  struct Case {
    std::string name;
    std::string pem;
    std::string expected_error;
  };
  const std::vector<Case> cases = {
      {"Empty", "", "not a PEM public key or unencrypted PEM private key"},
      {"Garbage", "hello", "not a PEM public key or unencrypted PEM private key"},
      {"WeakRsa", PublicKeyPem(short_rsa.get()), "RSA key is shorter than 2048 bits"},
      {"P384", PrivateKeyPem(p384_key.get()), "EC key is not on curve P-256"},
  };
  for (const Case& c : cases) {
    std::string error;
    EXPECT_EQ(PublicJwkFromPem(c.pem, "k", &error), "") << c.name;
    EXPECT_EQ(error, c.expected_error) << c.name;
  }
}

}  // namespace
}  // namespace osh::auth
