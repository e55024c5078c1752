#include "route_table.h"

#include <gtest/gtest.h>
#include "tests/platform_routes.h"

namespace osh::gateway {
namespace {

const RouteTable& Routes() { return testing::PlatformRoutes(); }

TEST(RouteTable, EveryAnnotatedMethodBecomesARoute) {
  // 18 registry + 15 reporting methods, each with one google.api.http rule.
  EXPECT_EQ(Routes().routes().size(), 33u);
  auto indicators = Routes().Find("GET", "/v1/reporting/indicators");
  ASSERT_NE(indicators.route, nullptr);
  EXPECT_EQ(indicators.route->grpc_path, "/osh.reporting.v1.ReportingService/GetIndicators");
}

TEST(RouteTable, TheChangeFeedsAreCollectionMethodsNotLookupsOfARecordCalledChanges) {
  auto employers = Routes().Find("GET", "/v1/employers:changes");
  ASSERT_NE(employers.route, nullptr);
  EXPECT_EQ(employers.route->method->name(), "ListEmployerChanges");
  EXPECT_FALSE(employers.route->cacheable());
  auto declarations = Routes().Find("GET", "/v1/declarations:changes");
  ASSERT_NE(declarations.route, nullptr);
  EXPECT_EQ(declarations.route->method->name(), "ListDeclarationChanges");
  auto export_route = Routes().Find("GET", "/v1/employers:export");
  ASSERT_NE(export_route.route, nullptr);
  EXPECT_EQ(export_route.route->method->name(), "ExportEmployers");
  EXPECT_TRUE(export_route.route->server_streaming);
  std::string error;
  auto supervision = RouteTable::FromServices({"osh.registry.v1.SupervisionService"}, &error);
  ASSERT_TRUE(supervision) << error;
  auto inspections = supervision->Find("GET", "/v1/inspections:changes");
  ASSERT_NE(inspections.route, nullptr);
  EXPECT_EQ(inspections.route->method->name(), "ListInspectionChanges");
  auto items = supervision->Find("GET", "/v1/rectifications:changes");
  ASSERT_NE(items.route, nullptr);
  EXPECT_EQ(items.route->method->name(), "ListRectificationChanges");
}

TEST(RouteTable, AnImportOfAResourceAndTheCancelOfAJobAreToldApartByTheirVerb) {
  auto start = Routes().Find("POST", "/v1/imports/employers");
  ASSERT_NE(start.route, nullptr);
  EXPECT_EQ(start.route->method->name(), "StartImport");
  EXPECT_EQ(start.route->body, "file");
  auto cancel = Routes().Find("POST", "/v1/imports/01a2:cancel");
  ASSERT_NE(cancel.route, nullptr);
  EXPECT_EQ(cancel.route->method->name(), "CancelImport");
  ASSERT_EQ(cancel.bindings.size(), 1u);
  EXPECT_EQ(cancel.bindings[0].second, "01a2");
  auto get = Routes().Find("GET", "/v1/imports/01a2");
  ASSERT_NE(get.route, nullptr);
  EXPECT_EQ(get.route->method->name(), "GetImport");
}

TEST(RouteTable, FindsByMethodAndPath) {
  auto m = Routes().Find("GET", "/v1/employers/e-1");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->grpc_path, "/osh.registry.v1.RegistryService/GetEmployer");
  EXPECT_EQ(m.route->service, "osh.registry.v1.RegistryService");
  ASSERT_EQ(m.bindings.size(), 1u);
  EXPECT_EQ(m.bindings[0], (std::pair<std::string, std::string>{"id", "e-1"}));

  auto transfer = Routes().Find("POST", "/v1/employers/e-1:transfer");
  ASSERT_NE(transfer.route, nullptr);
  EXPECT_EQ(transfer.route->method->name(), "TransferEmployer");
  EXPECT_EQ(transfer.route->body, "*");

  auto by_code = Routes().Find("GET", "/v1/employers:byCreditCode/91440300MA5F00000X");
  ASSERT_NE(by_code.route, nullptr);
  EXPECT_EQ(by_code.route->method->name(), "GetEmployerByCreditCode");

  auto update = Routes().Find("PATCH", "/v1/employers/e-2");
  ASSERT_NE(update.route, nullptr);
  EXPECT_EQ(update.route->body, "employer");
  EXPECT_EQ(update.bindings[0].first, "employer.id");
}

TEST(RouteTable, OccupationalDiseaseCaseReportsHaveTheirRoutes) {
  std::string error;
  auto table = RouteTable::FromServices({"osh.registry.v1.SupervisionService"}, &error);
  ASSERT_TRUE(table) << error;
  auto record = table->Find("POST", "/v1/employers/e-1/disease-cases");
  ASSERT_NE(record.route, nullptr);
  EXPECT_EQ(record.route->method->name(), "RecordDiseaseCases");
  EXPECT_EQ(record.route->body, "report");
  EXPECT_EQ(record.bindings[0], (std::pair<std::string, std::string>{"employer_id", "e-1"}));
  auto get = table->Find("GET", "/v1/disease-case-reports/r-1");
  ASSERT_NE(get.route, nullptr);
  EXPECT_EQ(get.route->method->name(), "GetDiseaseCaseReport");
  auto list = table->Find("GET", "/v1/disease-case-reports");
  ASSERT_NE(list.route, nullptr);
  EXPECT_EQ(list.route->method->name(), "ListDiseaseCaseReports");
}

TEST(RouteTable, WrongMethodListsTheAllowedOnes) {
  auto m = Routes().Find("DELETE", "/v1/employers/e-1");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed_methods, (std::vector<std::string>{"GET", "PATCH"}));
  auto none = Routes().Find("GET", "/v1/nothing-here");
  EXPECT_EQ(none.route, nullptr);
  EXPECT_TRUE(none.allowed_methods.empty());
}

TEST(RouteTable, PolicyComesFromTheProtoOption) {
  auto metrics = Routes().Find("GET", "/v1/reporting/metrics");
  ASSERT_NE(metrics.route, nullptr);
  EXPECT_TRUE(metrics.route->allow_anonymous);
  EXPECT_TRUE(metrics.route->cacheable());
  auto get = Routes().Find("GET", "/v1/employers/e-1");
  EXPECT_FALSE(get.route->allow_anonymous);
  EXPECT_EQ(get.route->cache_ttl_seconds, 60u);
  auto create = Routes().Find("POST", "/v1/employers");
  ASSERT_NE(create.route, nullptr);
  EXPECT_FALSE(create.route->cacheable());
  auto rollup = Routes().Find("GET", "/v1/reporting/rollups");
  ASSERT_NE(rollup.route, nullptr);
  EXPECT_FALSE(rollup.route->cacheable());  // rollups move with every event
}

TEST(RouteTable, UnknownServiceIsAnError) {
  std::string error;
  EXPECT_FALSE(RouteTable::FromServices({"osh.nothing.v1.Nope"}, &error));
  EXPECT_NE(error.find("osh.nothing.v1.Nope"), std::string::npos);
}

TEST(RouteTable, ResolvesNestedFieldPaths) {
  const auto* input = Routes().Find("PATCH", "/v1/employers/x").route->method->input_type();
  ASSERT_NE(ResolveFieldPath(input, "employer.id"), nullptr);
  EXPECT_EQ(ResolveFieldPath(input, "employer.id")->name(), "id");
  EXPECT_EQ(ResolveFieldPath(input, "employer.nope"), nullptr);
  EXPECT_EQ(ResolveFieldPath(input, "request_id.x"), nullptr);  // a string has no fields
}

}  // namespace
}  // namespace osh::gateway
