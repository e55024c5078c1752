#include "osh/auth/jwt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "token_test_util.h"

namespace osh::auth {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace osh::auth::testutil;  // NOLINT(build/namespaces)

std::unique_ptr<TokenVerifier> MustCreate(const VerifierConfig& config) {
  std::string error;
  auto verifier = TokenVerifier::Create(config, &error);
  EXPECT_NE(verifier, nullptr) << error;
  return verifier;
}

VerifierConfig HsConfig() {
  VerifierConfig config;
  config.hs256_secret = std::string(kSecret);
  return config;
}

// ---------------------------------------------------------------------------
// Claims, time, issuer and audience: every case is an HS256 token signed with
// the right secret, so only the rule under test can reject it.

struct ClaimsCase {
  std::string name;
  std::function<void(json&)> edit_claims;
  std::function<void(VerifierConfig&)> edit_config;
  std::string expected_error;  // empty: the token is accepted
};

// Failure messages name the case instead of dumping its bytes.
void PrintTo(const ClaimsCase& c, std::ostream* os) { *os << c.name; }

void NoConfig(VerifierConfig&) {}

class ClaimsTest : public ::testing::TestWithParam<ClaimsCase> {};

TEST_P(ClaimsTest, VerifiesAsExpected) {
  const ClaimsCase& c = GetParam();
  json claims = ProvinceAdminClaims();
  c.edit_claims(claims);
  VerifierConfig config = HsConfig();
  c.edit_config(config);
  const auto verifier = MustCreate(config);
  ASSERT_NE(verifier, nullptr);
  const std::string token = HsToken(claims);
  const VerifyResult result = verifier->Verify(token, kNow);
  EXPECT_EQ(result.error, c.expected_error);
  EXPECT_EQ(result.principal.has_value(), c.expected_error.empty());
}

std::function<void(json&)> Set(std::string key, json value) {
  return [key, value](json& claims) { claims[key] = value; };
}
std::function<void(json&)> Erase(std::string key) {
  return [key](json& claims) { claims.erase(key); };
}
std::function<void(json&)> Claims(json replacement) {
  return [replacement](json& claims) { claims = replacement; };
}
void Keep(json&) {}

json ClaimsFor(const char* role, const char* province, const char* org) {
  json claims{{"sub", "u1"}, {"role", role}, {"exp", kNowSeconds + 60}};
  if (province != nullptr) claims["province"] = province;
  if (org != nullptr) claims["org"] = org;
  return claims;
}

std::function<void(VerifierConfig&)> Issuer(std::string issuer) {
  return [issuer](VerifierConfig& config) { config.issuer = issuer; };
}
std::function<void(VerifierConfig&)> Audience(std::string audience) {
  return [audience](VerifierConfig& config) { config.audience = audience; };
}
std::function<void(VerifierConfig&)> MaxLifetime(int seconds) {
  return [seconds](VerifierConfig& config) { config.max_lifetime = std::chrono::seconds(seconds); };
}
std::function<void(json&)> IssuedAgo(int seconds_ago, int lifetime) {
  return [=](json& claims) {
    claims["iat"] = kNowSeconds - seconds_ago;
    claims["exp"] = kNowSeconds - seconds_ago + lifetime;
  };
}
std::function<void(VerifierConfig&)> Leeway(int seconds) {
  return [seconds](VerifierConfig& config) { config.leeway = std::chrono::seconds(seconds); };
}

const char kOrg[] = "91440101MA59UQXX1A";

INSTANTIATE_TEST_SUITE_P(
    Jwt, ClaimsTest,
    ::testing::Values(
        ClaimsCase{"Valid", Keep, NoConfig, ""},
        // exp / nbf with the default 30 s leeway
        ClaimsCase{"ExpiredBeyondLeeway", Set("exp", kNowSeconds - 31), NoConfig, "token expired"},
        ClaimsCase{"ExpiredAtLeewayEdge", Set("exp", kNowSeconds - 30), NoConfig, "token expired"},
        ClaimsCase{"ExpiredWithinLeeway", Set("exp", kNowSeconds - 29), NoConfig, ""},
        ClaimsCase{"ExpiredNoLeeway", Set("exp", kNowSeconds), Leeway(0), "token expired"},
        ClaimsCase{"FractionalExpInFuture", Set("exp", kNowSeconds + 0.5), Leeway(0), ""},
        ClaimsCase{"ExpMissing", Erase("exp"), NoConfig, "claim 'exp' missing"},
        ClaimsCase{"ExpNotNumber", Set("exp", "tomorrow"), NoConfig, "claim 'exp' is not a number"},
        ClaimsCase{"NbfFutureBeyondLeeway", Set("nbf", kNowSeconds + 31), NoConfig,
                   "token not yet valid"},
        ClaimsCase{"NbfFutureWithinLeeway", Set("nbf", kNowSeconds + 30), NoConfig, ""},
        ClaimsCase{"NbfFutureNoLeeway", Set("nbf", kNowSeconds + 1), Leeway(0),
                   "token not yet valid"},
        ClaimsCase{"NbfPast", Set("nbf", kNowSeconds - 10), Leeway(0), ""},
        ClaimsCase{"NbfNotNumber", Set("nbf", json::array()), NoConfig,
                   "claim 'nbf' is not a number"},
        // iss / aud
        ClaimsCase{"IssuerMatches", Set("iss", "osh-idp"), Issuer("osh-idp"), ""},
        ClaimsCase{"IssuerMismatch", Set("iss", "evil"), Issuer("osh-idp"),
                   "claim 'iss' has unexpected value 'evil'"},
        ClaimsCase{"IssuerMissing", Keep, Issuer("osh-idp"), "claim 'iss' missing"},
        ClaimsCase{"IssuerNotString", Set("iss", 7), Issuer("osh-idp"),
                   "claim 'iss' is not a string"},
        ClaimsCase{"IssuerIgnoredWhenNotConfigured", Set("iss", "anyone"), NoConfig, ""},
        ClaimsCase{"AudienceString", Set("aud", "osh-gd"), Audience("osh-gd"), ""},
        ClaimsCase{"AudienceArray", Set("aud", json::array({"x", "osh-gd"})), Audience("osh-gd"),
                   ""},
        ClaimsCase{"AudienceStringMismatch", Set("aud", "osh-js"), Audience("osh-gd"),
                   "claim 'aud' does not contain 'osh-gd'"},
        ClaimsCase{"AudienceArrayMismatch", Set("aud", json::array({"a", "b"})),
                   Audience("osh-gd"), "claim 'aud' does not contain 'osh-gd'"},
        ClaimsCase{"AudienceNotString", Set("aud", 3), Audience("osh-gd"),
                   "claim 'aud' does not contain 'osh-gd'"},
        ClaimsCase{"AudienceMissing", Keep, Audience("osh-gd"), "claim 'aud' missing"},
        ClaimsCase{"AudienceEmptyArray", Set("aud", json::array()), Audience("osh-gd"),
                   "claim 'aud' does not contain 'osh-gd'"},
        ClaimsCase{"AudienceArrayOfNonStrings", Set("aud", json::array({1, json::array({"osh-gd"})})),
                   Audience("osh-gd"), "claim 'aud' does not contain 'osh-gd'"},
        ClaimsCase{"AudiencePrefixIsNotAMatch", Set("aud", "osh-gd-test"), Audience("osh-gd"),
                   "claim 'aud' does not contain 'osh-gd'"},
        // iat / exp - iat with a maximum lifetime
        ClaimsCase{"LifetimeWithinMaximum", IssuedAgo(10, 3600), MaxLifetime(3600), ""},
        ClaimsCase{"LifetimeBeyondMaximum", IssuedAgo(10, 3601), MaxLifetime(3600),
                   "token lifetime (exp - iat) exceeds 3600 seconds"},
        ClaimsCase{"LifetimeOneSecondBeyondMaximum", IssuedAgo(10, 3600), MaxLifetime(3599),
                   "token lifetime (exp - iat) exceeds 3599 seconds"},
        ClaimsCase{"IatMissingWithMaximum", Keep, MaxLifetime(3600), "claim 'iat' missing"},
        ClaimsCase{"IatMissingWithoutMaximum", Keep, NoConfig, ""},
        ClaimsCase{"LongLifetimeWithoutMaximum", IssuedAgo(10, 86400 * 365), NoConfig, ""},
        ClaimsCase{"IatNotNumber", Set("iat", "today"), MaxLifetime(3600), "claim 'iat' is not a number"},
        ClaimsCase{"IatInTheFuture", IssuedAgo(-3600, 60), MaxLifetime(3600), "claim 'iat' is in the future"},
        ClaimsCase{"IatAheadWithinLeeway", IssuedAgo(-30, 60), MaxLifetime(3600), ""},
        ClaimsCase{"ExpStillRequiredWithMaximum", [](json& c) { c["iat"] = kNowSeconds; c.erase("exp"); },
                   MaxLifetime(3600), "claim 'exp' missing"},
        // sub / role
        ClaimsCase{"SubMissing", Erase("sub"), NoConfig, "claim 'sub' missing"},
        ClaimsCase{"SubEmpty", Set("sub", ""), NoConfig, "claim 'sub' missing"},
        ClaimsCase{"SubNotString", Set("sub", 42), NoConfig, "claim 'sub' is not a string"},
        ClaimsCase{"RoleMissing", Erase("role"), NoConfig, "claim 'role' missing"},
        ClaimsCase{"RoleUnknown", Set("role", "x"), NoConfig, "claim 'role' has unknown value 'x'"},
        ClaimsCase{"RoleWrongCase", Set("role", "Province_Admin"), NoConfig,
                   "claim 'role' has unknown value 'Province_Admin'"},
        ClaimsCase{"RoleValueSanitised", Set("role", "a'\nb\x01" + std::string(50, 'z')), NoConfig,
                   "claim 'role' has unknown value 'a??b?" + std::string(35, 'z') + "...'"},
        ClaimsCase{"RoleNotString", Set("role", json::array({"worker"})), NoConfig,
                   "claim 'role' is not a string"},
        // province / org per role
        ClaimsCase{"NationalAdminNoProvince", Claims(ClaimsFor("national_admin", nullptr, nullptr)),
                   NoConfig, ""},
        ClaimsCase{"NationalAdminEmptyProvince", Claims(ClaimsFor("national_admin", "", nullptr)),
                   NoConfig, ""},
        ClaimsCase{"NationalAdminWithProvince", Claims(ClaimsFor("national_admin", "44", nullptr)),
                   NoConfig, "claim 'province' must be empty for role national_admin"},
        ClaimsCase{"ProvinceAdminNoProvince", Claims(ClaimsFor("province_admin", nullptr, nullptr)),
                   NoConfig, "claim 'province' missing for role province_admin"},
        ClaimsCase{"InspectorNoProvince", Claims(ClaimsFor("inspector", nullptr, nullptr)),
                   NoConfig, "claim 'province' missing for role inspector"},
        ClaimsCase{"InstitutionNoProvince", Claims(ClaimsFor("institution", "", kOrg)), NoConfig,
                   "claim 'province' missing for role institution"},
        ClaimsCase{"EmployerNoProvince", Claims(ClaimsFor("employer", nullptr, kOrg)), NoConfig,
                   "claim 'province' missing for role employer"},
        ClaimsCase{"WorkerNoProvince", Claims(ClaimsFor("worker", nullptr, kOrg)), NoConfig,
                   "claim 'province' missing for role worker"},
        ClaimsCase{"ProvinceOneDigit", Set("province", "4"), NoConfig,
                   "claim 'province' has invalid value '4'; expected 2 digits"},
        ClaimsCase{"ProvinceSixDigits", Set("province", "440000"), NoConfig,
                   "claim 'province' has invalid value '440000'; expected 2 digits"},
        ClaimsCase{"ProvinceNotDigits", Set("province", "4a"), NoConfig,
                   "claim 'province' has invalid value '4a'; expected 2 digits"},
        ClaimsCase{"ProvinceNumber", Set("province", 44), NoConfig,
                   "claim 'province' is not a string"},
        ClaimsCase{"InspectorValid", Claims(ClaimsFor("inspector", "32", nullptr)), NoConfig, ""},
        ClaimsCase{"InstitutionWithOrg", Claims(ClaimsFor("institution", "44", kOrg)), NoConfig,
                   ""},
        ClaimsCase{"InstitutionNoOrg", Claims(ClaimsFor("institution", "44", nullptr)), NoConfig,
                   "claim 'org' missing for role institution"},
        ClaimsCase{"EmployerWithOrg", Claims(ClaimsFor("employer", "44", kOrg)), NoConfig, ""},
        ClaimsCase{"EmployerNoOrg", Claims(ClaimsFor("employer", "44", nullptr)), NoConfig,
                   "claim 'org' missing for role employer"},
        ClaimsCase{"EmployerEmptyOrg", Claims(ClaimsFor("employer", "44", "")), NoConfig,
                   "claim 'org' missing for role employer"},
        ClaimsCase{"OrgNotString", Set("org", 1), NoConfig, "claim 'org' is not a string"},
        ClaimsCase{"WorkerWithoutOrg", Claims(ClaimsFor("worker", "44", nullptr)), NoConfig, ""},
        ClaimsCase{"WorkerWithOrg", Claims(ClaimsFor("worker", "44", kOrg)), NoConfig, ""}),
    [](const ::testing::TestParamInfo<ClaimsCase>& param_info) { return param_info.param.name; });

TEST(Jwt, ClaimsBecomePrincipal) {
  const auto verifier = MustCreate(HsConfig());
  ASSERT_NE(verifier, nullptr);
  const VerifyResult result = verifier->Verify(HsToken(ClaimsFor("employer", "44", kOrg)), kNow);
  ASSERT_TRUE(result.ok()) << result.error;
  ASSERT_TRUE(result.principal.has_value());
  EXPECT_EQ(result.principal->subject, "u1");
  EXPECT_EQ(result.principal->role, Role::kEmployer);
  EXPECT_EQ(result.principal->province, "44");
  EXPECT_EQ(result.principal->org, kOrg);
}

// ---------------------------------------------------------------------------
// Signatures, algorithms and token structure, with both key kinds.

class SignatureTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_key_ = GenerateRsaKey(2048).release();
    other_rsa_key_ = GenerateRsaKey(2048).release();
    public_pem_ = new std::string(PublicKeyPem(rsa_key_));
  }
  static void TearDownTestSuite() {
    EVP_PKEY_free(rsa_key_);
    EVP_PKEY_free(other_rsa_key_);
    delete public_pem_;
  }

  static std::unique_ptr<TokenVerifier> HsOnly() { return MustCreate(HsConfig()); }
  static std::unique_ptr<TokenVerifier> RsOnly() {
    VerifierConfig config;
    config.rs256_public_key_pem = *public_pem_;
    return MustCreate(config);
  }
  static std::unique_ptr<TokenVerifier> Both() {
    VerifierConfig config = HsConfig();
    config.rs256_public_key_pem = *public_pem_;
    return MustCreate(config);
  }

  static EVP_PKEY* rsa_key_;
  static EVP_PKEY* other_rsa_key_;
  static std::string* public_pem_;
};

EVP_PKEY* SignatureTest::rsa_key_ = nullptr;
EVP_PKEY* SignatureTest::other_rsa_key_ = nullptr;
std::string* SignatureTest::public_pem_ = nullptr;

std::string ReplaceSegment(const std::string& token, int index, const std::string& segment) {
  const size_t first = token.find('.');
  const size_t second = token.find('.', first + 1);
  if (index == 0) return segment + token.substr(first);
  if (index == 1) return token.substr(0, first + 1) + segment + token.substr(second);
  return token.substr(0, second + 1) + segment;
}

std::string FlipFirstChar(std::string text) {
  text[0] = text[0] == 'A' ? 'B' : 'A';
  return text;
}

struct SignatureCase {
  std::string name;
  std::string verifier;  // "hs", "rs" or "both"
  std::function<std::string(EVP_PKEY* key, EVP_PKEY* other_key, const std::string& pem)> token;
  std::string expected_error;
};

// Failure messages name the case instead of dumping its bytes.
void PrintTo(const SignatureCase& c, std::ostream* os) { *os << c.name; }

std::vector<SignatureCase> SignatureCases() {
  const json claims = ProvinceAdminClaims();
  json national_claims = claims;
  national_claims["role"] = "national_admin";
  national_claims.erase("province");
  const std::string hs = HsToken(claims);
  const std::string payload = Segment(claims);
  const std::string hs_header = Segment({{"alg", "HS256"}, {"typ", "JWT"}});
  auto fixed = [](std::string token) {
    return [token](EVP_PKEY*, EVP_PKEY*, const std::string&) { return token; };
  };
  auto unsigned_token = [payload](const json& header, const std::string& signature) {
    return Segment(header) + "." + payload + "." + signature;
  };
  return {
      {"ValidHs256", "hs", fixed(hs), ""},
      {"ValidHs256WithBothKeys", "both", fixed(hs), ""},
      {"ValidRs256", "rs",
       [claims](EVP_PKEY* key, EVP_PKEY*, const std::string&) { return RsToken(key, claims); },
       ""},
      {"ValidRs256WithBothKeys", "both",
       [claims](EVP_PKEY* key, EVP_PKEY*, const std::string&) { return RsToken(key, claims); },
       ""},
      {"HsTamperedPayload", "hs", fixed(ReplaceSegment(hs, 1, Segment(national_claims))),
       "signature mismatch"},
      {"HsTamperedHeader", "hs", fixed(ReplaceSegment(hs, 0, Segment({{"alg", "HS256"}}))),
       "signature mismatch"},
      {"HsTamperedSignature", "hs",
       fixed(ReplaceSegment(hs, 2, FlipFirstChar(hs.substr(hs.rfind('.') + 1)))),
       "signature mismatch"},
      {"HsTruncatedSignature", "hs", fixed(hs.substr(0, hs.size() - 3)), "signature mismatch"},
      {"HsEmptySignature", "hs", fixed(hs.substr(0, hs.rfind('.') + 1)), "signature mismatch"},
      {"HsWrongSecret", "hs", fixed(HsToken(claims, "another-secret-0123456789abcdef-xyz")),
       "signature mismatch"},
      {"RsTamperedPayload", "rs",
       [national_claims, claims](EVP_PKEY* key, EVP_PKEY*, const std::string&) {
         return ReplaceSegment(RsToken(key, claims), 1, Segment(national_claims));
       },
       "signature mismatch"},
      {"RsTamperedSignature", "rs",
       [claims](EVP_PKEY* key, EVP_PKEY*, const std::string&) {
         const std::string token = RsToken(key, claims);
         return ReplaceSegment(token, 2, FlipFirstChar(token.substr(token.rfind('.') + 1)));
       },
       "signature mismatch"},
      {"RsSignedByOtherKey", "rs",
       [claims](EVP_PKEY*, EVP_PKEY* other, const std::string&) { return RsToken(other, claims); },
       "signature mismatch"},
      {"RsGarbageSignature", "rs", fixed(unsigned_token({{"alg", "RS256"}}, "AAAA")),
       "signature mismatch"},
      // alg "none" in every spelling, with and without a signature
      {"AlgNone", "both", fixed(unsigned_token({{"alg", "none"}}, "")),
       "alg 'none' is not accepted"},
      {"AlgNoneUpper", "both", fixed(unsigned_token({{"alg", "NONE"}}, "")),
       "alg 'NONE' is not accepted"},
      {"AlgNoneWithHmacSignature", "hs",
       fixed(SignRawHs256(Segment({{"alg", "none"}}), payload, kSecret)),
       "alg 'none' is not accepted"},
      {"AlgHs512", "hs", fixed(HsToken(claims, kSecret, {{"alg", "HS512"}})),
       "alg 'HS512' is not accepted"},
      {"AlgMissing", "hs", fixed(HsToken(claims, kSecret, {{"typ", "JWT"}})),
       "header 'alg' missing"},
      {"AlgNotString", "hs", fixed(HsToken(claims, kSecret, {{"alg", 256}})),
       "header 'alg' missing"},
      {"CritHeader", "hs", fixed(HsToken(claims, kSecret, {{"alg", "HS256"}, {"crit", {"exp"}}})),
       "header 'crit' is not supported"},
      // Algorithm/key confusion.
      {"Rs256WhenOnlyHs256Configured", "hs",
       [claims](EVP_PKEY* key, EVP_PKEY*, const std::string&) { return RsToken(key, claims); },
       "alg 'RS256' is not accepted"},
      {"Hs256WhenOnlyRs256Configured", "rs", fixed(hs), "alg 'HS256' is not accepted"},
      {"Hs256SignedWithPublicKeyAsSecret", "rs",
       [claims](EVP_PKEY*, EVP_PKEY*, const std::string& pem) { return HsToken(claims, pem); },
       "alg 'HS256' is not accepted"},
      {"Hs256SignedWithPublicKeyAsSecretBothConfigured", "both",
       [claims](EVP_PKEY*, EVP_PKEY*, const std::string& pem) { return HsToken(claims, pem); },
       "signature mismatch"},
      {"RsSignatureUnderHs256Header", "both",
       [claims](EVP_PKEY* key, EVP_PKEY*, const std::string&) {
         return RsToken(key, claims, {{"alg", "HS256"}});
       },
       "signature mismatch"},
      // Structure and base64url.
      {"Empty", "hs", fixed(""), "token is empty"},
      {"TwoSegments", "hs", fixed(hs.substr(0, hs.rfind('.'))),
       "token is not three dot-separated segments"},
      {"FourSegments", "hs", fixed(hs + ".x"), "token is not three dot-separated segments"},
      {"TooLong", "hs", fixed(hs + std::string(8192, 'A')), "token is longer than 8192 bytes"},
      {"HeaderPadded", "hs", fixed(ReplaceSegment(hs, 0, hs_header + "=")),
       "header is not valid base64url"},
      {"HeaderStandardAlphabet", "hs",
       fixed(Base64UrlEncode("{\"alg\":\"HS256\"}") + "+/." + payload + ".AAAA"),
       "header is not valid base64url"},
      {"HeaderImpossibleLength", "hs", fixed("A." + payload + ".AAAA"),
       "header is not valid base64url"},
      {"HeaderNonCanonical", "hs", fixed("Zh." + payload + ".AAAA"),
       "header is not valid base64url"},
      {"HeaderEmpty", "hs", fixed("." + payload + ".AAAA"), "header is not a JSON object"},
      {"HeaderNotJson", "hs", fixed(Base64UrlEncode("alg=HS256") + "." + payload + ".AAAA"),
       "header is not a JSON object"},
      {"HeaderJsonArray", "hs", fixed(Segment(json::array({"HS256"})) + "." + payload + ".AAAA"),
       "header is not a JSON object"},
      {"SignaturePadded", "hs", fixed(hs + "="), "signature is not valid base64url"},
      {"SignatureGarbage", "hs", fixed(ReplaceSegment(hs, 2, "!!!!")),
       "signature is not valid base64url"},
      {"PayloadGarbageButSigned", "hs", fixed(SignRawHs256(hs_header, "e30*", kSecret)),
       "payload is not valid base64url"},
      {"PayloadNotJsonButSigned", "hs",
       fixed(SignRawHs256(hs_header, Base64UrlEncode("{\"sub\":"), kSecret)),
       "payload is not a JSON object"},
      {"PayloadJsonStringButSigned", "hs",
       fixed(SignRawHs256(hs_header, Segment("alice"), kSecret)), "payload is not a JSON object"},
      {"PayloadInvalidUtf8ButSigned", "hs",
       fixed(SignRawHs256(hs_header, Base64UrlEncode("{\"sub\":\"\xff\"}"), kSecret)),
       "payload is not a JSON object"},
  };
}

class SignatureTableTest : public SignatureTest,
                           public ::testing::WithParamInterface<SignatureCase> {};

TEST_P(SignatureTableTest, VerifiesAsExpected) {
  const SignatureCase& c = GetParam();
  const auto verifier = c.verifier == "hs" ? HsOnly() : c.verifier == "rs" ? RsOnly() : Both();
  ASSERT_NE(verifier, nullptr);
  const std::string token = c.token(rsa_key_, other_rsa_key_, *public_pem_);
  const VerifyResult result = verifier->Verify(token, kNow);
  EXPECT_EQ(result.error, c.expected_error);
  EXPECT_EQ(result.principal.has_value(), c.expected_error.empty());
  if (!c.expected_error.empty() && token.size() > 8) {
    // Errors go to logs: no part of the token may appear in them.
    const size_t first_dot = token.find('.');
    if (first_dot != std::string::npos && first_dot > 8) {
      EXPECT_THAT(result.error, Not(HasSubstr(token.substr(0, first_dot))));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Jwt, SignatureTableTest, ::testing::ValuesIn(SignatureCases()),
                         [](const ::testing::TestParamInfo<SignatureCase>& param_info) {
                           return param_info.param.name;
                         });

// ---------------------------------------------------------------------------
// Verifier configuration.

TEST_F(SignatureTest, CreateRejectsUnusableConfigurations) {
  auto ec_key = GenerateEcKey();
  auto short_rsa_key = GenerateRsaKey(1024);
  struct Case {
    std::string name;
    VerifierConfig config;
    std::string expected_error;
  };
  VerifierConfig negative_leeway = HsConfig();
  negative_leeway.leeway = std::chrono::seconds(-1);
  VerifierConfig negative_lifetime = HsConfig();
  negative_lifetime.max_lifetime = std::chrono::seconds(-1);
  const std::vector<Case> cases = {
      {"NoKey", VerifierConfig{},
       "no verification key: set an HS256 secret, an RS256 public key or a JWKS"},
      {"ShortSecret", VerifierConfig{std::string(31, 's'), "", "", "", std::chrono::seconds(30)},
       "HS256 secret is shorter than 32 bytes"},
      {"PemAsSecret", VerifierConfig{*public_pem_, *public_pem_, "", "", std::chrono::seconds(30)},
       "HS256 secret looks like a PEM key"},
      {"NotPem", VerifierConfig{"", "not a key", "", "", std::chrono::seconds(30)},
       "RS256 public key is not a PEM public key"},
      {"EcKey", VerifierConfig{"", PublicKeyPem(ec_key.get()), "", "", std::chrono::seconds(30)},
       "RS256 public key is not an RSA key"},
      {"ShortRsaKey",
       VerifierConfig{"", PublicKeyPem(short_rsa_key.get()), "", "", std::chrono::seconds(30)},
       "RS256 public key is shorter than 2048 bits"},
      {"NegativeLeeway", negative_leeway, "leeway is negative"},
      {"NegativeMaxLifetime", negative_lifetime, "maximum token lifetime is negative"},
  };
  for (const Case& c : cases) {
    std::string error;
    EXPECT_EQ(TokenVerifier::Create(c.config, &error), nullptr) << c.name;
    EXPECT_EQ(error, c.expected_error) << c.name;
  }
  std::string error;
  EXPECT_NE(TokenVerifier::Create(HsConfig(), &error), nullptr) << error;
}

TEST(Jwt, SignHs256ProducesStandardToken) {
  const std::string token = SignHs256(ProvinceAdminClaims(), kSecret);
  const auto header = Base64UrlDecode(token.substr(0, token.find('.')));
  ASSERT_TRUE(header.has_value());
  EXPECT_EQ(json::parse(*header), json({{"alg", "HS256"}, {"typ", "JWT"}}));
  // Independently computed HMAC over the same signing input.
  const std::string input = token.substr(0, token.rfind('.'));
  EXPECT_EQ(token.substr(token.rfind('.') + 1), Base64UrlEncode(HmacSha256(kSecret, input)));

  const auto verifier = MustCreate(HsConfig());
  ASSERT_NE(verifier, nullptr);
  const VerifyResult result = verifier->Verify(token, kNow);
  ASSERT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(result.principal->role, Role::kProvinceAdmin);
}

}  // namespace
}  // namespace osh::auth
