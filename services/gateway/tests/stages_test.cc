// Each stage of the gateway's pipeline alone (stages.h), on the platform's real routes.
#include "stages.h"

#include <gtest/gtest.h>

#include "osh/registry/v1/registry.pb.h"
#include "osh/service/test_tokens.h"
#include "platform_routes.h"

namespace osh::gateway::stages {
namespace {

using gateway::testing::PlatformRoutes;

HttpRequest Request(std::string method, std::string path, std::string query = "") {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.query = std::move(query);
  return r;
}

const std::string* HeaderOf(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return &v;
  }
  return nullptr;
}

const Route& RouteOf(const std::string& method, const std::string& path) {
  const auto* route = PlatformRoutes().Find(method, path).route;
  EXPECT_NE(route, nullptr) << method << " " << path;
  return *route;
}

TEST(PreflightStage, AnswersOptionsWithThePathsMethodsAndCorsHeadersOnlyForAnAllowedOrigin) {
  Cors cors({"https://console.example.cn"});
  auto answer = cors.Preflight(Request("OPTIONS", "/v1/employers/abc"), PlatformRoutes(), "https://console.example.cn");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 204);
  ASSERT_NE(HeaderOf(*answer, "allow"), nullptr);
  EXPECT_NE(HeaderOf(*answer, "allow")->find("GET"), std::string::npos);
  EXPECT_NE(HeaderOf(*answer, "allow")->find("PATCH"), std::string::npos);
  EXPECT_NE(HeaderOf(*answer, "access-control-allow-methods"), nullptr);

  auto foreign = cors.Preflight(Request("OPTIONS", "/v1/employers/abc"), PlatformRoutes(), "https://evil.example");
  ASSERT_TRUE(foreign);
  EXPECT_EQ(HeaderOf(*foreign, "access-control-allow-methods"), nullptr);
  EXPECT_FALSE(cors.Preflight(Request("GET", "/v1/employers/abc"), PlatformRoutes(), "https://console.example.cn"));

  HttpResponse plain;
  cors.Decorate("https://evil.example", plain);
  EXPECT_TRUE(plain.headers.empty());
  cors.Decorate("https://console.example.cn", plain);
  ASSERT_NE(HeaderOf(plain, "access-control-allow-origin"), nullptr);
  EXPECT_EQ(*HeaderOf(plain, "access-control-allow-origin"), "https://console.example.cn");
  EXPECT_TRUE(Cors({"*"}).Allows("https://anywhere.example"));
}

TEST(RouteStage, FindsTheMethodAndAnswersOpenapiUnknownPathsAndWrongMethods) {
  auto found = RouteRequest(Request("GET", "/v1/employers/e-1"), PlatformRoutes(), "{}", nullptr);
  ASSERT_FALSE(found.answer);
  ASSERT_NE(found.route, nullptr);
  EXPECT_EQ(found.route->method->name(), "GetEmployer");
  EXPECT_EQ(found.bindings.at(0).second, "e-1");

  auto openapi = RouteRequest(Request("GET", "/openapi.json"), PlatformRoutes(), "{\"openapi\":\"3.0.3\"}", nullptr);
  ASSERT_TRUE(openapi.answer);
  EXPECT_EQ(openapi.answer->status, 200);
  EXPECT_EQ(openapi.answer->body, "{\"openapi\":\"3.0.3\"}");

  auto wrong = RouteRequest(Request("DELETE", "/v1/employers/e-1"), PlatformRoutes(), "{}", nullptr);
  ASSERT_TRUE(wrong.answer);
  EXPECT_EQ(wrong.answer->status, 405);
  ASSERT_NE(HeaderOf(*wrong.answer, "allow"), nullptr);
  EXPECT_NE(HeaderOf(*wrong.answer, "allow")->find("GET"), std::string::npos);

  auto unknown = RouteRequest(Request("GET", "/v1/nothing-here"), PlatformRoutes(), "{}", nullptr);
  ASSERT_TRUE(unknown.answer);
  EXPECT_EQ(unknown.answer->status, 404);
  EXPECT_EQ(unknown.route, nullptr);
}

class AuthenticateStage : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    verifier_ = auth::TokenVerifier::Create({.hs256_secret = service::testing::kTestSecret}, &error);
    ASSERT_NE(verifier_, nullptr) << error;
  }
  Authentication Run(const std::string* authorization, bool allow_anonymous) {
    auto r = Request("GET", "/v1/employers/e-1");
    if (authorization != nullptr) r.headers.emplace_back("authorization", *authorization);
    return Authenticate(r, allow_anonymous, *verifier_, std::chrono::system_clock::now());
  }
  std::unique_ptr<auth::TokenVerifier> verifier_;
};

TEST_F(AuthenticateStage, AValidTokenGivesItsPrincipal) {
  const std::string bearer = "Bearer " + service::testing::Token("province_admin", "44", "", "inspector-7");
  auto out = Run(&bearer, false);
  ASSERT_FALSE(out.answer);
  ASSERT_TRUE(out.principal);
  EXPECT_EQ(out.principal->subject, "inspector-7");
  EXPECT_EQ(out.principal->province, "44");
}

TEST_F(AuthenticateStage, AnonymousCallsPassOnlyWhereTheRouteAllowsThem) {
  auto refused = Run(nullptr, false);
  ASSERT_TRUE(refused.answer);
  EXPECT_EQ(refused.answer->status, 401);
  ASSERT_NE(HeaderOf(*refused.answer, "www-authenticate"), nullptr);
  EXPECT_EQ(*HeaderOf(*refused.answer, "www-authenticate"), "Bearer");
  auto open = Run(nullptr, true);
  EXPECT_FALSE(open.answer);
  EXPECT_FALSE(open.principal);
}

TEST_F(AuthenticateStage, AForgedTokenIsRefusedEvenOnAnOpenRoute) {
  const std::string forged = "Bearer " + auth::SignHs256({{"sub", "x"}, {"role", "national_admin"}},
                                                         std::string(48, 'f'));
  auto out = Run(&forged, true);
  ASSERT_TRUE(out.answer);
  EXPECT_EQ(out.answer->status, 401);
  EXPECT_NE(HeaderOf(*out.answer, "www-authenticate")->find("invalid_token"), std::string::npos);
}

TEST(LimitStage, RefusesWith429AndWholeSecondsToWaitPerSubjectOrAddress) {
  core::MetricsRegistry metrics;
  std::vector<std::string> keys;
  bool allow = true;
  RateLimit limit(
      [&](std::string_view key) {
        keys.emplace_back(key);
        return cache::RateDecision{.allowed = allow,
                                   .remaining = 0,
                                   .retry_after = std::chrono::milliseconds(allow ? 0 : 1500),
                                   .from_redis = true};
      },
      metrics);
  auth::Principal p;
  p.subject = "worker-1";
  EXPECT_FALSE(limit.Check(p, "198.51.100.7"));
  allow = false;
  auto refused = limit.Check(std::nullopt, "198.51.100.7");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429);
  ASSERT_NE(HeaderOf(*refused, "retry-after"), nullptr);
  EXPECT_EQ(*HeaderOf(*refused, "retry-after"), "2");
  EXPECT_EQ(keys, (std::vector<std::string>{"sub:worker-1", "ip:198.51.100.7"}));
  EXPECT_EQ(metrics.GetCounter("osh_gateway_rate_limited_total", "", {{"limiter", "redis"}}).Value(), 1);

  RateLimit none({}, metrics);  // a deployment without a limit
  EXPECT_FALSE(none.Check(std::nullopt, "198.51.100.7"));
}

TEST(TranscodeStage, FillsTheRequestOrNamesWhatIsWrong) {
  const Route& create = RouteOf("POST", "/v1/employers");
  registry::v1::CreateEmployerRequest request;
  auto ok = Request("POST", "/v1/employers");
  ok.headers.emplace_back("content-type", "application/json; charset=utf-8");
  ok.body = R"({"name":"东莞市某五金制品有限公司"})";
  EXPECT_FALSE(Transcode(ok, create, {}, &request));
  EXPECT_EQ(request.employer().name(), "东莞市某五金制品有限公司");

  auto form = ok;
  form.headers = {{"content-type", "application/x-www-form-urlencoded"}};
  auto refused = Transcode(form, create, {}, &request);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 415);

  auto bad_json = ok;
  bad_json.body = "{\"name\":";
  auto bad = Transcode(bad_json, create, {}, &request);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);

  const Route& list = RouteOf("GET", "/v1/employers");
  registry::v1::ListEmployersRequest list_request;
  auto bad_query = Transcode(Request("GET", "/v1/employers", "pageSize=%zz"), list, {}, &list_request);
  ASSERT_TRUE(bad_query);
  EXPECT_EQ(bad_query->status, 400);
  EXPECT_NE(bad_query->body.find("query"), std::string::npos);
}

TEST(CacheStage, TheKeyBelongsToOneCallerAndOneRequest) {
  const Route& get = RouteOf("GET", "/v1/employers/e-1");
  registry::v1::GetEmployerRequest a;
  a.set_id("e-1");
  registry::v1::GetEmployerRequest b;
  b.set_id("e-2");
  auth::Principal inspector{.subject = "inspector-7", .role = auth::Role::kProvinceAdmin, .province = "44", .org = ""};
  auth::Principal other = inspector;
  other.province = "45";
  EXPECT_EQ(CacheKey(get, inspector, a), CacheKey(get, inspector, a));
  EXPECT_NE(CacheKey(get, inspector, a), CacheKey(get, inspector, b));
  EXPECT_NE(CacheKey(get, inspector, a), CacheKey(get, other, a));
  EXPECT_NE(CacheKey(get, inspector, a), CacheKey(get, std::nullopt, a));

  core::MetricsRegistry metrics;
  Cache off(nullptr, metrics);
  Cache::Ticket ticket{.key = "stale", .generation = 3};
  EXPECT_FALSE(off.Lookup(get, inspector, a, &ticket));
  EXPECT_TRUE(ticket.key.empty());
  EXPECT_STREQ(off.BackendState(get), "off");
  EXPECT_EQ(off.BackendState(RouteOf("POST", "/v1/employers")), nullptr);
}

}  // namespace
}  // namespace osh::gateway::stages
