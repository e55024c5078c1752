// Reporting over real gRPC sockets against a real SQLite file, with the
// rollups fed by three provinces' registry events.
#include <google/protobuf/util/time_util.h>

#include <set>

#include "osh/core/errors.h"
#include "osh/events/v1/training_events.pb.h"
#include "osh/service/records.h"
#include "reporting_fixture.h"

namespace osh::reporting::testing {
namespace {

using google::protobuf::util::TimeUtil;
using grpc::StatusCode;

v1::Period Year(int year) {
  v1::Period p;
  p.set_kind(v1::PERIOD_KIND_YEAR);
  p.set_year(year);
  return p;
}

std::string FirstViolationField(const grpc::Status& status) {
  auto violations = core::FieldViolationsOf(status);
  return violations.empty() ? "" : violations.front().first;
}

int64_t ValueIn(const v1::RollupRow& row, v1::Metric metric) {
  for (const auto& v : row.values()) {
    if (v.metric() == metric) return v.value();
  }
  ADD_FAILURE() << "no value of " << v1::Metric_Name(metric);
  return -1;
}

int64_t TotalIn(const v1::AnnualReport& report, v1::Metric metric) {
  for (const auto& v : report.totals()) {
    if (v.metric() == metric) return v.value();
  }
  ADD_FAILURE() << "no total of " << v1::Metric_Name(metric);
  return -1;
}

class ReportingServiceTest : public ReportingFixture {
 protected:
  v1::QueryRollupResponse Query(const v1::RollupQuery& query, const std::string& token, int page_size = 0,
                                const std::string& page_token = "") {
    v1::QueryRollupRequest req;
    *req.mutable_query() = query;
    req.set_page_size(page_size);
    req.set_page_token(page_token);
    v1::QueryRollupResponse resp;
    auto status = stub_->QueryRollup(Ctx(token).get(), req, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return resp;
  }

  grpc::Status QueryStatus(const v1::RollupQuery& query, const std::string& token, int page_size = 0) {
    v1::QueryRollupRequest req;
    *req.mutable_query() = query;
    req.set_page_size(page_size);
    v1::QueryRollupResponse resp;
    return stub_->QueryRollup(Ctx(token).get(), req, &resp);
  }

  v1::AnnualReport Generate(const std::string& province, int year, const std::string& token,
                            const std::string& request_id = "") {
    v1::GenerateAnnualReportRequest req;
    req.set_province(province);
    req.set_year(year);
    req.set_request_id(request_id);
    v1::AnnualReport report;
    auto status = stub_->GenerateAnnualReport(Ctx(token).get(), req, &report);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return report;
  }

  grpc::Status Submit(const std::string& id, const std::string& token, v1::AnnualReport* out,
                      const std::string& amendment_reason = "") {
    v1::SubmitAnnualReportRequest req;
    req.set_id(id);
    req.set_amendment_reason(amendment_reason);
    return stub_->SubmitAnnualReport(Ctx(token).get(), req, out);
  }

  v1::ReportingCompleteness Completeness(int year) {
    v1::GetReportingCompletenessRequest req;
    req.set_year(year);
    v1::ReportingCompleteness resp;
    auto status = stub_->GetReportingCompleteness(Ctx(national_).get(), req, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return resp;
  }
};

TEST_F(ReportingServiceTest, NationalQueryGroupsByProvinceInCodeOrder) {
  PlayTheYear();
  v1::RollupQuery q;
  q.add_group_by(v1::DIMENSION_PROVINCE);
  q.add_metrics(v1::METRIC_REGISTERED_EMPLOYERS);
  q.add_metrics(v1::METRIC_EXPOSED_WORKERS);
  auto resp = Query(q, national_);
  ASSERT_EQ(resp.rows_size(), 3);
  ASSERT_EQ(resp.metrics_size(), 2);
  EXPECT_EQ(resp.region_prefix(), "");
  EXPECT_EQ(resp.rows(0).region_code(), "11");
  EXPECT_EQ(resp.rows(0).region_name(), "北京市");
  EXPECT_EQ(resp.rows(1).region_code(), "32");
  EXPECT_EQ(resp.rows(2).region_code(), "44");
  EXPECT_EQ(ValueIn(resp.rows(0), v1::METRIC_REGISTERED_EMPLOYERS), 1);
  EXPECT_EQ(ValueIn(resp.rows(1), v1::METRIC_REGISTERED_EMPLOYERS), 1);
  EXPECT_EQ(ValueIn(resp.rows(2), v1::METRIC_REGISTERED_EMPLOYERS), 4);
  EXPECT_EQ(ValueIn(resp.rows(2), v1::METRIC_EXPOSED_WORKERS), 102);
  EXPECT_EQ(ValueIn(resp.rows(1), v1::METRIC_EXPOSED_WORKERS), 0);
  EXPECT_TRUE(resp.next_page_token().empty());

  // The country total, every metric as of now.
  auto total = Query(v1::RollupQuery(), national_);
  ASSERT_EQ(total.rows_size(), 1);
  EXPECT_EQ(total.metrics_size(), 49);
  EXPECT_EQ(ValueIn(total.rows(0), v1::METRIC_REGISTERED_EMPLOYERS), 6);
  EXPECT_EQ(ValueIn(total.rows(0), v1::METRIC_TRANSFERS_IN), 1);
  EXPECT_EQ(ValueIn(total.rows(0), v1::METRIC_TRANSFERS_OUT), 1);
}

TEST_F(ReportingServiceTest, DrillsDownFromCountryToProvinceToCounty) {
  PlayTheYear();
  v1::RollupQuery q;
  q.set_region_prefix("44");
  q.add_group_by(v1::DIMENSION_COUNTY);
  q.add_metrics(v1::METRIC_REGISTERED_EMPLOYERS);
  auto counties = Query(q, national_);
  ASSERT_EQ(counties.rows_size(), 3);
  EXPECT_EQ(counties.rows(0).region_code(), "440106");
  EXPECT_EQ(counties.rows(1).region_code(), "440306");
  EXPECT_EQ(counties.rows(2).region_code(), "441900");
  EXPECT_EQ(ValueIn(counties.rows(2), v1::METRIC_REGISTERED_EMPLOYERS), 2);

  // By industry within one city, then by hazard category (rows overlap).
  q.set_region_prefix("4419");
  q.clear_group_by();
  q.add_group_by(v1::DIMENSION_HAZARD_CATEGORY);
  q.add_group_by(v1::DIMENSION_INDUSTRY_SECTION);
  auto hazards = Query(q, national_);
  ASSERT_EQ(hazards.rows_size(), 2);
  EXPECT_EQ(hazards.rows(0).industry_section(), "C");
  EXPECT_EQ(hazards.rows(0).hazard_category(), common::v1::HAZARD_CATEGORY_DUST);
  EXPECT_EQ(ValueIn(hazards.rows(0), v1::METRIC_REGISTERED_EMPLOYERS), 2);
  EXPECT_EQ(hazards.rows(1).hazard_category(), common::v1::HAZARD_CATEGORY_PHYSICAL);
  EXPECT_EQ(ValueIn(hazards.rows(1), v1::METRIC_REGISTERED_EMPLOYERS), 1);
}

TEST_F(ReportingServiceTest, GroupsByPeriodIntoQuarterlyStocksAndFlows) {
  PlayTheYear();
  v1::RollupQuery q;
  *q.mutable_period() = Year(2024);
  q.set_region_prefix("32");
  q.add_group_by(v1::DIMENSION_PERIOD);
  q.set_period_granularity(v1::PERIOD_KIND_QUARTER);
  q.add_metrics(v1::METRIC_REGISTERED_EMPLOYERS);
  q.add_metrics(v1::METRIC_TRANSFERS_OUT);
  auto resp = Query(q, national_);
  ASSERT_EQ(resp.rows_size(), 4);
  std::vector<int64_t> stock, out;
  for (const auto& row : resp.rows()) {
    EXPECT_EQ(row.period().kind(), v1::PERIOD_KIND_QUARTER);
    stock.push_back(ValueIn(row, v1::METRIC_REGISTERED_EMPLOYERS));
    out.push_back(ValueIn(row, v1::METRIC_TRANSFERS_OUT));
  }
  EXPECT_EQ(resp.rows(2).period().quarter(), 3);
  EXPECT_EQ(stock, (std::vector<int64_t>{2, 2, 1, 1}));
  EXPECT_EQ(out, (std::vector<int64_t>{0, 0, 1, 0}));
}

TEST_F(ReportingServiceTest, PagesInAStableOrderWhileTheRollupsChange) {
  PlayTheYear();
  v1::RollupQuery q;
  q.add_group_by(v1::DIMENSION_COUNTY);
  q.add_group_by(v1::DIMENSION_INDUSTRY_SECTION);
  q.add_metrics(v1::METRIC_REGISTERED_EMPLOYERS);
  const auto all = Query(q, national_, 1000);
  // 110105 M, 320102 B, 440106 F, 440306 C, 441900 C; the counties D and B
  // left (320505, 440305) are zero now and left out.
  ASSERT_EQ(all.rows_size(), 5);

  std::vector<std::string> paged;
  std::string token;
  int pages = 0;
  do {
    auto page = Query(q, national_, 2, token);
    for (const auto& row : page.rows()) paged.push_back(row.region_code() + row.industry_section());
    token = page.next_page_token();
    // A new employer in a county that sorts before the position reached does not
    // shift the pages that follow.
    if (pages++ == 0) {
      SimulatedRegistry bj("11");
      Apply(bj.Register(MakeCreditCode("110101", 77), "110101", "C", 5, "2024-09-01"));
    }
  } while (!token.empty());
  std::vector<std::string> expected;
  for (const auto& row : all.rows()) expected.push_back(row.region_code() + row.industry_section());
  EXPECT_EQ(paged, expected);
  EXPECT_EQ(pages, 3);

  // A token is bound to its query.
  auto first = Query(q, national_, 2);
  v1::QueryRollupRequest other;
  *other.mutable_query() = q;
  other.mutable_query()->set_industry_section("C");
  other.set_page_token(first.next_page_token());
  v1::QueryRollupResponse resp;
  auto status = stub_->QueryRollup(Ctx(national_).get(), other, &resp);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FirstViolationField(status), "page_token");
}

TEST_F(ReportingServiceTest, ProvinceStaffReadTheirOwnProvinceOnly) {
  PlayTheYear();
  v1::RollupQuery q;
  q.add_metrics(v1::METRIC_REGISTERED_EMPLOYERS);
  auto own = Query(q, js_admin_);
  EXPECT_EQ(own.region_prefix(), "32");
  ASSERT_EQ(own.rows_size(), 1);
  EXPECT_EQ(ValueIn(own.rows(0), v1::METRIC_REGISTERED_EMPLOYERS), 1);

  q.set_region_prefix("4419");
  EXPECT_EQ(QueryStatus(q, js_admin_).error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(QueryStatus(q, gd_inspector_).ok());
  const auto employer = Token("employer", "44", world_.a, "boss");
  EXPECT_EQ(QueryStatus(q, employer).error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(QueryStatus(q, "").error_code(), StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(QueryStatus(q, "not-a-token").error_code(), StatusCode::UNAUTHENTICATED);

  v1::GetReportingCompletenessRequest completeness;
  completeness.set_year(2024);
  v1::ReportingCompleteness out;
  EXPECT_EQ(stub_->GetReportingCompleteness(Ctx(gd_admin_).get(), completeness, &out).error_code(),
            StatusCode::PERMISSION_DENIED);
}

TEST_F(ReportingServiceTest, InvalidQueriesNameTheField) {
  v1::RollupQuery q;
  q.mutable_period()->set_kind(v1::PERIOD_KIND_MONTH);
  q.mutable_period()->set_year(2024);
  q.mutable_period()->set_month(13);
  EXPECT_EQ(FirstViolationField(QueryStatus(q, national_)), "query.period.month");

  q.Clear();
  q.add_group_by(v1::DIMENSION_PROVINCE);
  q.add_group_by(v1::DIMENSION_COUNTY);
  EXPECT_EQ(FirstViolationField(QueryStatus(q, national_)), "query.group_by[1]");

  q.Clear();
  q.add_metrics(static_cast<v1::Metric>(999));
  EXPECT_EQ(FirstViolationField(QueryStatus(q, national_)), "query.metrics[0]");

  q.Clear();
  q.set_region_prefix("4");
  EXPECT_EQ(FirstViolationField(QueryStatus(q, national_)), "query.region_prefix");

  q.Clear();
  q.add_group_by(v1::DIMENSION_PERIOD);
  EXPECT_EQ(FirstViolationField(QueryStatus(q, national_)), "query.period");

  q.Clear();
  EXPECT_EQ(FirstViolationField(QueryStatus(q, national_, -1)), "page_size");

  v1::ExportRollupRequest export_request;
  v1::ExportRollupResponse exported;
  auto status = stub_->ExportRollup(Ctx(national_).get(), export_request, &exported);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FirstViolationField(status), "format");
}

TEST_F(ReportingServiceTest, ExportsTheSameQueryAsCsvAndJson) {
  PlayTheYear();
  v1::ExportRollupRequest req;
  req.mutable_query()->add_group_by(v1::DIMENSION_PROVINCE);
  req.mutable_query()->add_metrics(v1::METRIC_REGISTERED_EMPLOYERS);
  req.mutable_query()->add_metrics(v1::METRIC_WORKERS);
  req.set_format(v1::EXPORT_FORMAT_CSV);
  v1::ExportRollupResponse csv;
  auto status = stub_->ExportRollup(Ctx(national_).get(), req, &csv);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(csv.content_type(), "text/csv; charset=utf-8");
  EXPECT_EQ(csv.row_count(), 3);
  EXPECT_EQ(csv.content(),
            "region_code,region_name,registered_employers,workers\r\n"
            "11,北京市,1,40\r\n"
            "32,江苏省,1,50\r\n"
            "44,广东省,4,445\r\n");

  req.set_format(v1::EXPORT_FORMAT_JSON);
  req.mutable_query()->add_group_by(v1::DIMENSION_PERIOD);
  *req.mutable_query()->mutable_period() = Year(2024);
  req.mutable_query()->set_period_granularity(v1::PERIOD_KIND_YEAR);
  v1::ExportRollupResponse json;
  status = stub_->ExportRollup(Ctx(js_admin_).get(), req, &json);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(json.content_type(), "application/json");
  const auto parsed = nlohmann::json::parse(json.content());
  EXPECT_EQ(parsed, nlohmann::json::parse(R"([{"region_code": "32", "region_name": "江苏省", "period": "2024",
                                               "registered_employers": 1, "workers": 50}])"));
}

TEST_F(ReportingServiceTest, AnnualReportsCarryTheLiteracyLevelWhereSurveysWereRecorded) {
  PlayTheYear();
  events::v1::LiteracySurveyRecorded m;
  m.set_batch_id("gd-2024-1");
  m.set_province("44");
  m.set_threshold_percent(80);
  auto* c = m.add_counts();
  c->set_population(training::v1::POPULATION_MIGRANT_WORKERS);
  c->set_division_code("440106");
  c->set_year(2024);
  c->set_questionnaires(1000);
  c->set_reaching_threshold(526);
  m.mutable_record_time()->set_seconds(1717200000);  // 2024-06-01
  Apply(events::MakeEvent(m, "44", "training", "gd-2024-1"));

  const auto report = Generate("44", 2024, gd_admin_);
  EXPECT_EQ(TotalIn(report, v1::METRIC_LITERACY_QUESTIONNAIRES), 1000);
  ASSERT_EQ(report.indicators_size(), 7);
  const auto& literacy = report.indicators(6);
  EXPECT_EQ(literacy.indicator(), v1::INDICATOR_HEALTH_LITERACY_LEVEL);
  EXPECT_EQ(literacy.numerator(), 526);
  EXPECT_EQ(literacy.denominator(), 1000);
  EXPECT_DOUBLE_EQ(literacy.value(), 0.526);
  // Jiangsu recorded no survey: no literacy level rather than 0 %.
  const auto jiangsu = Generate("32", 2024, js_admin_).indicators(6);
  EXPECT_EQ(jiangsu.indicator(), v1::INDICATOR_HEALTH_LITERACY_LEVEL);
  EXPECT_EQ(jiangsu.denominator(), 0);
  EXPECT_FALSE(jiangsu.has_value());
}

TEST_F(ReportingServiceTest, AnnualReportsAreFrozenAndSubmittedOnTimeOrLate) {
  PlayTheYear();
  auto report = Generate("44", 2024, gd_admin_);
  EXPECT_EQ(report.status(), v1::REPORT_STATUS_DRAFT);
  EXPECT_EQ(report.province_name(), "广东省");
  EXPECT_EQ(TotalIn(report, v1::METRIC_REGISTERED_EMPLOYERS), 4);
  EXPECT_EQ(TotalIn(report, v1::METRIC_EMPLOYERS_WITH_APPROVED_DECLARATION), 3);
  EXPECT_EQ(TotalIn(report, v1::METRIC_EXPOSED_WORKERS), 102);
  EXPECT_EQ(TotalIn(report, v1::METRIC_REGISTRATIONS), 3);
  EXPECT_EQ(TotalIn(report, v1::METRIC_TRANSFERS_IN), 1);
  EXPECT_EQ(TotalIn(report, v1::METRIC_DECLARATIONS_REJECTED), 1);
  ASSERT_EQ(report.indicators_size(), 7);
  const auto& rate = report.indicators(0);
  EXPECT_EQ(rate.indicator(), v1::INDICATOR_DECLARATION_RATE);
  EXPECT_EQ(rate.numerator(), 3);
  EXPECT_EQ(rate.denominator(), 4);
  EXPECT_DOUBLE_EQ(rate.value(), 0.75);
  EXPECT_DOUBLE_EQ(rate.target(), 0.5);
  EXPECT_TRUE(rate.meets_target());
  ASSERT_EQ(report.cities_size(), 3);
  EXPECT_EQ(report.cities(2).region_code(), "4419");
  EXPECT_EQ(ValueIn(report.cities(2), v1::METRIC_WORKERS), 320);

  // Only the province's own province_admin submits.
  v1::AnnualReport submitted;
  EXPECT_EQ(Submit(report.id(), gd_inspector_, &submitted).error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Submit(report.id(), js_admin_, &submitted).error_code(), StatusCode::NOT_FOUND);
  EXPECT_EQ(Submit(report.id(), national_, &submitted).error_code(), StatusCode::PERMISSION_DENIED);

  EXPECT_EQ(Completeness(2024).not_yet_due(), 31);

  now_ = TimeAt("2024-12-15");
  ASSERT_TRUE(Submit(report.id(), gd_admin_, &submitted).ok());
  EXPECT_EQ(submitted.status(), v1::REPORT_STATUS_SUBMITTED);
  EXPECT_FALSE(submitted.submission().late());
  EXPECT_EQ(TimeUtil::ToString(submitted.submission().due_time()), "2024-12-15T16:00:00Z");
  EXPECT_EQ(submitted.submission().submitted_by().subject(), "admin44");
  EXPECT_EQ(Submit(report.id(), gd_admin_, &submitted).error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(db_->Read([&](store::Tx& tx) { return service::CountAudit(tx, report.id()); }), 2);  // generate, submit

  now_ = TimeAt("2024-12-18");
  auto jiangsu = Generate("32", 2024, js_admin_);
  EXPECT_EQ(TotalIn(jiangsu, v1::METRIC_REGISTERED_EMPLOYERS), 1);
  EXPECT_EQ(TotalIn(jiangsu, v1::METRIC_TRANSFERS_OUT), 1);
  ASSERT_TRUE(Submit(jiangsu.id(), js_admin_, &submitted).ok());
  EXPECT_TRUE(submitted.submission().late());

  now_ = TimeAt("2024-12-20");
  auto c = Completeness(2024);
  EXPECT_EQ(c.expected(), 31);
  EXPECT_EQ(c.submitted(), 2);
  EXPECT_EQ(c.on_time(), 1);
  EXPECT_EQ(c.late(), 1);
  EXPECT_EQ(c.missing(), 29);
  EXPECT_EQ(c.not_yet_due(), 0);
  EXPECT_DOUBLE_EQ(c.completeness_rate(), 2.0 / 31);
  EXPECT_DOUBLE_EQ(c.timeliness_rate(), 1.0 / 31);
  ASSERT_EQ(c.provinces_size(), 31);
  EXPECT_EQ(c.provinces(0).province(), "11");
  EXPECT_EQ(c.provinces(0).state(), v1::SUBMISSION_STATE_MISSING);
  for (const auto& p : c.provinces()) {
    if (p.province() == "44") {
      EXPECT_EQ(p.state(), v1::SUBMISSION_STATE_ON_TIME);
      EXPECT_EQ(p.report_id(), report.id());
    }
    if (p.province() == "32") {
      EXPECT_EQ(p.state(), v1::SUBMISSION_STATE_LATE);
    }
  }

  // Reads: the province's staff and national see it; to other provinces it is not there.
  v1::GetAnnualReportRequest get;
  get.set_id(report.id());
  v1::AnnualReport read;
  EXPECT_TRUE(stub_->GetAnnualReport(Ctx(national_).get(), get, &read).ok());
  EXPECT_TRUE(stub_->GetAnnualReport(Ctx(gd_inspector_).get(), get, &read).ok());
  EXPECT_EQ(stub_->GetAnnualReport(Ctx(js_admin_).get(), get, &read).error_code(), StatusCode::NOT_FOUND);
}

TEST_F(ReportingServiceTest, AnAmendmentNeedsAReasonSupersedesAndKeepsTimeliness) {
  PlayTheYear();
  auto first = Generate("44", 2024, gd_admin_);
  v1::AnnualReport out;
  auto status = Submit(first.id(), gd_admin_, &out, "nothing to amend");
  EXPECT_EQ(FirstViolationField(status), "amendment_reason");
  ASSERT_TRUE(Submit(first.id(), gd_admin_, &out).ok());

  now_ = TimeAt("2024-12-28");
  auto second = Generate("44", 2024, gd_admin_);
  status = Submit(second.id(), gd_admin_, &out);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FirstViolationField(status), "amendment_reason");
  ASSERT_TRUE(Submit(second.id(), gd_admin_, &out, "Dongguan counted a transferred employer late").ok());
  EXPECT_EQ(out.submission().supersedes_report_id(), first.id());
  EXPECT_TRUE(out.submission().late());

  v1::GetAnnualReportRequest get;
  get.set_id(first.id());
  v1::AnnualReport old;
  ASSERT_TRUE(stub_->GetAnnualReport(Ctx(gd_admin_).get(), get, &old).ok());
  EXPECT_EQ(old.status(), v1::REPORT_STATUS_SUPERSEDED);

  auto c = Completeness(2024);
  EXPECT_EQ(c.submitted(), 1);
  EXPECT_EQ(c.on_time(), 1);  // the first submission was on time
  for (const auto& p : c.provinces()) {
    if (p.province() != "44") continue;
    EXPECT_EQ(p.report_id(), second.id());
    EXPECT_EQ(p.amendments(), 1);
  }
}

TEST_F(ReportingServiceTest, ComparisonShowsWhatChangedSinceTheSnapshot) {
  PlayTheYear();
  auto report = Generate("44", 2024, gd_admin_);
  v1::CompareReportWithLiveRequest req;
  req.set_id(report.id());
  v1::ReportComparison same;
  ASSERT_TRUE(stub_->CompareReportWithLive(Ctx(gd_admin_).get(), req, &same).ok());
  EXPECT_FALSE(same.changed());
  EXPECT_EQ(same.city_differences_size(), 0);

  // A late registration in Guangzhou, dated within the year.
  Apply(world_.gd.Register(MakeCreditCode("440106", 90), "440106", "C", 60, "2024-11-20"));
  v1::ReportComparison diff;
  ASSERT_TRUE(stub_->CompareReportWithLive(Ctx(national_).get(), req, &diff).ok());
  EXPECT_TRUE(diff.changed());
  for (const auto& t : diff.totals()) {
    const int64_t expected = t.metric() == v1::METRIC_REGISTERED_EMPLOYERS || t.metric() == v1::METRIC_REGISTRATIONS ? 1
                             : t.metric() == v1::METRIC_WORKERS                                                    ? 60
                                                                                                                   : 0;
    EXPECT_EQ(t.difference(), expected) << v1::Metric_Name(t.metric());
  }
  v1::GetAnnualReportRequest get;
  get.set_id(report.id());
  v1::AnnualReport frozen;
  ASSERT_TRUE(stub_->GetAnnualReport(Ctx(gd_admin_).get(), get, &frozen).ok());
  EXPECT_EQ(TotalIn(frozen, v1::METRIC_REGISTERED_EMPLOYERS), 4);
  ASSERT_EQ(diff.indicators_size(), 7);
  EXPECT_DOUBLE_EQ(diff.indicators(0).snapshot(), 0.75);
  EXPECT_DOUBLE_EQ(diff.indicators(0).live(), 0.6);
  ASSERT_EQ(diff.city_differences_size(), 1);
  EXPECT_EQ(diff.city_differences(0).region_code(), "4401");
  EXPECT_EQ(ValueIn(diff.city_differences(0), v1::METRIC_WORKERS), 60);

  v1::ReportComparison denied;  // another province's report is not there for it
  EXPECT_EQ(stub_->CompareReportWithLive(Ctx(js_admin_).get(), req, &denied).error_code(), StatusCode::NOT_FOUND);
}

TEST_F(ReportingServiceTest, GenerateIsIdempotentAndRefusesWhatItCannotDo) {
  PlayTheYear();
  auto first = Generate("44", 2024, gd_admin_, "gen-1");
  auto again = Generate("44", 2024, gd_admin_, "gen-1");
  EXPECT_EQ(first.id(), again.id());

  v1::GenerateAnnualReportRequest req;
  req.set_province("44");
  req.set_year(2023);
  req.set_request_id("gen-1");
  v1::AnnualReport out;
  auto status = stub_->GenerateAnnualReport(Ctx(gd_admin_).get(), req, &out);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("request_id"), std::string::npos);

  req.set_province("32");
  req.set_year(2024);
  req.set_request_id("");
  EXPECT_EQ(stub_->GenerateAnnualReport(Ctx(gd_admin_).get(), req, &out).error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->GenerateAnnualReport(Ctx(national_).get(), req, &out).error_code(), StatusCode::PERMISSION_DENIED);
  req.set_year(2025);
  EXPECT_EQ(FirstViolationField(stub_->GenerateAnnualReport(Ctx(js_admin_).get(), req, &out)), "year");
  req.set_year(2024);
  req.set_province("81");
  EXPECT_EQ(FirstViolationField(stub_->GenerateAnnualReport(Ctx(js_admin_).get(), req, &out)), "province");
}

TEST_F(ReportingServiceTest, ListsReportsNewestFirstWithinTheCallersScope) {
  PlayTheYear();
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    now_ += std::chrono::minutes(1);
    ids.push_back(Generate("44", 2024, gd_admin_).id());
  }
  Generate("32", 2024, js_admin_);

  std::vector<std::string> listed;
  std::string token;
  do {
    v1::ListAnnualReportsRequest req;
    req.set_page_size(2);
    req.set_page_token(token);
    v1::ListAnnualReportsResponse resp;
    ASSERT_TRUE(stub_->ListAnnualReports(Ctx(gd_inspector_).get(), req, &resp).ok());
    for (const auto& r : resp.reports()) listed.push_back(r.id());
    token = resp.next_page_token();
  } while (!token.empty());
  EXPECT_EQ(listed, (std::vector<std::string>{ids[2], ids[1], ids[0]}));

  v1::ListAnnualReportsRequest all;
  v1::ListAnnualReportsResponse everything;
  ASSERT_TRUE(stub_->ListAnnualReports(Ctx(national_).get(), all, &everything).ok());
  EXPECT_EQ(everything.reports_size(), 4);
  all.set_province("44");
  EXPECT_EQ(stub_->ListAnnualReports(Ctx(js_admin_).get(), all, &everything).error_code(),
            StatusCode::PERMISSION_DENIED);
}

TEST_F(ReportingServiceTest, ListsTheMetricCatalogue) {
  v1::ListMetricsResponse resp;
  ASSERT_TRUE(stub_->ListMetrics(Ctx(gd_inspector_).get(), v1::ListMetricsRequest(), &resp).ok());
  ASSERT_EQ(resp.metrics_size(), 49);
  EXPECT_EQ(resp.metrics(0).name(), "registered_employers");
  EXPECT_EQ(resp.metrics(11).name(), "literacy_reaching_threshold");
  EXPECT_EQ(resp.metrics(48).name(), "disease_cases_other");
  EXPECT_EQ(resp.metrics(0).kind(), v1::METRIC_KIND_STOCK);
  EXPECT_EQ(resp.metrics(4).metric(), v1::METRIC_REGISTRATIONS);
  EXPECT_EQ(resp.metrics(4).kind(), v1::METRIC_KIND_FLOW);
}

TEST_F(ReportingServiceTest, TheMetricCatalogueIsPublicButOtherCallsAreNot) {
  v1::ListMetricsResponse resp;
  grpc::ClientContext anonymous;
  ASSERT_TRUE(stub_->ListMetrics(&anonymous, v1::ListMetricsRequest(), &resp).ok());
  EXPECT_EQ(resp.metrics_size(), 49);
  grpc::ClientContext forged;
  forged.AddMetadata("authorization", "Bearer not.a.token");
  EXPECT_EQ(stub_->ListMetrics(&forged, v1::ListMetricsRequest(), &resp).error_code(), StatusCode::UNAUTHENTICATED);
  grpc::ClientContext anonymous_query;
  v1::QueryRollupResponse rollup;
  EXPECT_EQ(stub_->QueryRollup(&anonymous_query, v1::QueryRollupRequest(), &rollup).error_code(),
            StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace osh::reporting::testing
