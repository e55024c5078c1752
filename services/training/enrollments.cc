// Training: enrollments — a learner takes a published course, views its
// lessons and passes its server-graded quiz; completion issues the certificate.

#include "training.h"

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>

#include <cmath>
#include <set>

#include "course_rules.h"
#include "osh/auth/authorize.h"
#include "osh/core/ids.h"
#include "osh/domain/civil_date.h"
#include "osh/domain/credit_code.h"
#include "osh/domain/regions.h"
#include "osh/domain/text.h"
#include "osh/events/v1/registry_events.pb.h"
#include "osh/service/checks.h"
#include "osh/service/paging.h"
#include "osh/service/records.h"
#include "osh/store/enum_set.h"
#include "training_access.h"

namespace osh::training {
namespace {

constexpr size_t kMaxHolderName = 64;

}  // namespace

grpc::Status Training::Enroll(const Caller& caller, const v1::EnrollRequest& request, v1::Enrollment* response) {
  return Guard(caller, "Enroll", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    CheckId(request.course_id(), "course_id", errors);
    if (request.target_role() == 0 || !v1::TargetRole_IsValid(request.target_role())) {
      errors.Add("target_role",
                 "must be EMPLOYER_PRINCIPAL, OSH_MANAGER, WORKER, INSPECTOR, INSTITUTION_STAFF or DISTRICT_LEADER");
    }
    const size_t before = errors.size();
    service::CheckText(request.holder_name(), "holder_name", kMaxHolderName, true, errors);
    if (errors.size() == before && domain::HasControlCharacters(request.holder_name())) {
      errors.Add("holder_name", "holds control characters or line breaks");
    }
    ThrowIfInvalid(errors);
    RequireLearner(caller, options_.province);
    const auto* p = caller.principal;
    if (!MayEnrollAs(p->role, request.target_role())) {
      Refuse(grpc::StatusCode::PERMISSION_DENIED, "role " + RoleText(p) + " may not enroll as " +
                                                      v1::TargetRole_Name(request.target_role()));
    }
    // The idempotency record keeps the request; the name stays out of it, so
    // the only copy of the name is the sealed one.
    v1::EnrollRequest fingerprint = request;
    fingerprint.clear_holder_name();

    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "Enroll", request.request_id(), fingerprint, response, [&] {
        const auto c = std::optional(PublishedCourseOrRefuse(tx, request.course_id(), options_.province));
        const auto content = VersionOrRefuse(tx, c->id(), c->published_version());
        if (!Contains(content.target_roles(), request.target_role())) {
          throw Refusal{core::InvalidArgument("target_role", "course " + c->id() + " is not for " +
                                                                 v1::TargetRole_Name(request.target_role()))};
        }
        if (auto existing = TrainingStore::FindEnrollmentId(tx, c->id(), p->subject)) {
          Refuse(grpc::StatusCode::ALREADY_EXISTS,
                 "already enrolled in course " + c->id() + ": enrollment " + *existing);
        }
        StoredEnrollment stored;
        auto& e = stored.enrollment;
        e.set_id(core::NewUuidV7(options_.clock()));
        e.set_course_id(c->id());
        e.set_course_version(c->published_version());
        e.set_province(options_.province);
        e.set_org(p->org);
        e.set_learner_subject(p->subject);
        e.set_target_role(request.target_role());
        e.set_status(v1::ENROLLMENT_STATUS_IN_PROGRESS);
        e.set_lesson_count(content.lessons_size());
        e.set_max_attempts(content.max_attempts());
        *e.mutable_enroll_time() = TimestampOf(options_.clock());
        stored.holder_name_sealed = cipher_.Seal(request.holder_name(), HolderContext(e.id()));
        TrainingStore::PutEnrollment(tx, stored, true);
        service::Audit(tx, caller, "enroll", "enrollment", e.id());
        *response = Complete(tx, stored, true);
      });
    });
  });
}

grpc::Status Training::GetEnrollment(const Caller& caller, const v1::GetEnrollmentRequest& request,
                                     v1::Enrollment* response) {
  return Guard(caller, "GetEnrollment", [&] {
    core::FieldErrors errors;
    CheckId(request.id(), "id", errors);
    ThrowIfInvalid(errors);
    // Roles with no right to this province's enrollments at all are told so, whatever the id.
    service::Require(caller.principal, auth::Action::kRead, {options_.province, caller.principal->org, false});
    *response = db_.Read([&](store::Tx& tx) {
      const auto stored =
          EnrollmentVisibleOrRefuse(tx, request.id(), [&](const v1::Enrollment& e) { return MayReadEnrollment(caller, e); });
      return Complete(tx, stored, true);
    });
  });
}

grpc::Status Training::ListEnrollments(const Caller& caller, const v1::ListEnrollmentsRequest& request,
                                       v1::ListEnrollmentsResponse* response) {
  return Guard(caller, "ListEnrollments", [&] {
    core::FieldErrors errors;
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    if (!request.org().empty()) {
      if (auto bad = domain::CreditCodeError(request.org())) errors.Add("org", *bad);
    }
    if (!v1::EnrollmentStatus_IsValid(request.status())) errors.Add("status", "unknown value");
    v1::ListEnrollmentsRequest identity = request;
    identity.clear_page_size();
    identity.clear_page_token();
    const std::string fingerprint = "enrollments|" + identity.SerializeAsString();
    const std::string after_id = service::PagePosition(request.page_token(), fingerprint, errors);
    ThrowIfInvalid(errors);

    const auto* p = caller.principal;
    EnrollmentFilter filter{.org = request.org(), .course_id = request.course_id(), .status = request.status()};
    if (p->role == auth::Role::kWorker || request.mine()) {
      filter.learner_subject = p->subject;  // the caller's own, whatever the filters say
      filter.org = p->org;
    } else if (p->role == auth::Role::kEmployer && filter.org.empty()) {
      filter.org = p->org;
    }
    service::Require(p, auth::Action::kRead, {options_.province, filter.org, false});
    auto rows = db_.Read([&](store::Tx& tx) {
      auto stored = TrainingStore::ListEnrollments(tx, filter, after_id, page_size + 1);
      std::vector<v1::Enrollment> out;
      for (const auto& s : stored) out.push_back(Complete(tx, s, false));
      return out;
    });
    response->set_next_page_token(
        service::TrimPage(rows, page_size, fingerprint, [](const v1::Enrollment& e) { return e.id(); }));
    for (auto& e : rows) *response->add_enrollments() = std::move(e);
  });
}

void Training::CompleteIfDone(store::Tx& tx, const Caller& caller, v1::Enrollment& e,
                              const v1::CourseContent& content) const {
  if (e.status() == v1::ENROLLMENT_STATUS_COMPLETED || !e.quiz_passed()) return;
  const std::set<std::string> viewed(e.viewed_lesson_ids().begin(), e.viewed_lesson_ids().end());
  for (const auto& lesson : content.lessons()) {
    if (viewed.count(lesson.id()) == 0) return;
  }
  const auto now_tp = options_.clock();
  const auto now = TimestampOf(now_tp);
  e.set_status(v1::ENROLLMENT_STATUS_COMPLETED);
  *e.mutable_complete_time() = now;

  const int64_t serial = TrainingStore::NewCertificateSerial(tx);
  v1::Certificate certificate;
  certificate.set_id(core::NewUuidV7(now_tp));
  certificate.set_verification_code(codes_.CodeFor(serial));
  certificate.set_enrollment_id(e.id());
  certificate.set_course_id(e.course_id());
  certificate.set_course_version(e.course_version());
  certificate.set_course_title(content.title());
  certificate.set_province(options_.province);
  certificate.set_org(e.org());
  certificate.set_issue_date(domain::ChinaDateOf(now_tp));
  certificate.set_expiry_date(CertificateExpiryDate(certificate.issue_date(), content.validity_months()));
  certificate.set_status(v1::CERTIFICATE_STATUS_VALID);
  *certificate.mutable_issue_time() = now;
  TrainingStore::InsertCertificate(tx, serial, certificate);

  int assignments_fulfilled = 0;
  for (auto& a : TrainingStore::OpenAssignments(tx, e.org(), e.course_id(), e.target_role())) {
    ++assignments_fulfilled;
    a.set_status(v1::ASSIGNMENT_STATUS_COMPLETED);
    a.set_completed_enrollment_id(e.id());
    *a.mutable_complete_time() = now;
    TrainingStore::UpdateAssignment(tx, a);
    service::Audit(tx, caller, "complete", "assignment", a.id());
  }
  const auto attempts = TrainingStore::Attempts(tx, e.id());
  const int score = attempts.empty() ? 0 : attempts.back().score_percent();
  events_.Completed(tx, e, static_cast<int>(attempts.size()), score, content.mandatory(), certificate.issue_date(),
                    assignments_fulfilled);
  events_.CertificateIssued(tx, certificate);
  service::Audit(tx, caller, "complete", "enrollment", e.id());
  service::Audit(tx, caller, "issue", "certificate", certificate.id());
}

grpc::Status Training::RecordLessonViewed(const Caller& caller, const v1::RecordLessonViewedRequest& request,
                                          v1::Enrollment* response) {
  return Guard(caller, "RecordLessonViewed", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    CheckId(request.enrollment_id(), "enrollment_id", errors);
    CheckId(request.lesson_id(), "lesson_id", errors);
    ThrowIfInvalid(errors);
    RequireLearner(caller, options_.province);

    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "RecordLessonViewed", request.request_id(), request, response, [&] {
        auto stored = EnrollmentVisibleOrRefuse(tx, request.enrollment_id(),
                                                [&](const v1::Enrollment& e) { return MayReadEnrollment(caller, e); });
        auto& e = stored.enrollment;
        RequireOwnEnrollment(caller, e);
        const auto content = VersionOrRefuse(tx, e.course_id(), e.course_version());
        bool known = false;
        for (const auto& lesson : content.lessons()) known = known || lesson.id() == request.lesson_id();
        if (!known) {
          throw Refusal{core::InvalidArgument("lesson_id", "is not a lesson of course " + e.course_id() +
                                                               " version " + std::to_string(e.course_version()))};
        }
        if (std::find(e.viewed_lesson_ids().begin(), e.viewed_lesson_ids().end(), request.lesson_id()) ==
            e.viewed_lesson_ids().end()) {
          e.add_viewed_lesson_ids(request.lesson_id());
          CompleteIfDone(tx, caller, e, content);
          TrainingStore::PutEnrollment(tx, stored, false);
          service::Audit(tx, caller, "view_lesson", "enrollment", e.id());
        }
        *response = Complete(tx, stored, true);
      });
    });
    Committed();
  });
}

grpc::Status Training::SubmitQuizAttempt(const Caller& caller, const v1::SubmitQuizAttemptRequest& request,
                                         v1::QuizAttemptResult* response) {
  return Guard(caller, "SubmitQuizAttempt", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    CheckId(request.enrollment_id(), "enrollment_id", errors);
    ThrowIfInvalid(errors);
    RequireLearner(caller, options_.province);

    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "SubmitQuizAttempt", request.request_id(), request, response, [&] {
        auto stored = EnrollmentVisibleOrRefuse(tx, request.enrollment_id(),
                                                [&](const v1::Enrollment& e) { return MayReadEnrollment(caller, e); });
        auto& e = stored.enrollment;
        RequireOwnEnrollment(caller, e);
        if (e.quiz_passed()) {
          Refuse(grpc::StatusCode::FAILED_PRECONDITION, "the quiz of enrollment " + e.id() + " is passed already");
        }
        const auto previous = TrainingStore::Attempts(tx, e.id());
        if (static_cast<int>(previous.size()) >= e.max_attempts()) {
          Refuse(grpc::StatusCode::FAILED_PRECONDITION,
                 fmt::format("enrollment {} has used all {} quiz attempts", e.id(), e.max_attempts()));
        }
        const auto content = VersionOrRefuse(tx, e.course_id(), e.course_version());
        core::FieldErrors answer_errors;
        auto attempt = Grade(content.quiz(), request.answers(), answer_errors);
        ThrowIfInvalid(answer_errors);
        attempt.set_number(static_cast<int>(previous.size()) + 1);
        *attempt.mutable_submit_time() = TimestampOf(options_.clock());
        TrainingStore::InsertAttempt(tx, e.id(), attempt);
        if (attempt.passed()) e.set_quiz_passed(true);
        CompleteIfDone(tx, caller, e, content);
        TrainingStore::PutEnrollment(tx, stored, false);
        service::Audit(tx, caller, "submit_quiz", "enrollment", e.id());
        *response->mutable_attempt() = attempt;
        *response->mutable_enrollment() = Complete(tx, stored, true);
      });
    });
    Committed();
  });
}

}  // namespace osh::training
