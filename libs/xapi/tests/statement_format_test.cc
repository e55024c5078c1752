#include "osh/xapi/statement_format.h"

#include <gtest/gtest.h>

namespace osh::xapi {
namespace {

using nlohmann::json;

const json kStatement = json::parse(R"({
  "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
  "actor": {"name": "Li Hua", "mbox": "mailto:lihua@example.com"},
  "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed", "zh-CN": "完成"}},
  "object": {"id": "https://osh.example/courses/dust", "definition": {"name": {"en-US": "Dust", "zh-CN": "粉尘"}}},
  "context": {"team": {"objectType": "Group", "name": "Line 3", "member": [{"name": "W", "mbox": "mailto:w@example.com"}]}}
})");

TEST(StatementFormatTest, IdsKeepsOnlyIdentifiers) {
  const auto ids = IdsFormat(kStatement);
  EXPECT_EQ(ids["actor"], json({{"mbox", "mailto:lihua@example.com"}}));
  EXPECT_EQ(ids["verb"], json({{"id", "http://adlnet.gov/expapi/verbs/completed"}}));
  EXPECT_EQ(ids["object"], json({{"id", "https://osh.example/courses/dust"}}));
  EXPECT_EQ(ids["context"]["team"],
            json({{"objectType", "Group"}, {"member", json::array({{{"mbox", "mailto:w@example.com"}}})}}));
}

TEST(StatementFormatTest, CanonicalKeepsThePreferredLanguage) {
  const auto canonical = CanonicalFormat(kStatement, AcceptedLanguages("en;q=0.5, zh-CN"));
  EXPECT_EQ(canonical["verb"]["display"], json({{"zh-CN", "完成"}}));
  EXPECT_EQ(canonical["object"]["definition"]["name"], json({{"zh-CN", "粉尘"}}));
  const auto fallback = CanonicalFormat(kStatement, {});
  EXPECT_EQ(fallback["verb"]["display"].size(), 1u);
}

TEST(StatementFormatTest, AcceptLanguageIsOrderedByQuality) {
  EXPECT_EQ(AcceptedLanguages("fr;q=0.2, en-US, de;q=0.7, *"), (std::vector<std::string>{"en-US", "de", "fr"}));
}

}  // namespace
}  // namespace osh::xapi
