// Occupational-disease case reports over real gRPC sockets and a real SQLite
// file: the catalogue edition chosen by the diagnosis date, every field's
// refusal, every role, idempotency, audit and the event each report leaves.
#include "osh/service/records.h"
#include "supervision_facts_fixture.h"

namespace osh::registry::testing {
namespace {

using grpc::StatusCode;

const std::string kDiagnosisOrg = MakeCreditCode("441900", 77001);

class DiseaseCasesTest : public SupervisionFactsFixture {
 protected:
  void SetUp() override {
    SupervisionFactsFixture::SetUp();
    employer_ = CreateEmployer(SampleEmployer(MakeCreditCode("441900", 301)));
    institution_record_ = RegisterDiagnosisInstitution(kDiagnosisOrg);
  }

  grpc::Status Record(const std::string& token, const v1::RecordDiseaseCasesRequest& req, v1::DiseaseCaseReport* out) {
    return supervision_stub_->RecordDiseaseCases(Ctx(token).get(), req, out);
  }

  grpc::Status Get(const std::string& token, const std::string& id, v1::DiseaseCaseReport* out) {
    v1::GetDiseaseCaseReportRequest req;
    req.set_id(id);
    return supervision_stub_->GetDiseaseCaseReport(Ctx(token).get(), req, out);
  }

  grpc::Status List(const std::string& token, v1::ListDiseaseCaseReportsRequest req,
                    v1::ListDiseaseCaseReportsResponse* out) {
    return supervision_stub_->ListDiseaseCaseReports(Ctx(token).get(), req, out);
  }

  int64_t Reports() {
    return db_->Read([](store::Tx& tx) {
      auto s = tx.Prepare("SELECT COUNT(*) FROM disease_case_reports");
      s.Step();
      return s.Int(0);
    });
  }

  v1::Employer employer_;
  v1::ServiceInstitution institution_record_;
  const std::string institution_ = Token("institution", "44", kDiagnosisOrg, "doc-inst-1");
};

TEST_F(DiseaseCasesTest, ProvinceStaffRecordCasesPerDiseaseOfTheEditionInForce) {
  v1::DiseaseCaseReport out;
  // Today is after 2025-08-01: the 2024 edition, with its new categories.
  auto status = Record(admin_, CasesOf(employer_, Day(-3), {{"01.01", 3}, {"10.01", 2}, {"11.01", 1}, {"04.01", 0}}),
                       &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(out.catalogue_edition(), "2024");
  EXPECT_EQ(out.total_cases(), 6);
  EXPECT_EQ(out.division_code(), "441900");
  EXPECT_TRUE(out.reporter_org().empty());
  EXPECT_EQ(out.reporter().role(), "province_admin");
  ASSERT_EQ(out.diseases_size(), 4);
  EXPECT_EQ(out.diseases(0).category_number(), 1);
  EXPECT_EQ(out.diseases(0).category_name(), "职业性尘肺病及其他呼吸系统疾病");
  EXPECT_EQ(out.diseases(1).category_name(), "职业性肌肉骨骼疾病");
  EXPECT_EQ(out.diseases(2).category_name(), "职业性精神和行为障碍");

  const auto events = Outboxed<events::v1::OccupationalDiseaseCaseReported>();
  ASSERT_EQ(events.size(), 1u);
  const auto& [event, m] = events[0];
  EXPECT_EQ(event.key, employer_.credit_code());
  EXPECT_EQ(m.report_id(), out.id());
  EXPECT_EQ(m.employer().credit_code(), employer_.credit_code());
  EXPECT_EQ(m.employer().division_code(), "441900");
  EXPECT_EQ(m.diagnosed_on(), Day(-3));
  EXPECT_EQ(m.catalogue_edition(), "2024");
  EXPECT_EQ(m.total_cases(), 6);
  EXPECT_EQ(m.reporter_kind(), events::v1::DISEASE_CASE_REPORTER_KIND_PROVINCE_STAFF);
  EXPECT_TRUE(m.reporter_org().empty());
  // Zero counts move no figure and are not sent; the rest by code.
  ASSERT_EQ(m.diseases_size(), 3);
  EXPECT_EQ(m.diseases(0).disease_code(), "01.01");
  EXPECT_EQ(m.diseases(0).category_number(), 1);
  EXPECT_EQ(m.diseases(0).cases(), 3);
  EXPECT_EQ(m.diseases(1).disease_code(), "10.01");
  EXPECT_EQ(m.diseases(1).category_number(), 10);
  EXPECT_EQ(m.diseases(2).disease_code(), "11.01");
  EXPECT_EQ(m.diseases(2).cases(), 1);
  ExpectNoPersonalDataOutboxed();
  EXPECT_EQ(db_->Read([&](store::Tx& tx) { return service::CountAudit(tx, out.id()); }), 1);
}

TEST_F(DiseaseCasesTest, TheDiagnosisDateChoosesTheCatalogueEdition) {
  v1::DiseaseCaseReport out;
  // The day before the 2024 edition: no mental-disorder category yet.
  auto status = Record(admin_, CasesOf(employer_, "2025-07-31", {{"11.01", 1}}), &out);
  ASSERT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(status), std::set<std::string>{"report.diseases[0].disease_code"});
  EXPECT_NE(status.error_message().find("2013"), std::string::npos) << status.error_message();
  // Category 10 is "other occupational diseases" in 2013.
  ASSERT_TRUE(Record(admin_, CasesOf(employer_, "2025-07-31", {{"10.02", 2}}), &out).ok());
  EXPECT_EQ(out.catalogue_edition(), "2013");
  EXPECT_EQ(out.diseases(0).category_name(), "其他职业病");
  // From 2025-08-01 the 2024 edition.
  ASSERT_TRUE(Record(admin_, CasesOf(employer_, "2025-08-01", {{"11.01", 1}}), &out).ok());
  EXPECT_EQ(out.catalogue_edition(), "2024");
  // 60 chemical poisonings in 2013, 59 in 2024.
  EXPECT_TRUE(Record(admin_, CasesOf(employer_, "2024-05-01", {{"05.60", 1}}), &out).ok());
  status = Record(admin_, CasesOf(employer_, "2025-09-01", {{"05.60", 1}}), &out);
  EXPECT_EQ(FieldsOf(status), std::set<std::string>{"report.diseases[0].disease_code"});
  // Before the oldest edition nothing is in force.
  status = Record(admin_, CasesOf(employer_, "2013-12-22", {{"01.01", 1}}), &out);
  EXPECT_EQ(FieldsOf(status), std::set<std::string>{"report.diagnosed_on"});
  const auto events = Outboxed<events::v1::OccupationalDiseaseCaseReported>();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].second.catalogue_edition(), "2013");
  EXPECT_EQ(events[1].second.catalogue_edition(), "2024");
}

TEST_F(DiseaseCasesTest, BadInputNamesEveryFieldAndWritesNothing) {
  v1::DiseaseCaseReport out;
  struct Case {
    v1::RecordDiseaseCasesRequest request;
    std::set<std::string> fields;
  };
  auto without_employer = CasesOf(employer_, Day(-1), {{"01.01", 1}});
  without_employer.clear_employer_id();
  std::vector<Case> cases = {
      {CasesOf(employer_, Day(-1), {{"01.01", -1}}), {"report.diseases[0].cases"}},
      {CasesOf(employer_, Day(-1), {{"01.01", 10001}}), {"report.diseases[0].cases"}},
      {CasesOf(employer_, "", {{"01.01", 1}}), {"report.diagnosed_on"}},
      {CasesOf(employer_, "2026-02-30x", {{"01.01", 1}}), {"report.diagnosed_on"}},
      {CasesOf(employer_, Day(2), {{"01.01", 1}}), {"report.diagnosed_on"}},
      {CasesOf(employer_, Day(-1), {}), {"report.diseases"}},
      {CasesOf(employer_, Day(-1), {{"01.01", 1}, {"01.01", 2}}), {"report.diseases[1].disease_code"}},
      {CasesOf(employer_, Day(-1), {{"", 1}}), {"report.diseases[0].disease_code"}},
      {CasesOf(employer_, Day(-1), {{"1.1", 1}}), {"report.diseases[0].disease_code"}},
      {CasesOf(employer_, Day(-1), {{"12.03", 1}}), {"report.diseases[0].disease_code"}},
      {CasesOf(employer_, Day(-1), {{"13.01", 1}, {"02.01", -4}}),
       {"report.diseases[0].disease_code", "report.diseases[1].cases"}},
      {without_employer, {"employer_id"}},
  };
  std::vector<std::pair<std::string, int>> too_many;
  for (int i = 0; i < 201; ++i) too_many.emplace_back(std::to_string(1000 + i), 1);
  cases.push_back({CasesOf(employer_, Day(-1), too_many), {}});
  // 200 unknown codes: refused with the first violations, not a status too large to send.
  std::vector<std::pair<std::string, int>> all_unknown;
  for (int i = 0; i < 200; ++i) all_unknown.emplace_back(fmt::format("{:02d}.99", i % 99 + 1) + std::to_string(i), 1);
  cases.push_back({CasesOf(employer_, Day(-1), all_unknown), {}});
  for (const auto& c : cases) {
    const auto status = Record(admin_, c.request, &out);
    ASSERT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << c.request.ShortDebugString();
    if (!c.fields.empty()) {
      EXPECT_EQ(FieldsOf(status), c.fields) << c.request.ShortDebugString();
    } else {
      const auto fields = FieldsOf(status);
      EXPECT_TRUE(fields.count("report.diseases") || fields.count("report.diseases[0].disease_code"))
          << status.error_message();
      EXPECT_LE(core::FieldViolationsOf(status).size(), 50u);
    }
  }
  EXPECT_EQ(Reports(), 0);
  EXPECT_TRUE(Outboxed<events::v1::OccupationalDiseaseCaseReported>().empty());
}

TEST_F(DiseaseCasesTest, ADiagnosisInstitutionReportsForEmployersOfItsProvince) {
  v1::DiseaseCaseReport out;
  auto status = Record(institution_, CasesOf(employer_, Day(-2), {{"04.01", 4}}), &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(out.reporter_org(), kDiagnosisOrg);
  EXPECT_EQ(out.reporter().role(), "institution");
  const auto events = Outboxed<events::v1::OccupationalDiseaseCaseReported>();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].second.reporter_kind(), events::v1::DISEASE_CASE_REPORTER_KIND_DIAGNOSIS_INSTITUTION);
  EXPECT_EQ(events[0].second.reporter_org(), kDiagnosisOrg);
  // An employer that does not exist: the institution may act on every employer
  // of its province, so it learns only what it could otherwise.
  auto missing = CasesOf(employer_, Day(-2), {{"04.01", 1}});
  missing.set_employer_id("no-such-employer");
  EXPECT_EQ(Record(institution_, missing, &out).error_code(), StatusCode::NOT_FOUND);
}

TEST_F(DiseaseCasesTest, OnlyActiveDiagnosisInstitutionsAndProvinceStaffMayReport) {
  const auto request = CasesOf(employer_, Day(-2), {{"01.01", 1}});
  v1::DiseaseCaseReport out;
  const std::string testing_org = MakeCreditCode("441900", 77002);
  RegisterDiagnosisInstitution(testing_org, v1::INSTITUTION_KIND_TESTING);
  const std::string unregistered_org = MakeCreditCode("441900", 77003);
  struct Case {
    std::string who;
    std::string token;
    StatusCode expected;
  };
  const std::vector<Case> cases = {
      {"inspector of the province", inspector_, StatusCode::OK},
      {"province admin", admin_, StatusCode::OK},
      {"diagnosis institution", institution_, StatusCode::OK},
      {"testing institution", Token("institution", "44", testing_org, "t-1"), StatusCode::PERMISSION_DENIED},
      {"unregistered institution", Token("institution", "44", unregistered_org, "u-1"), StatusCode::PERMISSION_DENIED},
      {"institution of another province", Token("institution", "32", kDiagnosisOrg, "x-1"),
       StatusCode::PERMISSION_DENIED},
      {"the employer itself", Token("employer", "44", employer_.credit_code(), "e-1"), StatusCode::PERMISSION_DENIED},
      {"a worker", Token("worker", "44", employer_.credit_code(), "w-1"), StatusCode::PERMISSION_DENIED},
      {"national admin", national_, StatusCode::PERMISSION_DENIED},
      {"another province's admin", other_province_admin_, StatusCode::PERMISSION_DENIED},
      {"an editor", Token("editor", "44", "", "ed-1"), StatusCode::PERMISSION_DENIED},
  };
  int written = 0;
  for (const auto& c : cases) {
    EXPECT_EQ(Record(c.token, request, &out).error_code(), c.expected) << c.who;
    written += c.expected == StatusCode::OK ? 1 : 0;
  }
  // A refused unknown employer tells nothing to those refused anyway.
  auto missing = request;
  missing.set_employer_id("no-such-employer");
  EXPECT_EQ(Record(Token("institution", "44", unregistered_org, "u-1"), missing, &out).error_code(),
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Record(admin_, missing, &out).error_code(), StatusCode::NOT_FOUND);

  // A suspended institution may no longer report.
  v1::SetInstitutionStatusRequest suspend;
  suspend.set_id(institution_record_.id());
  suspend.set_version(institution_record_.version());
  suspend.set_status(v1::INSTITUTION_STATUS_SUSPENDED);
  suspend.set_reason("资质核查不合格");
  v1::ServiceInstitution suspended;
  ASSERT_TRUE(supervision_stub_->SetInstitutionStatus(Ctx(admin_).get(), suspend, &suspended).ok());
  EXPECT_EQ(Record(institution_, request, &out).error_code(), StatusCode::PERMISSION_DENIED);

  EXPECT_EQ(Reports(), written);
  EXPECT_EQ(static_cast<int>(Outboxed<events::v1::OccupationalDiseaseCaseReported>().size()), written);
}

TEST_F(DiseaseCasesTest, ARetriedRequestRecordsOnceAndAReusedIdIsRefused) {
  v1::DiseaseCaseReport first, again;
  const auto request = CasesOf(employer_, Day(-2), {{"01.01", 2}}, "cases-1");
  ASSERT_TRUE(Record(institution_, request, &first).ok());
  ASSERT_TRUE(Record(institution_, request, &again).ok());
  EXPECT_EQ(again.id(), first.id());
  EXPECT_EQ(Reports(), 1);
  EXPECT_EQ(Outboxed<events::v1::OccupationalDiseaseCaseReported>().size(), 1u);
  EXPECT_EQ(db_->Read([&](store::Tx& tx) { return service::CountAudit(tx, first.id()); }), 1);
  const auto other = CasesOf(employer_, Day(-2), {{"01.01", 3}}, "cases-1");
  EXPECT_EQ(Record(institution_, other, &again).error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Reports(), 1);
}

TEST_F(DiseaseCasesTest, ReadsFollowRoleProvinceAndOrganisation) {
  const auto other_employer = CreateEmployer(SampleEmployer(MakeCreditCode("440305", 302), "440305"));
  v1::DiseaseCaseReport by_institution, by_staff, out;
  ASSERT_TRUE(Record(institution_, CasesOf(employer_, Day(-2), {{"01.01", 2}, {"04.01", 1}}), &by_institution).ok());
  ASSERT_TRUE(Record(admin_, CasesOf(other_employer, "2025-03-01", {{"01.01", 5}}), &by_staff).ok());

  EXPECT_TRUE(Get(admin_, by_institution.id(), &out).ok());
  EXPECT_TRUE(Get(national_, by_institution.id(), &out).ok());
  EXPECT_TRUE(Get(institution_, by_institution.id(), &out).ok());
  EXPECT_EQ(Get(institution_, by_staff.id(), &out).error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Get(institution_, "no-such-report", &out).error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Get(admin_, "no-such-report", &out).error_code(), StatusCode::NOT_FOUND);
  EXPECT_EQ(Get(other_province_admin_, by_institution.id(), &out).error_code(), StatusCode::PERMISSION_DENIED);
  const auto own = Token("employer", "44", employer_.credit_code(), "e-1");
  EXPECT_TRUE(Get(own, by_institution.id(), &out).ok());
  EXPECT_EQ(Get(own, by_staff.id(), &out).error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Get(admin_, "", &out).error_code(), StatusCode::INVALID_ARGUMENT);

  v1::ListDiseaseCaseReportsResponse list;
  ASSERT_TRUE(List(inspector_, {}, &list).ok());
  ASSERT_EQ(list.reports_size(), 2);
  EXPECT_EQ(list.reports(0).id(), by_institution.id()) << "newest diagnosis first";
  EXPECT_EQ(list.total_cases(), 8);
  ASSERT_EQ(list.category_totals_size(), 3);  // 2013 cat 1; 2024 cat 1 and cat 4
  EXPECT_EQ(list.category_totals(0).catalogue_edition(), "2013");
  EXPECT_EQ(list.category_totals(0).cases(), 5);
  EXPECT_EQ(list.category_totals(2).category_name(), "职业性耳鼻喉口腔疾病");
  EXPECT_EQ(list.category_totals(2).cases(), 1);

  v1::ListDiseaseCaseReportsRequest by_region;
  by_region.set_division_prefix("4403");
  ASSERT_TRUE(List(admin_, by_region, &list).ok());
  ASSERT_EQ(list.reports_size(), 1);
  EXPECT_EQ(list.reports(0).id(), by_staff.id());
  v1::ListDiseaseCaseReportsRequest by_year;
  by_year.set_year(2025);
  ASSERT_TRUE(List(national_, by_year, &list).ok());
  ASSERT_EQ(list.reports_size(), std::stoi(Day(-2).substr(0, 4)) == 2025 ? 2 : 1);

  // Paging: one report a page, then the next, then no token.
  v1::ListDiseaseCaseReportsRequest paged;
  paged.set_page_size(1);
  ASSERT_TRUE(List(admin_, paged, &list).ok());
  ASSERT_EQ(list.reports_size(), 1);
  ASSERT_FALSE(list.next_page_token().empty());
  paged.set_page_token(list.next_page_token());
  ASSERT_TRUE(List(admin_, paged, &list).ok());
  ASSERT_EQ(list.reports_size(), 1);
  EXPECT_EQ(list.reports(0).id(), by_staff.id());
  EXPECT_TRUE(list.next_page_token().empty());

  // Organisation roles see their own part.
  ASSERT_TRUE(List(institution_, {}, &list).ok());
  ASSERT_EQ(list.reports_size(), 1);
  EXPECT_EQ(list.reports(0).id(), by_institution.id());
  EXPECT_EQ(list.total_cases(), 3);
  ASSERT_TRUE(List(own, {}, &list).ok());
  ASSERT_EQ(list.reports_size(), 1);
  EXPECT_EQ(List(Token("worker", "44", employer_.credit_code(), "w-1"), {}, &list).error_code(),
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(List(other_province_admin_, {}, &list).error_code(), StatusCode::PERMISSION_DENIED);
  v1::ListDiseaseCaseReportsRequest bad;
  bad.set_division_prefix("4x");
  bad.set_year(1999);
  const auto status = List(admin_, bad, &list);
  EXPECT_EQ(FieldsOf(status), (std::set<std::string>{"division_prefix", "year"}));
}

}  // namespace
}  // namespace osh::registry::testing
