// Lineage of rollup cells and downloads as files, over real gRPC sockets and a
// real SQLite file fed by three provinces' registry events.
#include <random>
#include <set>

#include "osh/core/errors.h"
#include "osh/events/v1/training_events.pb.h"
#include "rollup_metrics.h"
#include "reporting_fixture.h"
#include "simulated_supervision.h"

namespace osh::reporting::testing {
namespace {

using grpc::StatusCode;

std::string FirstViolationField(const grpc::Status& status) {
  auto violations = core::FieldViolationsOf(status);
  return violations.empty() ? "" : violations.front().first;
}

class LineageTest : public ReportingFixture {
 protected:
  struct Traced {
    grpc::Status status;
    int64_t cell_value = 0;
    int64_t traced_total = 0;
    int contributor_count = 0;
    std::vector<v1::CellContributor> contributors;
  };

  // Every page of one cell's trace.
  Traced Trace(v1::TraceRollupCellRequest req, const std::string& token, int page_size) {
    Traced t;
    req.set_page_size(page_size);
    for (int pages = 0; pages < 1000; ++pages) {
      v1::TraceRollupCellResponse resp;
      t.status = stub_->TraceRollupCell(Ctx(token).get(), req, &resp);
      if (!t.status.ok()) return t;
      t.cell_value = resp.cell_value();
      t.traced_total = resp.traced_total();
      t.contributor_count = resp.contributor_count();
      EXPECT_LE(resp.contributors_size(), page_size);
      for (const auto& c : resp.contributors()) t.contributors.push_back(c);
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    return t;
  }

  static v1::TraceRollupCellRequest Cell(v1::Metric metric, const std::string& region) {
    v1::TraceRollupCellRequest req;
    req.set_metric(metric);
    req.set_region_code(region);
    return req;
  }
};

TEST_F(LineageTest, RandomCellsTraceToExactlyTheirValue) {
  PlayTheYear();
  // Supervision facts (tests, exams, visits, disease cases, rectifications):
  // the figures behind the seven indicators trace to their employers too.
  PlayGuangdongSupervision(world_, [this](const events::Event& e) { Apply(e); });
  // Literacy batches too: figures that belong to no employer.
  events::v1::LiteracySurveyRecorded survey;
  survey.set_batch_id("batch-1");
  auto* counts = survey.add_counts();
  counts->set_division_code("440305");
  counts->set_year(2024);
  counts->set_questionnaires(40);
  counts->set_reaching_threshold(25);
  survey.set_province("44");
  *survey.mutable_record_time() = At("2024-06-01");
  Apply(events::MakeEvent(survey, "44", "training", "batch-1", TimeAt("2024-06-01")));

  const std::vector<std::string> regions = {"", "44", "4419", "441900", "4403", "440305", "440306", "4401",
                                            "32", "3205", "320102", "11", "1101", "110105", "45"};
  // Weighted towards where the figures are, so most cells drawn are not empty.
  const std::vector<std::string> sections = {"", "", "", "C", "C", "F", "B", "M"};
  const std::vector<int> hazards = {0, 0, 0, 1, 3, 4};
  std::mt19937 random(20241201);
  const auto pick = [&random](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(random); };
  int non_zero = 0;
  for (int i = 0; i < 1000; ++i) {
    const auto& spec = AllMetrics()[pick(AllMetrics().size())];
    auto req = Cell(spec.metric, regions[pick(regions.size())]);
    req.set_industry_section(sections[pick(sections.size())]);
    req.set_hazard_category(static_cast<osh::common::v1::HazardCategory>(hazards[pick(hazards.size())]));
    switch (pick(5)) {
      case 0:
        break;  // as of now
      case 1:
      case 4:
        req.mutable_period()->set_kind(v1::PERIOD_KIND_YEAR);
        req.mutable_period()->set_year(2024);
        break;
      case 2:
        req.mutable_period()->set_kind(v1::PERIOD_KIND_QUARTER);
        req.mutable_period()->set_year(2024);
        req.mutable_period()->set_quarter(static_cast<int>(1 + pick(4)));
        break;
      default:
        req.mutable_period()->set_kind(v1::PERIOD_KIND_MONTH);
        req.mutable_period()->set_year(2024);
        req.mutable_period()->set_month(static_cast<int>(1 + pick(12)));
    }
    const auto t = Trace(req, national_, 1 + static_cast<int>(pick(3)));
    ASSERT_TRUE(t.status.ok()) << t.status.error_message();
    int64_t sum = 0;
    std::set<std::string> seen;
    for (const auto& c : t.contributors) {
      sum += c.contribution();
      EXPECT_NE(c.contribution(), 0);
      EXPECT_TRUE(seen.insert(c.credit_code()).second) << "contributor twice across pages: " << c.credit_code();
      EXPECT_GT(c.event_count(), 0);
      EXPECT_EQ(c.event_ids_size(), c.event_count());
    }
    EXPECT_EQ(sum, t.cell_value) << req.ShortDebugString();
    EXPECT_EQ(t.traced_total, t.cell_value) << req.ShortDebugString();
    EXPECT_EQ(t.contributor_count, static_cast<int>(t.contributors.size()));
    if (t.cell_value != 0) ++non_zero;
  }
  EXPECT_GT(non_zero, 60) << "too few non-empty cells to mean anything";
}

TEST_F(LineageTest, AnIndicatorsSupervisionFiguresTraceToTheEmployersWhoseFactsMovedThem) {
  PlayTheYear();
  PlayGuangdongSupervision(world_, [this](const events::Event& e) { Apply(e); });
  for (const auto metric : {v1::METRIC_HAZARD_TESTS, v1::METRIC_HAZARD_POINTS_TESTED, v1::METRIC_EXAMS_EXAMINED,
                            v1::METRIC_RECTIFICATIONS_OPENED, v1::METRIC_RECTIFICATIONS_CLOSED,
                            v1::METRIC_DISEASE_CASES, v1::METRIC_ASSISTANCE_ISSUES_FOUND}) {
    auto req = Cell(metric, "44");
    req.mutable_period()->set_kind(v1::PERIOD_KIND_YEAR);
    req.mutable_period()->set_year(2024);
    const auto t = Trace(req, national_, 5);
    ASSERT_TRUE(t.status.ok()) << t.status.error_message();
    EXPECT_GT(t.cell_value, 0) << v1::Metric_Name(metric);
    EXPECT_EQ(t.traced_total, t.cell_value) << v1::Metric_Name(metric);
    for (const auto& c : t.contributors) {
      EXPECT_FALSE(c.credit_code().empty()) << v1::Metric_Name(metric);
      EXPECT_GT(c.event_count(), 0);
    }
  }
}

TEST_F(LineageTest, TraceNamesTheEmployersAndTheEventsThatMovedTheCell) {
  PlayTheYear();
  // Exposed workers in Dongguan (441900) now: A's second approval (40) and D,
  // transferred in from Jiangsu with its approved D1 (50).
  const auto t = Trace(Cell(v1::METRIC_EXPOSED_WORKERS, "441900"), national_, 10);
  ASSERT_TRUE(t.status.ok()) << t.status.error_message();
  EXPECT_EQ(t.cell_value, 90);
  ASSERT_EQ(t.contributors.size(), 2u);
  std::map<std::string, v1::CellContributor> by_code;
  for (const auto& c : t.contributors) by_code[c.credit_code()] = c;
  ThreeProvinces names;
  ASSERT_TRUE(by_code.contains(names.a));
  ASSERT_TRUE(by_code.contains(names.d));
  EXPECT_EQ(by_code[names.a].contribution(), 40);
  EXPECT_EQ(by_code[names.a].employer_name(), "employer " + names.a);
  EXPECT_EQ(by_code[names.d].contribution(), 50);
  // A moved the cell at its first approval (+38) and its second (+2).
  EXPECT_EQ(by_code[names.a].event_count(), 2);

  // Jiangsu's side of the transfer: D's 50 left 320505 in August, so the
  // cell there is 0 now and nobody contributes to it.
  const auto js = Trace(Cell(v1::METRIC_EXPOSED_WORKERS, "320505"), national_, 10);
  EXPECT_EQ(js.cell_value, 0);
  EXPECT_TRUE(js.contributors.empty());

  // A national figure down to its employers: every registered employer of the country.
  const auto country = Trace(Cell(v1::METRIC_REGISTERED_EMPLOYERS, ""), national_, 4);
  EXPECT_EQ(country.cell_value, 6);
  EXPECT_EQ(country.contributors.size(), 6u);
  // Province staff without a region trace their own province.
  const auto own = Trace(Cell(v1::METRIC_REGISTERED_EMPLOYERS, ""), gd_inspector_, 10);
  EXPECT_EQ(own.cell_value, 4);
  EXPECT_EQ(own.contributors.size(), 4u);

  // Province staff trace their own province only.
  EXPECT_TRUE(Trace(Cell(v1::METRIC_EXPOSED_WORKERS, "4419"), gd_inspector_, 10).status.ok());
  EXPECT_EQ(Trace(Cell(v1::METRIC_EXPOSED_WORKERS, "32"), gd_inspector_, 10).status.error_code(),
            StatusCode::PERMISSION_DENIED);
}

TEST_F(LineageTest, BadTraceInputNamesTheField) {
  v1::TraceRollupCellResponse resp;
  const auto field_of = [&](const v1::TraceRollupCellRequest& req) {
    return FirstViolationField(stub_->TraceRollupCell(Ctx(national_).get(), req, &resp));
  };
  EXPECT_EQ(field_of(Cell(v1::METRIC_UNSPECIFIED, "44")), "metric");
  EXPECT_EQ(field_of(Cell(static_cast<v1::Metric>(9999), "44")), "metric");
  EXPECT_EQ(field_of(Cell(v1::METRIC_WORKERS, "4")), "region_code");
  EXPECT_EQ(field_of(Cell(v1::METRIC_WORKERS, "99")), "region_code");
  auto req = Cell(v1::METRIC_WORKERS, "44");
  req.set_industry_section("Z");
  EXPECT_EQ(field_of(req), "industry_section");
  req = Cell(v1::METRIC_WORKERS, "44");
  req.set_hazard_category(static_cast<osh::common::v1::HazardCategory>(99));
  EXPECT_EQ(field_of(req), "hazard_category");
  req = Cell(v1::METRIC_WORKERS, "44");
  req.mutable_period()->set_kind(v1::PERIOD_KIND_MONTH);
  req.mutable_period()->set_year(2024);
  req.mutable_period()->set_month(13);
  EXPECT_EQ(field_of(req).rfind("period", 0), 0u);
  req = Cell(v1::METRIC_WORKERS, "44");
  req.set_page_size(-1);
  EXPECT_EQ(field_of(req), "page_size");
  req = Cell(v1::METRIC_WORKERS, "44");
  req.set_page_token("not-a-token");
  EXPECT_EQ(field_of(req), "page_token");
}

// ---- downloads ----

TEST_F(LineageTest, DownloadsAreFilesWithTheirTypeAndName) {
  PlayTheYear();
  v1::ExportRollupRequest req;
  req.mutable_query()->mutable_period()->set_kind(v1::PERIOD_KIND_YEAR);
  req.mutable_query()->mutable_period()->set_year(2024);
  req.mutable_query()->add_group_by(v1::DIMENSION_PROVINCE);
  req.mutable_query()->add_metrics(v1::METRIC_REGISTERED_EMPLOYERS);
  req.set_format(v1::EXPORT_FORMAT_CSV);
  google::api::HttpBody file;
  auto ctx = Ctx(national_);
  auto status = stub_->DownloadRollup(ctx.get(), req, &file);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(file.content_type(), "text/csv; charset=utf-8");
  EXPECT_EQ(file.data(), "region_code,region_name,registered_employers\r\n11,北京市,1\r\n32,江苏省,1\r\n44,广东省,4\r\n");
  const auto& metadata = ctx->GetServerInitialMetadata();
  auto d = metadata.find("content-disposition");
  ASSERT_NE(d, metadata.end());
  EXPECT_EQ(std::string(d->second.data(), d->second.size()), "attachment; filename=\"osh-rollup-national-2024.csv\"");
  // The old JSON-wrapped call answers the same bytes.
  v1::ExportRollupResponse wrapped;
  ASSERT_TRUE(stub_->ExportRollup(Ctx(national_).get(), req, &wrapped).ok());
  EXPECT_EQ(wrapped.content(), file.data());
  req.set_format(v1::EXPORT_FORMAT_HTML);
  EXPECT_EQ(FirstViolationField(stub_->DownloadRollup(Ctx(national_).get(), req, &file)), "format");

  v1::GenerateAnnualReportRequest gen;
  gen.set_province("44");
  gen.set_year(2024);
  v1::AnnualReport report;
  ASSERT_TRUE(stub_->GenerateAnnualReport(Ctx(gd_admin_).get(), gen, &report).ok());
  v1::DownloadAnnualReportRequest dl;
  dl.set_id(report.id());
  dl.set_format(v1::EXPORT_FORMAT_HTML);
  auto html_ctx = Ctx(gd_inspector_);
  ASSERT_TRUE(stub_->DownloadAnnualReport(html_ctx.get(), dl, &file).ok());
  EXPECT_EQ(file.content_type(), "text/html; charset=utf-8");
  EXPECT_EQ(file.data().rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(file.data().find("广东省 2024"), std::string::npos);
  EXPECT_NE(file.data().find("<td>registered_employers</td><td class=n>4</td>"), std::string::npos);
  d = html_ctx->GetServerInitialMetadata().find("content-disposition");
  ASSERT_NE(d, html_ctx->GetServerInitialMetadata().end());
  EXPECT_EQ(std::string(d->second.data(), d->second.size()),
            "attachment; filename=\"osh-annual-report-44-2024-" + report.id() + ".html\"");

  dl.set_format(v1::EXPORT_FORMAT_CSV);
  ASSERT_TRUE(stub_->DownloadAnnualReport(Ctx(national_).get(), dl, &file).ok());
  EXPECT_EQ(file.content_type(), "text/csv; charset=utf-8");
  EXPECT_EQ(file.data().rfind("kind,region_code,region_name,item,value,numerator,denominator,target\r\n"
                              "metric,44,广东省,registered_employers,4,,,\r\n",
                              0),
            0u)
      << file.data();
  EXPECT_NE(file.data().find("indicator,44,广东省,declaration_rate,0.7500,3,4,0.5000\r\n"), std::string::npos)
      << file.data();

  dl.set_format(v1::EXPORT_FORMAT_JSON);
  EXPECT_EQ(FirstViolationField(stub_->DownloadAnnualReport(Ctx(national_).get(), dl, &file)), "format");
  dl.set_id("");
  dl.set_format(v1::EXPORT_FORMAT_CSV);
  EXPECT_EQ(FirstViolationField(stub_->DownloadAnnualReport(Ctx(national_).get(), dl, &file)), "id");
  dl.set_id(report.id());
  // Another province's report answers like a missing one.
  EXPECT_EQ(stub_->DownloadAnnualReport(Ctx(js_admin_).get(), dl, &file).error_code(), StatusCode::NOT_FOUND);
  dl.set_id("no-such-report");
  EXPECT_EQ(stub_->DownloadAnnualReport(Ctx(national_).get(), dl, &file).error_code(), StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace osh::reporting::testing
