#include "training_grpc.h"

#include "osh/service/grpc_front.h"

namespace osh::training {

TrainingGrpcService::TrainingGrpcService(Training& training, const auth::TokenVerifier& verifier)
    : training_(training), face_(v1::TrainingService::service_full_name(), verifier) {}

OSH_GRPC_UNARY(TrainingGrpcService, training_, CreateCourse, v1::CreateCourseRequest, v1::Course)
OSH_GRPC_UNARY(TrainingGrpcService, training_, GetCourse, v1::GetCourseRequest, v1::Course)
OSH_GRPC_UNARY(TrainingGrpcService, training_, UpdateCourse, v1::UpdateCourseRequest, v1::Course)
OSH_GRPC_UNARY(TrainingGrpcService, training_, PublishCourse, v1::PublishCourseRequest, v1::Course)
OSH_GRPC_UNARY(TrainingGrpcService, training_, ListCourses, v1::ListCoursesRequest, v1::ListCoursesResponse)
OSH_GRPC_UNARY(TrainingGrpcService, training_, Enroll, v1::EnrollRequest, v1::Enrollment)
OSH_GRPC_UNARY(TrainingGrpcService, training_, GetEnrollment, v1::GetEnrollmentRequest, v1::Enrollment)
OSH_GRPC_UNARY(TrainingGrpcService, training_, ListEnrollments, v1::ListEnrollmentsRequest, v1::ListEnrollmentsResponse)
OSH_GRPC_UNARY(TrainingGrpcService, training_, RecordLessonViewed, v1::RecordLessonViewedRequest, v1::Enrollment)
OSH_GRPC_UNARY(TrainingGrpcService, training_, SubmitQuizAttempt, v1::SubmitQuizAttemptRequest, v1::QuizAttemptResult)
OSH_GRPC_UNARY(TrainingGrpcService, training_, VerifyCertificate, v1::VerifyCertificateRequest,
               v1::CertificateVerification)
OSH_GRPC_UNARY(TrainingGrpcService, training_, RevokeCertificate, v1::RevokeCertificateRequest, v1::Certificate)
OSH_GRPC_UNARY(TrainingGrpcService, training_, ListAssignments, v1::ListAssignmentsRequest, v1::ListAssignmentsResponse)
OSH_GRPC_UNARY(TrainingGrpcService, training_, RecordLiteracySurveys, v1::RecordLiteracySurveysRequest,
               v1::RecordLiteracySurveysResponse)
OSH_GRPC_UNARY(TrainingGrpcService, training_, QueryLiteracy, v1::QueryLiteracyRequest, v1::QueryLiteracyResponse)

}  // namespace osh::training
