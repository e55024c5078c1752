// Who sees and changes what in the LRS (osh/xapi/access.h), over real HTTP:
// learners their own statements and documents, province staff their
// province's, national_admin reads only, Basic clients by scope; and who
// is refused from the headers before the body is read.
#include "lrs_fixture.h"

namespace osh::xapi {
namespace {

using namespace testing;  // NOLINT: the fixture and its helpers

TEST_F(LrsHttpHandlerTest, SigningInIsCheckedFromTheHeadersBeforeTheBody) {
  http::HttpRequest head{"POST", "/xapi/statements", "", {{"x-experience-api-version", "1.0.3"}}, "", "127.0.0.1"};
  uint64_t limit = 16 << 20;
  auto refused = handler_->CheckHeaders(head, &limit);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  const auto has = [&](const std::string& name) {
    for (const auto& [n, v] : refused->headers) {
      if (n == name) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("www-authenticate"));
  EXPECT_TRUE(has("X-Experience-API-Version"));
  head.headers.emplace_back("authorization", "Basic " + Base64("gd-lms:wrong"));
  EXPECT_EQ(handler_->CheckHeaders(head, &limit)->status, 401);
  head.headers.back().second = "Basic " + Base64("gd-lms:gd-secret");
  EXPECT_FALSE(handler_->CheckHeaders(head, &limit));
  EXPECT_EQ(limit, uint64_t{16} << 20);
  // The alternate syntax signs in inside its form: read, but only a little of it.
  http::HttpRequest alternate{"POST", "/xapi/statements", "method=PUT", {}, "", "127.0.0.1"};
  EXPECT_FALSE(handler_->CheckHeaders(alternate, &limit));
  EXPECT_EQ(limit, 256u * 1024);

  // Over real HTTP: an anonymous upload is answered without sending its body.
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
  const std::string request =
      "POST /xapi/statements HTTP/1.1\r\nHost: t\r\nX-Experience-API-Version: 1.0.3\r\n"
      "Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n";
  asio::write(socket, asio::buffer(request));
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> response;
  bhttp::read(socket, buffer, response);
  EXPECT_EQ(response.result_int(), 401u);
}

TEST_F(LrsHttpHandlerTest, AWorkerReadsAndWritesOnlyStatementsWhoseActorItIs) {
  const auto seven = As("worker-7", "worker");
  const auto eight = As("worker-8", "worker");
  const auto own = Send("POST", "/xapi/statements", StatementBy("worker-7").dump(), seven);
  ASSERT_EQ(own.status, 200) << own.body;
  const std::string own_id = own.Json().at(0);
  const std::string other_id = Send("POST", "/xapi/statements", StatementBy("worker-8").dump(), eight).Json().at(0);

  // Writing for someone else is refused, alone or in a batch.
  const auto for_other = Send("POST", "/xapi/statements", StatementBy("worker-8").dump(), seven);
  EXPECT_EQ(for_other.status, 403);
  EXPECT_EQ(for_other.Json()["error"]["property"], "actor");
  EXPECT_EQ(Send("POST", "/xapi/statements", json::array({StatementBy("worker-7"), Statement("a@example.com")}).dump(),
                 seven)
                .Json()["error"]["property"],
            "1.actor");
  EXPECT_EQ(Send("PUT", "/xapi/statements?statementId=fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
                 Statement("a@example.com").dump(), seven)
                .status,
            403);

  // Reading: its own by id and in queries; another's is as absent as another province's.
  const auto mine = Send("GET", "/xapi/statements?statementId=" + own_id, "", seven);
  EXPECT_EQ(mine.status, 200);
  EXPECT_EQ(mine.Json()["authority"]["account"]["name"], "worker-7");
  EXPECT_EQ(Send("GET", "/xapi/statements?statementId=" + other_id, "", seven).status, 404);
  const auto all = Send("GET", "/xapi/statements", "", seven).Json()["statements"];
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]["id"], own_id);
  EXPECT_TRUE(Send("GET", "/xapi/statements?agent=" + AgentParam("worker-8"), "", seven).Json()["statements"].empty());
  // A Basic client's statements about anyone are not the worker's either.
  Send("POST", "/xapi/statements", Statement("a@example.com").dump());
  EXPECT_EQ(Send("GET", "/xapi/statements", "", seven).Json()["statements"].size(), 1u);
}

TEST_F(LrsHttpHandlerTest, AWorkerVoidsOnlyItsOwnStatements) {
  const auto seven = As("worker-7", "worker");
  const auto eight = As("worker-8", "worker");
  const std::string own_id = Send("POST", "/xapi/statements", StatementBy("worker-7").dump(), seven).Json().at(0);
  const std::string other_id = Send("POST", "/xapi/statements", StatementBy("worker-8").dump(), eight).Json().at(0);

  EXPECT_EQ(Send("POST", "/xapi/statements", Voiding("worker-7", other_id).dump(), seven).status, 403);
  EXPECT_EQ(Send("GET", "/xapi/statements?statementId=" + other_id, "", eight).status, 200);
  EXPECT_EQ(Send("POST", "/xapi/statements", Voiding("worker-7", own_id).dump(), seven).status, 200);
  EXPECT_EQ(Send("GET", "/xapi/statements?statementId=" + own_id, "", seven).status, 404);
  EXPECT_EQ(Send("GET", "/xapi/statements?voidedStatementId=" + own_id, "", seven).status, 200);
}

// xAPI lets a voiding statement arrive before its target; it then voids the
// target only if its sender could have voided it.
TEST_F(LrsHttpHandlerTest, AVoidingStatementSentBeforeItsTargetVoidsOnlyWhatItsSenderMayVoid) {
  const auto seven = As("worker-7", "worker");
  const auto eight = As("worker-8", "worker");
  const std::string target = "9b1c4f0e-3c2a-4d5e-8f60-718293a4b5c6";
  EXPECT_EQ(Send("POST", "/xapi/statements", Voiding("worker-7", target).dump(), seven).status, 200);
  EXPECT_EQ(Send("PUT", "/xapi/statements?statementId=" + target, StatementBy("worker-8").dump(), eight).status, 204);
  EXPECT_EQ(Send("GET", "/xapi/statements?statementId=" + target, "", eight).status, 200);

  const std::string own = "ec531277-b57b-4c15-8d91-d292c5b2b8f7";
  EXPECT_EQ(Send("POST", "/xapi/statements", Voiding("worker-7", own).dump(), seven).status, 200);
  EXPECT_EQ(Send("PUT", "/xapi/statements?statementId=" + own, StatementBy("worker-7").dump(), seven).status, 204);
  EXPECT_EQ(Send("GET", "/xapi/statements?statementId=" + own, "", seven).status, 404);
  EXPECT_EQ(Send("GET", "/xapi/statements?voidedStatementId=" + own, "", seven).status, 200);
}

TEST_F(LrsHttpHandlerTest, ProvinceStaffReadTheirProvinceAndNationalAdminReadsWithoutWriting) {
  const std::string worker_id =
      Send("POST", "/xapi/statements", StatementBy("worker-7").dump(), As("worker-7", "worker")).Json().at(0);
  const std::string client_id = Send("POST", "/xapi/statements", Statement("a@example.com").dump()).Json().at(0);
  for (const auto& reader : {As("admin-44", "province_admin"), As("inspector-44", "inspector"),
                             As("national", "national_admin", "")}) {
    EXPECT_EQ(Send("GET", "/xapi/statements?statementId=" + worker_id, "", reader).status, 200);
    EXPECT_EQ(Send("GET", "/xapi/statements?statementId=" + client_id, "", reader).status, 200);
    EXPECT_EQ(Send("GET", "/xapi/statements", "", reader).Json()["statements"].size(), 2u);
  }
  EXPECT_EQ(Send("POST", "/xapi/statements", Statement("b@example.com").dump(), As("national", "national_admin", ""))
                .status,
            403);
  EXPECT_EQ(Send("POST", "/xapi/statements", Voiding("admin-44", worker_id).dump(), As("admin-44", "province_admin"))
                .status,
            200);
  EXPECT_EQ(Send("GET", "/xapi/statements?statementId=" + worker_id, "", As("worker-7", "worker")).status, 404);
}

TEST_F(LrsHttpHandlerTest, BasicClientsSeeWhatTheyStoredUnlessTheirScopesGrantMore) {
  const std::string id = Send("POST", "/xapi/statements", Statement("a@example.com").dump()).Json().at(0);
  const auto other = Basic("gd-other", "other-secret");
  EXPECT_EQ(Send("GET", "/xapi/statements?statementId=" + id, "", other).status, 404);
  EXPECT_TRUE(Send("GET", "/xapi/statements", "", other).Json()["statements"].empty());
  EXPECT_EQ(Send("GET", "/xapi/statements?statementId=" + id).status, 200);

  const auto reader = Basic("gd-reader", "reader-secret");
  EXPECT_EQ(Send("GET", "/xapi/statements?statementId=" + id, "", reader).status, 200);
  EXPECT_EQ(Send("POST", "/xapi/statements", Statement("b@example.com").dump(), reader).status, 403);

  json voiding = {{"actor", {{"mbox", "mailto:admin@example.com"}}},
                  {"verb", {{"id", "http://adlnet.gov/expapi/verbs/voided"}}},
                  {"object", {{"objectType", "StatementRef"}, {"id", id}}}};
  EXPECT_EQ(Send("POST", "/xapi/statements", voiding.dump(), other).status, 403);
  EXPECT_EQ(Send("POST", "/xapi/statements", voiding.dump(), Basic("gd-all", "all-secret")).status, 200);
  EXPECT_EQ(Send("GET", "/xapi/statements?voidedStatementId=" + id).status, 200);
}

TEST_F(LrsHttpHandlerTest, DocumentsAboutAnAgentAreKeptByThatAgentOnly) {
  const auto seven = As("worker-7", "worker");
  const std::string activity = "activityId=" + Encode("https://osh.example/courses/dust");
  const std::string own_state = "/xapi/activities/state?" + activity + "&agent=" + AgentParam("worker-7") + "&stateId=s";
  const std::string other_state = "/xapi/activities/state?" + activity + "&agent=" + AgentParam("worker-8") + "&stateId=s";
  EXPECT_EQ(Send("PUT", own_state, R"({"page":1})", seven).status, 204);
  EXPECT_EQ(Send("GET", own_state, "", seven).status, 200);
  EXPECT_EQ(Send("PUT", other_state, R"({"page":1})", seven).status, 403);
  EXPECT_EQ(Send("PUT", other_state, R"({"page":2})", As("worker-8", "worker")).status, 204);
  EXPECT_EQ(Send("GET", other_state, "", seven).status, 403);
  EXPECT_EQ(Send("GET", other_state, "", As("admin-44", "province_admin")).status, 200);

  const std::string other_profile = "/xapi/agents/profile?agent=" + AgentParam("worker-8") + "&profileId=p";
  auto create = seven;
  create["If-None-Match"] = "*";
  EXPECT_EQ(Send("PUT", other_profile, R"({"v":1})", create).status, 403);
  const std::string activity_profile = "/xapi/activities/profile?" + activity + "&profileId=syllabus";
  EXPECT_EQ(Send("PUT", activity_profile, R"({"v":1})", create).status, 403);
  EXPECT_EQ(Send("PUT", activity_profile, R"({"v":1})", {{"If-None-Match", "*"}}).status, 204);
  EXPECT_EQ(Send("GET", activity_profile, "", seven).status, 200);
  // A client scoped to statements only keeps no documents.
  EXPECT_EQ(Send("GET", own_state, "", Basic("gd-reader", "reader-secret")).status, 403);
}

}  // namespace
}  // namespace osh::xapi
