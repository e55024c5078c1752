// Supervision (inspections, rectification, hazard tests, risk classes) over
// real gRPC sockets against a real SQLite file.
#include <fmt/format.h>

#include <set>

#include "osh/core/errors.h"

#include "registry_fixture.h"
#include "osh/events/event.h"
#include "osh/events/v1/registry_events.pb.h"
#include "osh/events/outbox.h"

namespace osh::registry::testing {
namespace {

using grpc::StatusCode;

class SupervisionServiceTest : public RegistryFixture {
 protected:
  // A date `days` from today (China Standard Time), as the service counts.
  std::string Day(int days) const {
    const auto china = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now() + std::chrono::hours(8));
    const std::chrono::year_month_day ymd{china + std::chrono::days(days)};
    return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                       static_cast<unsigned>(ymd.day()));
  }

  v1::Inspection Inspect(const std::string& employer_id, const std::vector<std::pair<std::string, int>>& findings,
                         int inspected_days_ago = 40, const std::string& token = "") {
    v1::RecordInspectionRequest req;
    req.set_employer_id(employer_id);
    req.mutable_inspection()->set_inspected_on(Day(-inspected_days_ago));
    req.mutable_inspection()->set_summary("日常监督检查");
    for (const auto& [text, deadline_in_days] : findings) {
      auto* f = req.mutable_inspection()->add_findings();
      f->set_description(text);
      f->set_rectification_deadline(Day(deadline_in_days));
    }
    v1::Inspection out;
    auto status = supervision_stub_->RecordInspection(Ctx(token.empty() ? inspector_ : token).get(), req, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  v1::RectificationItem Item(const std::string& id) {
    v1::ListRectificationsRequest req;
    req.set_page_size(500);
    v1::ListRectificationsResponse resp;
    EXPECT_TRUE(supervision_stub_->ListRectifications(Ctx(admin_).get(), req, &resp).ok());
    for (const auto& i : resp.items()) {
      if (i.id() == id) return i;
    }
    ADD_FAILURE() << "no item " << id;
    return {};
  }

  grpc::Status ReportDone(const std::string& token, const v1::RectificationItem& item, v1::RectificationItem* out) {
    v1::ReportRectificationDoneRequest req;
    req.set_id(item.id());
    req.set_version(item.version());
    req.set_note("已安装局部排风设施并检测合格");
    return supervision_stub_->ReportRectificationDone(Ctx(token).get(), req, out);
  }

  grpc::Status Review(const std::string& token, const v1::RectificationItem& item, bool accept,
                      v1::RectificationItem* out) {
    v1::ReviewRectificationRequest req;
    req.set_id(item.id());
    req.set_version(item.version());
    req.set_accept(accept);
    if (!accept) {
      req.set_reason("排风罩风速不足");
      req.set_new_deadline(Day(15));
    }
    return supervision_stub_->ReviewRectification(Ctx(token).get(), req, out);
  }

  void ApproveDeclaration(const v1::Employer& e, const std::vector<std::pair<std::string, int>>& exposures) {
    v1::SubmitDeclarationRequest submit;
    submit.set_employer_id(e.id());
    auto* d = submit.mutable_declaration();
    d->set_type(v1::DECLARATION_TYPE_INITIAL);
    int largest = 0;
    for (const auto& [code, n] : exposures) {
      auto* x = d->add_exposures();
      x->set_factor_code(code);
      x->set_workplace("生产车间");
      x->set_post("操作工 " + code);
      x->set_exposed_workers(n);
      largest = std::max(largest, n);
    }
    d->set_total_exposed_workers(largest);
    ApprovedDeclaration(submit, admin_);
  }

  v1::RiskClassification Risk(const std::string& employer_id) {
    v1::GetRiskClassificationRequest req;
    req.set_employer_id(employer_id);
    v1::RiskClassification out;
    auto status = supervision_stub_->GetRiskClassification(Ctx(inspector_).get(), req, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }
};

TEST_F(SupervisionServiceTest, AnInspectionOpensOneItemPerFinding) {
  const auto e = CreateEmployer(SampleEmployer(MakeCreditCode("441900", 101)));
  const auto inspection = Inspect(e.id(), {{"打磨岗位未设置局部排风", 20}, {"未公告职业病危害告知卡", 10}});
  ASSERT_EQ(inspection.findings_size(), 2);
  EXPECT_FALSE(inspection.findings(0).rectification_item_id().empty());
  EXPECT_EQ(inspection.inspector().role(), "inspector");
  const auto item = Item(inspection.findings(1).rectification_item_id());
  EXPECT_EQ(item.status(), v1::RECTIFICATION_STATUS_OPEN);
  EXPECT_EQ(item.deadline(), Day(10));
  EXPECT_EQ(item.division_code(), "441900");
  EXPECT_FALSE(item.overdue());

  v1::GetInspectionRequest get;
  get.set_id(inspection.id());
  v1::Inspection read;
  ASSERT_TRUE(supervision_stub_->GetInspection(Ctx(admin_).get(), get, &read).ok());
  EXPECT_EQ(read.findings_size(), 2);
}

TEST_F(SupervisionServiceTest, EveryWorkflowTransitionAndTheIllegalOnes) {
  const auto code = MakeCreditCode("441900", 102);
  const auto e = CreateEmployer(SampleEmployer(code));
  const std::string employer = Token("employer", "44", code, "emp-102");
  auto item = Item(Inspect(e.id(), {{"防护设施缺失", 20}}).findings(0).rectification_item_id());

  v1::RectificationItem out;
  // OPEN → CLOSED directly is illegal.
  EXPECT_EQ(Review(inspector_, item, true, &out).error_code(), StatusCode::FAILED_PRECONDITION);
  // OPEN → REPORTED_DONE by the employer.
  ASSERT_TRUE(ReportDone(employer, item, &out).ok());
  EXPECT_EQ(out.status(), v1::RECTIFICATION_STATUS_REPORTED_DONE);
  EXPECT_EQ(out.version(), 2);
  // A stale version is ABORTED; reporting done twice is FAILED_PRECONDITION.
  EXPECT_EQ(ReportDone(employer, item, &out).error_code(), StatusCode::ABORTED);
  item = Item(item.id());
  EXPECT_EQ(ReportDone(employer, item, &out).error_code(), StatusCode::FAILED_PRECONDITION);
  // REPORTED_DONE → REOPENED with a reason and a new deadline.
  ASSERT_TRUE(Review(inspector_, item, false, &out).ok());
  EXPECT_EQ(out.status(), v1::RECTIFICATION_STATUS_REOPENED);
  EXPECT_EQ(out.deadline(), Day(15));
  EXPECT_EQ(out.review_reason(), "排风罩风速不足");
  // REOPENED → REPORTED_DONE → CLOSED.
  item = Item(item.id());
  ASSERT_TRUE(ReportDone(employer, item, &out).ok());
  item = Item(item.id());
  ASSERT_TRUE(Review(inspector_, item, true, &out).ok());
  EXPECT_EQ(out.status(), v1::RECTIFICATION_STATUS_CLOSED);
  // CLOSED is final.
  item = Item(item.id());
  EXPECT_EQ(ReportDone(employer, item, &out).error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Review(inspector_, item, false, &out).error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(item.last_actor().role(), "inspector");
}

TEST_F(SupervisionServiceTest, ItemsOpenedReopenedAndClosedAreEvents) {
  const auto code = MakeCreditCode("441900", 103);
  const auto e = CreateEmployer(SampleEmployer(code));
  const std::string employer = Token("employer", "44", code, "emp-103");
  const auto inspection = Inspect(e.id(), {{"防护设施缺失", 20}, {"未设置警示标识", 10}});
  auto item = Item(inspection.findings(0).rectification_item_id());
  v1::RectificationItem out;
  ASSERT_TRUE(ReportDone(employer, item, &out).ok());
  ASSERT_TRUE(Review(inspector_, Item(item.id()), false, &out).ok());  // reopened, new deadline
  ASSERT_TRUE(ReportDone(employer, Item(item.id()), &out).ok());
  ASSERT_TRUE(Review(inspector_, Item(item.id()), true, &out).ok());

  std::vector<events::Event> rectification;
  db_->Read([&](store::Tx& tx) {
    for (auto& row : events::Outbox::Pending(tx, 0, 1000)) {
      if (row.event.type.find("Rectification") != std::string::npos) rectification.push_back(row.event);
    }
  });
  ASSERT_EQ(rectification.size(), 4u) << "two opened, one reopened, one closed";
  events::v1::RectificationOpened opened;
  ASSERT_TRUE(events::Unpack(rectification[0], &opened));
  EXPECT_EQ(opened.credit_code(), code);
  EXPECT_EQ(opened.deadline(), Day(20));
  EXPECT_FALSE(opened.reopened());
  EXPECT_EQ(rectification[0].key, code) << "keyed by employer: its events stay in order";
  events::v1::RectificationOpened reopened;
  ASSERT_TRUE(events::Unpack(rectification[2], &reopened));
  EXPECT_TRUE(reopened.reopened());
  EXPECT_EQ(reopened.deadline(), Day(15));
  events::v1::RectificationClosed closed;
  ASSERT_TRUE(events::Unpack(rectification[3], &closed));
  EXPECT_EQ(closed.item_id(), item.id());
  EXPECT_TRUE(closed.on_time());
}

TEST_F(SupervisionServiceTest, AnEmployerCannotCloseItsOwnItemNorInspectItself) {
  const auto code = MakeCreditCode("441900", 103);
  const auto e = CreateEmployer(SampleEmployer(code));
  const std::string employer = Token("employer", "44", code, "emp-103");
  auto item = Item(Inspect(e.id(), {{"问题", 20}}).findings(0).rectification_item_id());
  v1::RectificationItem out;
  ASSERT_TRUE(ReportDone(employer, item, &out).ok());
  EXPECT_EQ(Review(employer, out, true, &out).error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Item(item.id()).status(), v1::RECTIFICATION_STATUS_REPORTED_DONE);

  v1::RecordInspectionRequest self;
  self.set_employer_id(e.id());
  self.mutable_inspection()->set_inspected_on(Day(-1));
  v1::Inspection inspection;
  EXPECT_EQ(supervision_stub_->RecordInspection(Ctx(employer).get(), self, &inspection).error_code(),
            StatusCode::PERMISSION_DENIED);
  // Another organisation may not report this employer's item done.
  const std::string stranger = Token("employer", "44", MakeCreditCode("441900", 999), "emp-999");
  auto fresh = Item(Inspect(e.id(), {{"问题二", 20}}).findings(0).rectification_item_id());
  EXPECT_EQ(ReportDone(stranger, fresh, &out).error_code(), StatusCode::PERMISSION_DENIED);
}

TEST_F(SupervisionServiceTest, AnotherProvincesInspectorSeesNothingOfThisProvince) {
  const auto e = CreateEmployer(SampleEmployer(MakeCreditCode("441900", 104)));
  const auto inspection = Inspect(e.id(), {{"问题", 20}});
  const std::string js_inspector = Token("inspector", "32", "", "inspector32");
  v1::GetInspectionRequest get;
  get.set_id(inspection.id());
  v1::Inspection read;
  EXPECT_EQ(supervision_stub_->GetInspection(Ctx(js_inspector).get(), get, &read).error_code(),
            StatusCode::PERMISSION_DENIED);
  v1::ListRectificationsRequest list;
  list.set_division_prefix("44");
  v1::ListRectificationsResponse items;
  EXPECT_EQ(supervision_stub_->ListRectifications(Ctx(js_inspector).get(), list, &items).error_code(),
            StatusCode::PERMISSION_DENIED);
  // Without a prefix the list is narrowed to the caller's own province: empty here.
  list.clear_division_prefix();
  ASSERT_TRUE(supervision_stub_->ListRectifications(Ctx(js_inspector).get(), list, &items).ok());
  EXPECT_EQ(items.items_size(), 0);
  v1::RecordInspectionRequest inspect;
  inspect.set_employer_id(e.id());
  inspect.mutable_inspection()->set_inspected_on(Day(-1));
  EXPECT_EQ(supervision_stub_->RecordInspection(Ctx(js_inspector).get(), inspect, &read).error_code(),
            StatusCode::PERMISSION_DENIED);
  // National reads everything.
  EXPECT_TRUE(supervision_stub_->GetInspection(Ctx(national_).get(), get, &read).ok());
}

TEST_F(SupervisionServiceTest, OverdueItemsAreListedPerRegion) {
  const auto dongguan = CreateEmployer(SampleEmployer(MakeCreditCode("441900", 105), "441900"));
  const auto shenzhen = CreateEmployer(SampleEmployer(MakeCreditCode("440305", 106), "440305"));
  const auto late = Inspect(dongguan.id(), {{"逾期一", -5}, {"未到期", 5}}, 40);
  Inspect(shenzhen.id(), {{"逾期二", -3}}, 40);
  // A late item reported done is no longer overdue.
  const auto reported_id = Inspect(dongguan.id(), {{"逾期但已报告", -2}}, 30).findings(0).rectification_item_id();
  v1::RectificationItem out;
  ASSERT_TRUE(ReportDone(admin_, Item(reported_id), &out).ok());

  v1::ListRectificationsRequest req;
  req.set_overdue_only(true);
  req.set_division_prefix("4419");
  v1::ListRectificationsResponse resp;
  ASSERT_TRUE(supervision_stub_->ListRectifications(Ctx(inspector_).get(), req, &resp).ok());
  ASSERT_EQ(resp.items_size(), 1);
  EXPECT_EQ(resp.items(0).id(), late.findings(0).rectification_item_id());
  EXPECT_TRUE(resp.items(0).overdue());
  req.set_division_prefix("44");
  ASSERT_TRUE(supervision_stub_->ListRectifications(Ctx(inspector_).get(), req, &resp).ok());
  EXPECT_EQ(resp.items_size(), 2);
  // Paging keeps to the query.
  req.set_page_size(1);
  ASSERT_TRUE(supervision_stub_->ListRectifications(Ctx(inspector_).get(), req, &resp).ok());
  ASSERT_EQ(resp.items_size(), 1);
  ASSERT_FALSE(resp.next_page_token().empty());
  req.set_page_token(resp.next_page_token());
  req.set_overdue_only(false);
  EXPECT_EQ(supervision_stub_->ListRectifications(Ctx(inspector_).get(), req, &resp).error_code(),
            StatusCode::INVALID_ARGUMENT);
}

TEST_F(SupervisionServiceTest, BadInputNamesEveryField) {
  const auto e = CreateEmployer(SampleEmployer(MakeCreditCode("441900", 107)));
  v1::RecordInspectionRequest req;
  req.set_employer_id(e.id());
  req.mutable_inspection()->set_inspected_on("2026-13-01");
  auto* f = req.mutable_inspection()->add_findings();
  f->set_factor_code("X999");
  f->set_rectification_deadline("soon");
  v1::Inspection out;
  auto status = supervision_stub_->RecordInspection(Ctx(inspector_).get(), req, &out);
  ASSERT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  std::set<std::string> fields;
  for (const auto& [field, description] : core::FieldViolationsOf(status)) fields.insert(field);
  EXPECT_EQ(fields, (std::set<std::string>{"inspection.inspected_on", "inspection.findings[0].description",
                                           "inspection.findings[0].factor_code",
                                           "inspection.findings[0].rectification_deadline"}));
  // Nothing half written: no item exists.
  v1::ListRectificationsRequest list;
  list.set_employer_id(e.id());
  v1::ListRectificationsResponse items;
  ASSERT_TRUE(supervision_stub_->ListRectifications(Ctx(admin_).get(), list, &items).ok());
  EXPECT_EQ(items.items_size(), 0);
}

TEST_F(SupervisionServiceTest, HazardTestsRecordExceedancesQueryablePerRegionAndFactor) {
  const auto code = MakeCreditCode("441900", 108);
  const auto e = CreateEmployer(SampleEmployer(code));
  v1::RecordHazardTestRequest req;
  req.set_employer_id(e.id());
  auto* t = req.mutable_hazard_test();
  t->set_tested_on(Day(-10));
  t->set_institution("广东省职业病防治院");
  t->set_report_number("GDOH-2026-0042");
  auto add = [&](const char* factor, const char* post, double measured, double limit, const char* unit) {
    auto* r = t->add_results();
    r->set_factor_code(factor);
    r->set_workplace("打磨车间");
    r->set_post(post);
    r->set_measured_value(measured);
    r->set_exposure_limit(limit);
    r->set_unit(unit);
  };
  add("D001", "打磨工", 1.8, 1.0, "mg/m³");
  add("P001", "打磨工", 82, 85, "dB(A)");
  add("P001", "冲压工", 91, 85, "dB(A)");
  v1::HazardTest test;
  // The employer records its own testing report.
  auto status = supervision_stub_->RecordHazardTest(Ctx(Token("employer", "44", code, "emp-108")).get(), req, &test);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(test.exceedances(), 2);
  EXPECT_TRUE(test.results(0).exceeded());
  EXPECT_FALSE(test.results(1).exceeded());

  v1::ListExceedancesRequest list;
  list.set_division_prefix("4419");
  v1::ListExceedancesResponse found;
  ASSERT_TRUE(supervision_stub_->ListExceedances(Ctx(inspector_).get(), list, &found).ok());
  EXPECT_EQ(found.exceedances_size(), 2);
  list.set_factor_code("P001");
  ASSERT_TRUE(supervision_stub_->ListExceedances(Ctx(inspector_).get(), list, &found).ok());
  ASSERT_EQ(found.exceedances_size(), 1);
  EXPECT_EQ(found.exceedances(0).result().post(), "冲压工");
  list.set_division_prefix("4403");
  ASSERT_TRUE(supervision_stub_->ListExceedances(Ctx(inspector_).get(), list, &found).ok());
  EXPECT_EQ(found.exceedances_size(), 0);

  t->mutable_results(0)->set_exposure_limit(0);
  t->set_tested_on(Day(3));
  status = supervision_stub_->RecordHazardTest(Ctx(admin_).get(), req, &test);
  ASSERT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  std::set<std::string> fields;
  for (const auto& [field, description] : core::FieldViolationsOf(status)) fields.insert(field);
  EXPECT_EQ(fields, (std::set<std::string>{"hazard_test.results[0].exposure_limit", "hazard_test.tested_on"}));
}

TEST_F(SupervisionServiceTest, HealthExamSummariesAndTheWrittenNoticeGap) {
  const auto code = MakeCreditCode("441900", 120);
  const auto e = CreateEmployer(SampleEmployer(code));
  const auto other = CreateEmployer(SampleEmployer(MakeCreditCode("440305", 121), "440305"));
  const int year = std::stoi(Day(0).substr(0, 4)) - 1;
  auto record = [&](const v1::Employer& who, int examined, int notified, const std::string& token,
                    v1::HealthExamSummary* out) {
    v1::RecordHealthExamSummaryRequest req;
    req.set_employer_id(who.id());
    auto* x = req.mutable_summary();
    x->set_year(year);
    x->set_kind(v1::EXAM_KIND_IN_SERVICE);
    x->set_institution("东莞市职业病防治中心");
    x->set_examined(examined);
    x->set_abnormal(examined / 10);
    x->set_suspected_occupational_disease(examined > 0 ? 1 : 0);
    x->set_notified_in_writing(notified);
    return supervision_stub_->RecordHealthExamSummary(Ctx(token).get(), req, out);
  };
  v1::HealthExamSummary out;
  // The employer records its own summary; 12 workers were not told in writing.
  ASSERT_TRUE(record(e, 100, 88, Token("employer", "44", code, "emp-120"), &out).ok());
  EXPECT_EQ(out.notification_gap(), 12);
  EXPECT_EQ(record(e, 100, 88, admin_, &out).error_code(), StatusCode::ALREADY_EXISTS);
  ASSERT_TRUE(record(other, 50, 47, admin_, &out).ok());

  // Inconsistent counts name their fields.
  auto status = record(other, 10, 11, admin_, &out);
  ASSERT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  std::set<std::string> fields;
  for (const auto& [field, description] : core::FieldViolationsOf(status)) fields.insert(field);
  EXPECT_TRUE(fields.count("summary.notified_in_writing"));

  v1::ListNotificationGapsRequest gaps;
  gaps.set_year(year);
  v1::ListNotificationGapsResponse resp;
  ASSERT_TRUE(supervision_stub_->ListNotificationGaps(Ctx(inspector_).get(), gaps, &resp).ok());
  ASSERT_EQ(resp.summaries_size(), 2);
  EXPECT_EQ(resp.summaries(0).notification_gap(), 12);  // largest gap first
  EXPECT_EQ(resp.summaries(1).notification_gap(), 3);
  EXPECT_EQ(resp.total_examined(), 150);
  EXPECT_EQ(resp.total_notified(), 135);
  gaps.set_division_prefix("4403");
  ASSERT_TRUE(supervision_stub_->ListNotificationGaps(Ctx(inspector_).get(), gaps, &resp).ok());
  ASSERT_EQ(resp.summaries_size(), 1);
  EXPECT_EQ(resp.summaries(0).employer_id(), other.id());
  // An employer cannot list the province's gaps.
  EXPECT_EQ(supervision_stub_->ListNotificationGaps(Ctx(Token("employer", "44", code, "emp-120")).get(), gaps, &resp)
                .error_code(),
            StatusCode::PERMISSION_DENIED);

  // The gap is a compliance signal of the management grade.
  const auto risk = Risk(e.id());
  bool seen = false;
  for (const auto& r : risk.reasons()) seen |= r.rule() == "written_notice_gap";
  EXPECT_TRUE(seen);
  EXPECT_EQ(risk.management_grade(), v1::MANAGEMENT_GRADE_B);
}

TEST_F(SupervisionServiceTest, AnEmployersRecordReadsBackLatestFirstForWhoMayReadTheEmployer) {
  const auto code = MakeCreditCode("441900", 125);
  const auto e = CreateEmployer(SampleEmployer(code));
  const auto other = CreateEmployer(SampleEmployer(MakeCreditCode("441900", 126)));
  const auto first = Inspect(e.id(), {{"未设置警示标识", 20}}, 50);
  const auto second = Inspect(e.id(), {{"个体防护用品发放记录不全", 20}}, 40);
  const auto third = Inspect(e.id(), {}, 30);
  Inspect(other.id(), {{"另一单位的问题", 20}});
  v1::RecordHazardTestRequest test;
  test.set_employer_id(e.id());
  test.mutable_hazard_test()->set_tested_on(Day(-5));
  test.mutable_hazard_test()->set_institution("广东省职业病防治院");
  auto* r = test.mutable_hazard_test()->add_results();
  r->set_factor_code("P001");
  r->set_workplace("冲压车间");
  r->set_post("冲压工");
  r->set_measured_value(88);
  r->set_exposure_limit(85);
  r->set_unit("dB(A)");
  v1::HazardTest recorded;
  ASSERT_TRUE(supervision_stub_->RecordHazardTest(Ctx(admin_).get(), test, &recorded).ok());
  v1::RecordHealthExamSummaryRequest exam;
  exam.set_employer_id(e.id());
  exam.mutable_summary()->set_year(std::stoi(Day(0).substr(0, 4)) - 1);
  exam.mutable_summary()->set_kind(v1::EXAM_KIND_IN_SERVICE);
  exam.mutable_summary()->set_institution("东莞市职业病防治中心");
  exam.mutable_summary()->set_examined(40);
  exam.mutable_summary()->set_notified_in_writing(40);
  v1::HealthExamSummary summary;
  ASSERT_TRUE(supervision_stub_->RecordHealthExamSummary(Ctx(admin_).get(), exam, &summary).ok());

  // Two pages of inspections, the latest recorded first, none of the other employer's.
  v1::ListInspectionsRequest list;
  list.set_employer_id(e.id());
  list.set_page_size(2);
  v1::ListInspectionsResponse page;
  const auto employer_token = Token("employer", "44", code, "emp-125");
  ASSERT_TRUE(supervision_stub_->ListInspections(Ctx(employer_token).get(), list, &page).ok());
  ASSERT_EQ(page.inspections_size(), 2);
  EXPECT_EQ(page.inspections(0).id(), third.id());
  EXPECT_EQ(page.inspections(1).id(), second.id());
  ASSERT_FALSE(page.next_page_token().empty());
  list.set_page_token(page.next_page_token());
  ASSERT_TRUE(supervision_stub_->ListInspections(Ctx(inspector_).get(), list, &page).ok());
  ASSERT_EQ(page.inspections_size(), 1);
  EXPECT_EQ(page.inspections(0).id(), first.id());
  EXPECT_TRUE(page.next_page_token().empty());
  // A page token of another employer's listing is refused, naming the field.
  list.set_employer_id(other.id());
  auto status = supervision_stub_->ListInspections(Ctx(inspector_).get(), list, &page);
  ASSERT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(core::FieldViolationsOf(status).at(0).first, "page_token");

  v1::ListHazardTestsRequest tests;
  tests.set_employer_id(e.id());
  v1::ListHazardTestsResponse tests_page;
  ASSERT_TRUE(supervision_stub_->ListHazardTests(Ctx(employer_token).get(), tests, &tests_page).ok());
  ASSERT_EQ(tests_page.hazard_tests_size(), 1);
  EXPECT_EQ(tests_page.hazard_tests(0).id(), recorded.id());
  EXPECT_EQ(tests_page.hazard_tests(0).exceedances(), 1);
  v1::ListHealthExamSummariesRequest exams;
  exams.set_employer_id(e.id());
  v1::ListHealthExamSummariesResponse exams_page;
  ASSERT_TRUE(supervision_stub_->ListHealthExamSummaries(Ctx(national_).get(), exams, &exams_page).ok());
  ASSERT_EQ(exams_page.summaries_size(), 1);
  EXPECT_EQ(exams_page.summaries(0).examined(), 40);

  // Another employer, and another province's inspector, may not read them; a
  // missing employer id names the field.
  EXPECT_EQ(supervision_stub_->ListHazardTests(Ctx(Token("employer", "44", MakeCreditCode("441900", 126), "emp-126")).get(),
                                               tests, &tests_page).error_code(),
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(supervision_stub_->ListHealthExamSummaries(Ctx(Token("inspector", "32", "", "js-1")).get(), exams, &exams_page)
                .error_code(),
            StatusCode::PERMISSION_DENIED);
  exams.clear_employer_id();
  status = supervision_stub_->ListHealthExamSummaries(Ctx(admin_).get(), exams, &exams_page);
  ASSERT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(core::FieldViolationsOf(status).at(0).first, "employer_id");
}

TEST_F(SupervisionServiceTest, TheAssistanceLedgerAddsUpToWhatADistrictReports) {
  auto small = SampleEmployer(MakeCreditCode("441900", 130));  // SampleEmployer is SIZE_CLASS_SMALL
  const auto a = CreateEmployer(small);
  auto micro = SampleEmployer(MakeCreditCode("441900", 131));
  micro.set_size_class(common::v1::SIZE_CLASS_MICRO);
  const auto b = CreateEmployer(micro);
  auto medium = SampleEmployer(MakeCreditCode("441900", 132));
  medium.set_size_class(common::v1::SIZE_CLASS_MEDIUM);
  const auto c = CreateEmployer(medium);
  auto enrol = [&](const v1::Employer& e, const std::string& token, v1::AssistanceCase* out) {
    v1::EnrolAssistanceRequest req;
    req.set_employer_id(e.id());
    req.mutable_assistance_case()->set_enrolled_on(Day(-30));
    req.mutable_assistance_case()->set_assigned_expert("李工");
    req.mutable_assistance_case()->set_assigned_institution("东莞市职业病防治中心");
    return supervision_stub_->EnrolAssistance(Ctx(token).get(), req, out);
  };
  v1::AssistanceCase case_a, case_b, out;
  ASSERT_TRUE(enrol(a, admin_, &case_a).ok());
  ASSERT_TRUE(enrol(b, inspector_, &case_b).ok());
  EXPECT_EQ(enrol(a, admin_, &out).error_code(), StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(enrol(c, admin_, &out).error_code(), StatusCode::FAILED_PRECONDITION);  // not small or micro
  EXPECT_EQ(enrol(c, Token("employer", "44", c.credit_code(), "emp-132"), &out).error_code(),
            StatusCode::PERMISSION_DENIED);

  auto visit = [&](const v1::AssistanceCase& k, int found, int fixed, int64_t fen, v1::AssistanceCase* result) {
    v1::RecordAssistanceVisitRequest req;
    req.set_case_id(k.id());
    auto* v = req.mutable_visit();
    v->set_visited_on(Day(-10));
    v->set_expert("李工");
    v->set_issues_found(found);
    v->set_issues_fixed(fixed);
    v->set_subsidy_fen(fen);
    return supervision_stub_->RecordAssistanceVisit(Ctx(inspector_).get(), req, result);
  };
  ASSERT_TRUE(visit(case_a, 5, 2, 300000, &out).ok());
  ASSERT_TRUE(visit(case_a, 1, 3, 0, &out).ok());
  EXPECT_EQ(out.visits_size(), 2);
  EXPECT_EQ(out.issues_found(), 6);
  EXPECT_EQ(out.issues_fixed(), 5);
  ASSERT_TRUE(visit(case_b, 2, 0, 150000, &out).ok());
  // Fixing more than was ever found is refused, naming the field, and changes nothing.
  auto status = visit(case_b, 0, 3, 0, &out);
  ASSERT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(core::FieldViolationsOf(status).front().first, "visit.issues_fixed");

  v1::GetAssistanceTotalsRequest totals_req;
  totals_req.set_division_prefix("4419");
  v1::AssistanceTotals totals;
  ASSERT_TRUE(supervision_stub_->GetAssistanceTotals(Ctx(inspector_).get(), totals_req, &totals).ok());
  EXPECT_EQ(totals.enterprises_helped(), 2);
  EXPECT_EQ(totals.visits(), 3);
  EXPECT_EQ(totals.issues_found(), 8);
  EXPECT_EQ(totals.issues_fixed(), 5);
  EXPECT_EQ(totals.subsidy_fen(), 450000);
  totals_req.set_division_prefix("4403");
  ASSERT_TRUE(supervision_stub_->GetAssistanceTotals(Ctx(inspector_).get(), totals_req, &totals).ok());
  EXPECT_EQ(totals.enterprises_helped(), 0);
  totals_req.set_division_prefix("32");
  EXPECT_EQ(supervision_stub_->GetAssistanceTotals(Ctx(inspector_).get(), totals_req, &totals).error_code(),
            StatusCode::PERMISSION_DENIED);
}

TEST_F(SupervisionServiceTest, InstitutionsAreRegisteredEvaluatedSuspendedAndReinstated) {
  v1::RegisterInstitutionRequest reg;
  auto* in = reg.mutable_institution();
  in->set_credit_code(MakeCreditCode("440106", 140));
  in->set_name("广东某职业卫生技术服务有限公司");
  in->add_kinds(v1::INSTITUTION_KIND_TESTING);
  in->add_kinds(v1::INSTITUTION_KIND_EVALUATION);
  in->add_qualification_scope(common::v1::HAZARD_CATEGORY_DUST);
  in->set_qualification_expires_on(Day(20));
  v1::ServiceInstitution x;
  ASSERT_TRUE(supervision_stub_->RegisterInstitution(Ctx(admin_).get(), reg, &x).ok());
  EXPECT_EQ(x.status(), v1::INSTITUTION_STATUS_ACTIVE);
  EXPECT_EQ(x.province(), "44");
  EXPECT_EQ(supervision_stub_->RegisterInstitution(Ctx(admin_).get(), reg, &x).error_code(), StatusCode::ALREADY_EXISTS);
  // An institution cannot register itself, nor can another province.
  EXPECT_EQ(supervision_stub_->RegisterInstitution(Ctx(Token("institution", "44", in->credit_code(), "i1")).get(),
                                                   reg, &x)
                .error_code(),
            StatusCode::PERMISSION_DENIED);
  in->set_credit_code("91440106MA5ZZZZZZ1");
  auto bad = supervision_stub_->RegisterInstitution(Ctx(admin_).get(), reg, &x);
  ASSERT_EQ(bad.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(core::FieldViolationsOf(bad).front().first, "institution.credit_code");

  v1::ListInstitutionsRequest list;
  list.set_kind(v1::INSTITUTION_KIND_TESTING);
  v1::ListInstitutionsResponse found;
  ASSERT_TRUE(supervision_stub_->ListInstitutions(Ctx(inspector_).get(), list, &found).ok());
  ASSERT_EQ(found.institutions_size(), 1);
  x = found.institutions(0);
  list.set_kind(v1::INSTITUTION_KIND_DIAGNOSIS);
  ASSERT_TRUE(supervision_stub_->ListInstitutions(Ctx(inspector_).get(), list, &found).ok());
  EXPECT_EQ(found.institutions_size(), 0);
  list.clear_kind();
  list.set_expiring_before(Day(30));  // the qualification lapses in 20 days
  ASSERT_TRUE(supervision_stub_->ListInstitutions(Ctx(inspector_).get(), list, &found).ok());
  EXPECT_EQ(found.institutions_size(), 1);
  list.set_expiring_before(Day(10));
  ASSERT_TRUE(supervision_stub_->ListInstitutions(Ctx(inspector_).get(), list, &found).ok());
  EXPECT_EQ(found.institutions_size(), 0);

  v1::EvaluateInstitutionRequest evaluate;
  evaluate.set_id(x.id());
  evaluate.mutable_evaluation()->set_evaluated_on(Day(-1));
  evaluate.mutable_evaluation()->set_passed(false);
  evaluate.mutable_evaluation()->set_findings("采样记录不完整");
  ASSERT_TRUE(supervision_stub_->EvaluateInstitution(Ctx(inspector_).get(), evaluate, &x).ok());
  ASSERT_EQ(x.evaluations_size(), 1);
  EXPECT_EQ(x.evaluations(0).evaluator().role(), "inspector");

  v1::SetInstitutionStatusRequest status;
  status.set_id(x.id());
  status.set_version(x.version());
  status.set_status(v1::INSTITUTION_STATUS_ACTIVE);
  status.set_reason("复核");
  EXPECT_EQ(supervision_stub_->SetInstitutionStatus(Ctx(admin_).get(), status, &x).error_code(),
            StatusCode::FAILED_PRECONDITION);  // already active
  status.set_status(v1::INSTITUTION_STATUS_SUSPENDED);
  status.set_reason("评估不合格，暂停检测业务");
  ASSERT_TRUE(supervision_stub_->SetInstitutionStatus(Ctx(admin_).get(), status, &x).ok());
  EXPECT_EQ(x.status(), v1::INSTITUTION_STATUS_SUSPENDED);
  EXPECT_EQ(supervision_stub_->SetInstitutionStatus(Ctx(admin_).get(), status, &x).error_code(),
            StatusCode::ABORTED);  // the version moved on
  status.set_version(x.version());
  status.set_status(v1::INSTITUTION_STATUS_ACTIVE);
  status.set_reason("整改合格");
  ASSERT_TRUE(supervision_stub_->SetInstitutionStatus(Ctx(admin_).get(), status, &x).ok());
  EXPECT_EQ(x.status(), v1::INSTITUTION_STATUS_ACTIVE);
}

TEST_F(SupervisionServiceTest, TheExpertPoolIsSearchableBySpeciality) {
  auto add = [&](const char* name, std::vector<common::v1::HazardCategory> specialities) {
    v1::AddExpertRequest req;
    req.mutable_expert()->set_name(name);
    req.mutable_expert()->set_title("主任医师");
    for (auto c : specialities) req.mutable_expert()->add_specialities(c);
    v1::Expert out;
    auto status = supervision_stub_->AddExpert(Ctx(admin_).get(), req, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
  };
  add("王专家", {common::v1::HAZARD_CATEGORY_DUST, common::v1::HAZARD_CATEGORY_PHYSICAL});
  add("赵专家", {common::v1::HAZARD_CATEGORY_CHEMICAL});
  v1::ListExpertsRequest list;
  list.set_speciality(common::v1::HAZARD_CATEGORY_DUST);
  v1::ListExpertsResponse found;
  ASSERT_TRUE(supervision_stub_->ListExperts(Ctx(inspector_).get(), list, &found).ok());
  ASSERT_EQ(found.experts_size(), 1);
  EXPECT_EQ(found.experts(0).name(), "王专家");
  list.clear_speciality();
  ASSERT_TRUE(supervision_stub_->ListExperts(Ctx(inspector_).get(), list, &found).ok());
  EXPECT_EQ(found.experts_size(), 2);
  v1::AddExpertRequest none;
  none.mutable_expert()->set_name("无专长");
  v1::Expert out;
  EXPECT_EQ(supervision_stub_->AddExpert(Ctx(admin_).get(), none, &out).error_code(), StatusCode::INVALID_ARGUMENT);
}

TEST_F(SupervisionServiceTest, RiskClassificationFollowsDeclarationsAndComplianceAndExplainsItself) {
  // Silica dust declared for 35 workers: serious. Never tested: one signal, grade B.
  const auto e = CreateEmployer(SampleEmployer(MakeCreditCode("441900", 109)));
  ApproveDeclaration(e, {{"D001", 35}, {"P001", 35}});
  auto risk = Risk(e.id());
  EXPECT_EQ(risk.hazard_class(), v1::HAZARD_RISK_CLASS_SERIOUS);
  EXPECT_EQ(risk.management_grade(), v1::MANAGEMENT_GRADE_B);
  EXPECT_EQ(risk.inspections_per_year(), 3);
  std::set<std::string> rules;
  for (const auto& r : risk.reasons()) rules.insert(r.rule());
  EXPECT_TRUE(rules.count("serious_factor"));
  EXPECT_TRUE(rules.count("missing_hazard_test"));
  EXPECT_NE(risk.reasons(0).input().find("D001"), std::string::npos);

  // Two items overdue more than 30 days: grade C on its own.
  Inspect(e.id(), {{"逾期一", -35}, {"逾期二", -31}}, 60);
  risk = Risk(e.id());
  EXPECT_EQ(risk.management_grade(), v1::MANAGEMENT_GRADE_C);
  EXPECT_EQ(risk.inspections_per_year(), 4);

  // Noise only, 12 workers: relatively serious; nothing else wrong after a test: grade A.
  const auto noisy = CreateEmployer(SampleEmployer(MakeCreditCode("441900", 110)));
  ApproveDeclaration(noisy, {{"P001", 12}});
  v1::RecordHazardTestRequest test;
  test.set_employer_id(noisy.id());
  test.mutable_hazard_test()->set_tested_on(Day(-20));
  test.mutable_hazard_test()->set_institution("检测机构");
  auto* r = test.mutable_hazard_test()->add_results();
  r->set_factor_code("P001");
  r->set_workplace("车间");
  r->set_post("冲压工");
  r->set_measured_value(80);
  r->set_exposure_limit(85);
  r->set_unit("dB(A)");
  v1::HazardTest recorded;
  ASSERT_TRUE(supervision_stub_->RecordHazardTest(Ctx(admin_).get(), test, &recorded).ok());
  risk = Risk(noisy.id());
  EXPECT_EQ(risk.hazard_class(), v1::HAZARD_RISK_CLASS_RELATIVELY_SERIOUS);
  EXPECT_EQ(risk.management_grade(), v1::MANAGEMENT_GRADE_A);
  EXPECT_EQ(risk.inspections_per_year(), 1);

  // The regional list with its summary counts every employer once.
  const auto plain = CreateEmployer(SampleEmployer(MakeCreditCode("441900", 111)));
  v1::ListRiskClassificationsRequest list;
  list.set_division_prefix("4419");
  list.set_include_summary(true);
  list.set_page_size(2);
  v1::ListRiskClassificationsResponse resp;
  ASSERT_TRUE(supervision_stub_->ListRiskClassifications(Ctx(inspector_).get(), list, &resp).ok());
  EXPECT_EQ(resp.classifications_size(), 2);
  EXPECT_FALSE(resp.next_page_token().empty());
  int total = 0, serious_c = 0, general_a = 0;
  for (const auto& cell : resp.summary()) {
    total += cell.employers();
    if (cell.hazard_class() == v1::HAZARD_RISK_CLASS_SERIOUS && cell.management_grade() == v1::MANAGEMENT_GRADE_C) {
      serious_c = cell.employers();
    }
    if (cell.hazard_class() == v1::HAZARD_RISK_CLASS_GENERAL && cell.management_grade() == v1::MANAGEMENT_GRADE_A) {
      general_a = cell.employers();
    }
  }
  EXPECT_EQ(total, 3);
  EXPECT_EQ(serious_c, 1);
  EXPECT_EQ(general_a, 1);  // `plain`: no declaration, nothing wrong
  (void)plain;
}

}  // namespace
}  // namespace osh::registry::testing
