#include "training_grpc.h"

#include "osh/service/grpc_front.h"

namespace osh::training {

TrainingGrpcService::TrainingGrpcService(Training& training, const auth::TokenVerifier& verifier)
    : training_(training), verifier_(verifier) {}

grpc::ServerUnaryReactor* TrainingGrpcService::Serve(Ctx* ctx,
                                                     const std::function<grpc::Status(const Caller&)>& call) {
  return service::ServeAuthenticated(ctx, verifier_, "training", call);
}

grpc::ServerUnaryReactor* TrainingGrpcService::ServePublic(Ctx* ctx,
                                                           const std::function<grpc::Status(const Caller&)>& call) {
  return service::ServeAllowingAnonymous(ctx, verifier_, call);
}

#define OSH_TRAINING_METHOD(Method, Request, Response, Front)                                             \
  grpc::ServerUnaryReactor* TrainingGrpcService::Method(Ctx* ctx, const Request* req, Response* resp) {   \
    return Front(ctx, [&](const Caller& c) { return training_.Method(c, *req, resp); });                  \
  }

// Why a macro: fifteen methods that differ only in names and in whether anonymous callers pass.
OSH_TRAINING_METHOD(CreateCourse, v1::CreateCourseRequest, v1::Course, Serve)
OSH_TRAINING_METHOD(GetCourse, v1::GetCourseRequest, v1::Course, ServePublic)
OSH_TRAINING_METHOD(UpdateCourse, v1::UpdateCourseRequest, v1::Course, Serve)
OSH_TRAINING_METHOD(PublishCourse, v1::PublishCourseRequest, v1::Course, Serve)
OSH_TRAINING_METHOD(ListCourses, v1::ListCoursesRequest, v1::ListCoursesResponse, ServePublic)
OSH_TRAINING_METHOD(Enroll, v1::EnrollRequest, v1::Enrollment, Serve)
OSH_TRAINING_METHOD(GetEnrollment, v1::GetEnrollmentRequest, v1::Enrollment, Serve)
OSH_TRAINING_METHOD(ListEnrollments, v1::ListEnrollmentsRequest, v1::ListEnrollmentsResponse, Serve)
OSH_TRAINING_METHOD(RecordLessonViewed, v1::RecordLessonViewedRequest, v1::Enrollment, Serve)
OSH_TRAINING_METHOD(SubmitQuizAttempt, v1::SubmitQuizAttemptRequest, v1::QuizAttemptResult, Serve)
OSH_TRAINING_METHOD(VerifyCertificate, v1::VerifyCertificateRequest, v1::CertificateVerification, ServePublic)
OSH_TRAINING_METHOD(RevokeCertificate, v1::RevokeCertificateRequest, v1::Certificate, Serve)
OSH_TRAINING_METHOD(ListAssignments, v1::ListAssignmentsRequest, v1::ListAssignmentsResponse, Serve)
OSH_TRAINING_METHOD(RecordLiteracySurveys, v1::RecordLiteracySurveysRequest, v1::RecordLiteracySurveysResponse, Serve)
OSH_TRAINING_METHOD(QueryLiteracy, v1::QueryLiteracyRequest, v1::QueryLiteracyResponse, Serve)

#undef OSH_TRAINING_METHOD

}  // namespace osh::training
