// osh-training over real gRPC: the course workflow and its versions,
// enrollment, progress and server-side grading, completion with a
// certificate, public verification (forged and revoked codes), access, bad
// input, idempotent retries and restarts, and the events left in the outbox.
#include "osh/events/v1/training_events.pb.h"
#include "osh/service/records.h"
#include "training_fixture.h"

namespace osh::training::testing {
namespace {

class TrainingServiceTest : public TrainingFixture {
 protected:
  grpc::Status GetCourse(const std::string& id, const std::string& token, v1::Course* out,
                         v1::CourseView view = v1::COURSE_VIEW_PUBLISHED, int64_t course_version = 0) {
    v1::GetCourseRequest req;
    req.set_id(id);
    req.set_view(view);
    req.set_course_version(course_version);
    return stub_->GetCourse(Ctx(token).get(), req, out);
  }

  grpc::Status Update(const v1::Course& c, const v1::CourseContent& content, v1::Course* out,
                      const std::string& token = "") {
    v1::UpdateCourseRequest req;
    req.set_id(c.id());
    req.set_version(c.version());
    *req.mutable_content() = content;
    return stub_->UpdateCourse(Ctx(token.empty() ? admin_ : token).get(), req, out);
  }

  grpc::Status Revoke(const std::string& certificate_id, const std::string& reason, const std::string& token,
                      v1::Certificate* out) {
    v1::RevokeCertificateRequest req;
    req.set_id(certificate_id);
    req.set_reason(reason);
    return stub_->RevokeCertificate(Ctx(token).get(), req, out);
  }

  static bool AnyAnswerShown(const v1::CourseContent& c) {
    for (const auto& q : c.quiz().questions()) {
      for (const auto& ch : q.choices()) {
        if (ch.correct()) return true;
      }
    }
    return false;
  }

  template <typename M>
  std::vector<M> EventsOf() {
    std::vector<M> out;
    for (const auto& e : OutboxEvents()) {
      M m;
      if (events::Unpack(e, &m)) out.push_back(m);
    }
    return out;
  }
};

TEST_F(TrainingServiceTest, DraftCourseIsInvisibleUntilPublishedAndAnswersStayWithAuthors) {
  const auto draft = CreateCourse(SampleCourse());
  EXPECT_EQ(draft.status(), v1::COURSE_STATUS_DRAFT);
  EXPECT_EQ(draft.province(), "44");
  EXPECT_EQ(draft.latest_version(), 1);
  EXPECT_EQ(draft.published_version(), 0);

  v1::Course out;
  EXPECT_EQ(GetCourse(draft.id(), "", &out).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::Enrollment e;
  EXPECT_EQ(Enroll(draft.id(), worker_, &e).error_code(), grpc::StatusCode::NOT_FOUND);

  EXPECT_TRUE(EventsOf<events::v1::CoursePublished>().empty());
  v1::Course published;
  ASSERT_TRUE(Publish(draft, &published).ok());
  EXPECT_EQ(published.status(), v1::COURSE_STATUS_PUBLISHED);
  EXPECT_EQ(published.published_version(), 1);
  // Announced through the outbox with its public facts, never the quiz.
  const auto announced = EventsOf<events::v1::CoursePublished>();
  ASSERT_EQ(announced.size(), 1u);
  EXPECT_EQ(announced[0].course_id(), draft.id());
  EXPECT_EQ(announced[0].title(), "粉尘危害防护");
  EXPECT_EQ(announced[0].course_version(), 1);
  EXPECT_EQ(announced[0].province(), "44");

  // Anyone reads the published course, without the correct answers.
  ASSERT_TRUE(GetCourse(draft.id(), "", &out).ok());
  EXPECT_EQ(out.content().title(), "粉尘危害防护");
  EXPECT_EQ(out.content().quiz().questions_size(), 2);
  EXPECT_FALSE(AnyAnswerShown(out.content()));
  ASSERT_TRUE(GetCourse(draft.id(), worker_, &out).ok());
  EXPECT_FALSE(AnyAnswerShown(out.content()));
  // Learners cannot ask for the author view; authors get the answers.
  EXPECT_EQ(GetCourse(draft.id(), worker_, &out, v1::COURSE_VIEW_AUTHOR).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetCourse(draft.id(), "", &out, v1::COURSE_VIEW_AUTHOR).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(GetCourse(draft.id(), admin_, &out, v1::COURSE_VIEW_AUTHOR).ok());
  EXPECT_TRUE(AnyAnswerShown(out.content()));

  // Lists carry neither lesson bodies nor the quiz.
  v1::ListCoursesResponse list;
  ASSERT_TRUE(stub_->ListCourses(Ctx("").get(), v1::ListCoursesRequest(), &list).ok());
  ASSERT_EQ(list.courses_size(), 1);
  EXPECT_TRUE(list.courses(0).content().lessons(0).body().empty());
  EXPECT_EQ(list.courses(0).content().quiz().questions_size(), 0);

  // Publishing twice is refused.
  EXPECT_EQ(Publish(published, &out).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(TrainingServiceTest, EditingAPublishedCourseMakesANewVersionAndEnrollmentsKeepTheirs) {
  const auto v1course = PublishedCourse();
  v1::Enrollment early;
  ASSERT_TRUE(Enroll(v1course.id(), worker_, &early).ok());
  EXPECT_EQ(early.course_version(), 1);

  auto changed = SampleCourse("粉尘危害防护（2026版）");
  auto* l3 = changed.add_lessons();
  l3->set_id("l3");
  l3->set_title("第三课");
  l3->set_body("新内容");
  v1::Course draft2;
  ASSERT_TRUE(Update(v1course, changed, &draft2).ok());
  EXPECT_EQ(draft2.latest_version(), 2);
  EXPECT_EQ(draft2.published_version(), 1);
  EXPECT_EQ(draft2.status(), v1::COURSE_STATUS_DRAFT);
  // A second edit of the unpublished draft stays version 2.
  changed.set_summary("修订");
  v1::Course draft2b;
  ASSERT_TRUE(Update(draft2, changed, &draft2b).ok());
  EXPECT_EQ(draft2b.latest_version(), 2);
  // Editing from a stale read is ABORTED.
  v1::Course stale;
  EXPECT_EQ(Update(draft2, changed, &stale).error_code(), grpc::StatusCode::ABORTED);

  // The public still sees version 1 until version 2 is published.
  v1::Course out;
  ASSERT_TRUE(GetCourse(v1course.id(), "", &out).ok());
  EXPECT_EQ(out.course_version(), 1);
  EXPECT_EQ(out.content().lessons_size(), 2);
  v1::Course published2;
  ASSERT_TRUE(Publish(draft2b, &published2).ok());
  ASSERT_TRUE(GetCourse(v1course.id(), "", &out).ok());
  EXPECT_EQ(out.course_version(), 2);
  EXPECT_EQ(out.content().lessons_size(), 3);

  // The early learner completes version 1 with its two lessons; a new learner gets version 2.
  for (const char* lesson : {"l1", "l2"}) ASSERT_TRUE(View(early.id(), lesson, worker_, &early).ok());
  EXPECT_EQ(View(early.id(), "l3", worker_, &early).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::QuizAttemptResult result;
  ASSERT_TRUE(Submit(early.id(), AllRight(), worker_, &result).ok());
  EXPECT_EQ(result.enrollment().status(), v1::ENROLLMENT_STATUS_COMPLETED);
  EXPECT_EQ(result.enrollment().certificate().course_title(), "粉尘危害防护");
  v1::Enrollment late;
  ASSERT_TRUE(Enroll(v1course.id(), worker2_, &late).ok());
  EXPECT_EQ(late.course_version(), 2);
  EXPECT_EQ(late.lesson_count(), 3);
  // Learners may read the version they enrolled in.
  ASSERT_TRUE(GetCourse(v1course.id(), worker_, &out, v1::COURSE_VIEW_PUBLISHED, 1).ok());
  EXPECT_EQ(out.content().lessons_size(), 2);
}

TEST_F(TrainingServiceTest, CompletionNeedsEveryLessonAndAPassedQuizThenIssuesAVerifiableCertificate) {
  const auto course = PublishedCourse();
  v1::Enrollment e;
  ASSERT_TRUE(Enroll(course.id(), worker_, &e, v1::TARGET_ROLE_WORKER, "张三明").ok());
  EXPECT_EQ(e.status(), v1::ENROLLMENT_STATUS_IN_PROGRESS);
  EXPECT_EQ(e.holder_name_masked(), "张*明");
  EXPECT_EQ(e.org(), kOrgA);
  EXPECT_EQ(e.max_attempts(), 2);

  // Quiz passed first: not complete while a lesson is unviewed.
  v1::QuizAttemptResult result;
  ASSERT_TRUE(Submit(e.id(), {Answer("q1", {"b"})}, worker_, &result).ok());  // q2 unanswered: 50%
  EXPECT_EQ(result.attempt().score_percent(), 50);
  EXPECT_EQ(result.attempt().correct_count(), 1);
  EXPECT_TRUE(result.attempt().passed());
  EXPECT_EQ(result.enrollment().status(), v1::ENROLLMENT_STATUS_IN_PROGRESS);
  ASSERT_TRUE(View(e.id(), "l1", worker_, &e).ok());
  EXPECT_EQ(e.status(), v1::ENROLLMENT_STATUS_IN_PROGRESS);
  EXPECT_FALSE(e.has_certificate());
  ASSERT_TRUE(View(e.id(), "l2", worker_, &e).ok());
  EXPECT_EQ(e.status(), v1::ENROLLMENT_STATUS_COMPLETED);
  ASSERT_TRUE(e.has_certificate());
  const auto& certificate = e.certificate();
  EXPECT_EQ(certificate.status(), v1::CERTIFICATE_STATUS_VALID);
  EXPECT_EQ(certificate.issue_date(), "2026-01-01");
  EXPECT_EQ(certificate.holder_name_masked(), "张*明");
  EXPECT_EQ(certificate.verification_code().size(), 39u);  // 32 characters in 8 groups

  // Anyone verifies it without a token; the name stays masked.
  auto verified = Verify(certificate.verification_code());
  EXPECT_EQ(verified.status(), v1::CERTIFICATE_STATUS_VALID);
  EXPECT_EQ(verified.course_title(), "粉尘危害防护");
  EXPECT_EQ(verified.issue_date(), "2026-01-01");
  EXPECT_EQ(verified.province(), "44");
  EXPECT_EQ(verified.holder_name_masked(), "张*明");
  // Case and separators do not matter.
  std::string sloppy;
  for (char c : certificate.verification_code()) {
    if (c != '-') sloppy += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  EXPECT_EQ(Verify(sloppy).status(), v1::CERTIFICATE_STATUS_VALID);

  // The full name is stored sealed, never in clear.
  const bool clear_anywhere = db_->Read([](store::Tx& tx) {
    for (const char* sql : {"SELECT COUNT(*) FROM enrollments WHERE holder_name_sealed LIKE '%张三明%' OR "
                            "CAST(record AS TEXT) LIKE '%张三明%'",
                            "SELECT COUNT(*) FROM idempotency_keys WHERE CAST(request AS TEXT) LIKE '%张三明%'",
                            "SELECT COUNT(*) FROM events_outbox WHERE CAST(payload AS TEXT) LIKE '%张%'"}) {
      auto s = tx.Prepare(sql);
      s.Step();
      if (s.Int(0) != 0) return true;
    }
    return false;
  });
  EXPECT_FALSE(clear_anywhere);

  // EnrollmentCompleted and CertificateIssued are in the outbox, with no name.
  const auto completed = EventsOf<events::v1::EnrollmentCompleted>();
  ASSERT_EQ(completed.size(), 1u);
  EXPECT_EQ(completed[0].enrollment_id(), e.id());
  EXPECT_EQ(completed[0].org(), kOrgA);
  EXPECT_EQ(completed[0].attempts_used(), 1);
  EXPECT_EQ(completed[0].score_percent(), 50);
  const auto issued = EventsOf<events::v1::CertificateIssued>();
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0].certificate_id(), certificate.id());

  // Viewing again changes nothing and issues nothing more.
  ASSERT_TRUE(View(e.id(), "l2", worker_, &e).ok());
  EXPECT_EQ(CountRows("certificates"), 1);
  EXPECT_EQ(EventsOf<events::v1::CertificateIssued>().size(), 1u);
}

TEST_F(TrainingServiceTest, SupervisorsTakeTheCoursesOfTheirOwnAudienceAndListTheirOwn) {
  // A course for inspectors and institution staff (issue 19: supervisors' training).
  auto content = SampleCourse("职业卫生监督执法业务培训");
  content.clear_target_roles();
  content.add_target_roles(v1::TARGET_ROLE_INSPECTOR);
  content.add_target_roles(v1::TARGET_ROLE_INSTITUTION_STAFF);
  content.clear_industry_sections();
  content.clear_hazard_categories();
  const auto course = PublishedCourse(content);
  const auto inspector = Token("inspector", "44", "", "inspector-7");
  const auto institution = Token("institution", "44", kOrgB, "lab-3");
  const auto district_leader = Token("province_admin", "44", "", "leader-2");

  // Each takes the audience of its role and no other; a worker cannot take the supervisors' course.
  v1::Enrollment e;
  EXPECT_EQ(Enroll(course.id(), inspector, &e, v1::TARGET_ROLE_WORKER).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Enroll(course.id(), worker_, &e, v1::TARGET_ROLE_INSPECTOR).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Enroll(course.id(), district_leader, &e, v1::TARGET_ROLE_DISTRICT_LEADER).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);  // the course is not for district leaders
  v1::Enrollment lab;
  ASSERT_TRUE(Enroll(course.id(), institution, &lab, v1::TARGET_ROLE_INSTITUTION_STAFF, "李四").ok());
  EXPECT_EQ(lab.org(), kOrgB);
  ASSERT_TRUE(Enroll(course.id(), inspector, &e, v1::TARGET_ROLE_INSPECTOR, "王五").ok());
  EXPECT_TRUE(e.org().empty());

  // The inspector completes it and gets a verifiable certificate.
  v1::QuizAttemptResult result;
  ASSERT_TRUE(Submit(e.id(), AllRight(), inspector, &result).ok());
  ASSERT_TRUE(View(e.id(), "l1", inspector, &e).ok());
  ASSERT_TRUE(View(e.id(), "l2", inspector, &e).ok());
  ASSERT_EQ(e.status(), v1::ENROLLMENT_STATUS_COMPLETED);
  EXPECT_EQ(Verify(e.certificate().verification_code()).status(), v1::CERTIFICATE_STATUS_VALID);
  const auto completed = EventsOf<events::v1::EnrollmentCompleted>();
  ASSERT_EQ(completed.size(), 1u);
  EXPECT_EQ(completed[0].target_role(), v1::TARGET_ROLE_INSPECTOR);
  EXPECT_TRUE(completed[0].org().empty());

  // `mine` lists the caller's own enrollments, not the province's the inspector may read.
  v1::ListEnrollmentsRequest list;
  v1::ListEnrollmentsResponse all, mine;
  ASSERT_TRUE(stub_->ListEnrollments(Ctx(inspector).get(), list, &all).ok());
  EXPECT_EQ(all.enrollments_size(), 2);
  list.set_mine(true);
  ASSERT_TRUE(stub_->ListEnrollments(Ctx(inspector).get(), list, &mine).ok());
  ASSERT_EQ(mine.enrollments_size(), 1);
  EXPECT_EQ(mine.enrollments(0).id(), e.id());
  // Editors and national admins take no course.
  EXPECT_EQ(Enroll(course.id(), Token("editor", "44", "", "ed-1"), &e, v1::TARGET_ROLE_INSPECTOR).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(TrainingServiceTest, ACertificateOfACourseWithAValidityPeriodExpiresAndVerificationSaysSo) {
  auto content = SampleCourse("职业卫生管理人员年度再培训");
  content.set_validity_months(12);
  const auto course = PublishedCourse(content);
  const auto e = CompletedEnrollment(course.id(), worker_);  // on 2026-01-01, China Standard Time
  const auto& certificate = e.certificate();
  EXPECT_EQ(certificate.issue_date(), "2026-01-01");
  EXPECT_EQ(certificate.expiry_date(), "2026-12-31");
  auto verdict = Verify(certificate.verification_code());
  EXPECT_EQ(verdict.status(), v1::CERTIFICATE_STATUS_VALID);
  EXPECT_EQ(verdict.expiry_date(), "2026-12-31");
  const auto issued = EventsOf<events::v1::CertificateIssued>();
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0].expiry_date(), "2026-12-31");

  // Its last day it is still valid; the day after, expired, for the public and for the learner.
  now_seconds_ = kStart + 364 * 86400;
  EXPECT_EQ(Verify(certificate.verification_code()).status(), v1::CERTIFICATE_STATUS_VALID);
  now_seconds_ = kStart + 365 * 86400;
  EXPECT_EQ(Verify(certificate.verification_code()).status(), v1::CERTIFICATE_STATUS_EXPIRED);
  v1::GetEnrollmentRequest get;
  get.set_id(e.id());
  v1::Enrollment read;
  ASSERT_TRUE(stub_->GetEnrollment(Ctx(worker_).get(), get, &read).ok());
  EXPECT_EQ(read.certificate().status(), v1::CERTIFICATE_STATUS_EXPIRED);

  // A course without a validity period gives certificates that do not expire.
  const auto lasting = CompletedEnrollment(PublishedCourse(SampleCourse("粉尘危害防护基础")).id(), worker2_);
  EXPECT_TRUE(lasting.certificate().expiry_date().empty());
  EXPECT_EQ(Verify(lasting.certificate().verification_code()).status(), v1::CERTIFICATE_STATUS_VALID);
}

TEST_F(TrainingServiceTest, AValidityPeriodOutOfRangeIsRefusedNamingTheField) {
  auto content = SampleCourse();
  content.set_validity_months(121);
  v1::CreateCourseRequest req;
  *req.mutable_content() = content;
  v1::Course out;
  auto status = stub_->CreateCourse(Ctx(admin_).get(), req, &out);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(core::FieldViolationsOf(status).at(0).first, "content.validity_months");
  content.set_validity_months(-1);
  *req.mutable_content() = content;
  EXPECT_EQ(stub_->CreateCourse(Ctx(admin_).get(), req, &out).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(TrainingServiceTest, ARevocationLeavesOneEventWithoutTheHoldersName) {
  auto content = SampleCourse();
  content.set_validity_months(24);
  const auto e = CompletedEnrollment(PublishedCourse(content).id(), worker_);
  v1::Certificate revoked;
  ASSERT_TRUE(Revoke(e.certificate().id(), "考试作弊", admin_, &revoked).ok());
  const auto events = EventsOf<events::v1::CertificateRevoked>();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].certificate_id(), e.certificate().id());
  EXPECT_EQ(events[0].org(), e.org());
  for (const auto& event : OutboxEvents()) EXPECT_EQ(event.payload.find("张"), std::string::npos);
  // Revocation wins over expiry.
  now_seconds_ = kStart + 3 * 365 * 86400;
  EXPECT_EQ(Verify(e.certificate().verification_code()).status(), v1::CERTIFICATE_STATUS_REVOKED);
}

TEST_F(TrainingServiceTest, CodesDoNotCountTheCertificatesIssued) {
  const auto course = PublishedCourse();
  const auto first = CompletedEnrollment(course.id(), worker_).certificate().verification_code();
  const auto second = CompletedEnrollment(course.id(), worker2_).certificate().verification_code();
  ASSERT_FALSE(first.empty());
  ASSERT_FALSE(second.empty());
  // A code begins with its serial: counted serials (1, 2) would begin with the same characters.
  EXPECT_NE(first.substr(0, 12), second.substr(0, 12)) << first << " " << second;
  EXPECT_EQ(Verify(first).status(), v1::CERTIFICATE_STATUS_VALID);
  EXPECT_EQ(Verify(second).status(), v1::CERTIFICATE_STATUS_VALID);
}

TEST_F(TrainingServiceTest, ForgedAndMistypedCodesAreNotValid) {
  const auto course = PublishedCourse();
  const auto e = CompletedEnrollment(course.id(), worker_);
  const std::string code = e.certificate().verification_code();
  ASSERT_EQ(Verify(code).status(), v1::CERTIFICATE_STATUS_VALID);

  // Every single-character change fails (the MAC covers every bit).
  for (size_t i = 0; i < code.size(); ++i) {
    if (code[i] == '-') continue;
    std::string forged = code;
    forged[i] = code[i] == 'A' ? 'B' : 'A';
    const auto verdict = Verify(forged);
    EXPECT_EQ(verdict.status(), v1::CERTIFICATE_STATUS_NOT_VALID) << "position " << i;
    EXPECT_TRUE(verdict.course_title().empty());
    EXPECT_TRUE(verdict.holder_name_masked().empty());
  }
  // A correctly signed code of a serial never issued is not valid either.
  EXPECT_EQ(Verify(codes_->CodeFor(99)).status(), v1::CERTIFICATE_STATUS_NOT_VALID);
  // A code signed with another key does not verify.
  std::string error;
  auto other = CertificateCodes::Create("another-key-another-key-another-key-0000", "44", &error);
  EXPECT_EQ(Verify(other->CodeFor(1)).status(), v1::CERTIFICATE_STATUS_NOT_VALID);
  // Malformed codes are bad input.
  v1::CertificateVerification out;
  v1::VerifyCertificateRequest req;
  req.set_code("NOT-A-CODE");
  auto status = stub_->VerifyCertificate(Ctx("").get(), req, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(FieldsOf(status).find("code:"), std::string::npos);
}

TEST_F(TrainingServiceTest, RevokedCertificatesVerifyAsRevokedAndOnlyProvinceStaffRevoke) {
  const auto course = PublishedCourse();
  const auto e = CompletedEnrollment(course.id(), worker_);
  const auto& certificate = e.certificate();
  v1::Certificate out;
  EXPECT_EQ(Revoke(certificate.id(), "舞弊", worker_, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Revoke(certificate.id(), "舞弊", employer_, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Revoke(certificate.id(), "舞弊", other_admin_, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Revoke(certificate.id(), "舞弊", national_, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Revoke(certificate.id(), "舞弊", "", &out).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  auto status = Revoke(certificate.id(), "", admin_, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(FieldsOf(status).find("reason:"), std::string::npos);
  EXPECT_EQ(Verify(certificate.verification_code()).status(), v1::CERTIFICATE_STATUS_VALID);

  ASSERT_TRUE(Revoke(certificate.id(), "考试舞弊", inspector_, &out).ok());
  EXPECT_EQ(out.status(), v1::CERTIFICATE_STATUS_REVOKED);
  EXPECT_EQ(out.holder_name_masked(), "张*明");
  const auto verdict = Verify(certificate.verification_code());
  EXPECT_EQ(verdict.status(), v1::CERTIFICATE_STATUS_REVOKED);
  EXPECT_EQ(verdict.revocation_reason(), "考试舞弊");
  EXPECT_EQ(verdict.course_title(), "粉尘危害防护");
  EXPECT_EQ(Revoke(certificate.id(), "再次", admin_, &out).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  const int64_t audits = db_->Read([&](store::Tx& tx) { return service::CountAudit(tx, certificate.id()); });
  EXPECT_EQ(audits, 2);  // issued, revoked
}

TEST_F(TrainingServiceTest, AttemptsAreLimitedRecordedAndGradedOnTheServer) {
  const auto course = PublishedCourse();  // max_attempts 2, pass mark 50
  v1::Enrollment e;
  ASSERT_TRUE(Enroll(course.id(), worker_, &e).ok());
  v1::QuizAttemptResult r;
  ASSERT_TRUE(Submit(e.id(), AllWrong(), worker_, &r).ok());
  EXPECT_EQ(r.attempt().number(), 1);
  EXPECT_EQ(r.attempt().score_percent(), 0);
  EXPECT_FALSE(r.attempt().passed());
  // A multiple-choice answer missing one correct choice is wrong: 1 of 2 = 50% passes the mark.
  ASSERT_TRUE(Submit(e.id(), {Answer("q1", {"b"}), Answer("q2", {"a"})}, worker_, &r).ok());
  EXPECT_EQ(r.attempt().number(), 2);
  EXPECT_EQ(r.attempt().correct_count(), 1);
  EXPECT_TRUE(r.attempt().passed());
  EXPECT_EQ(r.enrollment().attempts_size(), 2);
  EXPECT_EQ(r.enrollment().attempts(0).answers(0).choice_ids(0), "a");
  // Passed: no more attempts.
  EXPECT_EQ(Submit(e.id(), AllRight(), worker_, &r).error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  // Another learner fails twice and is out of attempts.
  v1::Enrollment e2;
  ASSERT_TRUE(Enroll(course.id(), worker2_, &e2).ok());
  ASSERT_TRUE(Submit(e2.id(), AllWrong(), worker2_, &r).ok());
  ASSERT_TRUE(Submit(e2.id(), AllWrong(), worker2_, &r).ok());
  auto status = Submit(e2.id(), AllRight(), worker2_, &r);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("all 2 quiz attempts"), std::string::npos);
  v1::GetEnrollmentRequest get;
  get.set_id(e2.id());
  v1::Enrollment read;
  ASSERT_TRUE(stub_->GetEnrollment(Ctx(worker2_).get(), get, &read).ok());
  EXPECT_EQ(read.attempts_size(), 2);
  EXPECT_FALSE(read.quiz_passed());
}

TEST_F(TrainingServiceTest, BadAnswersAreRefusedPerFieldAndUseNoAttempt) {
  const auto course = PublishedCourse();
  v1::Enrollment e;
  ASSERT_TRUE(Enroll(course.id(), worker_, &e).ok());
  v1::QuizAttemptResult r;
  auto status = Submit(e.id(),
                       {Answer("q1", {"a", "b"}), Answer("q9", {"a"}), Answer("q2", {"z"}), Answer("q1", {"b"})},
                       worker_, &r);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const auto fields = FieldsOf(status);
  EXPECT_NE(fields.find("answers[0].choice_ids:"), std::string::npos) << fields;
  EXPECT_NE(fields.find("answers[1].question_id:"), std::string::npos) << fields;
  EXPECT_NE(fields.find("answers[2].choice_ids[0]:"), std::string::npos) << fields;
  EXPECT_NE(fields.find("answers[3].question_id:"), std::string::npos) << fields;
  EXPECT_EQ(CountRows("quiz_attempts"), 0);
}

TEST_F(TrainingServiceTest, EveryInvalidCourseFieldIsNamedAndNothingIsWritten) {
  v1::CourseContent bad = SampleCourse();
  bad.set_title("");
  bad.add_target_roles(static_cast<v1::TargetRole>(9));
  bad.add_industry_sections("Z");
  bad.add_hazard_categories(common::v1::HAZARD_CATEGORY_DUST);
  bad.mutable_lessons(1)->set_id("l1");
  bad.mutable_lessons(0)->set_body("");
  bad.mutable_quiz()->set_pass_mark_percent(0);
  bad.mutable_quiz()->mutable_questions(0)->mutable_choices(0)->set_correct(true);  // two correct on single choice
  bad.mutable_quiz()->mutable_questions(1)->set_kind(v1::QUESTION_KIND_UNSPECIFIED);
  bad.mutable_quiz()->mutable_questions(1)->mutable_choices(2)->set_id("bad id");
  bad.set_max_attempts(0);
  v1::CreateCourseRequest req;
  *req.mutable_content() = bad;
  req.set_request_id("has space");
  v1::Course out;
  auto status = stub_->CreateCourse(Ctx(admin_).get(), req, &out);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const auto fields = FieldsOf(status);
  for (const char* field :
       {"request_id:", "content.title:", "content.target_roles[3]:", "content.industry_sections[1]:",
        "content.hazard_categories[1]:", "content.lessons[1].id:", "content.lessons[0].body:",
        "content.quiz.pass_mark_percent:", "content.quiz.questions[0].choices:", "content.quiz.questions[1].kind:",
        "content.quiz.questions[1].choices[2].id:", "content.max_attempts:"}) {
    EXPECT_NE(fields.find(field), std::string::npos) << field << " missing in\n" << fields;
  }
  EXPECT_EQ(CountRows("courses"), 0);
  EXPECT_EQ(CountRows("audit_log"), 0);

  // Enrollment fields, and nothing written.
  const auto course = PublishedCourse();
  v1::EnrollRequest enroll;
  enroll.set_course_id("");
  enroll.set_holder_name("a\nb");
  v1::Enrollment e;
  status = stub_->Enroll(Ctx(worker_).get(), enroll, &e);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const auto enroll_fields = FieldsOf(status);
  for (const char* field : {"course_id:", "target_role:", "holder_name:"}) {
    EXPECT_NE(enroll_fields.find(field), std::string::npos) << field << " missing in\n" << enroll_fields;
  }
  // A role the course is not for is named too.
  auto workers_only = SampleCourse("劳动者课程");
  workers_only.clear_target_roles();
  workers_only.add_target_roles(v1::TARGET_ROLE_WORKER);
  const auto worker_course = PublishedCourse(workers_only);
  status = Enroll(worker_course.id(), employer_, &e, v1::TARGET_ROLE_EMPLOYER_PRINCIPAL);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(FieldsOf(status).find("target_role:"), std::string::npos);
  EXPECT_EQ(CountRows("enrollments"), 0);
}

TEST_F(TrainingServiceTest, AccessFollowsRoleProvinceAndOrganisation) {
  // Authoring: province_admin of the province; national_admin for national courses only.
  v1::CreateCourseRequest create;
  *create.mutable_content() = SampleCourse();
  v1::Course c;
  EXPECT_EQ(stub_->CreateCourse(Ctx("").get(), create, &c).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  for (const auto* token : {&worker_, &employer_, &inspector_, &editor_, &other_admin_, &national_}) {
    EXPECT_EQ(stub_->CreateCourse(Ctx(*token).get(), create, &c).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  create.set_national(true);
  EXPECT_EQ(stub_->CreateCourse(Ctx(admin_).get(), create, &c).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const auto national_course = PublishedCourse(SampleCourse("全国课程"), national_, true);
  EXPECT_EQ(national_course.province(), "");
  const auto course = PublishedCourse();
  v1::Course updated;
  EXPECT_EQ(Update(course, SampleCourse("改"), &updated, national_).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Update(national_course, SampleCourse("改"), &updated, admin_).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // National courses are visible and enrollable in the province.
  v1::ListCoursesResponse list;
  ASSERT_TRUE(stub_->ListCourses(Ctx("").get(), v1::ListCoursesRequest(), &list).ok());
  EXPECT_EQ(list.courses_size(), 2);
  v1::Enrollment national_enrollment;
  ASSERT_TRUE(Enroll(national_course.id(), worker_, &national_enrollment).ok());

  // Learners: workers and employers of this province with an organisation.
  v1::Enrollment e;
  EXPECT_EQ(Enroll(course.id(), "", &e).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Enroll(course.id(), admin_, &e).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Enroll(course.id(), worker_elsewhere_, &e).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Enroll(course.id(), Token("worker", "44", "", "no-org"), &e).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Enroll(course.id(), worker_, &e, v1::TARGET_ROLE_EMPLOYER_PRINCIPAL).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Enroll(course.id(), worker_, &e).ok());
  v1::Enrollment twice;
  EXPECT_EQ(Enroll(course.id(), worker_, &twice).error_code(), grpc::StatusCode::ALREADY_EXISTS);

  // Progress only by the learner itself; to other learners the enrollment is not there.
  v1::Enrollment viewed;
  EXPECT_EQ(View(e.id(), "l1", worker2_, &viewed).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(View(e.id(), "l1", other_worker_, &viewed).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(View(e.id(), "l1", employer_, &viewed).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::QuizAttemptResult r;
  EXPECT_EQ(Submit(e.id(), AllRight(), worker2_, &r).error_code(), grpc::StatusCode::NOT_FOUND);

  // Reading: the learner, its employer, province staff, national_admin; not colleagues or other organisations.
  v1::GetEnrollmentRequest get;
  get.set_id(e.id());
  v1::Enrollment read;
  for (const auto* token : {&worker_, &employer_, &admin_, &inspector_, &national_}) {
    EXPECT_TRUE(stub_->GetEnrollment(Ctx(*token).get(), get, &read).ok());
  }
  // Roles without a right to this province's enrollments are refused; colleagues and other
  // organisations are not told that the enrollment exists.
  for (const auto* token : {&other_admin_, &editor_}) {
    EXPECT_EQ(stub_->GetEnrollment(Ctx(*token).get(), get, &read).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  for (const auto* token : {&worker2_, &other_worker_, &other_employer_}) {
    EXPECT_EQ(stub_->GetEnrollment(Ctx(*token).get(), get, &read).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  EXPECT_EQ(stub_->GetEnrollment(Ctx("").get(), get, &read).error_code(), grpc::StatusCode::UNAUTHENTICATED);

  // Lists: a worker sees its own, an employer its organisation's, staff everyone's.
  v1::Enrollment colleague;
  ASSERT_TRUE(Enroll(course.id(), worker2_, &colleague).ok());
  v1::Enrollment stranger;
  ASSERT_TRUE(Enroll(course.id(), other_worker_, &stranger).ok());
  const auto count = [&](const std::string& token, const std::string& org = "") {
    v1::ListEnrollmentsRequest req;
    req.set_org(org);
    v1::ListEnrollmentsResponse out;
    auto status = stub_->ListEnrollments(Ctx(token).get(), req, &out);
    return status.ok() ? out.enrollments_size() : -static_cast<int>(status.error_code());
  };
  EXPECT_EQ(count(worker_), 2);  // its own two (course and national course)
  EXPECT_EQ(count(employer_), 3);
  EXPECT_EQ(count(admin_), 4);
  EXPECT_EQ(count(admin_, kOrgB), 1);
  EXPECT_EQ(count(employer_, kOrgB), -static_cast<int>(grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_EQ(count(other_admin_), -static_cast<int>(grpc::StatusCode::PERMISSION_DENIED));

  // Literacy data: province staff only.
  v1::QueryLiteracyResponse literacy;
  EXPECT_EQ(stub_->QueryLiteracy(Ctx(worker_).get(), v1::QueryLiteracyRequest(), &literacy).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(TrainingServiceTest, RetriedWritesAnswerTheFirstTimeAndWriteOnce) {
  v1::CreateCourseRequest create;
  *create.mutable_content() = SampleCourse();
  create.set_request_id("create-1");
  v1::Course first, again;
  ASSERT_TRUE(stub_->CreateCourse(Ctx(admin_).get(), create, &first).ok());
  ASSERT_TRUE(stub_->CreateCourse(Ctx(admin_).get(), create, &again).ok());
  EXPECT_EQ(first.id(), again.id());
  EXPECT_EQ(CountRows("courses"), 1);
  create.mutable_content()->set_title("别的");
  EXPECT_EQ(stub_->CreateCourse(Ctx(admin_).get(), create, &again).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::Course published;
  ASSERT_TRUE(Publish(first, &published).ok());
  v1::Enrollment e1, e2;
  ASSERT_TRUE(Enroll(first.id(), worker_, &e1, v1::TARGET_ROLE_WORKER, "李四", "enroll-1").ok());
  ASSERT_TRUE(Enroll(first.id(), worker_, &e2, v1::TARGET_ROLE_WORKER, "李四", "enroll-1").ok());
  EXPECT_EQ(e1.id(), e2.id());
  EXPECT_EQ(e2.holder_name_masked(), "李*");

  v1::QuizAttemptResult r1, r2;
  ASSERT_TRUE(Submit(e1.id(), AllWrong(), worker_, &r1, "attempt-1").ok());
  ASSERT_TRUE(Submit(e1.id(), AllWrong(), worker_, &r2, "attempt-1").ok());
  EXPECT_EQ(r2.attempt().number(), 1);
  EXPECT_EQ(CountRows("quiz_attempts"), 1);
}

TEST_F(TrainingServiceTest, EverythingSurvivesARestart) {
  const auto course = PublishedCourse();
  const auto e = CompletedEnrollment(course.id(), worker_);
  Restart();
  v1::GetEnrollmentRequest get;
  get.set_id(e.id());
  v1::Enrollment read;
  ASSERT_TRUE(stub_->GetEnrollment(Ctx(worker_).get(), get, &read).ok());
  EXPECT_EQ(read.status(), v1::ENROLLMENT_STATUS_COMPLETED);
  EXPECT_EQ(read.holder_name_masked(), "张*明");
  EXPECT_EQ(read.attempts_size(), 1);
  EXPECT_EQ(Verify(e.certificate().verification_code()).status(), v1::CERTIFICATE_STATUS_VALID);
  // The next certificate gets the next serial, not a reused one.
  const auto e2 = CompletedEnrollment(course.id(), worker2_);
  EXPECT_NE(e2.certificate().verification_code(), e.certificate().verification_code());
  EXPECT_EQ(Verify(e2.certificate().verification_code()).status(), v1::CERTIFICATE_STATUS_VALID);
}

TEST_F(TrainingServiceTest, CourseListsPage) {
  for (int i = 0; i < 5; ++i) PublishedCourse(SampleCourse("课程" + std::to_string(i)));
  v1::ListCoursesRequest req;
  req.set_page_size(2);
  std::set<std::string> seen;
  int pages = 0;
  do {
    v1::ListCoursesResponse out;
    ASSERT_TRUE(stub_->ListCourses(Ctx("").get(), req, &out).ok());
    for (const auto& c : out.courses()) seen.insert(c.id());
    req.set_page_token(out.next_page_token());
    ++pages;
  } while (!req.page_token().empty() && pages < 10);
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(pages, 3);
  req.set_page_token("garbage");
  v1::ListCoursesResponse out;
  auto status = stub_->ListCourses(Ctx("").get(), req, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(FieldsOf(status).find("page_token:"), std::string::npos);
}

}  // namespace
}  // namespace osh::training::testing
