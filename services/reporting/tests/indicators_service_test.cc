// GetIndicators and the annual report's indicators over real gRPC sockets and
// a real SQLite file, the rollups fed by the three provinces' registry events
// and Guangdong's supervision facts (figures in simulated_supervision.h).
#include "osh/core/errors.h"
#include "reporting_fixture.h"
#include "simulated_supervision.h"

namespace osh::reporting::testing {
namespace {

using grpc::StatusCode;

std::vector<std::string> ViolationFields(const grpc::Status& status) {
  std::vector<std::string> fields;
  for (const auto& [field, description] : core::FieldViolationsOf(status)) fields.push_back(field);
  return fields;
}

const v1::IndicatorValue& Of(const v1::IndicatorRow& row, v1::Indicator indicator) {
  for (const auto& v : row.indicators()) {
    if (v.indicator() == indicator) return v;
  }
  throw std::runtime_error("no " + v1::Indicator_Name(indicator));
}

class IndicatorsServiceTest : public ReportingFixture {
 protected:
  void SetUp() override {
    ReportingFixture::SetUp();
    PlayTheYear();
    PlayGuangdongSupervision(world_, [this](const events::Event& e) { Apply(e); });
  }

  grpc::Status Get(const v1::GetIndicatorsRequest& req, const std::string& token, v1::GetIndicatorsResponse* resp) {
    return stub_->GetIndicators(Ctx(token).get(), req, resp);
  }

  v1::GetIndicatorsResponse GetOk(const v1::GetIndicatorsRequest& req, const std::string& token) {
    v1::GetIndicatorsResponse resp;
    auto status = Get(req, token, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return resp;
  }
};

TEST_F(IndicatorsServiceTest, TheNationSeesEveryProvinceWithAllSevenIndicatorsAndTheirChange) {
  v1::GetIndicatorsRequest req;
  req.set_year(2024);
  req.set_group_by(v1::INDICATOR_GROUPING_REGION);
  const auto resp = GetOk(req, national_);
  ASSERT_EQ(resp.rows_size(), 3);
  EXPECT_EQ(resp.rows(0).region_code(), "11");
  EXPECT_EQ(resp.rows(1).region_code(), "32");
  EXPECT_EQ(resp.rows(2).region_code(), "44");
  EXPECT_EQ(resp.rows(2).region_name(), "广东省");
  EXPECT_TRUE(resp.next_page_token().empty());
  const auto& gd = resp.rows(2);
  ASSERT_EQ(gd.indicators_size(), 7);
  EXPECT_EQ(Of(gd, v1::INDICATOR_MONITORING_PASS_RATE).numerator(), 17);
  EXPECT_EQ(Of(gd, v1::INDICATOR_MONITORING_PASS_RATE).denominator(), 20);
  EXPECT_NEAR(Of(gd, v1::INDICATOR_MONITORING_PASS_RATE).change(), -0.15, 1e-12);
  EXPECT_EQ(Of(gd, v1::INDICATOR_HEALTH_EXAM_RATE).numerator(), 82);
  EXPECT_EQ(Of(gd, v1::INDICATOR_WRITTEN_NOTICE_RATE).numerator(), 80);
  EXPECT_EQ(Of(gd, v1::INDICATOR_TRAINING_RATE).denominator(), 6);
  EXPECT_DOUBLE_EQ(Of(gd, v1::INDICATOR_RECTIFICATION_CLOSURE_RATE).value(), 0.5);
  EXPECT_DOUBLE_EQ(Of(gd, v1::INDICATOR_HEALTH_LITERACY_LEVEL).value(), 0.526);
  const auto& rate = Of(gd, v1::INDICATOR_DECLARATION_RATE);
  EXPECT_DOUBLE_EQ(rate.value(), 0.75);
  EXPECT_DOUBLE_EQ(rate.target(), 0.5);  // the fixture's configured target
  EXPECT_TRUE(rate.meets_target());
  EXPECT_EQ(gd.disease_cases(0).value(), 4);
  // Jiangsu: E declared but not approved, D transferred out: 0 of 1.
  EXPECT_EQ(Of(resp.rows(1), v1::INDICATOR_DECLARATION_RATE).numerator(), 0);
  EXPECT_EQ(Of(resp.rows(1), v1::INDICATOR_DECLARATION_RATE).denominator(), 1);
  EXPECT_FALSE(Of(resp.rows(1), v1::INDICATOR_MONITORING_PASS_RATE).has_value());
}

TEST_F(IndicatorsServiceTest, ProvinceStaffReadTheirProvinceByCityAndPageThroughYears) {
  v1::GetIndicatorsRequest req;
  req.set_first_year(2023);
  req.set_last_year(2024);
  req.set_group_by(v1::INDICATOR_GROUPING_REGION_AND_YEAR);
  req.set_page_size(2);
  auto page = GetOk(req, gd_inspector_);
  EXPECT_EQ(page.region_prefix(), "44");
  std::vector<std::string> seen;
  for (int pages = 0;; ++pages) {
    ASSERT_LT(pages, 10);
    for (const auto& row : page.rows()) seen.push_back(row.region_code() + "/" + std::to_string(row.first_year()));
    if (page.next_page_token().empty()) break;
    req.set_page_token(page.next_page_token());
    page = GetOk(req, gd_inspector_);
  }
  // Guangzhou (C, literacy), Shenzhen (B), Dongguan (A, D); 2023 rows where
  // 2023 or 2022 had figures: Guangzhou's survey, Dongguan's test, exams, R0, K0.
  EXPECT_EQ(seen, (std::vector<std::string>{"4401/2023", "4401/2024", "4403/2024", "4419/2023", "4419/2024"}));

  // Another province's figures are not theirs to read.
  v1::GetIndicatorsRequest other;
  other.set_year(2024);
  other.set_region_prefix("32");
  v1::GetIndicatorsResponse denied;
  EXPECT_EQ(Get(other, gd_admin_, &denied).error_code(), StatusCode::PERMISSION_DENIED);
  // A page token is bound to its query: not valid with other filters.
  req.clear_page_token();
  const auto first = GetOk(req, gd_admin_);
  ASSERT_FALSE(first.next_page_token().empty());
  other.set_region_prefix("44");
  other.set_year(2023);
  other.set_page_token(first.next_page_token());
  EXPECT_EQ(ViolationFields(Get(other, gd_admin_, &denied)), (std::vector<std::string>{"page_token"}));
}

TEST_F(IndicatorsServiceTest, BadInputIsRefusedNamingEachField) {
  const auto refused = [&](const std::function<void(v1::GetIndicatorsRequest&)>& edit,
                           const std::vector<std::string>& fields) {
    v1::GetIndicatorsRequest req;
    req.set_year(2024);
    edit(req);
    v1::GetIndicatorsResponse resp;
    const auto status = Get(req, national_, &resp);
    EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << status.error_message();
    EXPECT_EQ(ViolationFields(status), fields) << status.error_message();
  };
  refused([](auto& r) { r.set_region_prefix("4"); }, {"region_prefix"});
  refused([](auto& r) { r.set_region_prefix("990000"); }, {"region_prefix"});
  refused([](auto& r) { r.set_year(1999); }, {"year"});
  refused([](auto& r) { r.set_year(0); }, {"year"});
  refused([](auto& r) { r.set_first_year(2020); }, {"first_year"});
  refused([](auto& r) { r.set_last_year(2024); }, {"last_year"});
  refused([](auto& r) { r.set_year(0), r.set_first_year(2024), r.set_last_year(2023); }, {"last_year"});
  refused([](auto& r) { r.set_year(0), r.set_first_year(2000), r.set_last_year(2024); }, {"last_year"});
  refused([](auto& r) { r.set_year(0), r.set_first_year(1990), r.set_last_year(2024); }, {"first_year"});
  refused([](auto& r) { r.set_year(0), r.set_first_year(2024), r.set_last_year(3000); }, {"last_year"});
  refused([](auto& r) { r.set_industry_section("Z"); }, {"industry_section"});
  refused([](auto& r) { r.set_hazard_category(static_cast<common::v1::HazardCategory>(9)); }, {"hazard_category"});
  refused([](auto& r) { r.set_group_by(static_cast<v1::IndicatorGrouping>(7)); }, {"group_by"});
  refused([](auto& r) { r.set_page_size(-1); }, {"page_size"});
  refused([](auto& r) { r.set_page_token("garbage"); }, {"page_token"});

  v1::GetIndicatorsRequest anonymous_req;
  anonymous_req.set_year(2024);
  v1::GetIndicatorsResponse resp;
  grpc::ClientContext anonymous;
  EXPECT_EQ(stub_->GetIndicators(&anonymous, anonymous_req, &resp).error_code(), StatusCode::UNAUTHENTICATED);
}

TEST_F(IndicatorsServiceTest, TheAnnualReportCarriesAllSevenWithTheYearBefore) {
  v1::GenerateAnnualReportRequest req;
  req.set_province("44");
  req.set_year(2024);
  req.set_request_id("gen-44-2024");
  v1::AnnualReport report;
  ASSERT_TRUE(stub_->GenerateAnnualReport(Ctx(gd_admin_).get(), req, &report).ok());
  ASSERT_EQ(report.indicators_size(), 7);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(report.indicators(i).indicator(), static_cast<v1::Indicator>(i + 1));
  EXPECT_EQ(report.indicators(1).numerator(), 17);
  EXPECT_EQ(report.indicators(1).previous_denominator(), 5);
  EXPECT_DOUBLE_EQ(report.indicators(2).value(), 82.0 / 92.0);
  EXPECT_DOUBLE_EQ(report.indicators(2).previous_value(), 0.8);
  EXPECT_DOUBLE_EQ(report.indicators(3).value(), 80.0 / 92.0);
  EXPECT_DOUBLE_EQ(report.indicators(4).value(), 2.0 / 6.0);
  EXPECT_DOUBLE_EQ(report.indicators(5).value(), 0.5);
  EXPECT_DOUBLE_EQ(report.indicators(5).change(), -0.5);
  EXPECT_DOUBLE_EQ(report.indicators(6).value(), 0.526);
  // New disease cases by category are among the totals.
  int64_t cases = -1, other = -1;
  for (const auto& t : report.totals()) {
    if (t.metric() == v1::METRIC_DISEASE_CASES) cases = t.value();
    if (t.metric() == v1::METRIC_DISEASE_CASES_OTHER) other = t.value();
  }
  EXPECT_EQ(cases, 4);
  EXPECT_EQ(other, 1);
}

}  // namespace
}  // namespace osh::reporting::testing
