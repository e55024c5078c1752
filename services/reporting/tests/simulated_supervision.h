#pragma once

#include <functional>
#include <map>
#include <tuple>
#include <string>
#include <utility>
#include <vector>

#include "osh/events/v1/supervision_events.pb.h"
#include "osh/events/v1/training_events.pb.h"
#include "simulated_registry.h"

namespace osh::reporting::testing {

// The supervision and training facts of one province, built from the event
// protos the registry and training services emit (supervision_events.proto,
// training_events.proto), about employers of a SimulatedRegistry.
class SimulatedSupervision {
 public:
  explicit SimulatedSupervision(SimulatedRegistry& registry, std::string province)
      : registry_(registry), province_(std::move(province)) {}

  struct Factor {
    std::string code;
    osh::common::v1::HazardCategory category;
    int tested;
    int exceeding;
  };
  events::Event HazardTest(const std::string& credit_code, const std::string& test_id, const std::string& day,
                           const std::vector<Factor>& factors) {
    ev::HazardTestRecorded m;
    m.set_test_id(test_id);
    *m.mutable_employer() = registry_.Facts(credit_code);
    m.set_tested_on(day);
    for (const auto& f : factors) {
      auto* x = m.add_factors();
      x->set_factor_code(f.code);
      x->set_hazard_category(f.category);
      x->set_points_tested(f.tested);
      x->set_points_exceeding(f.exceeding);
      m.set_points_tested(m.points_tested() + f.tested);
      m.set_points_exceeding(m.points_exceeding() + f.exceeding);
    }
    *m.mutable_record_time() = At(day);
    return Emit(m, credit_code, day);
  }

  struct Exam {
    int year;
    int kind;  // 1 pre-employment, 2 in-service, 3 departure
    int examined;
    int should_be_examined;
    int notified;
    int abnormal = 0;
    int suspected = 0;
  };
  events::Event ExamSummary(const std::string& credit_code, const std::string& summary_id, const Exam& x,
                            const std::string& recorded_day) {
    ev::HealthExamSummaryRecorded m;
    m.set_summary_id(summary_id);
    *m.mutable_employer() = registry_.Facts(credit_code);
    m.set_year(x.year);
    m.set_exam_kind(x.kind);
    m.set_examined(x.examined);
    m.set_should_be_examined(x.should_be_examined);
    m.set_should_be_examined_source(ev::SHOULD_BE_EXAMINED_SOURCE_DECLARATION);
    m.set_notified_in_writing(x.notified);
    m.set_abnormal(x.abnormal);
    m.set_suspected_occupational_disease(x.suspected);
    *m.mutable_record_time() = At(recorded_day);
    return Emit(m, credit_code, recorded_day);
  }

  events::Event AssistanceVisit(const std::string& credit_code, const std::string& case_id, int visit_number,
                                int found, int fixed, int64_t subsidy_fen, const std::string& day) {
    ev::AssistanceVisitRecorded m;
    m.set_case_id(case_id);
    *m.mutable_employer() = registry_.Facts(credit_code);
    m.set_visited_on(day);
    m.set_visit_number(visit_number);
    m.set_issues_found(found);
    m.set_issues_fixed(fixed);
    m.set_subsidy_fen(subsidy_fen);
    *m.mutable_record_time() = At(day);
    return Emit(m, credit_code, day);
  }

  // Cases per (category number, disease code) under `edition`.
  events::Event DiseaseCases(const std::string& credit_code, const std::string& report_id, const std::string& day,
                             const std::string& edition, const std::vector<std::pair<std::string, int>>& cases) {
    ev::OccupationalDiseaseCaseReported m;
    m.set_report_id(report_id);
    *m.mutable_employer() = registry_.Facts(credit_code);
    m.set_diagnosed_on(day);
    m.set_catalogue_edition(edition);
    for (const auto& [code, count] : cases) {
      auto* d = m.add_diseases();
      d->set_disease_code(code);
      d->set_category_number(std::stoi(code.substr(0, 2)));
      d->set_cases(count);
      m.set_total_cases(m.total_cases() + count);
    }
    m.set_reporter_kind(ev::DISEASE_CASE_REPORTER_KIND_PROVINCE_STAFF);
    *m.mutable_record_time() = At(day);
    return Emit(m, credit_code, day);
  }

  events::Event Opened(const std::string& credit_code, const std::string& item_id, const std::string& deadline,
                       const std::string& day, bool reopened = false) {
    ev::RectificationOpened m;
    m.set_item_id(item_id);
    m.set_inspection_id("insp-" + item_id);
    m.set_credit_code(credit_code);
    m.set_province(province_);
    m.set_division_code(registry_.Facts(credit_code).division_code());
    m.set_deadline(deadline);
    m.set_reopened(reopened);
    *m.mutable_open_time() = At(day);
    return Emit(m, credit_code, day);
  }

  events::Event Closed(const std::string& credit_code, const std::string& item_id, const std::string& deadline,
                       const std::string& day) {
    ev::RectificationClosed m;
    m.set_item_id(item_id);
    m.set_credit_code(credit_code);
    m.set_province(province_);
    m.set_division_code(registry_.Facts(credit_code).division_code());
    m.set_deadline(deadline);
    m.set_on_time(day <= deadline);
    *m.mutable_close_time() = At(day);
    return Emit(m, credit_code, day);
  }

  // A completion on the training topic; `credit_code` need not be known to the registry.
  events::Event Completion(const std::string& credit_code, const std::string& enrollment_id,
                           osh::training::v1::TargetRole role, bool mandatory, const std::string& day) {
    ev::EnrollmentCompleted m;
    m.set_enrollment_id(enrollment_id);
    m.set_course_id("course-1");
    m.set_course_version(1);
    m.set_province(province_);
    m.set_org(credit_code);
    m.set_target_role(role);
    m.set_mandatory(mandatory);
    m.set_score_percent(90);
    m.set_attempts_used(1);
    *m.mutable_complete_time() = At(day);
    m.set_complete_date(day);
    m.set_assignments_fulfilled(mandatory ? 1 : 0);
    return events::MakeEvent(m, province_, "training", credit_code, TimeAt(day));
  }

 private:
  events::Event Emit(const google::protobuf::Message& m, const std::string& key, const std::string& day) {
    return events::MakeEvent(m, province_, "registry", key, TimeAt(day));
  }

  SimulatedRegistry& registry_;
  std::string province_;
};

// Guangdong's supervision year on top of ThreeProvinces::PlayTheYear, with
// 2023 figures beside it (entered late, from the employers' paper records),
// and the indicators worked out by hand:
//
//                         2024                         2023
//   declaration rate      3 / 4 (A, B, D of A-D)       0 / 0 (absent)
//   monitoring pass       (16+4 − 2−1) / 20 = 17/20    5 / 5
//   in-service exam rate  (70 + 12) / (80 + 12)        60 / 75
//   written notice        (63 + 10 + 7) / (70+10+12)   60 / 60
//   training rate         (A principal + B manager)    0 / 0 (absent)
//                         / (2 × A, B, D) = 2 / 6
//   rectification closure R1, R2 closed of R1-R4: 2/4  R0: 1 / 1
//   literacy level        526 / 1000                   400 / 800
//   new disease cases     4 (3 respiratory, 1 other)   5 (respiratory)
inline void PlayGuangdongSupervision(ThreeProvinces& w, const std::function<void(const events::Event&)>& apply) {
  using common::v1::HAZARD_CATEGORY_CHEMICAL;
  using common::v1::HAZARD_CATEGORY_DUST;
  using common::v1::HAZARD_CATEGORY_PHYSICAL;
  using training::v1::TARGET_ROLE_EMPLOYER_PRINCIPAL;
  using training::v1::TARGET_ROLE_OSH_MANAGER;
  using training::v1::TARGET_ROLE_WORKER;
  SimulatedSupervision gd(w.gd, "44");
  // Hazard monitoring: A (4419) 16 points, 2 above; B (4403) 4 points, 1 above.
  apply(gd.HazardTest(w.a, "T1", "2024-03-10", {{"D001", HAZARD_CATEGORY_DUST, 10, 2}, {"P001", HAZARD_CATEGORY_PHYSICAL, 6, 0}}));
  apply(gd.HazardTest(w.b, "T2", "2024-05-01", {{"C001", HAZARD_CATEGORY_CHEMICAL, 4, 1}}));
  apply(gd.HazardTest(w.a, "T0", "2023-06-01", {{"D001", HAZARD_CATEGORY_DUST, 5, 0}}));
  // Examinations: A in-service; B pre-employment and in-service; A's 2023
  // summary recorded in January 2024 counts in December 2023.
  apply(gd.ExamSummary(w.a, "E1", {2024, 2, 70, 80, 63, 5, 1}, "2024-11-01"));
  apply(gd.ExamSummary(w.b, "E2", {2024, 1, 10, 0, 10}, "2024-06-01"));
  apply(gd.ExamSummary(w.b, "E3", {2024, 2, 12, 12, 7}, "2024-11-02"));
  apply(gd.ExamSummary(w.a, "E0", {2023, 2, 60, 75, 60}, "2024-01-15"));
  // Training: A's principal (mandatory), A's manager (not mandatory: not
  // trained), B's manager twice (mandatory), one of A's workers.
  apply(gd.Completion(w.a, "P1", TARGET_ROLE_EMPLOYER_PRINCIPAL, true, "2024-04-01"));
  apply(gd.Completion(w.a, "P2", TARGET_ROLE_OSH_MANAGER, false, "2024-04-02"));
  apply(gd.Completion(w.b, "P3", TARGET_ROLE_OSH_MANAGER, true, "2024-06-01"));
  apply(gd.Completion(w.b, "P5", TARGET_ROLE_OSH_MANAGER, true, "2024-09-01"));
  apply(gd.Completion(w.a, "P4", TARGET_ROLE_WORKER, false, "2024-06-01"));
  // Rectification items: R1 closed on time, R2 late, R3 open, R4 closed and
  // reopened; R0 of 2023 closed (late) in 2024 counts in its 2023 cohort.
  apply(gd.Opened(w.a, "R1", "2024-04-30", "2024-03-05"));
  apply(gd.Opened(w.a, "R2", "2024-05-31", "2024-03-05"));
  apply(gd.Closed(w.a, "R1", "2024-04-30", "2024-04-20"));
  apply(gd.Opened(w.b, "R3", "2024-07-01", "2024-05-10"));
  apply(gd.Closed(w.a, "R2", "2024-05-31", "2024-06-10"));
  apply(gd.Opened(w.c, "R4", "2024-08-01", "2024-07-01"));
  apply(gd.Closed(w.c, "R4", "2024-08-01", "2024-07-20"));
  apply(gd.Opened(w.c, "R4", "2024-09-01", "2024-08-05", true));
  apply(gd.Opened(w.a, "R0", "2023-12-31", "2023-10-01"));
  apply(gd.Closed(w.a, "R0", "2023-12-31", "2024-01-10"));
  // Disease cases (diagnosed before 2025-08-01: the 2013 edition).
  apply(gd.DiseaseCases(w.a, "K1", "2024-09-01", "2013", {{"01.01", 3}, {"10.01", 1}}));
  apply(gd.DiseaseCases(w.a, "K0", "2023-05-01", "2013", {{"01.01", 5}}));
  // Assistance of C (4401): two visits.
  apply(gd.AssistanceVisit(w.c, "S1", 1, 3, 1, 50000, "2024-08-01"));
  apply(gd.AssistanceVisit(w.c, "S1", 2, 0, 2, 0, "2024-10-01"));
  // Literacy surveys of Guangzhou (440106).
  for (const auto& [batch, year, questionnaires, reaching] :
       std::vector<std::tuple<std::string, int, int, int>>{{"gd-2024", 2024, 1000, 526}, {"gd-2023", 2023, 800, 400}}) {
    ev::LiteracySurveyRecorded m;
    m.set_batch_id(batch);
    m.set_province("44");
    m.set_threshold_percent(80);
    auto* c = m.add_counts();
    c->set_population(training::v1::POPULATION_MIGRANT_WORKERS);
    c->set_division_code("440106");
    c->set_year(year);
    c->set_questionnaires(questionnaires);
    c->set_reaching_threshold(reaching);
    *m.mutable_record_time() = At(std::to_string(year) + "-06-01");
    apply(events::MakeEvent(m, "44", "training", batch, TimeAt(std::to_string(year) + "-06-01")));
  }
}

}  // namespace osh::reporting::testing
