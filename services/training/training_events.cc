#include "training_events.h"

#include <map>
#include <tuple>

#include "osh/events/event.h"
#include "osh/events/outbox.h"
#include "osh/events/v1/training_events.pb.h"

namespace osh::training {
namespace {
constexpr char kService[] = "training";
}  // namespace

void TrainingEvents::Completed(store::Tx& tx, const v1::Enrollment& e, int attempts_used, int score_percent,
                               bool mandatory, const std::string& complete_date, int assignments_fulfilled) const {
  events::v1::EnrollmentCompleted m;
  m.set_enrollment_id(e.id());
  m.set_course_id(e.course_id());
  m.set_course_version(e.course_version());
  m.set_province(e.province());
  m.set_org(e.org());
  m.set_target_role(e.target_role());
  m.set_attempts_used(attempts_used);
  m.set_score_percent(score_percent);
  m.set_mandatory(mandatory);
  *m.mutable_complete_time() = e.complete_time();
  m.set_complete_date(complete_date);
  m.set_assignments_fulfilled(assignments_fulfilled);
  events::Outbox::Append(tx, events::MakeEvent(m, province_, kService, e.id()));
}

void TrainingEvents::CertificateIssued(store::Tx& tx, const v1::Certificate& c) const {
  events::v1::CertificateIssued m;
  m.set_certificate_id(c.id());
  m.set_enrollment_id(c.enrollment_id());
  m.set_course_id(c.course_id());
  m.set_province(c.province());
  m.set_org(c.org());
  *m.mutable_issue_time() = c.issue_time();
  m.set_expiry_date(c.expiry_date());
  m.set_course_title(c.course_title());
  events::Outbox::Append(tx, events::MakeEvent(m, province_, kService, c.enrollment_id()));
}

void TrainingEvents::CertificateRevoked(store::Tx& tx, const v1::Certificate& c) const {
  events::v1::CertificateRevoked m;
  m.set_certificate_id(c.id());
  m.set_enrollment_id(c.enrollment_id());
  m.set_course_id(c.course_id());
  m.set_province(c.province());
  m.set_org(c.org());
  *m.mutable_revoke_time() = c.revoke_time();
  events::Outbox::Append(tx, events::MakeEvent(m, province_, kService, c.enrollment_id()));
}

void TrainingEvents::CoursePublished(store::Tx& tx, const v1::Course& course, const v1::CourseContent& content,
                                     int assignments_made) const {
  events::v1::CoursePublished m;
  m.set_course_id(course.id());
  m.set_province(course.province());
  m.set_course_version(course.published_version());
  m.set_title(content.title());
  m.set_mandatory(content.mandatory());
  for (int role : content.target_roles()) m.add_target_roles(static_cast<v1::TargetRole>(role));
  for (int h : content.hazard_categories()) m.add_hazard_categories(static_cast<::osh::common::v1::HazardCategory>(h));
  m.set_assignments_made(assignments_made);
  *m.mutable_publish_time() = course.publish_time();
  events::Outbox::Append(tx, events::MakeEvent(m, province_, kService, course.id()));
}

void TrainingEvents::SurveysRecorded(store::Tx& tx, const std::string& batch_id,
                                     const v1::RecordLiteracySurveysRequest& request, double threshold_percent,
                                     const google::protobuf::Timestamp& now) const {
  std::map<std::tuple<int, std::string, int>, std::pair<int, int>> counts;
  for (const auto& r : request.results()) {
    auto& [questionnaires, reaching] = counts[{r.population(), r.division_code(), r.year()}];
    ++questionnaires;
    reaching += r.score_rate() >= threshold_percent ? 1 : 0;
  }
  events::v1::LiteracySurveyRecorded m;
  m.set_batch_id(batch_id);
  m.set_province(province_);
  m.set_threshold_percent(threshold_percent);
  for (const auto& [key, value] : counts) {
    auto* c = m.add_counts();
    c->set_population(static_cast<v1::Population>(std::get<0>(key)));
    c->set_division_code(std::get<1>(key));
    c->set_year(std::get<2>(key));
    c->set_questionnaires(value.first);
    c->set_reaching_threshold(value.second);
  }
  *m.mutable_record_time() = now;
  events::Outbox::Append(tx, events::MakeEvent(m, province_, kService, batch_id));
}

}  // namespace osh::training
