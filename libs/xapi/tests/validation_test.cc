#include "osh/xapi/validation.h"

#include <gtest/gtest.h>

namespace osh::xapi {
namespace {

using nlohmann::json;

json Valid() {
  return json::parse(R"({
    "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
    "actor": {"objectType": "Agent", "name": "Li Hua", "mbox": "mailto:lihua@example.com"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed", "zh-CN": "完成"}},
    "object": {"id": "https://osh.example/courses/dust-safety",
               "definition": {"name": {"zh-CN": "粉尘防护"}, "type": "http://adlnet.gov/expapi/activities/course"}},
    "result": {"score": {"scaled": 0.8, "raw": 80, "min": 0, "max": 100}, "success": true, "completion": true,
               "duration": "PT1H2M"},
    "context": {"registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7", "platform": "moodle", "language": "zh-CN",
                "contextActivities": {"parent": [{"id": "https://osh.example/programs/2025"}]}},
    "timestamp": "2025-05-18T13:32:34.804+08:00"
  })");
}

// The path of the refusal, or "" when the statement is accepted.
std::string Refusal(const json& statement) {
  const auto error = ValidateStatement(statement);
  return error ? error->path : "";
}

TEST(ValidationTest, AcceptsACompleteStatement) { EXPECT_EQ(Refusal(Valid()), ""); }

TEST(ValidationTest, RequiresActorVerbObject) {
  for (const char* key : {"actor", "verb", "object"}) {
    auto s = Valid();
    s.erase(key);
    EXPECT_EQ(Refusal(s), key);
  }
}

TEST(ValidationTest, RefusesUnknownPropertiesAndNulls) {
  auto s = Valid();
  s["iD"] = "x";
  EXPECT_EQ(Refusal(s), "iD");
  s = Valid();
  s["verb"]["description"] = "x";
  EXPECT_EQ(Refusal(s), "verb.description");
  s = Valid();
  s["result"]["success"] = nullptr;
  EXPECT_EQ(Refusal(s), "result.success");
}

TEST(ValidationTest, ExtensionsMayHoldNullsButNeedIriKeys) {
  auto s = Valid();
  s["result"]["extensions"] = {{"http://example.com/ext", nullptr}};
  EXPECT_EQ(Refusal(s), "");
  s["result"]["extensions"] = {{"not an iri", 1}};
  EXPECT_EQ(Refusal(s), "result.extensions.not an iri");
}

TEST(ValidationTest, AgentNeedsExactlyOneIdentifier) {
  auto s = Valid();
  s["actor"]["openid"] = "http://openid.example/lihua";
  EXPECT_EQ(Refusal(s), "actor");
  s = Valid();
  s["actor"].erase("mbox");
  EXPECT_EQ(Refusal(s), "actor");
  s = Valid();
  s["actor"]["mbox"] = "lihua@example.com";
  EXPECT_EQ(Refusal(s), "actor.mbox");
  s = Valid();
  s["actor"] = {{"mbox_sha1sum", "abc"}};
  EXPECT_EQ(Refusal(s), "actor.mbox_sha1sum");
  s["actor"] = {{"account", {{"homePage", "http://lms.example"}, {"name", "lihua"}}}};
  EXPECT_EQ(Refusal(s), "");
  s["actor"] = {{"account", {{"homePage", "lms.example"}, {"name", "lihua"}}}};
  EXPECT_EQ(Refusal(s), "actor.account.homePage");
  s["actor"] = {{"account", {{"homePage", "http://lms.example"}}}};
  EXPECT_EQ(Refusal(s), "actor.account.name");
}

TEST(ValidationTest, GroupsAnonymousNeedMembersWhichAreAgents) {
  auto s = Valid();
  s["actor"] = {{"objectType", "Group"}};
  EXPECT_EQ(Refusal(s), "actor.member");
  s["actor"]["member"] = json::array({{{"mbox", "mailto:a@example.com"}}});
  EXPECT_EQ(Refusal(s), "");
  s["actor"]["member"] = json::array({{{"objectType", "Group"}, {"mbox", "mailto:a@example.com"}}});
  EXPECT_EQ(Refusal(s), "actor.member.0.objectType");
  s["actor"] = {{"objectType", "Group"}, {"mbox", "mailto:team@example.com"}};
  EXPECT_EQ(Refusal(s), "");
}

TEST(ValidationTest, VerbNeedsIriAndLanguageMap) {
  auto s = Valid();
  s["verb"]["id"] = "completed";
  EXPECT_EQ(Refusal(s), "verb.id");
  s = Valid();
  s["verb"]["display"] = {{"not_a_tag", "x"}};
  EXPECT_EQ(Refusal(s), "verb.display.not_a_tag");
  s["verb"]["display"] = {{"en", 1}};
  EXPECT_EQ(Refusal(s), "verb.display.en");
}

TEST(ValidationTest, ObjectTypesHaveTheirRules) {
  auto s = Valid();
  s["object"] = {{"objectType", "StatementRef"}, {"id", "not-a-uuid"}};
  EXPECT_EQ(Refusal(s), "object.id");
  s["object"] = {{"objectType", "Agent"}, {"mbox", "mailto:a@example.com"}};
  EXPECT_EQ(Refusal(s), "context.platform");  // platform only with an Activity
  s.erase("context");
  EXPECT_EQ(Refusal(s), "");
  s["object"] = {{"objectType", "Thing"}, {"id", "http://x"}};
  EXPECT_EQ(Refusal(s), "object.objectType");
  s["object"] = {{"id", "http://x"}, {"definition", {{"interactionType", "essay"}}}};
  EXPECT_EQ(Refusal(s), "object.definition.interactionType");
  s["object"] = {{"id", "http://x"}, {"definition", {{"moreInfo", "nope"}}}};
  EXPECT_EQ(Refusal(s), "object.definition.moreInfo");
  s["object"] = {{"id", "http://x"},
                 {"definition", {{"interactionType", "choice"},
                                 {"choices", json::array({{{"id", "a"}}, {{"id", "a"}}})}}}};
  EXPECT_EQ(Refusal(s), "object.definition.choices.1.id");
}

TEST(ValidationTest, SubStatementsCannotNestOrCarryIds) {
  auto s = Valid();
  s.erase("context");
  json sub = {{"objectType", "SubStatement"},
              {"actor", {{"mbox", "mailto:a@example.com"}}},
              {"verb", {{"id", "http://example.com/verbs/plans"}}},
              {"object", {{"id", "http://example.com/course"}}}};
  s["object"] = sub;
  EXPECT_EQ(Refusal(s), "");
  s["object"]["id"] = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0";
  EXPECT_EQ(Refusal(s), "object.id");
  s["object"] = sub;
  s["object"]["object"] = sub;
  EXPECT_EQ(Refusal(s), "object.object.objectType");
}

TEST(ValidationTest, ScoresStayInRange) {
  auto s = Valid();
  s["result"]["score"]["scaled"] = 1.5;
  EXPECT_EQ(Refusal(s), "result.score.scaled");
  s = Valid();
  s["result"]["score"]["raw"] = 101;
  EXPECT_EQ(Refusal(s), "result.score.raw");
  s = Valid();
  s["result"]["score"]["min"] = 100;
  EXPECT_EQ(Refusal(s), "result.score.max");
  s = Valid();
  s["result"]["duration"] = "an hour";
  EXPECT_EQ(Refusal(s), "result.duration");
}

TEST(ValidationTest, ContextRules) {
  auto s = Valid();
  s["context"]["registration"] = "AA97B177-9383-4934-8543-0F91A7A028368";
  EXPECT_EQ(Refusal(s), "context.registration");
  s = Valid();
  s["context"]["team"] = {{"mbox", "mailto:a@example.com"}};
  EXPECT_EQ(Refusal(s), "context.team.objectType");
  // Found by fuzzing: a number here threw a JSON type error out of the
  // validator, and the client got a 400 that named no property.
  s["context"]["team"]["objectType"] = 5;
  EXPECT_EQ(Refusal(s), "context.team.objectType");
  s = Valid();
  s["context"]["contextActivities"]["sibling"] = json::array();
  EXPECT_EQ(Refusal(s), "context.contextActivities.sibling");
  s = Valid();
  s["context"]["contextActivities"]["parent"] = {{"id", "http://example.com/single"}};
  EXPECT_EQ(Refusal(s), "");
  s["context"]["language"] = "zh_CN";
  EXPECT_EQ(Refusal(s), "context.language");
}

TEST(ValidationTest, TimestampVersionAndAttachments) {
  auto s = Valid();
  s["timestamp"] = "2025-05-18T13:32:34.804-00:00";
  EXPECT_EQ(Refusal(s), "timestamp");
  s = Valid();
  s["version"] = "1.0.3";
  EXPECT_EQ(Refusal(s), "");
  s["version"] = "2.0.0";
  EXPECT_EQ(Refusal(s), "version");
  s = Valid();
  s["attachments"] = json::array({{{"usageType", "http://id.tincanapi.com/attachment/certificate"},
                                   {"display", {{"en", "certificate"}}},
                                   {"contentType", "application/pdf"},
                                   {"length", 10},
                                   {"sha2", "abc"},
                                   {"fileUrl", "https://osh.example/c.pdf"}}});
  EXPECT_EQ(Refusal(s), "");
  s["attachments"][0]["length"] = "10";
  EXPECT_EQ(Refusal(s), "attachments.0.length");
}

TEST(ValidationTest, VoidingNeedsAStatementRef) {
  auto s = Valid();
  s.erase("context");
  s["verb"] = {{"id", kVoidedVerbId}};
  EXPECT_EQ(Refusal(s), "object");
  s["object"] = {{"objectType", "StatementRef"}, {"id", "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"}};
  EXPECT_EQ(Refusal(s), "");
}

}  // namespace
}  // namespace osh::xapi
