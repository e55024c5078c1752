#include "supervision_events.h"

#include <map>

#include "osh/domain/hazards.h"
#include "osh/events/event.h"
#include "osh/events/outbox.h"
#include "registry_events.h"

namespace osh::registry {
namespace {

constexpr char kService[] = "registry";

}  // namespace

void SupervisionEvents::HazardTestRecorded(store::Tx& tx, const v1::HazardTest& test,
                                           const v1::Employer& employer) const {
  events::v1::HazardTestRecorded m;
  m.set_test_id(test.id());
  *m.mutable_employer() = RegistryEvents::FactsOf(employer);
  m.set_tested_on(test.tested_on());
  // Ordered by factor code: the event reads the same whatever the order of results.
  std::map<std::string, std::pair<int, int>> per_factor;
  for (const auto& r : test.results()) {
    auto& [tested, exceeding] = per_factor[r.factor_code()];
    ++tested;
    exceeding += r.exceeded() ? 1 : 0;
  }
  for (const auto& [code, counts] : per_factor) {
    auto* f = m.add_factors();
    f->set_factor_code(code);
    // Codes were checked against the catalogue when the test was recorded.
    const auto* factor = domain::FindHazardFactor(code);
    f->set_hazard_category(factor ? static_cast<common::v1::HazardCategory>(factor->category)
                                  : common::v1::HAZARD_CATEGORY_UNSPECIFIED);
    f->set_points_tested(counts.first);
    f->set_points_exceeding(counts.second);
    m.set_points_tested(m.points_tested() + counts.first);
    m.set_points_exceeding(m.points_exceeding() + counts.second);
  }
  *m.mutable_record_time() = test.create_time();
  events::Outbox::Append(tx, events::MakeEvent(m, province_, kService, employer.credit_code()));
}

void SupervisionEvents::HealthExamSummaryRecorded(store::Tx& tx, const v1::HealthExamSummary& summary,
                                                  const v1::Employer& employer, int should_be_examined,
                                                  events::v1::ShouldBeExaminedSource source) const {
  events::v1::HealthExamSummaryRecorded m;
  m.set_summary_id(summary.id());
  *m.mutable_employer() = RegistryEvents::FactsOf(employer);
  m.set_year(summary.year());
  m.set_exam_kind(summary.kind());
  m.set_examined(summary.examined());
  m.set_should_be_examined(should_be_examined);
  m.set_should_be_examined_source(source);
  m.set_abnormal(summary.abnormal());
  m.set_suspected_occupational_disease(summary.suspected_occupational_disease());
  m.set_notified_in_writing(summary.notified_in_writing());
  *m.mutable_record_time() = summary.create_time();
  events::Outbox::Append(tx, events::MakeEvent(m, province_, kService, employer.credit_code()));
}

void SupervisionEvents::AssistanceVisitRecorded(store::Tx& tx, const v1::AssistanceCase& c,
                                                const v1::AssistanceVisit& visit, const v1::Employer& employer,
                                                const google::protobuf::Timestamp& now) const {
  events::v1::AssistanceVisitRecorded m;
  m.set_case_id(c.id());
  *m.mutable_employer() = RegistryEvents::FactsOf(employer);
  m.set_visited_on(visit.visited_on());
  m.set_visit_number(c.visits_size());
  m.set_issues_found(visit.issues_found());
  m.set_issues_fixed(visit.issues_fixed());
  m.set_subsidy_fen(visit.subsidy_fen());
  m.set_case_issues_found(c.issues_found());
  m.set_case_issues_fixed(c.issues_fixed());
  m.set_case_subsidy_fen(c.subsidy_fen());
  *m.mutable_record_time() = now;
  events::Outbox::Append(tx, events::MakeEvent(m, province_, kService, employer.credit_code()));
}

void SupervisionEvents::DiseaseCasesReported(store::Tx& tx, const v1::DiseaseCaseReport& report,
                                             const v1::Employer& employer) const {
  events::v1::OccupationalDiseaseCaseReported m;
  m.set_report_id(report.id());
  *m.mutable_employer() = RegistryEvents::FactsOf(employer);
  m.set_diagnosed_on(report.diagnosed_on());
  m.set_catalogue_edition(report.catalogue_edition());
  std::map<std::string, const v1::DiseaseCaseCount*> ordered;
  for (const auto& d : report.diseases()) ordered.emplace(d.disease_code(), &d);
  for (const auto& [code, d] : ordered) {
    if (d->cases() == 0) continue;  // a zero count moves no figure
    auto* x = m.add_diseases();
    x->set_disease_code(code);
    x->set_category_number(d->category_number());
    x->set_cases(d->cases());
  }
  m.set_total_cases(report.total_cases());
  m.set_reporter_kind(report.reporter_org().empty() ? events::v1::DISEASE_CASE_REPORTER_KIND_PROVINCE_STAFF
                                                    : events::v1::DISEASE_CASE_REPORTER_KIND_DIAGNOSIS_INSTITUTION);
  m.set_reporter_org(report.reporter_org());
  *m.mutable_record_time() = report.create_time();
  events::Outbox::Append(tx, events::MakeEvent(m, province_, kService, employer.credit_code()));
}

}  // namespace osh::registry
