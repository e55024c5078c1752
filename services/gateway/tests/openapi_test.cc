#include "openapi.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/platform_routes.h"

namespace osh::gateway {
namespace {

nlohmann::json Document() {
  return nlohmann::json::parse(BuildOpenApi(testing::PlatformRoutes(), OpenApiInfo{}));
}

TEST(OpenApi, DescribesEveryRouteWithItsParameters) {
  const auto doc = Document();
  EXPECT_EQ(doc["openapi"], "3.0.3");
  const auto& get = doc["paths"]["/v1/employers/{id}"]["get"];
  EXPECT_EQ(get["operationId"], "GetEmployer");
  // The id in the path; reveal_personal_data and purpose in the query.
  ASSERT_EQ(get["parameters"].size(), 3u);
  EXPECT_EQ(get["parameters"][0]["in"], "path");
  EXPECT_EQ(get["parameters"][1]["in"], "query");
  EXPECT_TRUE(doc["paths"]["/v1/audit/personal-data-reads"].contains("get"));
  EXPECT_EQ(get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/osh.registry.v1.Employer");
  // One OpenAPI path per URL shape: PATCH {employer.id} joins GET {id}, its
  // parameter named as the path names it, its field path kept beside.
  EXPECT_FALSE(doc["paths"].contains("/v1/employers/{employer_id}"));
  const auto& patch = doc["paths"]["/v1/employers/{id}"]["patch"];
  EXPECT_EQ(patch["parameters"][0]["name"], "id");
  EXPECT_EQ(patch["parameters"][0]["x-osh-field-path"], "employer.id");
  // The transfer verb is its own path.
  EXPECT_TRUE(doc["paths"]["/v1/employers/{id}:transfer"].contains("post"));

  const auto& list = doc["paths"]["/v1/employers"]["get"];
  std::vector<std::string> names;
  for (const auto& p : list["parameters"]) names.push_back(p["name"]);
  EXPECT_NE(std::find(names.begin(), names.end(), "page_size"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "size_class"), names.end());
  const auto& create = doc["paths"]["/v1/employers"]["post"];
  EXPECT_EQ(create["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/osh.registry.v1.Employer");
  ASSERT_EQ(create["parameters"].size(), 1u);
  EXPECT_EQ(create["parameters"][0]["name"], "request_id");
}

TEST(OpenApi, SchemasFollowTheProtobufJsonMapping) {
  const auto doc = Document();
  const auto& employer = doc["components"]["schemas"]["osh.registry.v1.Employer"]["properties"];
  EXPECT_TRUE(employer.contains("creditCode"));
  EXPECT_FALSE(employer.contains("credit_code"));
  EXPECT_EQ(employer["version"]["type"], "string");  // int64
  EXPECT_EQ(employer["createTime"]["format"], "date-time");
  EXPECT_EQ(employer["status"]["type"], "string");
  EXPECT_GT(employer["status"]["enum"].size(), 1u);
}

TEST(OpenApi, AnonymousRoutesMakeTheTokenOptional) {
  const auto doc = Document();
  EXPECT_EQ(doc["paths"]["/v1/reporting/metrics"]["get"]["security"].size(), 2u);
  EXPECT_FALSE(doc["paths"]["/v1/employers/{id}"]["get"].contains("security"));  // the global bearer applies
  EXPECT_EQ(doc["security"][0].begin().key(), "bearer");
}

}  // namespace
}  // namespace osh::gateway

namespace osh::gateway {
namespace {

TEST(OpenApiDownloads, AFileRouteDocumentsBytesOfAnyMediaType) {
  const auto doc = nlohmann::json::parse(BuildOpenApi(testing::PlatformRoutes(), OpenApiInfo{}));
  const auto& ok = doc["paths"]["/v1/reporting/annual-reports/{id}:download"]["get"]["responses"]["200"]["content"];
  ASSERT_TRUE(ok.contains("*/*")) << ok.dump();
  EXPECT_EQ(ok["*/*"]["schema"]["format"], "binary");
  EXPECT_FALSE(ok.contains("application/json"));
}

}  // namespace
}  // namespace osh::gateway
