// Courses, enrollments and certificates a caller may not see: the same answer
// whether the id exists or not.
#include "osh/service/testing/existence.h"
#include "training_fixture.h"

namespace osh::training::testing {
namespace {

using service::testing::kMissingId;
using service::testing::SameAnswerWhetherItExists;

class TrainingExistenceTest : public TrainingFixture {
 protected:
  grpc::Status AuthorView(const std::string& id, const std::string& token) {
    v1::GetCourseRequest req;
    req.set_id(id);
    req.set_view(v1::COURSE_VIEW_AUTHOR);
    v1::Course out;
    return stub_->GetCourse(Ctx(token).get(), req, &out);
  }
  grpc::Status UpdateCourse(const std::string& id, const std::string& token) {
    v1::UpdateCourseRequest req;
    req.set_id(id);
    req.set_version(1);
    *req.mutable_content() = SampleCourse("改");
    v1::Course out;
    return stub_->UpdateCourse(Ctx(token).get(), req, &out);
  }
  grpc::Status GetEnrollment(const std::string& id, const std::string& token) {
    v1::GetEnrollmentRequest req;
    req.set_id(id);
    v1::Enrollment out;
    return stub_->GetEnrollment(Ctx(token).get(), req, &out);
  }
};

TEST_F(TrainingExistenceTest, ADraftCourseOfAnotherScopeAnswersLikeAMissingOne) {
  // A national draft: province admins neither read nor write it.
  const auto draft = CreateCourse(SampleCourse("全国草稿"), national_, true);
  EXPECT_TRUE(SameAnswerWhetherItExists(draft.id(), [&](const std::string& id) { return AuthorView(id, admin_); }));
  EXPECT_TRUE(SameAnswerWhetherItExists(draft.id(), [&](const std::string& id) { return UpdateCourse(id, admin_); }));
  // Learners and anonymous callers see published courses only.
  const auto own_draft = CreateCourse(SampleCourse("省内草稿"));
  for (const auto* token : {&worker_, &employer_, &inspector_}) {
    EXPECT_TRUE(SameAnswerWhetherItExists(own_draft.id(), [&](const std::string& id) {
      v1::GetCourseRequest req;
      req.set_id(id);
      v1::Course out;
      return stub_->GetCourse(Ctx(*token).get(), req, &out);
    }));
    EXPECT_TRUE(SameAnswerWhetherItExists(own_draft.id(), [&](const std::string& id) { return AuthorView(id, *token); }));
  }
  EXPECT_EQ(AuthorView(kMissingId, admin_).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(TrainingExistenceTest, SomeoneElsesEnrollmentAnswersLikeAMissingOne) {
  const auto course = PublishedCourse();
  v1::Enrollment e;
  ASSERT_TRUE(Enroll(course.id(), worker_, &e).ok());
  for (const auto* token : {&worker2_, &other_worker_, &other_employer_}) {
    EXPECT_TRUE(SameAnswerWhetherItExists(e.id(), [&](const std::string& id) { return GetEnrollment(id, *token); }));
    EXPECT_TRUE(SameAnswerWhetherItExists(e.id(), [&](const std::string& id) {
      v1::Enrollment out;
      return View(id, "l1", *token, &out);
    }));
  }
  EXPECT_TRUE(SameAnswerWhetherItExists(e.id(), [&](const std::string& id) {
    v1::QuizAttemptResult out;
    return Submit(id, AllRight(), worker2_, &out);
  }));
  // Roles without any right to the province's enrollments are refused either way.
  for (const auto* token : {&editor_, &other_admin_}) {
    EXPECT_TRUE(SameAnswerWhetherItExists(e.id(), [&](const std::string& id) { return GetEnrollment(id, *token); }));
    EXPECT_EQ(GetEnrollment(e.id(), *token).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_EQ(GetEnrollment(kMissingId, employer_).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(TrainingExistenceTest, CertificatesAreRevokedOnlyByStaffWhoAreToldTheyAreMissing) {
  const auto course = PublishedCourse();
  const auto completed = CompletedEnrollment(course.id(), worker_);
  ASSERT_FALSE(completed.certificate().id().empty());
  const auto revoke = [&](const std::string& token) {
    return [&, token](const std::string& id) {
      v1::RevokeCertificateRequest req;
      req.set_id(id);
      req.set_reason("测试");
      v1::Certificate out;
      return stub_->RevokeCertificate(Ctx(token).get(), req, &out);
    };
  };
  for (const auto* token : {&worker_, &employer_, &other_admin_, &editor_}) {
    EXPECT_TRUE(SameAnswerWhetherItExists(completed.certificate().id(), revoke(*token)));
  }
  EXPECT_EQ(revoke(admin_)(kMissingId).error_code(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace osh::training::testing
