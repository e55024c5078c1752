#include "osh/xapi/credentials.h"

#include <gtest/gtest.h>

namespace osh::xapi {
namespace {

TEST(ClientCredentialsTest, ChecksKeyAndSecret) {
  std::string error;
  const auto credentials =
      ClientCredentials::Parse("# courseware clients\nmoodle-gd " + Sha256Hex("s3cret") + " 44\n\nlms-bj " +
                                   Sha256Hex("other") + " 11  # Beijing\n",
                               &error);
  ASSERT_TRUE(credentials) << error;
  EXPECT_EQ(credentials->size(), 2u);
  const auto client = credentials->Check("moodle-gd", "s3cret");
  ASSERT_TRUE(client);
  EXPECT_EQ(client->province, "44");
  EXPECT_EQ(client->authority["account"]["name"], "moodle-gd");
  EXPECT_EQ(credentials->Check("lms-bj", "other")->province, "11");
  EXPECT_FALSE(credentials->Check("moodle-gd", "other"));
  EXPECT_FALSE(credentials->Check("moodle", "s3cret"));
  EXPECT_FALSE(credentials->Check("", ""));
}

TEST(ClientCredentialsTest, RefusesMalformedLines) {
  std::string error;
  EXPECT_FALSE(ClientCredentials::Parse("key notahexdigest 44\n", &error));
  EXPECT_NE(error.find("line 1"), std::string::npos);
  EXPECT_FALSE(ClientCredentials::Parse("key " + Sha256Hex("x") + "\n", &error));
  EXPECT_FALSE(ClientCredentials::Parse("key " + Sha256Hex("x") + " 4\n", &error));
  EXPECT_FALSE(ClientCredentials::Parse("key " + Sha256Hex("x") + " 44 extra\n", &error));
  EXPECT_FALSE(ClientCredentials::Load("/nonexistent/credentials", &error));
}

TEST(Sha256HexTest, MatchesKnownDigest) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace osh::xapi
