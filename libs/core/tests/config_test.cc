#include "osh/core/config.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace osh::core {
namespace {

const std::vector<ConfigKey> kKeys = {
    {"grpc-port", "7101", "port"},
    {"province", "44", "province"},
    {"verbose", "false", "flag"},
};

TEST(ConfigTest, DefaultsEnvironmentAndFlagsInOrderOfPrecedence) {
  ::setenv("OSH_PROVINCE", "32", 1);
  ::setenv("OSH_GRPC_PORT", "9000", 1);
  const char* argv[] = {"prog", "--grpc-port=9100"};
  std::string error;
  auto c = Config::Load(kKeys, 2, argv, &error);
  ::unsetenv("OSH_PROVINCE");
  ::unsetenv("OSH_GRPC_PORT");
  ASSERT_TRUE(c) << error;
  EXPECT_EQ(c->GetString("province"), "32");  // environment beats default
  EXPECT_EQ(c->GetInt("grpc-port"), 9100);     // flag beats environment
  EXPECT_FALSE(c->GetBool("verbose"));
}

TEST(ConfigTest, FlagWithSeparateValue) {
  const char* argv[] = {"prog", "--province", "11"};
  std::string error;
  auto c = Config::Load(kKeys, 3, argv, &error);
  ASSERT_TRUE(c) << error;
  EXPECT_EQ(c->GetString("province"), "11");
}

TEST(ConfigTest, UnknownFlagIsAnError) {
  const char* argv[] = {"prog", "--provnce=11"};
  std::string error;
  EXPECT_FALSE(Config::Load(kKeys, 2, argv, &error));
  EXPECT_EQ(error, "unknown flag --provnce");
}

TEST(ConfigTest, FlagWithoutValueIsAnError) {
  const char* argv[] = {"prog", "--province"};
  std::string error;
  EXPECT_FALSE(Config::Load(kKeys, 2, argv, &error));
  EXPECT_EQ(error, "flag --province needs a value");
}

TEST(ConfigTest, BadNumberNamesTheKey) {
  auto c = Config::FromValues(kKeys, {{"grpc-port", "12x"}});
  try {
    c.GetInt("grpc-port");
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("grpc-port"), std::string::npos);
  }
}

TEST(ConfigTest, EnvNameIsUpperSnakeWithPrefix) { EXPECT_EQ(Config::EnvName("shutdown-grace-ms"), "OSH_SHUTDOWN_GRACE_MS"); }

}  // namespace
}  // namespace osh::core

namespace osh::core {
namespace {

TEST(SplitList, DropsEmptyItemsAndKeepsTheRestAsWritten) {
  EXPECT_EQ(SplitList("a,b,,c,"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(SplitList(" a, b"), (std::vector<std::string>{" a", " b"}));
  EXPECT_EQ(SplitList(""), std::vector<std::string>{});
  EXPECT_EQ(SplitList(",,"), std::vector<std::string>{});
  EXPECT_EQ(SplitList("x;y", ';'), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(SplitList("one"), (std::vector<std::string>{"one"}));
}

}  // namespace
}  // namespace osh::core
