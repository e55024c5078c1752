// Supervision facts become events: each write through the real gRPC socket
// leaves exactly its event in the outbox of the real SQLite file, in the same
// transaction, with the counts reporting needs and nothing that names a person.
#include "supervision_facts_fixture.h"

namespace osh::registry::testing {
namespace {

using grpc::StatusCode;

class SupervisionEventsTest : public SupervisionFactsFixture {};

TEST_F(SupervisionEventsTest, AHazardTestLeavesOneEventWithPointsPerFactorAndCategory) {
  const auto code = MakeCreditCode("441900", 201);
  const auto e = CreateEmployer(SampleEmployer(code));
  v1::HazardTest test;
  auto status = supervision_stub_->RecordHazardTest(Ctx(Token("employer", "44", code, "emp-201")).get(),
                                                    HazardTestOf(e, "ht-1"), &test);
  ASSERT_TRUE(status.ok()) << status.error_message();

  const auto events = Outboxed<events::v1::HazardTestRecorded>();
  ASSERT_EQ(events.size(), 1u);
  const auto& [event, m] = events[0];
  EXPECT_EQ(event.key, code) << "keyed by employer, like the registry's other events";
  EXPECT_EQ(event.topic, "osh.registry.events");
  EXPECT_EQ(m.test_id(), test.id());
  EXPECT_EQ(m.employer().credit_code(), code);
  EXPECT_EQ(m.employer().division_code(), "441900");
  EXPECT_EQ(m.employer().industry_section(), "C");
  EXPECT_EQ(m.tested_on(), Day(-10));
  EXPECT_EQ(m.points_tested(), 4);
  EXPECT_EQ(m.points_exceeding(), 2);
  ASSERT_EQ(m.factors_size(), 3);
  // Ordered by factor code whatever the order of the results.
  EXPECT_EQ(m.factors(0).factor_code(), "C001");
  EXPECT_EQ(m.factors(0).hazard_category(), common::v1::HAZARD_CATEGORY_CHEMICAL);
  EXPECT_EQ(m.factors(0).points_tested(), 1);
  EXPECT_EQ(m.factors(0).points_exceeding(), 0);
  EXPECT_EQ(m.factors(1).factor_code(), "D001");
  EXPECT_EQ(m.factors(1).hazard_category(), common::v1::HAZARD_CATEGORY_DUST);
  EXPECT_EQ(m.factors(1).points_exceeding(), 1);
  EXPECT_EQ(m.factors(2).factor_code(), "P001");
  EXPECT_EQ(m.factors(2).hazard_category(), common::v1::HAZARD_CATEGORY_PHYSICAL);
  EXPECT_EQ(m.factors(2).points_tested(), 2);
  EXPECT_EQ(m.factors(2).points_exceeding(), 1);

  // A retry of the same request answers the first test and emits nothing more.
  v1::HazardTest again;
  ASSERT_TRUE(supervision_stub_->RecordHazardTest(Ctx(Token("employer", "44", code, "emp-201")).get(),
                                                  HazardTestOf(e, "ht-1"), &again).ok());
  EXPECT_EQ(again.id(), test.id());
  EXPECT_EQ(Outboxed<events::v1::HazardTestRecorded>().size(), 1u);
  ExpectNoPersonalDataOutboxed();
}

TEST_F(SupervisionEventsTest, ARefusedHazardTestLeavesNoEvent) {
  const auto code = MakeCreditCode("441900", 202);
  const auto e = CreateEmployer(SampleEmployer(code));
  auto bad = HazardTestOf(e);
  bad.mutable_hazard_test()->mutable_results(1)->set_factor_code("X999");
  v1::HazardTest out;
  EXPECT_EQ(supervision_stub_->RecordHazardTest(Ctx(admin_).get(), bad, &out).error_code(),
            StatusCode::INVALID_ARGUMENT);
  // Another province's staff may not record it.
  EXPECT_EQ(supervision_stub_->RecordHazardTest(Ctx(other_province_admin_).get(), HazardTestOf(e), &out).error_code(),
            StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Outboxed<events::v1::HazardTestRecorded>().empty());
}

TEST_F(SupervisionEventsTest, AReportOfAThousandBadResultsIsRefusedAsInvalidNotAsTooLarge) {
  const auto e = CreateEmployer(SampleEmployer(MakeCreditCode("441900", 207)));
  auto bad = HazardTestOf(e);
  auto* t = bad.mutable_hazard_test();
  while (t->results_size() < 1000) *t->add_results() = t->results(0);
  for (auto& r : *t->mutable_results()) r.set_factor_code("X999");
  v1::HazardTest out;
  const auto status = supervision_stub_->RecordHazardTest(Ctx(admin_).get(), bad, &out);
  ASSERT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_EQ(core::FieldViolationsOf(status).front().first, "hazard_test.results[0].factor_code");
  EXPECT_TRUE(Outboxed<events::v1::HazardTestRecorded>().empty());
}

TEST_F(SupervisionEventsTest, AHealthExamSummaryCarriesItsCountsAndTheWorkersWhoShouldBeExamined) {
  const auto code = MakeCreditCode("441900", 203);
  const auto e = CreateEmployer(SampleEmployer(code));
  const int year = std::stoi(Day(0).substr(0, 4)) - 1;
  v1::HealthExamSummary out;
  // Reported by the employer: 120 should be examined, 100 were, 88 told in writing.
  auto status = supervision_stub_->RecordHealthExamSummary(Ctx(Token("employer", "44", code, "emp-203")).get(),
                                                           SummaryOf(e, year, 100, 88, 120), &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  auto events = Outboxed<events::v1::HealthExamSummaryRecorded>();
  ASSERT_EQ(events.size(), 1u);
  const auto& m = events[0].second;
  EXPECT_EQ(events[0].first.key, code);
  EXPECT_EQ(m.summary_id(), out.id());
  EXPECT_EQ(m.employer().credit_code(), code);
  EXPECT_EQ(m.year(), year);
  EXPECT_EQ(m.exam_kind(), v1::EXAM_KIND_IN_SERVICE);
  EXPECT_EQ(m.examined(), 100);
  EXPECT_EQ(m.should_be_examined(), 120);
  EXPECT_EQ(m.should_be_examined_source(), events::v1::SHOULD_BE_EXAMINED_SOURCE_REPORTED);
  EXPECT_EQ(m.abnormal(), 10);
  EXPECT_EQ(m.suspected_occupational_disease(), 1);
  EXPECT_EQ(m.notified_in_writing(), 88);
  ExpectNoPersonalDataOutboxed();
}

TEST_F(SupervisionEventsTest, WithoutAReportedCountTheLatestApprovedDeclarationGivesWhoShouldBeExamined) {
  const auto with_declaration = CreateEmployer(SampleEmployer(MakeCreditCode("441900", 204)));
  const auto without = CreateEmployer(SampleEmployer(MakeCreditCode("441900", 205)));
  const int year = std::stoi(Day(0).substr(0, 4));
  // An approved declaration of this year: 35 exposed workers.
  v1::SubmitDeclarationRequest submit;
  submit.set_employer_id(with_declaration.id());
  auto* d = submit.mutable_declaration();
  d->set_type(v1::DECLARATION_TYPE_INITIAL);
  d->set_year(year);
  auto* x = d->add_exposures();
  x->set_factor_code("D001");
  x->set_workplace("打磨车间");
  x->set_post("打磨工");
  x->set_exposed_workers(35);
  d->set_total_exposed_workers(35);
  v1::Declaration declaration;
  ASSERT_TRUE(stub_->SubmitDeclaration(Ctx(admin_).get(), submit, &declaration).ok());
  v1::ReviewDeclarationRequest review;
  review.set_id(declaration.id());
  review.set_approve(true);
  ASSERT_TRUE(stub_->ReviewDeclaration(Ctx(inspector_).get(), review, &declaration).ok());
  ASSERT_EQ(declaration.year(), year);

  v1::HealthExamSummary out;
  ASSERT_TRUE(supervision_stub_->RecordHealthExamSummary(Ctx(admin_).get(), SummaryOf(with_declaration, year, 30, 30), &out).ok());
  // The year before the declaration: nothing stands in for the count.
  ASSERT_TRUE(supervision_stub_->RecordHealthExamSummary(Ctx(admin_).get(), SummaryOf(with_declaration, year - 1, 20, 20), &out).ok());
  ASSERT_TRUE(supervision_stub_->RecordHealthExamSummary(Ctx(admin_).get(), SummaryOf(without, year, 10, 9), &out).ok());
  const auto events = Outboxed<events::v1::HealthExamSummaryRecorded>();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].second.should_be_examined(), 35);
  EXPECT_EQ(events[0].second.should_be_examined_source(), events::v1::SHOULD_BE_EXAMINED_SOURCE_DECLARATION);
  EXPECT_EQ(events[1].second.should_be_examined(), 0);
  EXPECT_EQ(events[1].second.should_be_examined_source(), events::v1::SHOULD_BE_EXAMINED_SOURCE_NONE);
  EXPECT_EQ(events[2].second.should_be_examined(), 0);
  EXPECT_EQ(events[2].second.should_be_examined_source(), events::v1::SHOULD_BE_EXAMINED_SOURCE_NONE);

  // A negative count is refused, naming the field, and leaves no event.
  auto status = supervision_stub_->RecordHealthExamSummary(
      Ctx(admin_).get(), SummaryOf(without, year - 1, 10, 9, -1), &out);
  ASSERT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(status), std::set<std::string>{"summary.should_be_examined"});
  EXPECT_EQ(Outboxed<events::v1::HealthExamSummaryRecorded>().size(), 3u);
}

TEST_F(SupervisionEventsTest, EachAssistanceVisitLeavesItsCountsSubsidyInFenAndTheCaseTotals) {
  const auto code = MakeCreditCode("441900", 206);
  const auto e = CreateEmployer(SampleEmployer(code));
  const auto c = Enrol(e);
  v1::AssistanceCase out;
  ASSERT_TRUE(supervision_stub_->RecordAssistanceVisit(Ctx(inspector_).get(), VisitOf(c, 5, 2, 300000), &out).ok());
  ASSERT_TRUE(supervision_stub_->RecordAssistanceVisit(Ctx(inspector_).get(), VisitOf(c, 1, 3, 50), &out).ok());
  // Fixing more than was found is refused and leaves no event.
  EXPECT_EQ(supervision_stub_->RecordAssistanceVisit(Ctx(inspector_).get(), VisitOf(c, 0, 9, 0), &out).error_code(),
            StatusCode::INVALID_ARGUMENT);

  const auto events = Outboxed<events::v1::AssistanceVisitRecorded>();
  ASSERT_EQ(events.size(), 2u);
  const auto& first = events[0].second;
  EXPECT_EQ(events[0].first.key, code);
  EXPECT_EQ(first.case_id(), c.id());
  EXPECT_EQ(first.employer().credit_code(), code);
  EXPECT_EQ(first.employer().size_class(), common::v1::SIZE_CLASS_SMALL);
  EXPECT_EQ(first.visited_on(), Day(-10));
  EXPECT_EQ(first.visit_number(), 1);
  EXPECT_EQ(first.issues_found(), 5);
  EXPECT_EQ(first.issues_fixed(), 2);
  EXPECT_EQ(first.subsidy_fen(), 300000);
  const auto& second = events[1].second;
  EXPECT_EQ(second.visit_number(), 2);
  EXPECT_EQ(second.issues_found(), 1);
  EXPECT_EQ(second.issues_fixed(), 3);
  EXPECT_EQ(second.subsidy_fen(), 50);
  EXPECT_EQ(second.case_issues_found(), 6);
  EXPECT_EQ(second.case_issues_fixed(), 5);
  EXPECT_EQ(second.case_subsidy_fen(), 300050);
  ExpectNoPersonalDataOutboxed();
}

}  // namespace
}  // namespace osh::registry::testing
