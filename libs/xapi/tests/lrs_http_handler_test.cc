#include "lrs_fixture.h"

#include "osh/auth/base64url.h"
#include "osh/xapi/multipart.h"

namespace osh::xapi {
namespace {

using namespace testing;  // NOLINT: the fixture and its helpers

TEST_F(LrsHttpHandlerTest, PostThenGetSetsStoredAuthorityAndVersion) {
  const auto posted = Send("POST", "/xapi/statements", Statement("a@example.com").dump());
  ASSERT_EQ(posted.status, 200) << posted.body;
  EXPECT_EQ(posted.headers.at("x-experience-api-version"), "1.0.3");
  const std::string id = posted.Json().at(0);
  const auto got = Send("GET", "/xapi/statements?statementId=" + id);
  ASSERT_EQ(got.status, 200) << got.body;
  const auto s = got.Json();
  EXPECT_EQ(s["id"], id);
  EXPECT_EQ(s["version"], "1.0.0");
  EXPECT_EQ(s["authority"]["account"]["name"], "gd-lms");
  EXPECT_TRUE(s.contains("stored"));
  EXPECT_EQ(s["timestamp"], s["stored"]);
  EXPECT_TRUE(got.headers.count("x-experience-api-consistent-through"));
}

TEST_F(LrsHttpHandlerTest, PutIsIdempotentAndConflictsOnOtherContent) {
  const std::string id = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0";
  auto s = Statement("a@example.com");
  EXPECT_EQ(Send("PUT", "/xapi/statements?statementId=" + id, s.dump()).status, 204);
  EXPECT_EQ(Send("PUT", "/xapi/statements?statementId=" + id, s.dump()).status, 204);
  EXPECT_EQ(Send("PUT", "/xapi/statements?statementId=" + id, Statement("b@example.com").dump()).status, 409);
  s["id"] = "ec531277-b57b-4c15-8d91-d292c5b2b8f7";
  EXPECT_EQ(Send("PUT", "/xapi/statements?statementId=" + id, s.dump()).status, 400);
  EXPECT_EQ(Send("PUT", "/xapi/statements", Statement("a@example.com").dump()).status, 400);
}

TEST_F(LrsHttpHandlerTest, BatchWithDuplicateIdsIsRefusedWhole) {
  auto a = Statement("a@example.com");
  a["id"] = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0";
  const auto reply = Send("POST", "/xapi/statements", json::array({a, a}).dump());
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.Json()["error"]["property"], "1.id");
  EXPECT_EQ(Send("GET", "/xapi/statements?statementId=" + a["id"].get<std::string>()).status, 404);
}

TEST_F(LrsHttpHandlerTest, InvalidStatementsNameTheProperty) {
  auto s = Statement("a@example.com");
  s["actor"]["mbox"] = "a@example.com";
  const auto reply = Send("POST", "/xapi/statements", s.dump());
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.Json()["error"]["property"], "actor.mbox");
  EXPECT_EQ(Send("POST", "/xapi/statements", "{not json").status, 400);
}

TEST_F(LrsHttpHandlerTest, VersionHeaderIsRequired) {
  EXPECT_EQ(Send("GET", "/xapi/statements", "", {{"X-Experience-API-Version", ""}}).status, 400);
  EXPECT_EQ(Send("GET", "/xapi/statements", "", {{"X-Experience-API-Version", "0.95"}}).status, 400);
  EXPECT_EQ(Send("GET", "/xapi/statements", "", {{"X-Experience-API-Version", "1.0.1"}}).status, 200);
  const auto about = Send("GET", "/xapi/about", "", {{"X-Experience-API-Version", ""}});
  EXPECT_EQ(about.status, 200);
  EXPECT_EQ(about.Json()["version"][0], "1.0.3");
}

TEST_F(LrsHttpHandlerTest, AuthenticationAndProvinces) {
  const auto anonymous = Send("GET", "/xapi/statements", "", {{"Authorization", ""}});
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.headers.at("www-authenticate"), "Basic realm=\"xapi\"");
  EXPECT_EQ(Send("GET", "/xapi/statements", "", {{"Authorization", "Basic " + Base64("gd-lms:wrong")}}).status, 401);

  const auto posted = Send("POST", "/xapi/statements", Statement("a@example.com").dump());
  const std::string id = posted.Json().at(0);
  const std::map<std::string, std::string> beijing = {{"Authorization", "Basic " + Base64("bj-lms:bj-secret")}};
  EXPECT_EQ(Send("GET", "/xapi/statements?statementId=" + id, "", beijing).status, 404);
  EXPECT_TRUE(Send("GET", "/xapi/statements", "", beijing).Json()["statements"].empty());

  EXPECT_EQ(Send("GET", "/xapi/statements?statementId=" + id, "", As("admin-44", "province_admin")).status, 200);
  auto forged = As("admin-44", "province_admin");
  forged["Authorization"] += "x";
  EXPECT_EQ(Send("GET", "/xapi/statements", "", forged).status, 401);
  // This LRS serves province 44: principals of another province have nothing here.
  EXPECT_EQ(Send("GET", "/xapi/statements", "", As("admin-32", "province_admin", "32")).status, 403);
}

// The body of a request that cannot sign in is never read: the refusal
// comes from the headers, with the LRS's headers.
TEST_F(LrsHttpHandlerTest, QueriesPageWithMoreLinks) {
  json batch = json::array();
  for (int i = 0; i < 4; ++i) batch.push_back(Statement("a@example.com"));
  batch.push_back(Statement("b@example.com", "http://adlnet.gov/expapi/verbs/attempted"));
  ASSERT_EQ(Send("POST", "/xapi/statements", batch.dump()).status, 200);

  const auto agent = Encode(json({{"mbox", "mailto:a@example.com"}}).dump());
  auto page = Send("GET", "/xapi/statements?agent=" + agent).Json();
  EXPECT_EQ(page["statements"].size(), 3u);
  const std::string more = page["more"];
  ASSERT_FALSE(more.empty());
  page = Send("GET", more).Json();
  EXPECT_EQ(page["statements"].size(), 1u);
  EXPECT_EQ(page["more"], "");
  // A token replayed with another query is refused.
  const auto token = more.substr(more.find("more="));
  EXPECT_EQ(Send("GET", "/xapi/statements?verb=http%3A%2F%2Fx&" + token).status, 400);

  const auto verb = Send("GET", "/xapi/statements?verb=" + Encode("http://adlnet.gov/expapi/verbs/attempted")).Json();
  ASSERT_EQ(verb["statements"].size(), 1u);
  EXPECT_EQ(verb["statements"][0]["actor"]["mbox"], "mailto:b@example.com");
  EXPECT_EQ(Send("GET", "/xapi/statements?unknown=1").status, 400);
  EXPECT_EQ(Send("GET", "/xapi/statements?agent=notjson").status, 400);
  EXPECT_EQ(Send("GET", "/xapi/statements?since=yesterday").status, 400);
}

TEST_F(LrsHttpHandlerTest, VoidedStatementsOnlyByVoidedStatementId) {
  const std::string id = Send("POST", "/xapi/statements", Statement("a@example.com").dump()).Json().at(0);
  json voiding = {{"actor", {{"mbox", "mailto:admin@example.com"}}},
                  {"verb", {{"id", "http://adlnet.gov/expapi/verbs/voided"}}},
                  {"object", {{"objectType", "StatementRef"}, {"id", id}}}};
  const std::string voiding_id = Send("POST", "/xapi/statements", voiding.dump()).Json().at(0);
  EXPECT_EQ(Send("GET", "/xapi/statements?statementId=" + id).status, 404);
  EXPECT_EQ(Send("GET", "/xapi/statements?voidedStatementId=" + id).status, 200);
  EXPECT_EQ(Send("GET", "/xapi/statements?voidedStatementId=" + voiding_id).status, 404);
  voiding["object"]["id"] = voiding_id;
  EXPECT_EQ(Send("POST", "/xapi/statements", voiding.dump()).status, 400);
  EXPECT_EQ(Send("GET", "/xapi/statements?statementId=" + id + "&verb=http%3A%2F%2Fx").status, 400);
}

TEST_F(LrsHttpHandlerTest, HeadAnswersWithoutBodyAndFormatIds) {
  const std::string id = Send("POST", "/xapi/statements", Statement("a@example.com").dump()).Json().at(0);
  const auto head = Send("HEAD", "/xapi/statements?statementId=" + id);
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  const auto ids = Send("GET", "/xapi/statements?format=ids&statementId=" + id).Json();
  EXPECT_EQ(ids["verb"], json({{"id", "http://adlnet.gov/expapi/verbs/completed"}}));
  EXPECT_EQ(Send("GET", "/xapi/statements?format=full").status, 400);
}

TEST_F(LrsHttpHandlerTest, AlternateRequestSyntaxCarriesHeadersInTheForm) {
  const std::string id = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0";
  const std::string form = "statementId=" + id + "&Authorization=" + Encode("Basic " + Base64("gd-lms:gd-secret")) +
                           "&X-Experience-API-Version=1.0.3&Content-Type=application%2Fjson&content=" +
                           Encode(Statement("a@example.com").dump());
  const auto reply = Send("POST", "/xapi/statements?method=PUT", form,
                          {{"Authorization", "Basic " + Base64("nobody:none")},
                           {"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(reply.status, 204) << reply.body;
  EXPECT_EQ(Send("GET", "/xapi/statements?statementId=" + id).status, 200);
}

TEST_F(LrsHttpHandlerTest, AttachmentsTravelAsMultipartBothWays) {
  const std::string content = "certificate of completion";
  auto s = Statement("a@example.com");
  s["id"] = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0";
  s["attachments"] = json::array({{{"usageType", "http://id.tincanapi.com/attachment/certificate"},
                                   {"display", {{"en-US", "certificate"}}},
                                   {"contentType", "text/plain"},
                                   {"length", content.size()},
                                   {"sha2", Sha256Hex(content)}}});
  // Declared but not sent: refused.
  EXPECT_EQ(Send("POST", "/xapi/statements", s.dump()).status, 400);
  const std::vector<MimePart> parts = {
      {{{"Content-Type", "application/json"}}, s.dump()},
      {{{"Content-Type", "text/plain"},
        {"Content-Transfer-Encoding", "binary"},
        {"X-Experience-API-Hash", Sha256Hex(content)}},
       content}};
  const auto posted = Send("POST", "/xapi/statements", RenderMultipart(parts, "b0undary"),
                           {{"Content-Type", "multipart/mixed; boundary=b0undary"}});
  ASSERT_EQ(posted.status, 200) << posted.body;

  const auto got = Send("GET", "/xapi/statements?attachments=true&statementId=" + s["id"].get<std::string>());
  ASSERT_EQ(got.status, 200);
  const auto boundary = MultipartBoundary(got.headers.at("content-type"));
  ASSERT_TRUE(boundary);
  const auto answer = ParseMultipart(got.body, *boundary);
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->size(), 2u);
  EXPECT_EQ(json::parse((*answer)[0].body)["id"], s["id"]);
  EXPECT_EQ((*answer)[1].body, content);

  // A part whose content does not match its hash is refused, and so is one
  // in another transfer encoding.
  auto base64 = parts;
  base64[1].headers["Content-Transfer-Encoding"] = "base64";
  s["id"] = "9b1c4f0e-3c2a-4d5e-8f60-718293a4b5c6";
  base64[0].body = s.dump();
  EXPECT_EQ(Send("POST", "/xapi/statements", RenderMultipart(base64, "b0undary"),
                 {{"Content-Type", "multipart/mixed; boundary=b0undary"}})
                .status,
            400);
  auto tampered = parts;
  tampered[1].body = "forged";
  s["id"] = "ec531277-b57b-4c15-8d91-d292c5b2b8f7";
  tampered[0].body = s.dump();
  EXPECT_EQ(Send("POST", "/xapi/statements", RenderMultipart(tampered, "b0undary"),
                 {{"Content-Type", "multipart/mixed; boundary=b0undary"}})
                .status,
            400);
}

TEST_F(LrsHttpHandlerTest, ActivitiesAndAgentsResources) {
  auto s = Statement("a@example.com");
  s["object"]["definition"] = {{"name", {{"zh-CN", "粉尘防护"}}}};
  ASSERT_EQ(Send("POST", "/xapi/statements", s.dump()).status, 200);
  const auto activity = Send("GET", "/xapi/activities?activityId=" + Encode("https://osh.example/courses/dust"));
  ASSERT_EQ(activity.status, 200);
  EXPECT_EQ(activity.Json()["definition"]["name"]["zh-CN"], "粉尘防护");
  EXPECT_EQ(Send("GET", "/xapi/activities").status, 400);
  EXPECT_EQ(Send("GET", "/xapi/activities?activityId=not-an-iri").status, 400);

  const auto person = Send("GET", "/xapi/agents?agent=" + Encode(R"({"name":"Li","mbox":"mailto:li@example.com"})"));
  ASSERT_EQ(person.status, 200);
  EXPECT_EQ(person.Json(), json({{"objectType", "Person"}, {"name", {"Li"}}, {"mbox", {"mailto:li@example.com"}}}));
  EXPECT_EQ(Send("GET", "/xapi/agents").status, 400);
  EXPECT_EQ(Send("GET", "/xapi/agents?agent=" + Encode(R"({"name":"no identifier"})")).status, 400);
  EXPECT_EQ(Send("GET", "/xapi/activities/other?activityId=x").status, 404);
}

TEST_F(LrsHttpHandlerTest, StateDocumentsMergeAndList) {
  const std::string set = "/xapi/activities/state?activityId=" + Encode("https://osh.example/courses/dust") +
                          "&agent=" + Encode(R"({"mbox":"mailto:a@example.com"})");
  EXPECT_EQ(Send("PUT", set + "&stateId=progress", R"({"page":3,"done":false})").status, 204);
  EXPECT_EQ(Send("POST", set + "&stateId=progress", R"({"done":true})").status, 204);
  const auto got = Send("GET", set + "&stateId=progress");
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.Json(), json({{"page", 3}, {"done", true}}));
  EXPECT_EQ(got.headers.at("etag"), "\"" + Sha1Hex(got.body) + "\"");
  EXPECT_EQ(Send("GET", set).Json(), json({"progress"}));
  EXPECT_EQ(Send("POST", set + "&stateId=progress", "not json", {{"Content-Type", "text/plain"}}).status, 400);
  // Another province does not see it.
  EXPECT_EQ(Send("GET", set + "&stateId=progress", "", {{"Authorization", "Basic " + Base64("bj-lms:bj-secret")}}).status,
            404);
  EXPECT_EQ(Send("DELETE", set).status, 204);
  EXPECT_EQ(Send("GET", set + "&stateId=progress").status, 404);
  EXPECT_EQ(Send("GET", "/xapi/activities/state?activityId=x").status, 400);
}

TEST_F(LrsHttpHandlerTest, ProfilesNeedConcurrencyHeaders) {
  const std::string profile = "/xapi/activities/profile?activityId=" + Encode("https://osh.example/courses/dust") +
                              "&profileId=syllabus";
  EXPECT_EQ(Send("PUT", profile, R"({"v":1})").status, 400);
  EXPECT_EQ(Send("PUT", profile, R"({"v":1})", {{"If-None-Match", "*"}}).status, 204);
  EXPECT_EQ(Send("PUT", profile, R"({"v":2})").status, 409);
  EXPECT_EQ(Send("PUT", profile, R"({"v":2})", {{"If-None-Match", "*"}}).status, 412);
  const auto etag = Send("GET", profile).headers.at("etag");
  EXPECT_EQ(Send("PUT", profile, R"({"v":2})", {{"If-Match", "\"0000\""}}).status, 412);
  EXPECT_EQ(Send("PUT", profile, R"({"v":2})", {{"If-Match", etag}}).status, 204);
  EXPECT_EQ(Send("GET", profile).Json(), json({{"v", 2}}));
}

// The LRS checks a signature's form (Data 2.6), not the signer's key.
TEST_F(LrsHttpHandlerTest, SignedStatementsNeedAnRsaJwsOverTheStatement) {
  auto post_signed = [&](const json& statement, const std::string& alg, const json& payload) {
    const auto jws = auth::Base64UrlEncode(json({{"alg", alg}}).dump()) + "." +
                     auth::Base64UrlEncode(payload.dump()) + ".c2lnbmF0dXJl";
    auto signed_statement = statement;
    signed_statement["attachments"] = json::array({{{"usageType", "http://adlnet.gov/expapi/attachments/signature"},
                                                    {"display", {{"en-US", "signature"}}},
                                                    {"contentType", "application/octet-stream"},
                                                    {"length", jws.size()},
                                                    {"sha2", Sha256Hex(jws)}}});
    const std::vector<MimePart> parts = {
        {{{"Content-Type", "application/json"}}, signed_statement.dump()},
        {{{"Content-Type", "application/octet-stream"},
          {"Content-Transfer-Encoding", "binary"},
          {"X-Experience-API-Hash", Sha256Hex(jws)}},
         jws}};
    return Send("POST", "/xapi/statements", RenderMultipart(parts, "sig"),
                {{"Content-Type", "multipart/mixed; boundary=sig"}})
        .status;
  };
  const auto statement = Statement("a@example.com");
  EXPECT_EQ(post_signed(statement, "RS256", statement), 200);
  EXPECT_EQ(post_signed(statement, "RS512", statement), 200);
  EXPECT_EQ(post_signed(statement, "HS256", statement), 400);
  EXPECT_EQ(post_signed(statement, "RS256", Statement("someone-else@example.com")), 400);
}

}  // namespace
}  // namespace osh::xapi
