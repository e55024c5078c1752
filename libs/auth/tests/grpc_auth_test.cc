#include "osh/auth/grpc_auth.h"

#include <grpcpp/server_context.h>
#include <grpcpp/test/server_context_test_spouse.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "token_test_util.h"

namespace osh::auth {
namespace {

using namespace osh::auth::testutil;  // NOLINT(build/namespaces)

std::unique_ptr<TokenVerifier> Verifier() {
  VerifierConfig config;
  config.hs256_secret = std::string(kSecret);
  std::string error;
  auto verifier = TokenVerifier::Create(config, &error);
  EXPECT_NE(verifier, nullptr) << error;
  return verifier;
}

struct HeaderCase {
  std::string name;
  std::vector<std::string> authorization;  // metadata values; none = anonymous
  bool authenticated;
  std::string expected_error;
};

// Failure messages name the case instead of dumping its bytes.
void PrintTo(const HeaderCase& c, std::ostream* os) { *os << c.name; }

class GrpcAuthTest : public ::testing::TestWithParam<HeaderCase> {};

TEST_P(GrpcAuthTest, ReadsAuthorizationMetadata) {
  const HeaderCase& c = GetParam();
  const auto verifier = Verifier();
  ASSERT_NE(verifier, nullptr);
  grpc::ServerContext ctx;
  grpc::testing::ServerContextTestSpouse spouse(&ctx);
  spouse.AddClientMetadata("x-request-id", "r-1");
  for (const std::string& value : c.authorization) spouse.AddClientMetadata("authorization", value);

  const VerifyResult result = AuthenticateGrpcCall(ctx, *verifier, kNow);
  EXPECT_EQ(result.error, c.expected_error);
  EXPECT_EQ(result.principal.has_value(), c.authenticated);
  if (c.authenticated) {
    EXPECT_EQ(result.principal->subject, "alice");
    EXPECT_EQ(result.principal->role, Role::kProvinceAdmin);
  }
}

const std::string kToken = HsToken(ProvinceAdminClaims());
const std::string kOtherSecret(40, 'y');

INSTANTIATE_TEST_SUITE_P(
    GrpcAuth, GrpcAuthTest,
    ::testing::Values(
        HeaderCase{"NoHeaderIsAnonymous", {}, false, ""},
        HeaderCase{"Bearer", {"Bearer " + kToken}, true, ""},
        HeaderCase{"LowerCaseScheme", {"bearer " + kToken}, true, ""},
        HeaderCase{"UpperCaseScheme", {"BEARER " + kToken}, true, ""},
        HeaderCase{"ExtraSpaces", {"Bearer   " + kToken + " "}, true, ""},
        HeaderCase{"BasicScheme", {"Basic YWxpY2U6cHc="}, false,
                   "authorization is not a Bearer token"},
        HeaderCase{"TokenWithoutScheme", {kToken}, false, "authorization is not a Bearer token"},
        HeaderCase{"SchemeGlued", {"Bearer" + kToken}, false,
                   "authorization is not a Bearer token"},
        HeaderCase{"EmptyValue", {""}, false, "authorization is not a Bearer token"},
        HeaderCase{"SchemeOnly", {"Bearer"}, false, "authorization is not a Bearer token"},
        HeaderCase{"EmptyToken", {"Bearer  "}, false, "authorization has an empty Bearer token"},
        HeaderCase{"WrongSecret", {"Bearer " + HsToken(ProvinceAdminClaims(), kOtherSecret)}, false,
                   "signature mismatch"},
        HeaderCase{"TwoHeaders", {"Bearer " + kToken, "Bearer " + kToken}, false,
                   "more than one authorization header"}),
    [](const ::testing::TestParamInfo<HeaderCase>& param_info) { return param_info.param.name; });

TEST(GrpcAuth, BearerWithoutHeaderIsAnonymous) {
  const auto verifier = Verifier();
  ASSERT_NE(verifier, nullptr);
  const VerifyResult result = AuthenticateBearer(std::nullopt, *verifier, kNow);
  EXPECT_TRUE(result.ok());
  EXPECT_FALSE(result.principal.has_value());
}

}  // namespace
}  // namespace osh::auth
