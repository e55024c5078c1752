// Token verification as every service and the gateway configure it: the flags
// and OSH_* variables of TokenConfigKeys reach the verifier.
#include "osh/service/grpc_front.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "osh/service/test_tokens.h"

namespace osh::service {
namespace {

using nlohmann::json;

class TokenConfigTest : public ::testing::Test {
 protected:
  void SetUp() override { ::setenv("OSH_JWT_HS256_SECRET", testing::kTestSecret, 1); }
  void TearDown() override {
    ::unsetenv("OSH_JWT_HS256_SECRET");
    ::unsetenv("OSH_JWT_AUDIENCE");
  }

  // The verifier a service builds from these command-line flags.
  static std::unique_ptr<auth::TokenVerifier> FromFlags(std::vector<const char*> flags) {
    flags.insert(flags.begin(), "osh-test");
    std::string error;
    const auto config =
        core::Config::Load(TokenConfigKeys(), static_cast<int>(flags.size()), flags.data(), &error);
    EXPECT_TRUE(config.has_value()) << error;
    if (!config) return nullptr;
    auto verifier = TokenVerifierFromConfig(*config, &error);
    EXPECT_NE(verifier, nullptr) << error;
    return verifier;
  }

  static std::string Token(const json& extra) {
    json claims = {{"sub", "alice"}, {"role", "province_admin"}, {"province", "44"}};
    const auto now = std::time(nullptr);
    claims["iat"] = now;
    claims["exp"] = now + 600;
    if (extra.is_object()) claims.update(extra);
    return auth::SignHs256(claims, testing::kTestSecret);
  }

  static std::string ErrorOf(const auth::TokenVerifier& verifier, const std::string& token) {
    return verifier.Verify(token, std::chrono::system_clock::now()).error;
  }
};

TEST_F(TokenConfigTest, TheAudienceFlagIsEnforced) {
  const auto verifier = FromFlags({"--jwt-audience", "osh-44"});
  ASSERT_NE(verifier, nullptr);
  EXPECT_EQ(ErrorOf(*verifier, Token({{"aud", "osh-44"}})), "");
  EXPECT_EQ(ErrorOf(*verifier, Token({{"aud", json::array({"osh-32", "osh-44"})}})), "");
  EXPECT_EQ(ErrorOf(*verifier, Token({{"aud", "osh-32"}})), "claim 'aud' does not contain 'osh-44'");
  EXPECT_EQ(ErrorOf(*verifier, Token({})), "claim 'aud' missing");
}

TEST_F(TokenConfigTest, TheAudienceComesFromTheEnvironmentToo) {
  ::setenv("OSH_JWT_AUDIENCE", "osh-national", 1);
  const auto verifier = FromFlags({});
  ASSERT_NE(verifier, nullptr);
  EXPECT_EQ(ErrorOf(*verifier, Token({{"aud", "osh-44"}})), "claim 'aud' does not contain 'osh-national'");
  EXPECT_EQ(ErrorOf(*verifier, Token({{"aud", "osh-national"}})), "");
}

TEST_F(TokenConfigTest, TheMaximumLifetimeFlagIsEnforced) {
  const auto verifier = FromFlags({"--jwt-max-lifetime-seconds", "3600"});
  ASSERT_NE(verifier, nullptr);
  const auto now = std::time(nullptr);
  EXPECT_EQ(ErrorOf(*verifier, Token({{"iat", now}, {"exp", now + 3600}})), "");
  EXPECT_EQ(ErrorOf(*verifier, Token({{"iat", now}, {"exp", now + 86400}})),
            "token lifetime (exp - iat) exceeds 3600 seconds");
  // A token that does not say when it was issued cannot show it is short-lived.
  EXPECT_EQ(ErrorOf(*verifier, testing::Token("province_admin", "44")), "claim 'iat' missing");
}

TEST_F(TokenConfigTest, WithoutTheSettingsAnyAudienceAndLifetimePass) {
  const auto verifier = FromFlags({});
  ASSERT_NE(verifier, nullptr);
  const auto now = std::time(nullptr);
  EXPECT_EQ(ErrorOf(*verifier, Token({{"aud", "anyone"}, {"iat", now}, {"exp", now + 86400 * 30}})), "");
  EXPECT_EQ(ErrorOf(*verifier, testing::Token("province_admin", "44")), "");
}

TEST_F(TokenConfigTest, ANegativeMaximumLifetimeStopsTheStart) {
  const char* flags[] = {"osh-test", "--jwt-max-lifetime-seconds", "-5"};
  std::string error;
  const auto config = core::Config::Load(TokenConfigKeys(), 3, flags, &error);
  ASSERT_TRUE(config.has_value()) << error;
  EXPECT_EQ(TokenVerifierFromConfig(*config, &error), nullptr);
  EXPECT_EQ(error, "maximum token lifetime is negative");
}

}  // namespace
}  // namespace osh::service
