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

TEST(ClientCredentialsTest, AClientWithoutScopesReadsBackOnlyWhatItStored) {
  std::string error;
  const auto credentials = ClientCredentials::Parse(
      "lms " + Sha256Hex("a") + " 44\nreader " + Sha256Hex("b") + " 44 statements/read\nadmin " + Sha256Hex("c") +
          " 44 all  # may void anything\n",
      &error);
  ASSERT_TRUE(credentials) << error;
  const auto lms = credentials->Check("lms", "a")->access;
  ASSERT_TRUE(lms.read && lms.write && lms.voids);
  EXPECT_EQ(lms.read->by, StatementScope::By::kAuthority);
  EXPECT_EQ(lms.read->agent_key, "account|urn:osh-platform:xapi-client|lms");
  EXPECT_EQ(lms.write->by, StatementScope::By::kProvince);
  EXPECT_EQ(lms.voids->by, StatementScope::By::kAuthority);
  EXPECT_TRUE(lms.read_state && lms.write_state && lms.read_profiles && lms.write_agent_profiles);

  const auto reader = credentials->Check("reader", "b")->access;
  ASSERT_TRUE(reader.read);
  EXPECT_EQ(reader.read->by, StatementScope::By::kProvince);
  EXPECT_FALSE(reader.write || reader.voids || reader.read_state || reader.read_profiles);

  const auto admin = credentials->Check("admin", "c")->access;
  ASSERT_TRUE(admin.voids);
  EXPECT_EQ(admin.voids->by, StatementScope::By::kProvince);
  EXPECT_TRUE(admin.write_state && admin.write_activity_profiles);
}

TEST(ClientCredentialsTest, RefusesUnknownScopes) {
  std::string error;
  EXPECT_FALSE(ClientCredentials::Parse("key " + Sha256Hex("x") + " 44 statements/read,everything\n", &error));
  EXPECT_NE(error.find("line 1"), std::string::npos);
  EXPECT_NE(error.find("everything"), std::string::npos);
  EXPECT_FALSE(ClientCredentials::Parse("key " + Sha256Hex("x") + " 44 ,\n", &error));
}

TEST(PrincipalAccessTest, LearnersActAsTheirAccountAndStaffOnTheirProvince) {
  const auto worker = PrincipalAccess({"w-1", auth::Role::kWorker, "44", "91440300MA5XXXXXXX"});
  ASSERT_TRUE(worker.read && worker.write && worker.voids);
  const std::string self = "account|urn:osh-platform:principal|w-1";
  EXPECT_EQ(worker.read->by, StatementScope::By::kActor);
  EXPECT_EQ(worker.read->agent_key, self);
  EXPECT_EQ(worker.write->agent_key, self);
  EXPECT_EQ(worker.only_agent_key, self);
  EXPECT_FALSE(worker.write_activity_profiles);
  const auto employer = PrincipalAccess({"e-1", auth::Role::kEmployer, "44", "91440300MA5XXXXXXX"});
  EXPECT_EQ(employer.read->by, StatementScope::By::kActor);

  const auto inspector = PrincipalAccess({"i-1", auth::Role::kInspector, "44", ""});
  EXPECT_EQ(inspector.read->by, StatementScope::By::kProvince);
  EXPECT_EQ(inspector.voids->by, StatementScope::By::kProvince);
  EXPECT_TRUE(inspector.only_agent_key.empty());

  const auto national = PrincipalAccess({"n-1", auth::Role::kNationalAdmin, "", ""});
  ASSERT_TRUE(national.read);
  EXPECT_FALSE(national.write || national.voids || national.write_state || national.write_agent_profiles);
}

TEST(Sha256HexTest, MatchesKnownDigest) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace osh::xapi
