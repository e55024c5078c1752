#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "osh/store/database.h"
#include "osh/training/v1/training.pb.h"

namespace osh::training {

namespace v1 = ::osh::training::v1;

// A course row: the record (without content) and one version's content.
// An employer of the province as the registry's events described it.
struct KnownEmployer {
  std::string credit_code;
  std::string industry_section;
  int64_t hazard_mask = 0;  // store::EnumSet of its hazard categories
};

struct CourseRow {
  v1::Course course;
  v1::CourseContent content;
};

struct StoredEnrollment {
  v1::Enrollment enrollment;  // without certificate, attempts and name
  std::string holder_name_sealed;
};

struct EnrollmentFilter {
  std::string org;
  std::string learner_subject;
  std::string course_id;
  int status = 0;
};

struct SurveyAggregateRow {
  int population = 0;
  int year = 0;
  int64_t questionnaires = 0;
  int64_t reaching = 0;
};

// The training service's tables. Records are stored whole as protobuf
// messages beside the columns that lists filter and order on; course content
// lives once per course version.
class TrainingStore {
 public:
  static std::vector<store::Migration> Migrations();

  // Courses.
  static std::optional<v1::Course> FindCourse(store::Tx& tx, const std::string& id);
  // Keeps the columns of the published version (mandatory, roles, hazards) in step.
  static void PutCourse(store::Tx& tx, const v1::Course& course, const v1::CourseContent* published, bool insert);
  static std::optional<v1::CourseContent> FindVersion(store::Tx& tx, const std::string& course_id, int64_t number);
  static void PutVersion(store::Tx& tx, const std::string& course_id, int64_t number, const v1::CourseContent& c);
  // Newest first after `after_id` ("" = first page). `published_only`: courses
  // with a published version (with that version's content), of `provinces`;
  // else every course of `provinces` with its newest content. `provinces`
  // empty = any province.
  static std::vector<CourseRow> ListCourses(store::Tx& tx, bool published_only,
                                            const std::vector<std::string>& provinces, int target_role,
                                            int hazard_category, const std::string& after_id, int limit);
  // Published mandatory courses of `provinces`, with their published content.
  static std::vector<CourseRow> MandatoryCourses(store::Tx& tx, const std::vector<std::string>& provinces);

  // Enrollments, attempts, certificates.
  static std::optional<StoredEnrollment> FindEnrollment(store::Tx& tx, const std::string& id);
  static std::optional<std::string> FindEnrollmentId(store::Tx& tx, const std::string& course_id,
                                                     const std::string& learner_subject);
  static void PutEnrollment(store::Tx& tx, const StoredEnrollment& e, bool insert);
  static std::vector<StoredEnrollment> ListEnrollments(store::Tx& tx, const EnrollmentFilter& filter,
                                                       const std::string& after_id, int limit);
  // A completed enrollment of `org` in `course_id` with `target_role`, if any.
  static std::optional<v1::Enrollment> FindCompletion(store::Tx& tx, const std::string& org,
                                                      const std::string& course_id, int target_role);
  static std::vector<v1::QuizAttempt> Attempts(store::Tx& tx, const std::string& enrollment_id);
  static void InsertAttempt(store::Tx& tx, const std::string& enrollment_id, const v1::QuizAttempt& attempt);

  // An unused random serial in 1 .. INT64_MAX.
  static int64_t NewCertificateSerial(store::Tx& tx);
  static void InsertCertificate(store::Tx& tx, int64_t serial, const v1::Certificate& certificate);
  static void UpdateCertificate(store::Tx& tx, const v1::Certificate& certificate);
  static std::optional<v1::Certificate> FindCertificate(store::Tx& tx, const std::string& id);
  static std::optional<v1::Certificate> FindCertificateBySerial(store::Tx& tx, int64_t serial);
  static std::optional<v1::Certificate> FindCertificateOf(store::Tx& tx, const std::string& enrollment_id);

  // Mandatory assignments.
  // False when (org, course, role) is assigned already.
  static bool InsertAssignment(store::Tx& tx, const v1::Assignment& assignment);
  static std::vector<v1::Assignment> OpenAssignments(store::Tx& tx, const std::string& org,
                                                     const std::string& course_id, int target_role);
  static void UpdateAssignment(store::Tx& tx, const v1::Assignment& assignment);
  // Ordered by id after `after_id`; `org` empty = every organisation;
  // `overdue_before` non-empty = open ones due before that date.
  static std::vector<v1::Assignment> ListAssignments(store::Tx& tx, const std::string& org,
                                                     const std::string& overdue_before, const std::string& after_id,
                                                     int limit);

  // Literacy surveys.
  static void InsertSurveyResult(store::Tx& tx, const std::string& batch_id, const v1::SurveyResult& result);
  static std::vector<SurveyAggregateRow> AggregateSurveys(store::Tx& tx, const std::string& region_prefix, int year,
                                                          int population, double threshold);

  static void RememberEmployer(store::Tx& tx, const KnownEmployer& employer);
  static std::vector<KnownEmployer> KnownEmployers(store::Tx& tx);
};

}  // namespace osh::training
