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

namespace osh::training {
namespace {

using google::protobuf::util::TimeUtil;
using service::Guard;
using service::Idempotent;
using service::Refusal;
using service::Refuse;
using service::ThrowIfInvalid;

constexpr size_t kMaxHolderName = 64;
constexpr int kMinSurveyYear = 2000;
constexpr int kMaxSurveyYear = 2100;

using service::Echo;

std::string RoleText(const auth::Principal* p) {
  return p == nullptr ? std::string("anonymous") : std::string(auth::RoleName(p->role));
}

google::protobuf::Timestamp TimestampOf(std::chrono::system_clock::time_point t) {
  return TimeUtil::TimeTToTimestamp(std::chrono::system_clock::to_time_t(t));
}

// Courses are written by province_admin (their province's) and national_admin
// (national ones); inspectors supervise and editors run the article library,
// neither authors training. Authors read what they may write; national_admin
// reads every course.
void RequireAuthorRole(const Caller& caller) {
  const auto* p = caller.principal;
  if (p == nullptr) Refuse(grpc::StatusCode::PERMISSION_DENIED, "anonymous callers may only read published courses");
  if (p->role != auth::Role::kProvinceAdmin && p->role != auth::Role::kNationalAdmin) {
    Refuse(grpc::StatusCode::PERMISSION_DENIED,
           "role " + RoleText(p) + " may not author courses (province_admin or national_admin)");
  }
}

void RequireAuthor(const Caller& caller, auth::Action action, const std::string& course_province) {
  RequireAuthorRole(caller);
  service::Require(caller.principal, action, {course_province, "", false});
}

// Learners are worker and employer principals of an organisation in this
// province, acting for themselves: the read rule of the access policy checks
// the organisation and the province; the enrollment's subject is checked by
// the caller of this function.
void RequireLearner(const Caller& caller, const std::string& province) {
  const auto* p = caller.principal;
  if (p == nullptr || (p->role != auth::Role::kWorker && p->role != auth::Role::kEmployer)) {
    Refuse(grpc::StatusCode::PERMISSION_DENIED,
           "only worker and employer principals take courses, not role " + RoleText(p));
  }
  service::Require(p, auth::Action::kRead, {province, p->org, false});
}

// Progress is the learner's own: others who may read the enrollment (its
// employer) are refused.
void RequireOwnEnrollment(const Caller& caller, const v1::Enrollment& e) {
  if (caller.principal->subject != e.learner_subject() || caller.principal->org != e.org()) {
    Refuse(grpc::StatusCode::PERMISSION_DENIED, "enrollment " + e.id() + " belongs to another learner");
  }
}

// The learner itself, its organisation's employer principals, province staff
// and national_admin; a worker reads only its own.
bool MayReadEnrollment(const Caller& caller, const v1::Enrollment& e) {
  const auto* p = caller.principal;
  if (p->role == auth::Role::kWorker && p->subject != e.learner_subject()) return false;
  return auth::Authorize(p, auth::Action::kRead, {e.province(), e.org(), false}).allowed;
}

// Which target roles a principal may take a course in: an employer account is
// the organisation's principal or its OSH manager; a worker account is a
// worker, or the OSH manager the organisation appointed from its staff.
bool MayEnrollAs(auth::Role role, v1::TargetRole target) {
  if (target == v1::TARGET_ROLE_OSH_MANAGER) return true;
  return role == auth::Role::kEmployer ? target == v1::TARGET_ROLE_EMPLOYER_PRINCIPAL
                                       : target == v1::TARGET_ROLE_WORKER;
}

bool Contains(const google::protobuf::RepeatedField<int>& values, int value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// The course `id` for an author who may `action` it. Other roles are refused
// before the lookup. A course the author may not read (an unpublished one of
// another scope) answers like a missing one; one it may read but not write
// (published courses are public) is refused.
v1::Course CourseForAuthor(store::Tx& tx, const Caller& caller, auth::Action action, const std::string& id,
                           const std::string& served_province) {
  RequireAuthorRole(caller);
  auto c = service::VisibleOrRefuse(TrainingStore::FindCourse(tx, id), "course", id, [&](const v1::Course& found) {
    const bool learners_see = found.published_version() > 0 &&
                              (found.province().empty() || found.province() == served_province);
    return learners_see || auth::Authorize(caller.principal, auth::Action::kRead, {found.province(), "", false}).allowed;
  });
  RequireAuthor(caller, action, c.province());
  return c;
}

// A course learners of `province` see: published, national or of that
// province. Any other id gets the answer of a wrong one.
v1::Course PublishedCourseOrRefuse(store::Tx& tx, const std::string& id, const std::string& province) {
  return service::VisibleOrRefuse(TrainingStore::FindCourse(tx, id), "published course", id, [&](const v1::Course& c) {
    return c.published_version() > 0 && (c.province().empty() || c.province() == province);
  });
}

v1::CourseContent VersionOrRefuse(store::Tx& tx, const std::string& course_id, int64_t number) {
  auto c = TrainingStore::FindVersion(tx, course_id, number);
  if (!c) Refuse(grpc::StatusCode::NOT_FOUND, fmt::format("course {} has no version {}", Echo(course_id), number));
  return std::move(*c);
}

StoredEnrollment EnrollmentOrRefuse(store::Tx& tx, const std::string& id) {
  return service::FoundOrRefuse(TrainingStore::FindEnrollment(tx, id), "enrollment", id);
}

// The enrollment `id` when `may_see` it; otherwise the answer of a missing one,
// so learners and organisations cannot probe for each other's enrollments.
template <typename MaySee>
StoredEnrollment EnrollmentVisibleOrRefuse(store::Tx& tx, const std::string& id, MaySee&& may_see) {
  return service::VisibleOrRefuse(TrainingStore::FindEnrollment(tx, id), "enrollment", id,
                                  [&](const StoredEnrollment& e) { return may_see(e.enrollment); });
}

void CheckId(const std::string& value, const std::string& field, core::FieldErrors& errors) {
  if (value.empty()) {
    errors.Add(field, "is required");
  } else if (value.size() > 64 || domain::HasControlCharacters(value)) {
    errors.Add(field, "is not an id");
  }
}

// Assigns `course` (published, mandatory) to the principal and OSH manager
// roles of `employer` when its hazard categories and industry section match,
// due on `due_date`. Each (organisation, course, role) is assigned once,
// whichever event or publication comes first; returns the new assignments.
std::vector<v1::Assignment> AssignIfMatching(store::Tx& tx, const CourseRow& course, const KnownEmployer& employer,
                                             const std::string& due_date, const Training::Options& options) {
  std::vector<v1::Assignment> made;
  const int64_t course_hazards = store::EnumSet(course.content.hazard_categories());
  if (course_hazards != 0 && (course_hazards & employer.hazard_mask) == 0) return made;
  const auto& sections = course.content.industry_sections();
  if (!sections.empty() && std::find(sections.begin(), sections.end(), employer.industry_section) == sections.end()) {
    return made;
  }
  const auto now = options.clock();
  for (const int role : {v1::TARGET_ROLE_EMPLOYER_PRINCIPAL, v1::TARGET_ROLE_OSH_MANAGER}) {
    if (!Contains(course.content.target_roles(), role)) continue;
    v1::Assignment a;
    a.set_id(core::NewUuidV7(now));
    a.set_org(employer.credit_code);
    a.set_province(options.province);
    a.set_course_id(course.course.id());
    a.set_course_title(course.content.title());
    a.set_target_role(static_cast<v1::TargetRole>(role));
    a.set_due_date(due_date);
    a.set_status(v1::ASSIGNMENT_STATUS_OPEN);
    *a.mutable_assign_time() = TimestampOf(now);
    // Someone of the organisation may have taken the course already.
    if (auto done = TrainingStore::FindCompletion(tx, a.org(), a.course_id(), role)) {
      a.set_status(v1::ASSIGNMENT_STATUS_COMPLETED);
      a.set_completed_enrollment_id(done->id());
      *a.mutable_complete_time() = done->complete_time();
    }
    if (TrainingStore::InsertAssignment(tx, a)) made.push_back(std::move(a));
  }
  return made;
}

std::string DueDate(std::chrono::system_clock::time_point since, const Training::Options& options) {
  return domain::ChinaDateOf(since + std::chrono::hours(24) * options.assignment_due_days);
}

// An employer of this province the registry told about (registered, declared,
// transferred in): remembered for courses published later, and assigned the
// published mandatory courses it matches now.
void EmployerKnown(store::Tx& tx, const events::Event& event, const events::v1::EmployerFacts& facts,
                   int64_t hazards, std::chrono::system_clock::time_point since, const Training::Options& options) {
  if (facts.credit_code().empty()) return;
  const KnownEmployer employer{facts.credit_code(), facts.industry_section(), hazards};
  TrainingStore::RememberEmployer(tx, employer);
  const std::string due_date = DueDate(since, options);
  for (const auto& course : TrainingStore::MandatoryCourses(tx, {options.province, ""})) {
    for (const auto& a : AssignIfMatching(tx, course, employer, due_date, options)) {
      service::Audit(tx, {event.source, "event", "assign", "assignment", a.id(), event.id});
    }
  }
}

}  // namespace

Training::Training(store::Database& db, const crypto::FieldCipher& cipher, const CertificateCodes& codes,
                   Options options)
    : db_(db), cipher_(cipher), codes_(codes), options_(std::move(options)), events_(options_.province) {}

void Training::Committed() const {
  if (options_.after_commit) options_.after_commit();
}

std::string Training::HolderContext(const std::string& enrollment_id) const {
  return "training.enrollment.holder_name:" + enrollment_id;
}

std::string Training::MaskedHolder(const std::string& sealed, const std::string& enrollment_id) const {
  auto name = cipher_.Open(sealed, HolderContext(enrollment_id));
  // A sealed name that no key of the ring opens is a configuration or storage
  // fault, not the caller's: INTERNAL, without the value.
  if (!name) throw std::runtime_error("the holder name of enrollment " + enrollment_id + " does not open");
  return crypto::MaskName(*name);
}

v1::Enrollment Training::Complete(store::Tx& tx, const StoredEnrollment& stored, bool with_attempts) const {
  v1::Enrollment e = stored.enrollment;
  e.set_holder_name_masked(MaskedHolder(stored.holder_name_sealed, e.id()));
  if (auto certificate = TrainingStore::FindCertificateOf(tx, e.id())) {
    *e.mutable_certificate() = std::move(*certificate);
    e.mutable_certificate()->set_holder_name_masked(e.holder_name_masked());
  }
  if (with_attempts) {
    for (auto& a : TrainingStore::Attempts(tx, e.id())) *e.add_attempts() = std::move(a);
  }
  return e;
}

// ---- Courses ----

grpc::Status Training::CreateCourse(const Caller& caller, const v1::CreateCourseRequest& request,
                                    v1::Course* response) {
  return Guard(caller, "CreateCourse", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    ValidateCourseContent(request.content(), "content", errors);
    ThrowIfInvalid(errors);
    const std::string province = request.national() ? "" : options_.province;
    RequireAuthor(caller, auth::Action::kWrite, province);

    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "CreateCourse", request.request_id(), request, response, [&] {
        const auto now = TimestampOf(options_.clock());
        v1::Course c;
        c.set_id(core::NewUuidV7(options_.clock()));
        c.set_province(province);
        c.set_status(v1::COURSE_STATUS_DRAFT);
        c.set_course_version(1);
        c.set_latest_version(1);
        c.set_version(1);
        *c.mutable_create_time() = now;
        *c.mutable_update_time() = now;
        TrainingStore::PutCourse(tx, c, nullptr, true);
        TrainingStore::PutVersion(tx, c.id(), 1, request.content());
        service::Audit(tx, caller, "create", "course", c.id());
        *c.mutable_content() = request.content();
        *response = c;
      });
    });
  });
}

grpc::Status Training::GetCourse(const Caller& caller, const v1::GetCourseRequest& request, v1::Course* response) {
  return Guard(caller, "GetCourse", [&] {
    core::FieldErrors errors;
    CheckId(request.id(), "id", errors);
    if (!v1::CourseView_IsValid(request.view())) errors.Add("view", "unknown value");
    if (request.course_version() < 0) errors.Add("course_version", "must be 0 (current) or more");
    ThrowIfInvalid(errors);
    const bool author = request.view() == v1::COURSE_VIEW_AUTHOR;
    db_.Read([&](store::Tx& tx) {
      if (author) {
        auto c = CourseForAuthor(tx, caller, auth::Action::kRead, request.id(), options_.province);
        const int64_t number = request.course_version() == 0 ? c.latest_version() : request.course_version();
        *c.mutable_content() = VersionOrRefuse(tx, c.id(), number);
        c.set_course_version(number);
        *response = std::move(c);
        return;
      }
      // Unpublished courses, and courses of other provinces, do not exist for
      // learners: the same answer as a wrong id.
      auto c = std::optional(PublishedCourseOrRefuse(tx, request.id(), options_.province));
      service::Require(caller.principal, auth::Action::kRead, {c->province(), "", true});
      // Every version up to the published one was published once (editing a
      // published course starts the next), so enrolled learners can read theirs.
      const int64_t number = request.course_version() == 0 ? c->published_version() : request.course_version();
      if (number > c->published_version()) {
        Refuse(grpc::StatusCode::NOT_FOUND, fmt::format("course {} has no published version {}", c->id(), number));
      }
      *c->mutable_content() = WithoutAnswers(VersionOrRefuse(tx, c->id(), number));
      c->set_course_version(number);
      c->clear_version();
      *response = std::move(*c);
    });
  });
}

grpc::Status Training::UpdateCourse(const Caller& caller, const v1::UpdateCourseRequest& request,
                                    v1::Course* response) {
  return Guard(caller, "UpdateCourse", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    CheckId(request.id(), "id", errors);
    if (request.version() <= 0) errors.Add("version", "is required (the version you read)");
    ValidateCourseContent(request.content(), "content", errors);
    ThrowIfInvalid(errors);

    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "UpdateCourse", request.request_id(), request, response, [&] {
        auto c = CourseForAuthor(tx, caller, auth::Action::kWrite, request.id(), options_.province);
        service::RequireVersion("course", c.id(), c.version(), request.version());
        // A published version is never changed: learners enrolled in it.
        const int64_t number =
            c.latest_version() == c.published_version() ? c.latest_version() + 1 : c.latest_version();
        TrainingStore::PutVersion(tx, c.id(), number, request.content());
        c.set_latest_version(number);
        c.set_course_version(number);
        c.set_status(v1::COURSE_STATUS_DRAFT);
        c.set_version(c.version() + 1);
        *c.mutable_update_time() = TimestampOf(options_.clock());
        std::optional<v1::CourseContent> published;
        if (c.published_version() > 0) published = VersionOrRefuse(tx, c.id(), c.published_version());
        TrainingStore::PutCourse(tx, c, published ? &*published : nullptr, false);
        service::Audit(tx, caller, "update", "course", c.id());
        *c.mutable_content() = request.content();
        *response = c;
      });
    });
  });
}

grpc::Status Training::PublishCourse(const Caller& caller, const v1::PublishCourseRequest& request,
                                     v1::Course* response) {
  return Guard(caller, "PublishCourse", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    CheckId(request.id(), "id", errors);
    if (request.version() <= 0) errors.Add("version", "is required (the version you read)");
    ThrowIfInvalid(errors);

    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "PublishCourse", request.request_id(), request, response, [&] {
        auto c = CourseForAuthor(tx, caller, auth::Action::kWrite, request.id(), options_.province);
        service::RequireVersion("course", c.id(), c.version(), request.version());
        if (c.published_version() == c.latest_version()) {
          Refuse(grpc::StatusCode::FAILED_PRECONDITION,
                 fmt::format("course {} version {} is published already", c.id(), c.latest_version()));
        }
        const auto content = VersionOrRefuse(tx, c.id(), c.latest_version());
        const auto now = TimestampOf(options_.clock());
        c.set_published_version(c.latest_version());
        c.set_course_version(c.latest_version());
        c.set_status(v1::COURSE_STATUS_PUBLISHED);
        c.set_version(c.version() + 1);
        *c.mutable_update_time() = now;
        *c.mutable_publish_time() = now;
        TrainingStore::PutCourse(tx, c, &content, false);
        service::Audit(tx, caller, "publish", "course", c.id());
        // A mandatory course reaches the employers known already, not only those registering from now on.
        const bool ours = c.province() == options_.province || c.province().empty();
        int assigned = 0;
        if (content.mandatory() && ours) {
          const std::string due_date = DueDate(options_.clock(), options_);
          for (const auto& employer : TrainingStore::KnownEmployers(tx)) {
            for (const auto& a : AssignIfMatching(tx, {c, content}, employer, due_date, options_)) {
              service::Audit(tx, caller, "assign", "assignment", a.id());
              ++assigned;
            }
          }
        }
        events_.CoursePublished(tx, c, content, assigned);
        *c.mutable_content() = content;
        *response = c;
      });
    });
  });
}

grpc::Status Training::ListCourses(const Caller& caller, const v1::ListCoursesRequest& request,
                                   v1::ListCoursesResponse* response) {
  return Guard(caller, "ListCourses", [&] {
    core::FieldErrors errors;
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    if (!v1::CourseView_IsValid(request.view())) errors.Add("view", "unknown value");
    if (!v1::TargetRole_IsValid(request.target_role())) errors.Add("target_role", "unknown value");
    if (!common::v1::HazardCategory_IsValid(request.hazard_category())) errors.Add("hazard_category", "unknown value");
    const bool author = request.view() == v1::COURSE_VIEW_AUTHOR;
    if (author && request.target_role() != 0) errors.Add("target_role", "filters the PUBLISHED view only");
    if (author && request.hazard_category() != 0) errors.Add("hazard_category", "filters the PUBLISHED view only");
    const std::string fingerprint =
        fmt::format("courses|{}|{}|{}", static_cast<int>(request.view()), static_cast<int>(request.target_role()),
                    static_cast<int>(request.hazard_category()));
    const std::string after_id = service::PagePosition(request.page_token(), fingerprint, errors);
    ThrowIfInvalid(errors);

    std::vector<std::string> provinces = {options_.province, ""};
    if (author) {
      const bool national = caller.principal != nullptr && caller.principal->role == auth::Role::kNationalAdmin;
      RequireAuthor(caller, auth::Action::kRead, national ? "" : options_.province);
      provinces = national ? std::vector<std::string>{} : std::vector<std::string>{options_.province};
    } else {
      service::Require(caller.principal, auth::Action::kRead, {options_.province, "", true});
    }
    auto rows = db_.Read([&](store::Tx& tx) {
      return TrainingStore::ListCourses(tx, !author, provinces, request.target_role(), request.hazard_category(),
                                        after_id, page_size + 1);
    });
    response->set_next_page_token(
        service::TrimPage(rows, page_size, fingerprint, [](const CourseRow& r) { return r.course.id(); }));
    for (auto& row : rows) {
      auto* c = response->add_courses();
      *c = std::move(row.course);
      c->set_course_version(author ? c->latest_version() : c->published_version());
      if (!author) c->clear_version();
      *c->mutable_content() = ListingOf(std::move(row.content));
    }
  });
}

// ---- Enrollments ----

grpc::Status Training::Enroll(const Caller& caller, const v1::EnrollRequest& request, v1::Enrollment* response) {
  return Guard(caller, "Enroll", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    CheckId(request.course_id(), "course_id", errors);
    if (request.target_role() == 0 || !v1::TargetRole_IsValid(request.target_role())) {
      errors.Add("target_role", "must be EMPLOYER_PRINCIPAL, OSH_MANAGER or WORKER");
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
    if (p->role == auth::Role::kWorker) {
      filter.learner_subject = p->subject;  // a worker's own, whatever the filters say
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

// ---- Certificates ----

grpc::Status Training::VerifyCertificate(const Caller& caller, const v1::VerifyCertificateRequest& request,
                                         v1::CertificateVerification* response) {
  return Guard(caller, "VerifyCertificate", [&] {
    if (request.code().empty()) throw Refusal{core::InvalidArgument("code", "is required")};
    if (!CertificateCodes::Normalize(request.code())) {
      throw Refusal{core::InvalidArgument("code", "must be 32 characters of A-Z and 2-7 (dashes and spaces ignored)")};
    }
    service::Require(caller.principal, auth::Action::kRead, {options_.province, "", true});
    response->set_status(v1::CERTIFICATE_STATUS_NOT_VALID);
    const auto serial = codes_.Verify(request.code());
    if (!serial) return;  // forged or mistyped: says nothing more
    db_.Read([&](store::Tx& tx) {
      const auto certificate = TrainingStore::FindCertificateBySerial(tx, *serial);
      if (!certificate) return;
      const auto stored = EnrollmentOrRefuse(tx, certificate->enrollment_id());
      response->set_status(certificate->status());
      response->set_course_title(certificate->course_title());
      response->set_issue_date(certificate->issue_date());
      response->set_province(certificate->province());
      response->set_holder_name_masked(MaskedHolder(stored.holder_name_sealed, stored.enrollment.id()));
      response->set_revocation_reason(certificate->revocation_reason());
    });
  });
}

grpc::Status Training::RevokeCertificate(const Caller& caller, const v1::RevokeCertificateRequest& request,
                                         v1::Certificate* response) {
  return Guard(caller, "RevokeCertificate", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    CheckId(request.id(), "id", errors);
    service::CheckText(request.reason(), "reason", 500, true, errors);
    ThrowIfInvalid(errors);
    // Revocation reviews a record: province staff of the issuing province.
    service::Require(caller.principal, auth::Action::kReview, {options_.province, "", false});

    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "RevokeCertificate", request.request_id(), request, response, [&] {
        auto certificate = std::optional(service::AllowedOrRefuse(
            TrainingStore::FindCertificate(tx, request.id()), "certificate", request.id(), caller.principal,
            auth::Action::kReview, [](const v1::Certificate& c) { return auth::Resource{c.province(), c.org()}; }));
        if (certificate->status() == v1::CERTIFICATE_STATUS_REVOKED) {
          Refuse(grpc::StatusCode::FAILED_PRECONDITION, "certificate " + certificate->id() + " is revoked already");
        }
        certificate->set_status(v1::CERTIFICATE_STATUS_REVOKED);
        certificate->set_revocation_reason(request.reason());
        *certificate->mutable_revoke_time() = TimestampOf(options_.clock());
        TrainingStore::UpdateCertificate(tx, *certificate);
        service::Audit(tx, caller, "revoke", "certificate", certificate->id());
        const auto stored = EnrollmentOrRefuse(tx, certificate->enrollment_id());
        certificate->set_holder_name_masked(MaskedHolder(stored.holder_name_sealed, stored.enrollment.id()));
        *response = std::move(*certificate);
      });
    });
  });
}

// ---- Mandatory assignments ----

void Training::Route(store::Tx& tx, const events::Event& event) const {
  const auto since = [&](const google::protobuf::Timestamp& t) {
    return t.seconds() > 0 ? std::chrono::system_clock::from_time_t(TimeUtil::TimestampToTimeT(t)) : options_.clock();
  };
  // Other provinces' employers travel on the same topic; their training is
  // their province's business.
  const auto ours = [&](const events::v1::EmployerFacts& e) { return e.province() == options_.province; };
  if (event.type == events::v1::EnterpriseRegistered::descriptor()->full_name()) {
    events::v1::EnterpriseRegistered registered;
    events::UnpackOrThrow(event, &registered);  // dead-lettered at once: no retry makes it parse
    if (!ours(registered.employer())) return;
    EmployerKnown(tx, event, registered.employer(), store::EnumSet(registered.employer().hazard_categories()),
                  since(registered.registered_time()), options_);
  } else if (event.type == events::v1::DeclarationApproved::descriptor()->full_name()) {
    // A new employer's hazard categories are known only once its declaration
    // is approved (the registry's employer record takes them from there), so
    // hazard-specific mandatory courses are assigned then.
    events::v1::DeclarationApproved approved;
    events::UnpackOrThrow(event, &approved);  // dead-lettered at once: no retry makes it parse
    const auto& declaration = approved.declaration();
    if (!ours(declaration.employer())) return;
    int64_t hazards = store::EnumSet(declaration.employer().hazard_categories());
    for (const auto& exposure : declaration.exposures()) hazards |= store::EnumBit(exposure.category());
    EmployerKnown(tx, event, declaration.employer(), hazards, since(approved.review_time()), options_);
  } else if (event.type == events::v1::EnterpriseTransferred::descriptor()->full_name()) {
    // An employer moving in from another province becomes ours.
    events::v1::EnterpriseTransferred transferred;
    events::UnpackOrThrow(event, &transferred);  // dead-lettered at once: no retry makes it parse
    if (transferred.to_province() != options_.province) return;
    EmployerKnown(tx, event, transferred.employer(), store::EnumSet(transferred.employer().hazard_categories()),
                  since(transferred.transfer_time()), options_);
  }
}

grpc::Status Training::ListAssignments(const Caller& caller, const v1::ListAssignmentsRequest& request,
                                       v1::ListAssignmentsResponse* response) {
  return Guard(caller, "ListAssignments", [&] {
    core::FieldErrors errors;
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    if (!request.org().empty()) {
      if (auto bad = domain::CreditCodeError(request.org())) errors.Add("org", *bad);
    }
    const std::string fingerprint = fmt::format("assignments|{}|{}", request.org(), request.overdue_only());
    const std::string after_id = service::PagePosition(request.page_token(), fingerprint, errors);
    ThrowIfInvalid(errors);

    const auto* p = caller.principal;
    std::string org = request.org();
    if (p->role == auth::Role::kEmployer && org.empty()) org = p->org;
    if (auth::IsOrganisationRole(p->role) && p->role != auth::Role::kEmployer) {
      Refuse(grpc::StatusCode::PERMISSION_DENIED,
             "assignments are listed by employers and province staff, not role " + RoleText(p));
    }
    service::Require(p, auth::Action::kRead, {options_.province, org, false});
    const std::string overdue_before = request.overdue_only() ? domain::ChinaDateOf(options_.clock()) : "";
    auto rows = db_.Read([&](store::Tx& tx) {
      return TrainingStore::ListAssignments(tx, org, overdue_before, after_id, page_size + 1);
    });
    response->set_next_page_token(
        service::TrimPage(rows, page_size, fingerprint, [](const v1::Assignment& a) { return a.id(); }));
    for (auto& a : rows) *response->add_assignments() = std::move(a);
  });
}

// ---- Literacy monitoring ----

grpc::Status Training::RecordLiteracySurveys(const Caller& caller, const v1::RecordLiteracySurveysRequest& request,
                                             v1::RecordLiteracySurveysResponse* response) {
  return Guard(caller, "RecordLiteracySurveys", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    // A batch retried after a lost answer must not count its questionnaires twice.
    if (request.request_id().empty()) errors.Add("request_id", "is required: a retried batch is recorded once");
    if (request.results_size() == 0 || request.results_size() > options_.max_survey_batch) {
      errors.Add("results", fmt::format("must hold 1-{} questionnaires", options_.max_survey_batch));
    }
    for (int i = 0; i < request.results_size(); ++i) {
      const auto& r = request.results(i);
      const std::string at = fmt::format("results[{}]", i);
      if (r.population() == 0 || !v1::Population_IsValid(r.population())) {
        errors.Add(at + ".population", "must be one of the key populations");
      }
      if (auto bad = domain::DivisionCodeError(r.division_code())) {
        errors.Add(at + ".division_code", *bad);
      } else if (domain::ProvinceOfDivision(r.division_code()) != options_.province) {
        errors.Add(at + ".division_code", "is outside province " + options_.province + " served here");
      }
      if (r.year() < kMinSurveyYear || r.year() > kMaxSurveyYear) {
        errors.Add(at + ".year", fmt::format("must be {}-{}", kMinSurveyYear, kMaxSurveyYear));
      }
      if (!std::isfinite(r.score_rate()) || r.score_rate() < 0 || r.score_rate() > 100) {
        errors.Add(at + ".score_rate", "must be 0-100");
      }
    }
    ThrowIfInvalid(errors);
    service::Require(caller.principal, auth::Action::kWrite, {options_.province, "", false});

    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "RecordLiteracySurveys", request.request_id(), request, response, [&] {
        const auto now_tp = options_.clock();
        const std::string batch_id = core::NewUuidV7(now_tp);
        for (const auto& r : request.results()) TrainingStore::InsertSurveyResult(tx, batch_id, r);
        events_.SurveysRecorded(tx, batch_id, request, options_.literacy_threshold_percent, TimestampOf(now_tp));
        service::Audit(tx, caller, "record", "literacy_batch", batch_id);
        response->set_batch_id(batch_id);
        response->set_recorded(request.results_size());
      });
    });
    Committed();
  });
}

grpc::Status Training::QueryLiteracy(const Caller& caller, const v1::QueryLiteracyRequest& request,
                                     v1::QueryLiteracyResponse* response) {
  return Guard(caller, "QueryLiteracy", [&] {
    core::FieldErrors errors;
    const std::string region = request.region().empty() ? options_.province : request.region();
    if (!domain::IsDivisionPrefix(region)) {
      errors.Add("region", "must be a 2, 4 or 6 digit division prefix");
    } else if (domain::ProvinceOfDivision(region) != options_.province) {
      errors.Add("region", "is outside province " + options_.province + " served here");
    }
    if (request.year() != 0 && (request.year() < kMinSurveyYear || request.year() > kMaxSurveyYear)) {
      errors.Add("year", fmt::format("must be 0 (every year) or {}-{}", kMinSurveyYear, kMaxSurveyYear));
    }
    if (!v1::Population_IsValid(request.population())) errors.Add("population", "unknown value");
    ThrowIfInvalid(errors);
    service::Require(caller.principal, auth::Action::kRead, {options_.province, "", false});
    const auto rows = db_.Read([&](store::Tx& tx) {
      return TrainingStore::AggregateSurveys(tx, region, request.year(), request.population(),
                                             options_.literacy_threshold_percent);
    });
    response->set_threshold_percent(options_.literacy_threshold_percent);
    for (const auto& row : rows) {
      auto* a = response->add_aggregates();
      a->set_population(static_cast<v1::Population>(row.population));
      a->set_year(row.year);
      a->set_questionnaires(row.questionnaires);
      a->set_reaching_threshold(row.reaching);
      const auto questionnaires = static_cast<double>(row.questionnaires);
      a->set_share(row.questionnaires == 0 ? 0.0 : static_cast<double>(row.reaching) / questionnaires);
    }
  });
}

}  // namespace osh::training
