#pragma once

// What the rooms of Training (courses, enrollments, certificates, assignments,
// literacy) share: who may do what, lookups that answer a record the caller
// may not see like a missing one, and the matching of mandatory courses.
// Internal to osh-training; the rules themselves are documented where defined.

#include <google/protobuf/repeated_field.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/time_util.h>

#include <chrono>
#include <string>
#include <vector>

#include "osh/auth/authorize.h"
#include "osh/core/errors.h"
#include "osh/service/call.h"
#include "osh/service/records.h"
#include "training.h"

namespace osh::training {

// The names every room of the service uses unqualified.
using google::protobuf::util::TimeUtil;
using service::Echo;
using service::Guard;
using service::Idempotent;
using service::Refusal;
using service::Refuse;
using service::ThrowIfInvalid;

std::string RoleText(const auth::Principal* p);

google::protobuf::Timestamp TimestampOf(std::chrono::system_clock::time_point t);

// Courses are written by province_admin (their province's) and national_admin
// (national ones); inspectors supervise and editors run the article library,
// neither authors training. Authors read what they may write; national_admin
// reads every course.
void RequireAuthorRole(const Caller& caller);

void RequireAuthor(const Caller& caller, auth::Action action, const std::string& course_province);

// Learners act for themselves: workers and employers of an organisation in
// this province, and its supervisors (inspectors, institution staff, province
// admins as district leaders) for the courses of their audience.
void RequireLearner(const Caller& caller, const std::string& province);

// Progress is the learner's own: others who may read the enrollment (its
// employer) are refused.
void RequireOwnEnrollment(const Caller& caller, const v1::Enrollment& e);

// The learner itself, its organisation's employer principals, province staff
// and national_admin; a worker reads only its own.
bool MayReadEnrollment(const Caller& caller, const v1::Enrollment& e);

// Which target roles a principal may take a course in (training_access.cc).
bool MayEnrollAs(auth::Role role, v1::TargetRole target);

bool Contains(const google::protobuf::RepeatedField<int>& values, int value);

// The course `id` for an author who may `action` it. Other roles are refused
// before the lookup. A course the author may not read (an unpublished one of
// another scope) answers like a missing one; one it may read but not write
// (published courses are public) is refused.
v1::Course CourseForAuthor(store::Tx& tx, const Caller& caller, auth::Action action, const std::string& id,
                           const std::string& served_province);

// A course learners of `province` see: published, national or of that
// province. Any other id gets the answer of a wrong one.
v1::Course PublishedCourseOrRefuse(store::Tx& tx, const std::string& id, const std::string& province);

v1::CourseContent VersionOrRefuse(store::Tx& tx, const std::string& course_id, int64_t number);

StoredEnrollment EnrollmentOrRefuse(store::Tx& tx, const std::string& id);

void CheckId(const std::string& value, const std::string& field, core::FieldErrors& errors);

// Assigns `course` (published, mandatory) to the principal and OSH manager
// roles of `employer` when its hazard categories and industry section match,
// due on `due_date`. Each (organisation, course, role) is assigned once,
// whichever event or publication comes first; returns the new assignments.
std::vector<v1::Assignment> AssignIfMatching(store::Tx& tx, const CourseRow& course, const KnownEmployer& employer,
                                             const std::string& due_date, const Training::Options& options);

std::string DueDate(std::chrono::system_clock::time_point since, const Training::Options& options);

// The enrollment `id` when `may_see` it; otherwise the answer of a missing one,
// so learners and organisations cannot probe for each other's enrollments.
template <typename MaySee>
StoredEnrollment EnrollmentVisibleOrRefuse(store::Tx& tx, const std::string& id, MaySee&& may_see) {
  return service::VisibleOrRefuse(TrainingStore::FindEnrollment(tx, id), "enrollment", id,
                                  [&](const StoredEnrollment& e) { return may_see(e.enrollment); });
}

}  // namespace osh::training
