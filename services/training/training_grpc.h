#pragma once

#include <functional>

#include "osh/auth/jwt.h"
#include "osh/training/v1/training.grpc.pb.h"
#include "osh/service/grpc_front.h"
#include "training.h"

namespace osh::training {

// The thin gRPC face of Training on the callback API. The published course
// catalogue and certificate verification accept anonymous callers (a token,
// when sent, must still verify); everything else needs a verified token.
class TrainingGrpcService final : public v1::TrainingService::CallbackService {
 public:
  TrainingGrpcService(Training& training, const auth::TokenVerifier& verifier);

  using Ctx = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;

  Reactor* CreateCourse(Ctx* ctx, const v1::CreateCourseRequest* req, v1::Course* resp) override;
  Reactor* GetCourse(Ctx* ctx, const v1::GetCourseRequest* req, v1::Course* resp) override;
  Reactor* UpdateCourse(Ctx* ctx, const v1::UpdateCourseRequest* req, v1::Course* resp) override;
  Reactor* PublishCourse(Ctx* ctx, const v1::PublishCourseRequest* req, v1::Course* resp) override;
  Reactor* ListCourses(Ctx* ctx, const v1::ListCoursesRequest* req, v1::ListCoursesResponse* resp) override;
  Reactor* Enroll(Ctx* ctx, const v1::EnrollRequest* req, v1::Enrollment* resp) override;
  Reactor* GetEnrollment(Ctx* ctx, const v1::GetEnrollmentRequest* req, v1::Enrollment* resp) override;
  Reactor* ListEnrollments(Ctx* ctx, const v1::ListEnrollmentsRequest* req,
                           v1::ListEnrollmentsResponse* resp) override;
  Reactor* RecordLessonViewed(Ctx* ctx, const v1::RecordLessonViewedRequest* req, v1::Enrollment* resp) override;
  Reactor* SubmitQuizAttempt(Ctx* ctx, const v1::SubmitQuizAttemptRequest* req,
                             v1::QuizAttemptResult* resp) override;
  Reactor* VerifyCertificate(Ctx* ctx, const v1::VerifyCertificateRequest* req,
                             v1::CertificateVerification* resp) override;
  Reactor* RevokeCertificate(Ctx* ctx, const v1::RevokeCertificateRequest* req, v1::Certificate* resp) override;
  Reactor* ListAssignments(Ctx* ctx, const v1::ListAssignmentsRequest* req,
                           v1::ListAssignmentsResponse* resp) override;
  Reactor* RecordLiteracySurveys(Ctx* ctx, const v1::RecordLiteracySurveysRequest* req,
                                 v1::RecordLiteracySurveysResponse* resp) override;
  Reactor* QueryLiteracy(Ctx* ctx, const v1::QueryLiteracyRequest* req, v1::QueryLiteracyResponse* resp) override;

 private:
  Training& training_;
  service::GrpcFace face_;
};

}  // namespace osh::training
