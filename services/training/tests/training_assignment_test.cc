// Mandatory training: EnterpriseRegistered and DeclarationApproved events,
// applied through the consumer's exactly-once path over the real SQLite file,
// assign the matching published mandatory courses to the principal and OSH
// manager roles; lists, overdue filter, and completion by the organisation.
#include "osh/events/consumer.h"
#include "osh/events/event.h"
#include "osh/events/v1/training_events.pb.h"
#include "training_fixture.h"

namespace osh::training::testing {
namespace {

class TrainingAssignmentTest : public TrainingFixture {
 protected:
  bool Apply(const events::Event& e) {
    return events::EventConsumer::ApplyOnce(
        *db_, [this](store::Tx& tx, const events::Event& event) { training_->Route(tx, event); }, e);
  }

  static v1::CourseContent Mandatory(const std::string& title, std::vector<common::v1::HazardCategory> hazards,
                                     std::vector<v1::TargetRole> roles, std::vector<std::string> sections = {}) {
    auto c = SampleCourse(title);
    c.set_mandatory(true);
    c.clear_hazard_categories();
    for (auto h : hazards) c.add_hazard_categories(h);
    c.clear_target_roles();
    for (auto r : roles) c.add_target_roles(r);
    c.clear_industry_sections();
    for (const auto& s : sections) c.add_industry_sections(s);
    return c;
  }

  grpc::Status List(const std::string& token, v1::ListAssignmentsResponse* out, const std::string& org = "",
                    bool overdue_only = false) {
    v1::ListAssignmentsRequest req;
    req.set_org(org);
    req.set_overdue_only(overdue_only);
    return stub_->ListAssignments(Ctx(token).get(), req, out);
  }

  // The EnrollmentCompleted events in the outbox, oldest first.
  std::vector<events::v1::EnrollmentCompleted> Completions() {
    std::vector<events::v1::EnrollmentCompleted> out;
    for (const auto& e : OutboxEvents()) {
      events::v1::EnrollmentCompleted m;
      if (events::Unpack(e, &m)) out.push_back(m);
    }
    return out;
  }

  int Count(const std::string& token, const std::string& org = "", bool overdue_only = false) {
    v1::ListAssignmentsResponse out;
    auto status = List(token, &out, org, overdue_only);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out.assignments_size();
  }
};

TEST_F(TrainingAssignmentTest, RegistrationAssignsMatchingMandatoryCoursesOnce) {
  const auto both = {v1::TARGET_ROLE_EMPLOYER_PRINCIPAL, v1::TARGET_ROLE_OSH_MANAGER};
  const auto dust = PublishedCourse(Mandatory("粉尘必修", {common::v1::HAZARD_CATEGORY_DUST}, both));
  const auto all = PublishedCourse(Mandatory("全员必修", {}, {v1::TARGET_ROLE_EMPLOYER_PRINCIPAL}));
  PublishedCourse(Mandatory("化学必修", {common::v1::HAZARD_CATEGORY_CHEMICAL}, both));
  PublishedCourse(Mandatory("采矿业必修", {}, both, {"B"}));
  PublishedCourse(Mandatory("劳动者必修", {}, {v1::TARGET_ROLE_WORKER}));
  CreateCourse(Mandatory("未发布", {}, both));  // a draft is never assigned
  PublishedCourse(SampleCourse("选修"));          // not mandatory
  const auto national = PublishedCourse(Mandatory("全国必修", {common::v1::HAZARD_CATEGORY_DUST},
                                                  {v1::TARGET_ROLE_OSH_MANAGER}), national_, true);

  const auto event = Registered(kOrgA, {common::v1::HAZARD_CATEGORY_DUST, common::v1::HAZARD_CATEGORY_PHYSICAL});
  ASSERT_TRUE(Apply(event));
  EXPECT_FALSE(Apply(event));  // redelivered: changes nothing
  // Another province's registration on the shared topic is not ours.
  ASSERT_TRUE(Apply(Registered(kOrgB, {common::v1::HAZARD_CATEGORY_DUST}, "32")));

  v1::ListAssignmentsResponse out;
  ASSERT_TRUE(List(employer_, &out).ok());
  ASSERT_EQ(out.assignments_size(), 4);  // dust × 2 roles, all-employers × principal, national × OSH manager
  std::multiset<std::string> titles;
  for (const auto& a : out.assignments()) {
    titles.insert(a.course_title());
    EXPECT_EQ(a.org(), kOrgA);
    EXPECT_EQ(a.due_date(), "2026-04-01");  // 90 days after 2026-01-01
    EXPECT_EQ(a.status(), v1::ASSIGNMENT_STATUS_OPEN);
    EXPECT_NE(a.target_role(), v1::TARGET_ROLE_WORKER);
  }
  EXPECT_EQ(titles.count("粉尘必修"), 2u);
  EXPECT_EQ(titles.count("全员必修"), 1u);
  EXPECT_EQ(titles.count("全国必修"), 1u);
  EXPECT_EQ(CountRows("assignments"), 4);
  const int64_t audits = db_->Read([](store::Tx& tx) {
    auto s = tx.Prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'assign'");
    s.Step();
    return s.Int(0);
  });
  EXPECT_EQ(audits, 4);
  (void)dust;
  (void)all;
  (void)national;
}

TEST_F(TrainingAssignmentTest, AnApprovedDeclarationAssignsTheCoursesOfItsHazardCategories) {
  const auto both = {v1::TARGET_ROLE_EMPLOYER_PRINCIPAL, v1::TARGET_ROLE_OSH_MANAGER};
  PublishedCourse(Mandatory("粉尘必修", {common::v1::HAZARD_CATEGORY_DUST}, both));
  PublishedCourse(Mandatory("全员必修", {}, {v1::TARGET_ROLE_EMPLOYER_PRINCIPAL}));
  PublishedCourse(Mandatory("放射必修", {common::v1::HAZARD_CATEGORY_RADIOACTIVE}, both));
  // At registration the registry knows no hazard categories yet: only the course for all.
  ASSERT_TRUE(Apply(Registered(kOrgA, {})));
  EXPECT_EQ(Count(employer_), 1);

  const auto approved = [](const std::string& credit_code, const std::string& province) {
    events::v1::DeclarationApproved m;
    auto* d = m.mutable_declaration();
    d->set_declaration_id("d-" + credit_code);
    d->mutable_employer()->set_credit_code(credit_code);
    d->mutable_employer()->set_province(province);
    d->mutable_employer()->set_industry_section("C");
    d->add_exposures()->set_category(common::v1::HAZARD_CATEGORY_DUST);
    d->add_exposures()->set_category(common::v1::HAZARD_CATEGORY_PHYSICAL);
    m.mutable_review_time()->set_seconds(kStart + 10 * 86400);
    return events::MakeEvent(m, province, "registry", credit_code);
  };
  const auto event = approved(kOrgA, "44");
  ASSERT_TRUE(Apply(event));
  EXPECT_FALSE(Apply(event));
  ASSERT_TRUE(Apply(approved(kOrgB, "32")));  // another province's
  v1::ListAssignmentsResponse out;
  ASSERT_TRUE(List(employer_, &out).ok());
  ASSERT_EQ(out.assignments_size(), 3);  // all × principal (at registration), dust × 2 roles (at approval)
  int dust = 0;
  for (const auto& a : out.assignments()) {
    if (a.course_title() == "粉尘必修") {
      ++dust;
      EXPECT_EQ(a.due_date(), "2026-04-11");  // 90 days after the approval on 2026-01-11
    } else {
      EXPECT_EQ(a.course_title(), "全员必修");
      EXPECT_EQ(a.due_date(), "2026-04-01");
    }
  }
  EXPECT_EQ(dust, 2);
  EXPECT_EQ(CountRows("assignments"), 3);
}

TEST_F(TrainingAssignmentTest, ListsAreForTheEmployerAndProvinceStaffAndPage) {
  PublishedCourse(Mandatory("全员必修", {}, {v1::TARGET_ROLE_EMPLOYER_PRINCIPAL, v1::TARGET_ROLE_OSH_MANAGER}));
  ASSERT_TRUE(Apply(Registered(kOrgA, {})));
  ASSERT_TRUE(Apply(Registered(kOrgB, {})));
  EXPECT_EQ(Count(employer_), 2);
  EXPECT_EQ(Count(other_employer_), 2);
  EXPECT_EQ(Count(admin_), 4);
  EXPECT_EQ(Count(inspector_, kOrgB), 2);
  EXPECT_EQ(Count(national_), 4);
  v1::ListAssignmentsResponse out;
  EXPECT_EQ(List(employer_, &out, kOrgB).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(List(worker_, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(List(other_admin_, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(List("", &out).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  auto status = List(admin_, &out, "not-a-credit-code");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(FieldsOf(status).find("org:"), std::string::npos);

  v1::ListAssignmentsRequest req;
  req.set_page_size(3);
  v1::ListAssignmentsResponse page1, page2;
  ASSERT_TRUE(stub_->ListAssignments(Ctx(admin_).get(), req, &page1).ok());
  EXPECT_EQ(page1.assignments_size(), 3);
  req.set_page_token(page1.next_page_token());
  ASSERT_TRUE(stub_->ListAssignments(Ctx(admin_).get(), req, &page2).ok());
  EXPECT_EQ(page2.assignments_size(), 1);
  EXPECT_TRUE(page2.next_page_token().empty());
}

TEST_F(TrainingAssignmentTest, CompletionSatisfiesTheAssignmentAndOverdueOnesAreListed) {
  const auto course =
      PublishedCourse(Mandatory("全员必修", {}, {v1::TARGET_ROLE_EMPLOYER_PRINCIPAL, v1::TARGET_ROLE_OSH_MANAGER}));
  ASSERT_TRUE(Apply(Registered(kOrgA, {})));
  EXPECT_EQ(Count(admin_, "", true), 0);  // not due yet

  // The principal completes the course before the due date.
  now_seconds_ += 10 * 86400;
  const auto done = CompletedEnrollment(course.id(), employer_, v1::TARGET_ROLE_EMPLOYER_PRINCIPAL);
  ASSERT_EQ(done.status(), v1::ENROLLMENT_STATUS_COMPLETED);

  // Past the due date (2026-04-01), only the OSH manager's is overdue.
  now_seconds_ = kStart + 91 * 86400;
  v1::ListAssignmentsResponse overdue;
  ASSERT_TRUE(List(admin_, &overdue, "", true).ok());
  ASSERT_EQ(overdue.assignments_size(), 1);
  EXPECT_EQ(overdue.assignments(0).target_role(), v1::TARGET_ROLE_OSH_MANAGER);
  v1::ListAssignmentsResponse all;
  ASSERT_TRUE(List(employer_, &all).ok());
  ASSERT_EQ(all.assignments_size(), 2);
  for (const auto& a : all.assignments()) {
    if (a.target_role() == v1::TARGET_ROLE_EMPLOYER_PRINCIPAL) {
      EXPECT_EQ(a.status(), v1::ASSIGNMENT_STATUS_COMPLETED);
      EXPECT_EQ(a.completed_enrollment_id(), done.id());
    }
  }
  // A worker's completion as worker does not satisfy the manager's assignment;
  // completing as OSH manager does.
  const auto manager = CompletedEnrollment(course.id(), worker_, v1::TARGET_ROLE_OSH_MANAGER);
  ASSERT_EQ(manager.status(), v1::ENROLLMENT_STATUS_COMPLETED);
  EXPECT_EQ(Count(admin_, "", true), 0);

  // The completions tell reporting the learner's role and organisation, the
  // day they count for and the assignment each closed; nothing names the learner.
  const auto completed = Completions();
  ASSERT_EQ(completed.size(), 2u);
  EXPECT_EQ(completed[0].enrollment_id(), done.id());
  EXPECT_EQ(completed[0].target_role(), v1::TARGET_ROLE_EMPLOYER_PRINCIPAL);
  EXPECT_EQ(completed[0].org(), kOrgA);
  EXPECT_TRUE(completed[0].mandatory());
  EXPECT_EQ(completed[0].complete_date(), "2026-01-11");
  EXPECT_EQ(completed[0].assignments_fulfilled(), 1);
  EXPECT_EQ(completed[1].target_role(), v1::TARGET_ROLE_OSH_MANAGER);
  EXPECT_EQ(completed[1].org(), kOrgA);
  EXPECT_EQ(completed[1].complete_date(), "2026-04-02");
  EXPECT_EQ(completed[1].assignments_fulfilled(), 1);
}

TEST_F(TrainingAssignmentTest, AnEarlierCompletionCountsWhenTheEmployerRegisters) {
  const auto course = PublishedCourse(Mandatory("全员必修", {}, {v1::TARGET_ROLE_EMPLOYER_PRINCIPAL}));
  const auto done = CompletedEnrollment(course.id(), employer_, v1::TARGET_ROLE_EMPLOYER_PRINCIPAL);
  ASSERT_TRUE(Apply(Registered(kOrgA, {})));
  v1::ListAssignmentsResponse out;
  ASSERT_TRUE(List(employer_, &out).ok());
  ASSERT_EQ(out.assignments_size(), 1);
  EXPECT_EQ(out.assignments(0).status(), v1::ASSIGNMENT_STATUS_COMPLETED);
  EXPECT_EQ(out.assignments(0).completed_enrollment_id(), done.id());
  // The completion came before any assignment: it closed none.
  const auto completed = Completions();
  ASSERT_EQ(completed.size(), 1u);
  EXPECT_EQ(completed[0].assignments_fulfilled(), 0);
  EXPECT_EQ(completed[0].target_role(), v1::TARGET_ROLE_EMPLOYER_PRINCIPAL);
}

// A payload that does not parse can never be applied: the consumer must
// dead-letter it at once (UndecodableEvent), not retry it as if it might.
TEST_F(TrainingAssignmentTest, AnEventWhosePayloadDoesNotParseIsUndecodableAndAssignsNothing) {
  PublishedCourse(Mandatory("全员必修", {}, {v1::TARGET_ROLE_EMPLOYER_PRINCIPAL}));
  auto garbled = Registered(kOrgA, {});
  garbled.payload = "\xff\xff\xff";
  EXPECT_THROW(Apply(garbled), events::UndecodableEvent);
  EXPECT_EQ(CountRows("assignments"), 0);
}

TEST_F(TrainingAssignmentTest, AssignmentsSurviveARestart) {
  PublishedCourse(Mandatory("全员必修", {}, {v1::TARGET_ROLE_EMPLOYER_PRINCIPAL}));
  const auto event = Registered(kOrgA, {});
  ASSERT_TRUE(Apply(event));
  Restart();
  EXPECT_FALSE(Apply(event));  // still recorded as processed
  EXPECT_EQ(Count(employer_), 1);
}

TEST_F(TrainingAssignmentTest, AMandatoryCoursePublishedLaterReachesTheEmployersKnownAlready) {
  const auto both = {v1::TARGET_ROLE_EMPLOYER_PRINCIPAL, v1::TARGET_ROLE_OSH_MANAGER};
  ASSERT_TRUE(Apply(Registered(kOrgA, {common::v1::HAZARD_CATEGORY_DUST})));
  ASSERT_TRUE(Apply(Registered(kOrgB, {common::v1::HAZARD_CATEGORY_CHEMICAL})));
  ASSERT_TRUE(Apply(Registered(CreditCode('3'), {common::v1::HAZARD_CATEGORY_DUST}, "32")));  // not ours
  EXPECT_EQ(CountRows("assignments"), 0);

  const auto dust = PublishedCourse(Mandatory("粉尘必修", {common::v1::HAZARD_CATEGORY_DUST}, both));
  EXPECT_EQ(Count(employer_), 2);        // kOrgA: principal and OSH manager
  EXPECT_EQ(Count(other_employer_), 0);  // chemicals only
  EXPECT_EQ(CountRows("assignments"), 2);

  // A later version published again assigns nothing twice; a registration replayed without hazards
  // does not make the employer forget them.
  auto edit = Mandatory("粉尘必修（第二版）", {common::v1::HAZARD_CATEGORY_DUST}, both);
  v1::UpdateCourseRequest update;
  update.set_id(dust.id());
  update.set_version(dust.version());
  *update.mutable_content() = edit;
  update.set_request_id("edit-dust");
  v1::Course edited;
  ASSERT_TRUE(stub_->UpdateCourse(Ctx(admin_).get(), update, &edited).ok());
  v1::PublishCourseRequest publish;
  publish.set_id(dust.id());
  publish.set_version(edited.version());
  publish.set_request_id("publish-dust-2");
  v1::Course republished;
  ASSERT_TRUE(stub_->PublishCourse(Ctx(admin_).get(), publish, &republished).ok());
  EXPECT_EQ(CountRows("assignments"), 2);
  ASSERT_TRUE(Apply(Registered(kOrgA, {})));
  PublishedCourse(Mandatory("粉尘复训", {common::v1::HAZARD_CATEGORY_DUST}, {v1::TARGET_ROLE_OSH_MANAGER}));
  EXPECT_EQ(Count(employer_), 3);
}

TEST_F(TrainingAssignmentTest, AnEmployerTransferredInIsAssignedOneTransferredOutIsNot) {
  PublishedCourse(Mandatory("全员必修", {}, {v1::TARGET_ROLE_EMPLOYER_PRINCIPAL}));
  const auto transfer = [](const std::string& code, const std::string& from, const std::string& to) {
    events::v1::EnterpriseTransferred m;
    m.mutable_employer()->set_credit_code(code);
    m.mutable_employer()->set_province(from);
    m.mutable_employer()->set_industry_section("C");
    m.set_from_province(from);
    m.set_to_province(to);
    m.mutable_transfer_time()->set_seconds(kStart);
    return events::MakeEvent(m, from, "registry", code);
  };
  ASSERT_TRUE(Apply(transfer(kOrgA, "32", "44")));
  ASSERT_TRUE(Apply(transfer(kOrgB, "44", "32")));
  EXPECT_EQ(Count(employer_), 1);
  EXPECT_EQ(Count(other_employer_), 0);
}

}  // namespace
}  // namespace osh::training::testing
