// Training: what the rooms share (training_access.h).

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

// Learners act for themselves: worker and employer principals of an
// organisation in this province, and the province's supervisors taking the
// courses meant for them (inspectors, institution staff, province admins as
// district leaders). The read rule of the access policy checks the
// organisation (if any) and the province; the enrollment's subject is checked
// by the caller of this function.
void RequireLearner(const Caller& caller, const std::string& province) {
  const auto* p = caller.principal;
  if (p == nullptr || p->role == auth::Role::kNationalAdmin || p->role == auth::Role::kEditor) {
    Refuse(grpc::StatusCode::PERMISSION_DENIED,
           "courses are taken by workers, employers, inspectors, institution staff and province admins, not role " +
               RoleText(p));
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
// worker, or the OSH manager the organisation appointed from its staff; the
// supervisors take the courses of their own audience.
bool MayEnrollAs(auth::Role role, v1::TargetRole target) {
  switch (role) {
    case auth::Role::kEmployer:
      return target == v1::TARGET_ROLE_EMPLOYER_PRINCIPAL || target == v1::TARGET_ROLE_OSH_MANAGER;
    case auth::Role::kWorker:
      return target == v1::TARGET_ROLE_WORKER || target == v1::TARGET_ROLE_OSH_MANAGER;
    case auth::Role::kInspector:
      return target == v1::TARGET_ROLE_INSPECTOR;
    case auth::Role::kInstitution:
      return target == v1::TARGET_ROLE_INSTITUTION_STAFF;
    case auth::Role::kProvinceAdmin:
      return target == v1::TARGET_ROLE_DISTRICT_LEADER;
    default:
      return false;
  }
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

}  // namespace osh::training
