#include "osh/core/log.h"

#include <gtest/gtest.h>

namespace osh::core::log {
namespace {

TEST(LogTest, LineIsJsonWithServiceProvinceAndFields) {
  Init("registry", "44");
  auto line = nlohmann::json::parse(Render(Level::kWarn, "slow call", {{"request_id", "abc"}, {"ms", 12}}));
  EXPECT_EQ(line["service"], "registry");
  EXPECT_EQ(line["province"], "44");
  EXPECT_EQ(line["level"], "warn");
  EXPECT_EQ(line["msg"], "slow call");
  EXPECT_EQ(line["request_id"], "abc");
  EXPECT_EQ(line["ms"], 12);
  EXPECT_TRUE(line["ts"].get<std::string>().ends_with("Z"));
}

TEST(LogTest, InvalidUtf8InAFieldDoesNotThrow) {
  std::string bad = "a\xff\xfe";
  EXPECT_NO_THROW(Render(Level::kInfo, "x", {{"name", bad}}));
}

TEST(LogTest, MasksPersonalData) {
  EXPECT_EQ(MaskPhone("13812345678"), "138****5678");
  EXPECT_EQ(MaskIdNumber("440301199001011234"), "4403**********1234");
  EXPECT_EQ(MaskPhone("123"), "***");
}

}  // namespace
}  // namespace osh::core::log
