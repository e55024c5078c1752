#include "osh/xapi/lrs_http_handler.h"

// Boost 1.74 asio uses std::exchange without including <utility> under C++20.
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <ctime>

#include "osh/auth/base64url.h"
#include "osh/auth/jwt.h"
#include "osh/store/testing/scratch_dir.h"
#include "osh/xapi/multipart.h"

namespace osh::xapi {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using nlohmann::json;

constexpr char kSecret[] = "xapi-test-secret-that-is-at-least-32-bytes";

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  json Json() const { return json::parse(body); }
};

std::string Base64(std::string_view s) {
  std::string out(4 * ((s.size() + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(s.data()),
                  static_cast<int>(s.size()));
  return out;
}

std::string Encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// A fresh LRS on a loopback port per test, reached over real HTTP.
class LrsHttpHandlerTest : public ::testing::Test {
 protected:
  LrsHttpHandlerTest()
      : dir_("xapi-http"),
        db_(store::Database::Open({.path = dir_.File("xapi.db")}, StatementStore::Migrations())),
        statements_(*db_) {
    std::string error;
    credentials_ = *ClientCredentials::Parse(
        "gd-lms " + Sha256Hex("gd-secret") + " 44\nbj-lms " + Sha256Hex("bj-secret") + " 11\n" +
            "gd-other " + Sha256Hex("other-secret") + " 44\n" +
            "gd-reader " + Sha256Hex("reader-secret") + " 44 statements/read\n" +
            "gd-all " + Sha256Hex("all-secret") + " 44 all\n",
        &error);
    verifier_ = auth::TokenVerifier::Create({.hs256_secret = kSecret}, &error);
    LrsHttpHandler::Options options;
    options.default_limit = 3;
    options.province = "44";
    handler_ = std::make_unique<LrsHttpHandler>(options, statements_, &documents_, &credentials_, verifier_.get());
    // As osh-training mounts it: signing in is checked before a body is read.
    server_ = std::make_unique<http::HttpServer>(
        http::HttpServer::Options{},
        [this](http::HttpRequest&& r, http::Respond respond) { handler_->Handle(std::move(r), respond); },
        [this](const http::HttpRequest& head, uint64_t* body_limit) { return handler_->CheckHeaders(head, body_limit); });
    EXPECT_TRUE(server_->Start(&error)) << error;
  }

  Reply Send(const std::string& method, const std::string& target, const std::string& body = "",
             std::map<std::string, std::string> headers = {}) {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    if (!headers.count("Authorization")) req.set("Authorization", "Basic " + Base64("gd-lms:gd-secret"));
    if (!headers.count("X-Experience-API-Version")) req.set("X-Experience-API-Version", "1.0.3");
    if (!body.empty()) req.set(bhttp::field::content_type, "application/json");
    for (const auto& [name, value] : headers) {
      if (!value.empty()) req.set(name, value);
    }
    req.body() = body;
    req.prepare_payload();
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.skip(method == "HEAD");
    bhttp::read(stream, buffer, parser);
    const auto& res = parser.get();
    Reply reply{static_cast<int>(res.result_int()), {}, res.body()};
    for (const auto& field : res) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      reply.headers[name] = std::string(field.value());
    }
    return reply;
  }

  // The Authorization header of a platform principal.
  static std::map<std::string, std::string> As(const std::string& subject, const std::string& role,
                                               const std::string& province = "44") {
    json claims = {{"sub", subject}, {"role", role}, {"exp", std::time(nullptr) + 3600}};
    if (!province.empty()) claims["province"] = province;
    return {{"Authorization", "Bearer " + auth::SignHs256(claims, kSecret)}};
  }
  static std::map<std::string, std::string> Basic(const std::string& key, const std::string& secret) {
    return {{"Authorization", "Basic " + Base64(key + ":" + secret)}};
  }
  // A statement whose actor is the platform principal `subject`.
  static json StatementBy(const std::string& subject) {
    return {{"actor", {{"objectType", "Agent"}, {"account", {{"homePage", "urn:osh-platform:principal"}, {"name", subject}}}}},
            {"verb", {{"id", "http://adlnet.gov/expapi/verbs/completed"}, {"display", {{"en-US", "completed"}}}}},
            {"object", {{"id", "https://osh.example/courses/dust"}}}};
  }
  static json Voiding(const std::string& actor_subject, const std::string& target) {
    auto s = StatementBy(actor_subject);
    s["verb"] = {{"id", "http://adlnet.gov/expapi/verbs/voided"}};
    s["object"] = {{"objectType", "StatementRef"}, {"id", target}};
    return s;
  }
  static std::string AgentParam(const std::string& subject) {
    return Encode(json({{"account", {{"homePage", "urn:osh-platform:principal"}, {"name", subject}}}}).dump());
  }

  static json Statement(const std::string& mail, const std::string& verb = "http://adlnet.gov/expapi/verbs/completed") {
    return {{"actor", {{"mbox", "mailto:" + mail}}},
            {"verb", {{"id", verb}, {"display", {{"en-US", "did"}}}}},
            {"object", {{"id", "https://osh.example/courses/dust"}}}};
  }

  store::testing::ScratchDir dir_;
  std::unique_ptr<store::Database> db_;
  StatementStore statements_;
  DocumentStore documents_{*db_};
  ClientCredentials credentials_ = *ClientCredentials::Parse("", nullptr);
  std::unique_ptr<auth::TokenVerifier> verifier_;
  std::unique_ptr<LrsHttpHandler> handler_;
  std::unique_ptr<http::HttpServer> server_;
};

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
