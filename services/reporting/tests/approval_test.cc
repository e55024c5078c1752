// Data approval of annual reports and validation before submission, over real
// gRPC sockets and a real SQLite file: the workflow (submit, accept, return,
// amend, resubmit), refusals, versions and idempotency, the events left in the
// outbox, and validation findings of hand-made figures.
#include <set>

#include "osh/core/errors.h"
#include "osh/events/outbox.h"
#include "osh/events/v1/reporting_events.pb.h"
#include "reporting_fixture.h"
#include "validation.h"

namespace osh::reporting::testing {
namespace {

using grpc::StatusCode;
namespace ev = ::osh::events::v1;

std::string FirstViolationField(const grpc::Status& status) {
  auto violations = core::FieldViolationsOf(status);
  return violations.empty() ? "" : violations.front().first;
}

std::string FirstViolationMessage(const grpc::Status& status) {
  auto violations = core::FieldViolationsOf(status);
  return violations.empty() ? "" : violations.front().second;
}

class ApprovalTest : public ReportingFixture {
 protected:
  v1::AnnualReport Generate(const std::string& province, const std::string& token) {
    v1::GenerateAnnualReportRequest req;
    req.set_province(province);
    req.set_year(2024);
    v1::AnnualReport report;
    auto status = stub_->GenerateAnnualReport(Ctx(token).get(), req, &report);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return report;
  }

  grpc::Status Submit(const std::string& id, const std::string& token, v1::AnnualReport* out,
                      const std::string& amendment_reason = "",
                      const std::vector<std::pair<std::string, std::string>>& explanations = {}) {
    v1::SubmitAnnualReportRequest req;
    req.set_id(id);
    req.set_amendment_reason(amendment_reason);
    for (const auto& [finding, text] : explanations) {
      auto* e = req.add_explanations();
      e->set_finding_id(finding);
      e->set_explanation(text);
    }
    return stub_->SubmitAnnualReport(Ctx(token).get(), req, out);
  }

  grpc::Status Approve(const std::string& id, int64_t version, const std::string& token, v1::AnnualReport* out,
                       const std::string& request_id = "") {
    v1::ApproveAnnualReportRequest req;
    req.set_id(id);
    req.set_version(version);
    req.set_request_id(request_id);
    return stub_->ApproveAnnualReport(Ctx(token).get(), req, out);
  }

  grpc::Status Return(const std::string& id, int64_t version, const std::string& reason, const std::string& token,
                      v1::AnnualReport* out) {
    v1::ReturnAnnualReportRequest req;
    req.set_id(id);
    req.set_version(version);
    req.set_reason(reason);
    return stub_->ReturnAnnualReport(Ctx(token).get(), req, out);
  }

  v1::ReportingCompleteness Completeness() {
    v1::GetReportingCompletenessRequest req;
    req.set_year(2024);
    v1::ReportingCompleteness resp;
    auto status = stub_->GetReportingCompleteness(Ctx(national_).get(), req, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return resp;
  }

  const v1::ProvinceCompleteness& Of(const v1::ReportingCompleteness& c, const std::string& province) {
    for (const auto& p : c.provinces()) {
      if (p.province() == province) return p;
    }
    ADD_FAILURE() << "no province " << province;
    return c.provinces(0);
  }

  // The events committed to the outbox, in commit order.
  std::vector<events::Event> Outbox() {
    return db_->Read([](store::Tx& tx) {
      std::vector<events::Event> out;
      for (auto& row : events::Outbox::Pending(tx, 0, 1000)) out.push_back(std::move(row.event));
      return out;
    });
  }

  std::vector<std::string> OutboxTypes() {
    std::vector<std::string> types;
    for (const auto& e : Outbox()) types.push_back(e.type);
    return types;
  }
};

const std::string kSubmitted = "osh.events.v1.ProvincialReportSubmitted";
const std::string kAccepted = "osh.events.v1.ProvincialReportAccepted";
const std::string kReturned = "osh.events.v1.ProvincialReportReturned";

TEST_F(ApprovalTest, ASubmittedReportIsAcceptedByTheNationalLevelAndCountedAsAccepted) {
  PlayTheYear();
  auto draft = Generate("44", gd_admin_);
  EXPECT_EQ(draft.version(), 1);
  v1::AnnualReport submitted, accepted;
  ASSERT_TRUE(Submit(draft.id(), gd_admin_, &submitted).ok());
  EXPECT_EQ(submitted.version(), 2);
  auto before = Completeness();
  EXPECT_EQ(before.awaiting_review(), 1);
  EXPECT_EQ(before.accepted(), 0);
  EXPECT_EQ(Of(before, "44").review_status(), v1::REPORT_STATUS_SUBMITTED);

  ASSERT_TRUE(Approve(submitted.id(), submitted.version(), national_, &accepted).ok());
  EXPECT_EQ(accepted.status(), v1::REPORT_STATUS_ACCEPTED);
  EXPECT_EQ(accepted.version(), 3);
  EXPECT_EQ(accepted.review().decision(), v1::REPORT_STATUS_ACCEPTED);
  EXPECT_EQ(accepted.review().reviewed_by().role(), "national_admin");

  auto after = Completeness();
  EXPECT_EQ(after.submitted(), 1);
  EXPECT_EQ(after.accepted(), 1);
  EXPECT_EQ(after.awaiting_review(), 0);
  EXPECT_DOUBLE_EQ(after.acceptance_rate(), 1.0 / 31);
  EXPECT_EQ(Of(after, "44").review_status(), v1::REPORT_STATUS_ACCEPTED);
  EXPECT_EQ(Of(after, "44").report_id(), draft.id());

  // Both transitions left their event in the outbox, as the province's.
  const auto outbox = Outbox();
  ASSERT_EQ(outbox.size(), 2u);
  EXPECT_EQ(outbox[0].type, kSubmitted);
  EXPECT_EQ(outbox[1].type, kAccepted);
  for (const auto& e : outbox) {
    EXPECT_EQ(e.topic, "osh.reporting.events");
    EXPECT_EQ(e.source, "osh://44/reporting");
    EXPECT_EQ(e.key, draft.id());
  }
  ev::ProvincialReportAccepted m;
  ASSERT_TRUE(events::Unpack(outbox[1], &m));
  EXPECT_EQ(m.report().report_id(), draft.id());
  EXPECT_EQ(m.report().province(), "44");
  EXPECT_EQ(m.report().year(), 2024);
  EXPECT_EQ(m.report().version(), 3);
  ev::ProvincialReportSubmitted s;
  ASSERT_TRUE(events::Unpack(outbox[0], &s));
  EXPECT_FALSE(s.late());
}

TEST_F(ApprovalTest, AReturnedReportIsAmendedAndSubmittedAgain) {
  PlayTheYear();
  auto first = Generate("44", gd_admin_);
  v1::AnnualReport submitted, returned;
  ASSERT_TRUE(Submit(first.id(), gd_admin_, &submitted).ok());
  ASSERT_TRUE(Return(first.id(), submitted.version(), "Dongguan's transfers are missing", national_, &returned).ok());
  EXPECT_EQ(returned.status(), v1::REPORT_STATUS_RETURNED);
  EXPECT_EQ(returned.review().reason(), "Dongguan's transfers are missing");
  auto c = Completeness();
  EXPECT_EQ(c.returned(), 1);
  EXPECT_EQ(c.submitted(), 1);  // it was submitted (timeliness keeps the first submission)

  // Amended figures: a new draft, submitted without an amendment reason of its own.
  auto amended = Generate("44", gd_admin_);
  v1::AnnualReport resubmitted;
  auto status = Submit(amended.id(), gd_admin_, &resubmitted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(resubmitted.submission().supersedes_report_id(), first.id());
  EXPECT_NE(resubmitted.submission().amendment_reason().find("Dongguan's transfers are missing"), std::string::npos);
  v1::GetAnnualReportRequest get;
  get.set_id(first.id());
  v1::AnnualReport old;
  ASSERT_TRUE(stub_->GetAnnualReport(Ctx(national_).get(), get, &old).ok());
  EXPECT_EQ(old.status(), v1::REPORT_STATUS_SUPERSEDED);
  EXPECT_EQ(old.review().decision(), v1::REPORT_STATUS_RETURNED);  // the history stays

  c = Completeness();
  EXPECT_EQ(c.returned(), 0);
  EXPECT_EQ(c.awaiting_review(), 1);
  EXPECT_EQ(Of(c, "44").amendments(), 1);
  EXPECT_EQ(Of(c, "44").report_id(), amended.id());

  v1::AnnualReport accepted;
  ASSERT_TRUE(Approve(amended.id(), resubmitted.version(), national_, &accepted).ok());
  EXPECT_EQ(Completeness().accepted(), 1);
  EXPECT_EQ(OutboxTypes(), (std::vector<std::string>{kSubmitted, kReturned, kSubmitted, kAccepted}));
  ev::ProvincialReportReturned r;
  ASSERT_TRUE(events::Unpack(Outbox()[1], &r));
  EXPECT_EQ(r.reason(), "Dongguan's transfers are missing");

  // Amending an accepted report needs a reason, and it then awaits review again.
  auto again = Generate("44", gd_admin_);
  v1::AnnualReport out;
  EXPECT_EQ(FirstViolationField(Submit(again.id(), gd_admin_, &out)), "amendment_reason");
  ASSERT_TRUE(Submit(again.id(), gd_admin_, &out, "a late correction").ok());
  c = Completeness();
  EXPECT_EQ(c.accepted(), 0);
  EXPECT_EQ(c.awaiting_review(), 1);
}

TEST_F(ApprovalTest, IllegalTransitionsAreFailedPreconditionNamingTheState) {
  PlayTheYear();
  auto draft = Generate("44", gd_admin_);
  v1::AnnualReport out;
  auto status = Approve(draft.id(), 1, national_, &out);
  EXPECT_EQ(status.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("REPORT_STATUS_DRAFT"), std::string::npos) << status.error_message();
  EXPECT_EQ(Return(draft.id(), 1, "no", national_, &out).error_code(), StatusCode::FAILED_PRECONDITION);

  v1::AnnualReport submitted, accepted;
  ASSERT_TRUE(Submit(draft.id(), gd_admin_, &submitted).ok());
  ASSERT_TRUE(Approve(draft.id(), submitted.version(), national_, &accepted).ok());
  status = Approve(draft.id(), accepted.version(), national_, &out);
  EXPECT_EQ(status.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("REPORT_STATUS_ACCEPTED"), std::string::npos) << status.error_message();
  status = Return(draft.id(), accepted.version(), "too late", national_, &out);
  EXPECT_EQ(status.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("REPORT_STATUS_ACCEPTED"), std::string::npos) << status.error_message();
  status = Submit(draft.id(), gd_admin_, &out);
  EXPECT_EQ(status.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("REPORT_STATUS_ACCEPTED"), std::string::npos) << status.error_message();
  // Nothing of the refused calls reached the outbox.
  EXPECT_EQ(OutboxTypes(), (std::vector<std::string>{kSubmitted, kAccepted}));
}

TEST_F(ApprovalTest, OnlyANationalAdminReviewsAndOtherProvincesAreRefused) {
  PlayTheYear();
  auto draft = Generate("44", gd_admin_);
  v1::AnnualReport submitted, out;
  ASSERT_TRUE(Submit(draft.id(), gd_admin_, &submitted).ok());
  for (const auto& token : {gd_admin_, gd_inspector_, js_admin_}) {
    EXPECT_EQ(Approve(draft.id(), submitted.version(), token, &out).error_code(), StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(Return(draft.id(), submitted.version(), "why", token, &out).error_code(),
              StatusCode::PERMISSION_DENIED);
  }
  // Another province's admin cannot submit 44's draft either: to it the
  // report does not exist.
  auto second = Generate("44", gd_admin_);
  EXPECT_EQ(Submit(second.id(), js_admin_, &out, "x").error_code(), StatusCode::NOT_FOUND);
  v1::ApproveAnnualReportRequest req;
  req.set_id(draft.id());
  req.set_version(2);
  EXPECT_EQ(stub_->ApproveAnnualReport(Ctx("").get(), req, &out).error_code(), StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(OutboxTypes(), (std::vector<std::string>{kSubmitted}));
}

TEST_F(ApprovalTest, AStaleVersionIsAbortedAndARetriedRequestIsAnsweredOnce) {
  PlayTheYear();
  auto draft = Generate("44", gd_admin_);
  v1::AnnualReport submitted, out, again;
  ASSERT_TRUE(Submit(draft.id(), gd_admin_, &submitted).ok());
  EXPECT_EQ(Approve(draft.id(), 1, national_, &out).error_code(), StatusCode::ABORTED);
  ASSERT_TRUE(Approve(draft.id(), submitted.version(), national_, &out, "approve-44-2024").ok());
  // The retry (the answer was lost) gets the same answer and changes nothing.
  auto retry = Approve(draft.id(), submitted.version(), national_, &again, "approve-44-2024");
  ASSERT_TRUE(retry.ok()) << retry.error_message();
  EXPECT_EQ(again.SerializeAsString(), out.SerializeAsString());
  EXPECT_EQ(OutboxTypes(), (std::vector<std::string>{kSubmitted, kAccepted}));
  // The same request id for another request is refused.
  EXPECT_EQ(Approve(draft.id(), 7, national_, &again, "approve-44-2024").error_code(), StatusCode::INVALID_ARGUMENT);
}

TEST_F(ApprovalTest, BadReviewInputNamesTheField) {
  v1::AnnualReport out;
  EXPECT_EQ(FirstViolationField(Approve("", 1, national_, &out)), "id");
  EXPECT_EQ(FirstViolationField(Approve("r", 0, national_, &out)), "version");
  EXPECT_EQ(FirstViolationField(Approve("r", 1, national_, &out, std::string(65, 'x'))), "request_id");
  EXPECT_EQ(FirstViolationField(Return("r", 1, "", national_, &out)), "reason");
  EXPECT_EQ(FirstViolationField(Return("r", 1, "   ", national_, &out)), "reason");
  EXPECT_EQ(FirstViolationField(Return("r", 1, std::string(2001, 'x'), national_, &out)), "reason");
  EXPECT_EQ(FirstViolationField(Return("r", -3, "why", national_, &out)), "version");
  EXPECT_EQ(Approve("no-such-report", 1, national_, &out).error_code(), StatusCode::NOT_FOUND);
  EXPECT_TRUE(OutboxTypes().empty());
}

TEST_F(ApprovalTest, ASubmissionFromAStaleDraftVersionIsAborted) {
  PlayTheYear();
  auto draft = Generate("44", gd_admin_);
  v1::SubmitAnnualReportRequest req;
  req.set_id(draft.id());
  req.set_version(-1);
  v1::AnnualReport out;
  EXPECT_EQ(FirstViolationField(stub_->SubmitAnnualReport(Ctx(gd_admin_).get(), req, &out)), "version");
  req.set_version(2);
  EXPECT_EQ(stub_->SubmitAnnualReport(Ctx(gd_admin_).get(), req, &out).error_code(), StatusCode::ABORTED);
  req.set_version(draft.version());
  ASSERT_TRUE(stub_->SubmitAnnualReport(Ctx(gd_admin_).get(), req, &out).ok());
  EXPECT_EQ(out.version(), 2);
}

// ---- validation ----

v1::MetricValue Value(v1::Metric metric, int64_t value) {
  v1::MetricValue v;
  v.set_metric(metric);
  v.set_value(value);
  return v;
}

TEST(Validation, HandMadeFiguresGiveTheNamedFindings) {
  v1::AnnualReport r;
  r.set_id("r-1");
  r.set_province("44");
  r.set_year(2024);
  *r.add_totals() = Value(v1::METRIC_REGISTERED_EMPLOYERS, 10);
  *r.add_totals() = Value(v1::METRIC_EMPLOYERS_WITH_APPROVED_DECLARATION, 12);  // 12 > 10
  *r.add_totals() = Value(v1::METRIC_EXPOSED_WORKERS, 50);
  *r.add_totals() = Value(v1::METRIC_WORKERS, 100);
  auto* city = r.add_cities();
  city->set_region_code("4403");
  *city->add_values() = Value(v1::METRIC_EXPOSED_WORKERS, 70);  // 70 > 60
  *city->add_values() = Value(v1::METRIC_WORKERS, 60);
  const std::vector<v1::MetricValue> before = {
      Value(v1::METRIC_WORKERS, 40),              // 40 → 100: +150 %, an outlier
      Value(v1::METRIC_REGISTERED_EMPLOYERS, 8),  // 8 → 10: +25 %, not
      Value(v1::METRIC_EXPOSED_WORKERS, 0),       // from 0: no share to move by
      Value(v1::METRIC_EMPLOYERS_WITH_APPROVED_DECLARATION, 24),  // 24 → 12: exactly −50 %, not more
  };
  const auto findings = FindingsOf(r, before, 0.5);
  std::vector<std::string> ids;
  for (const auto& f : findings) ids.push_back(f.id());
  EXPECT_EQ(ids, (std::vector<std::string>{"approved_declarations_within_registered@44",
                                           "exposed_within_workers@4403", "outlier.workers@44"}));
  EXPECT_EQ(findings[0].kind(), v1::FINDING_KIND_CONSISTENCY);
  ASSERT_EQ(findings[0].figures_size(), 2);
  EXPECT_EQ(findings[0].figures(0).value(), 12);
  EXPECT_EQ(findings[0].figures(1).value(), 10);
  EXPECT_EQ(findings[1].region_code(), "4403");
  EXPECT_EQ(findings[2].kind(), v1::FINDING_KIND_OUTLIER);
  EXPECT_EQ(findings[2].previous_value(), 40);
  EXPECT_DOUBLE_EQ(findings[2].change_share(), 1.5);
  // A stricter share makes the 25 % and the −50 % moves outliers as well.
  EXPECT_EQ(FindingsOf(r, before, 0.2).size(), 5u);
}

TEST(Validation, SupervisionFiguresThatContradictEachOtherAreFindings) {
  v1::AnnualReport r;
  r.set_province("44");
  r.set_year(2024);
  for (const auto& v : {Value(v1::METRIC_EXAMS_EXAMINED, 100), Value(v1::METRIC_EXAMS_NOTIFIED_IN_WRITING, 101),
                        Value(v1::METRIC_EXAMS_ABNORMAL, 5), Value(v1::METRIC_RECTIFICATIONS_OPENED, 4),
                        Value(v1::METRIC_RECTIFICATIONS_CLOSED, 4), Value(v1::METRIC_RECTIFICATIONS_CLOSED_ON_TIME, 5),
                        Value(v1::METRIC_HAZARD_TESTS, 3), Value(v1::METRIC_HAZARD_TESTS_WITH_EXCEEDANCE, 1),
                        Value(v1::METRIC_PRINCIPALS_AND_MANAGERS_TO_TRAIN, 6), Value(v1::METRIC_PRINCIPALS_TRAINED, 3),
                        Value(v1::METRIC_OSH_MANAGERS_TRAINED, 4), Value(v1::METRIC_DISEASE_CASES, 4),
                        Value(v1::METRIC_DISEASE_CASES_RESPIRATORY, 3), Value(v1::METRIC_DISEASE_CASES_PHYSICAL, 1)}) {
    *r.add_totals() = v;
  }
  std::set<std::string> ids;
  for (const auto& f : FindingsOf(r, {}, 0.5)) ids.insert(f.id());
  // 101 notified of 100 examined, 5 on time of 4 closed, 3 + 4 trained of 6;
  // the disease categories add up (3 + 1 = 4) and the other figures agree.
  EXPECT_EQ(ids, (std::set<std::string>{"notified_within_examined@44", "closed_on_time_within_closed@44",
                                        "trained_within_to_train@44"}));
}

TEST(Validation, EveryRuleNamesMetricsOfTheCatalogue) {
  std::set<std::string_view> names;
  for (const auto& rule : ConsistencyRules()) {
    EXPECT_TRUE(names.insert(rule.name).second) << rule.name;
    EXPECT_FALSE(rule.parts.empty());
    EXPECT_NE(rule.bound, v1::METRIC_UNSPECIFIED);
  }
}

// Hainan (46), hand-made: 2023 two employers of 100 workers in Haikou; 2024
// three more, one of them in Sanya with 10 workers and an approved declaration
// of 30 exposed workers (more exposed than workers in city 4602).
class ValidationServiceTest : public ApprovalTest {
 protected:
  void PlayHainan() {
    SimulatedRegistry hi("46");
    const auto code = [](const char* division, int serial) { return MakeCreditCode(division, serial); };
    Apply(hi.Register(code("460105", 1), "460105", "C", 100, "2023-03-01"));
    Apply(hi.Register(code("460105", 2), "460105", "C", 100, "2023-04-01"));
    Apply(hi.Register(code("460105", 3), "460105", "C", 100, "2024-02-01"));
    Apply(hi.Register(code("460105", 4), "460105", "C", 100, "2024-02-01"));
    Apply(hi.Register(code("460202", 5), "460202", "C", 10, "2024-03-01"));
    Apply(hi.Submit(code("460202", 5), "H5", {{osh::common::v1::HAZARD_CATEGORY_DUST, 30}}, 30, "2024-03-05"));
    Apply(hi.Approve("H5", "2024-03-10"));
  }
  const std::string hi_admin_ = Token("province_admin", "46", "", "admin46");
};

TEST_F(ValidationServiceTest, ADraftCarriesFindingsAndSubmittingNeedsAnExplanationOfEach) {
  PlayHainan();
  auto draft = Generate("46", hi_admin_);
  std::set<std::string> ids;
  for (const auto& f : draft.findings()) ids.insert(f.id());
  // registered 2 → 5 (+150 %), workers 200 → 410 (+105 %); registrations 2 → 3 (+50 %) is not more than 50 %.
  EXPECT_EQ(ids, (std::set<std::string>{"exposed_within_workers@4602", "outlier.registered_employers@46",
                                        "outlier.workers@46"}));

  v1::AnnualReport out;
  auto status = Submit(draft.id(), hi_admin_, &out);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FirstViolationField(status), "explanations");
  EXPECT_NE(FirstViolationMessage(status).find("exposed_within_workers@4602"), std::string::npos)
      << FirstViolationMessage(status);

  const std::vector<std::pair<std::string, std::string>> two = {
      {"exposed_within_workers@4602", "the Sanya employer declared its contractors' workers"},
      {"outlier.registered_employers@46", "a registration campaign in 2024"}};
  status = Submit(draft.id(), hi_admin_, &out, "", two);
  EXPECT_EQ(FirstViolationField(status), "explanations");
  EXPECT_NE(FirstViolationMessage(status).find("outlier.workers@46"), std::string::npos);

  auto with_unknown = two;
  with_unknown.emplace_back("outlier.workers@46", "new employers");
  with_unknown.emplace_back("no-such-finding", "x");
  EXPECT_EQ(FirstViolationField(Submit(draft.id(), hi_admin_, &out, "", with_unknown)), "explanations[3].finding_id");
  auto blank = two;
  blank.emplace_back("outlier.workers@46", " ");
  EXPECT_EQ(FirstViolationField(Submit(draft.id(), hi_admin_, &out, "", blank)), "explanations[2].explanation");
  EXPECT_TRUE(OutboxTypes().empty());

  auto all = two;
  all.emplace_back("outlier.workers@46", "the three new employers");
  status = Submit(draft.id(), hi_admin_, &out, "", all);
  ASSERT_TRUE(status.ok()) << status.error_message();
  v1::GetAnnualReportRequest get;
  get.set_id(draft.id());
  v1::AnnualReport kept;
  ASSERT_TRUE(stub_->GetAnnualReport(Ctx(national_).get(), get, &kept).ok());
  ASSERT_EQ(kept.submission().explanations_size(), 3);
  EXPECT_EQ(kept.submission().explanations(2).explanation(), "the three new employers");
  ev::ProvincialReportSubmitted m;
  ASSERT_TRUE(events::Unpack(Outbox().at(0), &m));
  EXPECT_EQ(m.explained_findings(), 3);
}

}  // namespace
}  // namespace osh::reporting::testing
