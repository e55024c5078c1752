#include "training_store.h"

#include <openssl/rand.h>

#include <stdexcept>

#include "osh/events/consumer.h"
#include "osh/events/outbox.h"
#include "osh/service/records.h"
#include "osh/store/enum_set.h"

namespace osh::training {
namespace {

// Up to two provinces (the deployment's and "" for national courses), or any.
struct ProvinceMatch {
  int64_t any;
  std::string first;
  std::string second;
};

ProvinceMatch MatchOf(const std::vector<std::string>& provinces) {
  if (provinces.empty()) return {1, "", ""};
  return {0, provinces.front(), provinces.back()};
}

v1::Enrollment ParseEnrollment(const std::string& bytes) { return store::ParseRecord<v1::Enrollment>(bytes); }

}  // namespace

std::vector<store::Migration> TrainingStore::Migrations() {
  return {
      {1, "training", R"sql(
CREATE TABLE courses (
  id TEXT PRIMARY KEY,
  province TEXT NOT NULL,
  latest_version INTEGER NOT NULL,
  published_version INTEGER NOT NULL,
  mandatory INTEGER NOT NULL,
  role_mask INTEGER NOT NULL,
  hazard_mask INTEGER NOT NULL,
  record BLOB NOT NULL
);
CREATE INDEX courses_by_province ON courses(province, id);
CREATE TABLE course_versions (
  course_id TEXT NOT NULL REFERENCES courses(id),
  number INTEGER NOT NULL,
  content BLOB NOT NULL,
  PRIMARY KEY (course_id, number)
) WITHOUT ROWID;
CREATE TABLE enrollments (
  id TEXT PRIMARY KEY,
  course_id TEXT NOT NULL REFERENCES courses(id),
  org TEXT NOT NULL,
  learner_subject TEXT NOT NULL,
  target_role INTEGER NOT NULL,
  status INTEGER NOT NULL,
  holder_name_sealed TEXT NOT NULL,
  record BLOB NOT NULL,
  UNIQUE (course_id, learner_subject)
);
CREATE INDEX enrollments_by_org ON enrollments(org, course_id, target_role, status);
CREATE INDEX enrollments_by_learner ON enrollments(learner_subject, id);
CREATE TABLE quiz_attempts (
  enrollment_id TEXT NOT NULL REFERENCES enrollments(id),
  number INTEGER NOT NULL,
  record BLOB NOT NULL,
  PRIMARY KEY (enrollment_id, number)
) WITHOUT ROWID;
CREATE TABLE certificates (
  serial INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  enrollment_id TEXT NOT NULL UNIQUE REFERENCES enrollments(id),
  record BLOB NOT NULL
);
CREATE TABLE assignments (
  id TEXT PRIMARY KEY,
  org TEXT NOT NULL,
  course_id TEXT NOT NULL REFERENCES courses(id),
  target_role INTEGER NOT NULL,
  status INTEGER NOT NULL,
  due_date TEXT NOT NULL,
  record BLOB NOT NULL,
  UNIQUE (org, course_id, target_role)
);
CREATE INDEX assignments_open ON assignments(status, due_date, id);
CREATE TABLE literacy_results (
  seq INTEGER PRIMARY KEY,
  batch_id TEXT NOT NULL,
  population INTEGER NOT NULL,
  division_code TEXT NOT NULL,
  year INTEGER NOT NULL,
  score_rate REAL NOT NULL
);
CREATE INDEX literacy_by_region ON literacy_results(division_code, population, year);
)sql"},
      service::RecordsMigration(2),
      events::Outbox::Migration(3),
      events::EventConsumer::Migration(4),
      // The province's employers as the registry's events told them: a
      // mandatory course published later is assigned to those it matches.
      {5, "known employers", R"sql(
CREATE TABLE employers (
  credit_code TEXT PRIMARY KEY,
  industry_section TEXT NOT NULL,
  hazard_mask INTEGER NOT NULL
) WITHOUT ROWID;
)sql"},
      // Reliability (issue 23): parked outbox rows, indexes for retention.
      events::Outbox::ParkingMigration(6),
      events::EventConsumer::RetentionMigration(7),
      service::RecordsRetentionMigration(8),
      // Request tracing (issue 22): each outbox row's traceparent.
      events::Outbox::TraceMigration(9),
  };
}

std::optional<v1::Course> TrainingStore::FindCourse(store::Tx& tx, const std::string& id) {
  auto s = tx.Prepare("SELECT record FROM courses WHERE id = ?");
  s.Bind(1, id);
  if (!s.Step()) return std::nullopt;
  return store::ParseRecord<v1::Course>(s.Blob(0));
}

void TrainingStore::PutCourse(store::Tx& tx, const v1::Course& course, const v1::CourseContent* published,
                              bool insert) {
  const std::string sql =
      insert ? "INSERT INTO courses(province, latest_version, published_version, mandatory, role_mask, hazard_mask, "
               "record, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
             : "UPDATE courses SET province = ?, latest_version = ?, published_version = ?, mandatory = ?, "
               "role_mask = ?, hazard_mask = ?, record = ? WHERE id = ?";
  v1::Course record = course;
  record.clear_content();
  auto s = tx.Prepare(sql);
  s.Bind(1, course.province()).Bind(2, course.latest_version()).Bind(3, course.published_version());
  s.Bind(4, published != nullptr && published->mandatory());
  s.Bind(5, published == nullptr ? int64_t{0} : store::EnumSet(published->target_roles()));
  s.Bind(6, published == nullptr ? int64_t{0} : store::EnumSet(published->hazard_categories()));
  s.BindBlob(7, record.SerializeAsString()).Bind(8, course.id());
  if (s.Run() != 1) throw store::StoreError(0, "course " + course.id() + " was not written");
}

std::optional<v1::CourseContent> TrainingStore::FindVersion(store::Tx& tx, const std::string& course_id,
                                                            int64_t number) {
  auto s = tx.Prepare("SELECT content FROM course_versions WHERE course_id = ? AND number = ?");
  s.Bind(1, course_id).Bind(2, number);
  if (!s.Step()) return std::nullopt;
  return store::ParseRecord<v1::CourseContent>(s.Blob(0));
}

void TrainingStore::PutVersion(store::Tx& tx, const std::string& course_id, int64_t number,
                               const v1::CourseContent& c) {
  auto s = tx.Prepare(
      "INSERT INTO course_versions(course_id, number, content) VALUES (?, ?, ?) "
      "ON CONFLICT(course_id, number) DO UPDATE SET content = excluded.content");
  s.Bind(1, course_id).Bind(2, number).BindBlob(3, c.SerializeAsString());
  s.Run();
}

std::vector<CourseRow> TrainingStore::ListCourses(store::Tx& tx, bool published_only,
                                                  const std::vector<std::string>& provinces, int target_role,
                                                  int hazard_category, const std::string& after_id, int limit) {
  const auto match = MatchOf(provinces);
  auto s = tx.Prepare(
      "SELECT c.record, v.content FROM courses c JOIN course_versions v ON v.course_id = c.id AND "
      "v.number = CASE WHEN ? = 1 THEN c.published_version ELSE c.latest_version END "
      "WHERE (? = 0 OR c.published_version > 0) AND (? = 1 OR c.province = ? OR c.province = ?) "
      "AND (? = 0 OR (c.role_mask & ?) != 0) AND (? = 0 OR (c.hazard_mask & ?) != 0) "
      "AND (? = '' OR c.id < ?) ORDER BY c.id DESC LIMIT ?");
  const int64_t role_bit = target_role == 0 ? 0 : store::EnumBit(target_role);
  const int64_t hazard_bit = hazard_category == 0 ? 0 : store::EnumBit(hazard_category);
  s.Bind(1, published_only).Bind(2, published_only).Bind(3, match.any).Bind(4, match.first).Bind(5, match.second);
  s.Bind(6, role_bit).Bind(7, role_bit).Bind(8, hazard_bit).Bind(9, hazard_bit);
  s.Bind(10, after_id).Bind(11, after_id).Bind(12, limit);
  std::vector<CourseRow> out;
  while (s.Step()) {
    out.push_back({store::ParseRecord<v1::Course>(s.Blob(0)), store::ParseRecord<v1::CourseContent>(s.Blob(1))});
  }
  return out;
}

std::vector<CourseRow> TrainingStore::MandatoryCourses(store::Tx& tx, const std::vector<std::string>& provinces) {
  const auto match = MatchOf(provinces);
  auto s = tx.Prepare(
      "SELECT c.record, v.content FROM courses c JOIN course_versions v ON v.course_id = c.id AND "
      "v.number = c.published_version WHERE c.mandatory = 1 AND c.published_version > 0 "
      "AND (? = 1 OR c.province = ? OR c.province = ?) ORDER BY c.id");
  s.Bind(1, match.any).Bind(2, match.first).Bind(3, match.second);
  std::vector<CourseRow> out;
  while (s.Step()) {
    out.push_back({store::ParseRecord<v1::Course>(s.Blob(0)), store::ParseRecord<v1::CourseContent>(s.Blob(1))});
  }
  return out;
}

std::optional<StoredEnrollment> TrainingStore::FindEnrollment(store::Tx& tx, const std::string& id) {
  auto s = tx.Prepare("SELECT record, holder_name_sealed FROM enrollments WHERE id = ?");
  s.Bind(1, id);
  if (!s.Step()) return std::nullopt;
  return StoredEnrollment{ParseEnrollment(s.Blob(0)), s.Text(1)};
}

std::optional<std::string> TrainingStore::FindEnrollmentId(store::Tx& tx, const std::string& course_id,
                                                           const std::string& learner_subject) {
  auto s = tx.Prepare("SELECT id FROM enrollments WHERE course_id = ? AND learner_subject = ?");
  s.Bind(1, course_id).Bind(2, learner_subject);
  if (!s.Step()) return std::nullopt;
  return s.Text(0);
}

void TrainingStore::PutEnrollment(store::Tx& tx, const StoredEnrollment& stored, bool insert) {
  v1::Enrollment record = stored.enrollment;
  record.clear_certificate();
  record.clear_attempts();
  record.clear_holder_name_masked();
  const std::string sql =
      insert ? "INSERT INTO enrollments(course_id, org, learner_subject, target_role, status, holder_name_sealed, "
               "record, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
             : "UPDATE enrollments SET course_id = ?, org = ?, learner_subject = ?, target_role = ?, status = ?, "
               "holder_name_sealed = ?, record = ? WHERE id = ?";
  auto s = tx.Prepare(sql);
  s.Bind(1, record.course_id()).Bind(2, record.org()).Bind(3, record.learner_subject());
  s.Bind(4, record.target_role()).Bind(5, record.status()).Bind(6, stored.holder_name_sealed);
  s.BindBlob(7, record.SerializeAsString()).Bind(8, record.id());
  if (s.Run() != 1) throw store::StoreError(0, "enrollment " + record.id() + " was not written");
}

std::vector<StoredEnrollment> TrainingStore::ListEnrollments(store::Tx& tx, const EnrollmentFilter& f,
                                                             const std::string& after_id, int limit) {
  auto s = tx.Prepare(
      "SELECT record, holder_name_sealed FROM enrollments WHERE (? = '' OR org = ?) AND "
      "(? = '' OR learner_subject = ?) AND (? = '' OR course_id = ?) AND (? = 0 OR status = ?) "
      "AND (? = '' OR id < ?) ORDER BY id DESC LIMIT ?");
  s.Bind(1, f.org).Bind(2, f.org).Bind(3, f.learner_subject).Bind(4, f.learner_subject);
  s.Bind(5, f.course_id).Bind(6, f.course_id).Bind(7, f.status).Bind(8, f.status);
  s.Bind(9, after_id).Bind(10, after_id).Bind(11, limit);
  std::vector<StoredEnrollment> out;
  while (s.Step()) out.push_back({ParseEnrollment(s.Blob(0)), s.Text(1)});
  return out;
}

std::optional<v1::Enrollment> TrainingStore::FindCompletion(store::Tx& tx, const std::string& org,
                                                            const std::string& course_id, int target_role) {
  auto s = tx.Prepare(
      "SELECT record FROM enrollments WHERE org = ? AND course_id = ? AND target_role = ? AND status = ? "
      "ORDER BY id LIMIT 1");
  s.Bind(1, org).Bind(2, course_id).Bind(3, target_role).Bind(4, int64_t{v1::ENROLLMENT_STATUS_COMPLETED});
  if (!s.Step()) return std::nullopt;
  return ParseEnrollment(s.Blob(0));
}

std::vector<v1::QuizAttempt> TrainingStore::Attempts(store::Tx& tx, const std::string& enrollment_id) {
  auto s = tx.Prepare("SELECT record FROM quiz_attempts WHERE enrollment_id = ? ORDER BY number");
  s.Bind(1, enrollment_id);
  std::vector<v1::QuizAttempt> out;
  while (s.Step()) out.push_back(store::ParseRecord<v1::QuizAttempt>(s.Blob(0)));
  return out;
}

void TrainingStore::InsertAttempt(store::Tx& tx, const std::string& enrollment_id, const v1::QuizAttempt& a) {
  auto s = tx.Prepare("INSERT INTO quiz_attempts(enrollment_id, number, record) VALUES (?, ?, ?)");
  s.Bind(1, enrollment_id).Bind(2, a.number()).BindBlob(3, a.SerializeAsString());
  s.Run();
}

int64_t TrainingStore::NewCertificateSerial(store::Tx& tx) {
  // Random rather than counted: a code shows its serial, and consecutive
  // serials would tell anyone holding two certificates how many were issued between.
  while (true) {
    uint64_t bits = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&bits), sizeof bits) != 1) {
      throw std::runtime_error("no randomness for a certificate serial");
    }
    const auto serial = static_cast<int64_t>(bits >> 1);  // 1 .. INT64_MAX
    if (serial == 0) continue;
    auto s = tx.Prepare("SELECT 1 FROM certificates WHERE serial = ?");
    s.Bind(1, serial);
    if (!s.Step()) return serial;
  }
}

void TrainingStore::InsertCertificate(store::Tx& tx, int64_t serial, const v1::Certificate& c) {
  v1::Certificate record = c;
  record.clear_holder_name_masked();
  auto s = tx.Prepare("INSERT INTO certificates(serial, id, enrollment_id, record) VALUES (?, ?, ?, ?)");
  s.Bind(1, serial).Bind(2, c.id()).Bind(3, c.enrollment_id()).BindBlob(4, record.SerializeAsString());
  s.Run();
}

void TrainingStore::UpdateCertificate(store::Tx& tx, const v1::Certificate& c) {
  v1::Certificate record = c;
  record.clear_holder_name_masked();
  auto s = tx.Prepare("UPDATE certificates SET record = ? WHERE id = ?");
  s.BindBlob(1, record.SerializeAsString()).Bind(2, c.id());
  if (s.Run() != 1) throw store::StoreError(0, "certificate " + c.id() + " was not written");
}

std::optional<v1::Certificate> TrainingStore::FindCertificate(store::Tx& tx, const std::string& id) {
  auto s = tx.Prepare("SELECT record FROM certificates WHERE id = ?");
  s.Bind(1, id);
  if (!s.Step()) return std::nullopt;
  return store::ParseRecord<v1::Certificate>(s.Blob(0));
}

std::optional<v1::Certificate> TrainingStore::FindCertificateBySerial(store::Tx& tx, int64_t serial) {
  auto s = tx.Prepare("SELECT record FROM certificates WHERE serial = ?");
  s.Bind(1, serial);
  if (!s.Step()) return std::nullopt;
  return store::ParseRecord<v1::Certificate>(s.Blob(0));
}

std::optional<v1::Certificate> TrainingStore::FindCertificateOf(store::Tx& tx, const std::string& enrollment_id) {
  auto s = tx.Prepare("SELECT record FROM certificates WHERE enrollment_id = ?");
  s.Bind(1, enrollment_id);
  if (!s.Step()) return std::nullopt;
  return store::ParseRecord<v1::Certificate>(s.Blob(0));
}

bool TrainingStore::InsertAssignment(store::Tx& tx, const v1::Assignment& a) {
  auto s = tx.Prepare(
      "INSERT INTO assignments(id, org, course_id, target_role, status, due_date, record) VALUES (?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT(org, course_id, target_role) DO NOTHING");
  s.Bind(1, a.id()).Bind(2, a.org()).Bind(3, a.course_id()).Bind(4, a.target_role()).Bind(5, a.status());
  s.Bind(6, a.due_date()).BindBlob(7, a.SerializeAsString());
  return s.Run() == 1;
}

std::vector<v1::Assignment> TrainingStore::OpenAssignments(store::Tx& tx, const std::string& org,
                                                           const std::string& course_id, int target_role) {
  auto s = tx.Prepare(
      "SELECT record FROM assignments WHERE org = ? AND course_id = ? AND target_role = ? AND status = ?");
  s.Bind(1, org).Bind(2, course_id).Bind(3, target_role).Bind(4, int64_t{v1::ASSIGNMENT_STATUS_OPEN});
  std::vector<v1::Assignment> out;
  while (s.Step()) out.push_back(store::ParseRecord<v1::Assignment>(s.Blob(0)));
  return out;
}

void TrainingStore::UpdateAssignment(store::Tx& tx, const v1::Assignment& a) {
  auto s = tx.Prepare("UPDATE assignments SET status = ?, record = ? WHERE id = ?");
  s.Bind(1, a.status()).BindBlob(2, a.SerializeAsString()).Bind(3, a.id());
  if (s.Run() != 1) throw store::StoreError(0, "assignment " + a.id() + " was not written");
}

std::vector<v1::Assignment> TrainingStore::ListAssignments(store::Tx& tx, const std::string& org,
                                                           const std::string& overdue_before,
                                                           const std::string& after_id, int limit) {
  auto s = tx.Prepare(
      "SELECT record FROM assignments WHERE (? = '' OR org = ?) AND (? = '' OR (status = ? AND due_date < ?)) "
      "AND (? = '' OR id > ?) ORDER BY id LIMIT ?");
  s.Bind(1, org).Bind(2, org).Bind(3, overdue_before).Bind(4, int64_t{v1::ASSIGNMENT_STATUS_OPEN});
  s.Bind(5, overdue_before).Bind(6, after_id).Bind(7, after_id).Bind(8, limit);
  std::vector<v1::Assignment> out;
  while (s.Step()) out.push_back(store::ParseRecord<v1::Assignment>(s.Blob(0)));
  return out;
}

void TrainingStore::InsertSurveyResult(store::Tx& tx, const std::string& batch_id, const v1::SurveyResult& r) {
  auto s = tx.Prepare(
      "INSERT INTO literacy_results(batch_id, population, division_code, year, score_rate) VALUES (?, ?, ?, ?, ?)");
  s.Bind(1, batch_id).Bind(2, r.population()).Bind(3, r.division_code()).Bind(4, r.year()).Bind(5, r.score_rate());
  s.Run();
}

std::vector<SurveyAggregateRow> TrainingStore::AggregateSurveys(store::Tx& tx, const std::string& region_prefix,
                                                                int year, int population, double threshold) {
  // A prefix range keeps the division index usable (LIKE with a bound pattern would not).
  auto s = tx.Prepare(
      "SELECT population, year, COUNT(*), SUM(CASE WHEN score_rate >= ? THEN 1 ELSE 0 END) FROM literacy_results "
      "WHERE division_code >= ? AND division_code < ? AND (? = 0 OR year = ?) AND (? = 0 OR population = ?) "
      "GROUP BY population, year ORDER BY population, year");
  s.Bind(1, threshold).Bind(2, region_prefix).Bind(3, region_prefix + "\x7f");
  s.Bind(4, year).Bind(5, year).Bind(6, population).Bind(7, population);
  std::vector<SurveyAggregateRow> out;
  while (s.Step()) out.push_back({static_cast<int>(s.Int(0)), static_cast<int>(s.Int(1)), s.Int(2), s.Int(3)});
  return out;
}

void TrainingStore::RememberEmployer(store::Tx& tx, const KnownEmployer& e) {
  // Hazards only ever add up: a later event without them (a registration
  // replayed after the declaration) must not forget what was declared.
  auto s = tx.Prepare(
      "INSERT INTO employers(credit_code, industry_section, hazard_mask) VALUES (?, ?, ?) "
      "ON CONFLICT(credit_code) DO UPDATE SET industry_section = excluded.industry_section, "
      "hazard_mask = employers.hazard_mask | excluded.hazard_mask");
  s.Bind(1, e.credit_code).Bind(2, e.industry_section).Bind(3, e.hazard_mask).Run();
}

std::vector<KnownEmployer> TrainingStore::KnownEmployers(store::Tx& tx) {
  auto s = tx.Prepare("SELECT credit_code, industry_section, hazard_mask FROM employers ORDER BY credit_code");
  std::vector<KnownEmployer> out;
  while (s.Step()) out.push_back({s.Text(0), s.Text(1), s.Int(2)});
  return out;
}

}  // namespace osh::training
