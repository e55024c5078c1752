#pragma once

#include <grpcpp/support/status.h>

#include <chrono>
#include <functional>
#include <string>

#include "certificate_code.h"
#include "osh/crypto/field_cipher.h"
#include "osh/events/event.h"
#include "osh/service/call.h"
#include "osh/store/database.h"
#include "osh/training/v1/training.pb.h"
#include "training_events.h"
#include "training_store.h"

namespace osh::training {

using service::Caller;  // principal is null for anonymous callers

// The training service's rules, free of gRPC plumbing: versioned courses,
// enrollments with server-graded quizzes, certificates with signed
// verification codes, mandatory courses assigned on employer registration,
// and literacy surveys. Every write validates, authorises, and commits its
// change, its audit line and its events in one transaction, idempotent on
// the request id.
class Training {
 public:
  struct Options {
    std::string province;  // the province this deployment serves
    int default_page_size = 20;
    int max_page_size = 100;
    int assignment_due_days = 90;           // a mandatory course is due this long after registration
    double literacy_threshold_percent = 80;  // a questionnaire at or above this score rate counts as literate
    int max_survey_batch = 10000;
    std::function<std::chrono::system_clock::time_point()> clock = [] { return std::chrono::system_clock::now(); };
    std::function<void()> after_commit;  // wakes the outbox relay
  };

  // `cipher` seals the certificate holder's name; `codes` signs verification codes.
  Training(store::Database& db, const crypto::FieldCipher& cipher, const CertificateCodes& codes, Options options);

  grpc::Status CreateCourse(const Caller& caller, const v1::CreateCourseRequest& request, v1::Course* response);
  grpc::Status GetCourse(const Caller& caller, const v1::GetCourseRequest& request, v1::Course* response);
  grpc::Status UpdateCourse(const Caller& caller, const v1::UpdateCourseRequest& request, v1::Course* response);
  grpc::Status PublishCourse(const Caller& caller, const v1::PublishCourseRequest& request, v1::Course* response);
  grpc::Status ListCourses(const Caller& caller, const v1::ListCoursesRequest& request,
                           v1::ListCoursesResponse* response);

  grpc::Status Enroll(const Caller& caller, const v1::EnrollRequest& request, v1::Enrollment* response);
  grpc::Status GetEnrollment(const Caller& caller, const v1::GetEnrollmentRequest& request,
                             v1::Enrollment* response);
  grpc::Status ListEnrollments(const Caller& caller, const v1::ListEnrollmentsRequest& request,
                               v1::ListEnrollmentsResponse* response);
  grpc::Status RecordLessonViewed(const Caller& caller, const v1::RecordLessonViewedRequest& request,
                                  v1::Enrollment* response);
  grpc::Status SubmitQuizAttempt(const Caller& caller, const v1::SubmitQuizAttemptRequest& request,
                                 v1::QuizAttemptResult* response);

  grpc::Status VerifyCertificate(const Caller& caller, const v1::VerifyCertificateRequest& request,
                                 v1::CertificateVerification* response);
  grpc::Status RevokeCertificate(const Caller& caller, const v1::RevokeCertificateRequest& request,
                                 v1::Certificate* response);

  grpc::Status ListAssignments(const Caller& caller, const v1::ListAssignmentsRequest& request,
                               v1::ListAssignmentsResponse* response);

  grpc::Status RecordLiteracySurveys(const Caller& caller, const v1::RecordLiteracySurveysRequest& request,
                                     v1::RecordLiteracySurveysResponse* response);
  grpc::Status QueryLiteracy(const Caller& caller, const v1::QueryLiteracyRequest& request,
                             v1::QueryLiteracyResponse* response);

  // The events consumer's handler, inside its transaction: EnterpriseRegistered
  // and DeclarationApproved (which first carries a new employer's hazard
  // categories) of this province assign the matching mandatory courses; other
  // events are ignored.
  void Route(store::Tx& tx, const events::Event& event) const;

 private:
  void Committed() const;
  std::string HolderContext(const std::string& enrollment_id) const;
  std::string MaskedHolder(const std::string& sealed, const std::string& enrollment_id) const;
  // The full view of one enrollment: certificate, attempts and masked name.
  v1::Enrollment Complete(store::Tx& tx, const StoredEnrollment& stored, bool with_attempts) const;
  // Completes the enrollment when every lesson is viewed and the quiz passed:
  // certificate, assignments, events. `enrollment` is updated in place.
  void CompleteIfDone(store::Tx& tx, const Caller& caller, v1::Enrollment& enrollment,
                      const v1::CourseContent& content) const;

  store::Database& db_;
  const crypto::FieldCipher& cipher_;
  const CertificateCodes& codes_;
  Options options_;
  TrainingEvents events_;
};

}  // namespace osh::training
