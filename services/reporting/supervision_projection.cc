#include "supervision_projection.h"

#include <fmt/format.h>

#include <map>

#include "osh/domain/diseases.h"
#include "osh/domain/hazards.h"
#include "osh/domain/text.h"
#include "osh/events/v1/registry_events.pb.h"
#include "osh/events/v1/supervision_events.pb.h"
#include "lineage.h"
#include "projection_support.h"
#include "rollup_store.h"
#include "supervision_store.h"

namespace osh::reporting {
namespace {

constexpr int kFirstYear = 2000;
constexpr int kLastYear = 2100;
// The edition whose categories are the columns of new disease cases.
constexpr std::string_view kColumnsEdition = "2024";

void RequireId(const std::string& id, const char* field) {
  if (id.empty()) throw UndecodableEvent(std::string(field) + " is missing");
}

void RequireCount(int64_t value, const char* field) {
  if (value < 0) throw UndecodableEvent(fmt::format("{} is negative ({})", field, value));
}

void RequireAtMost(int64_t value, const char* field, int64_t limit, const char* limit_field) {
  if (value > limit) throw UndecodableEvent(fmt::format("{} {} is more than {} {}", field, value, limit_field, limit));
}

// The month of a fact dated `date` (YYYY-MM-DD), else of its recording.
MonthKey MonthOfFact(const ReportingCalendar& calendar, const events::Event& event, const std::string& date,
                     const char* field, const google::protobuf::Timestamp& record_time) {
  return date.empty() ? MonthOfEvent(calendar, event, record_time) : MonthOfDate(date, field);
}

// Adds the deltas once per fact, keyed by `occurrence`, and records them as
// the employer's contribution (lineage), so a supervision figure traces to
// the employers behind it like a registry one.
void AddOnce(store::Tx& tx, const std::string& occurrence, const CellDeltas& deltas, const std::string& credit_code,
             const events::Event& event) {
  if (!RollupStore::FirstOccurrence(tx, occurrence)) return;
  RollupStore::AddToCells(tx, deltas);
  Lineage::Record(tx, deltas, credit_code, event.id);
}

void ApplyHazardTest(store::Tx& tx, const ReportingCalendar& calendar, const events::Event& event,
                     const ev::HazardTestRecorded& m, const std::string& province) {
  RequireId(m.test_id(), "test_id");
  CheckEmployerFacts(m.employer(), province);
  const MonthKey month = MonthOfFact(calendar, event, m.tested_on(), "tested_on", m.record_time());
  struct Points {
    int64_t tested = 0;
    int64_t exceeding = 0;
  };
  Points all;
  std::map<int, Points> per_category;
  for (const auto& f : m.factors()) {
    RequireCount(f.points_tested(), "factors.points_tested");
    RequireCount(f.points_exceeding(), "factors.points_exceeding");
    RequireAtMost(f.points_exceeding(), "factors.points_exceeding", f.points_tested(), "than points_tested");
    all.tested += f.points_tested();
    all.exceeding += f.points_exceeding();
    const int c = f.hazard_category();
    if (domain::FindHazardCategory(static_cast<domain::HazardCategory>(c)) == nullptr) continue;
    per_category[c].tested += f.points_tested();
    per_category[c].exceeding += f.points_exceeding();
  }
  if (m.factors().empty()) {
    // A report without its factor breakdown still counts in the totals.
    all = {m.points_tested(), m.points_exceeding()};
    RequireCount(all.tested, "points_tested");
    RequireCount(all.exceeding, "points_exceeding");
    RequireAtMost(all.exceeding, "points_exceeding", all.tested, "than points_tested");
  }
  CellDeltas deltas;
  const auto& e = m.employer();
  const auto add = [&](int category, const Points& p) {
    const CellKey cell{category, e.division_code(), e.industry_section(), month};
    AddDelta(deltas, cell, v1::METRIC_HAZARD_TESTS, 1);
    AddDelta(deltas, cell, v1::METRIC_HAZARD_TESTS_WITH_EXCEEDANCE, p.exceeding > 0 ? 1 : 0);
    AddDelta(deltas, cell, v1::METRIC_HAZARD_POINTS_TESTED, p.tested);
    AddDelta(deltas, cell, v1::METRIC_HAZARD_POINTS_EXCEEDING, p.exceeding);
  };
  add(0, all);
  for (const auto& [category, points] : per_category) add(category, points);
  AddOnce(tx, "hazard-test/" + m.test_id(), deltas, m.employer().credit_code(), event);
}

void ApplyExamSummary(store::Tx& tx, const ReportingCalendar& calendar, const events::Event& event,
                      const ev::HealthExamSummaryRecorded& m, const std::string& province) {
  RequireId(m.summary_id(), "summary_id");
  CheckEmployerFacts(m.employer(), province);
  if (m.year() < kFirstYear || m.year() > kLastYear) {
    throw UndecodableEvent(fmt::format("year {} is out of range", m.year()));
  }
  if (m.exam_kind() < 1 || m.exam_kind() > 3) {
    throw UndecodableEvent(fmt::format("exam_kind {} is not pre-employment, in-service or departure", m.exam_kind()));
  }
  RequireCount(m.examined(), "examined");
  RequireCount(m.should_be_examined(), "should_be_examined");
  RequireCount(m.abnormal(), "abnormal");
  RequireCount(m.suspected_occupational_disease(), "suspected_occupational_disease");
  RequireCount(m.notified_in_writing(), "notified_in_writing");
  RequireAtMost(m.abnormal(), "abnormal", m.examined(), "examined");
  RequireAtMost(m.notified_in_writing(), "notified_in_writing", m.examined(), "examined");
  RequireAtMost(m.suspected_occupational_disease(), "suspected_occupational_disease", m.examined(), "examined");
  const MonthKey month = MonthWithinYear(m.year(), MonthOfEvent(calendar, event, m.record_time()));
  const auto& e = m.employer();
  const auto categories = HazardCategoriesOf(e);
  CellDeltas deltas;
  const auto add = [&](v1::Metric metric, int64_t value) {
    AddEverywhere(deltas, e.division_code(), e.industry_section(), categories, month, metric, value);
  };
  add(v1::METRIC_EXAMS_EXAMINED, m.examined());
  add(v1::METRIC_EXAMS_NOTIFIED_IN_WRITING, m.notified_in_writing());
  add(v1::METRIC_EXAMS_ABNORMAL, m.abnormal());
  add(v1::METRIC_EXAMS_SUSPECTED_DISEASE, m.suspected_occupational_disease());
  constexpr int kInService = 2;  // osh.registry.v1.ExamKind
  if (m.exam_kind() == kInService) {
    add(v1::METRIC_IN_SERVICE_EXAMINED, m.examined());
    add(v1::METRIC_IN_SERVICE_SHOULD_BE_EXAMINED, m.should_be_examined());
  }
  AddOnce(tx, "exam-summary/" + m.summary_id(), deltas, m.employer().credit_code(), event);
}

void ApplyAssistanceVisit(store::Tx& tx, const ReportingCalendar& calendar, const events::Event& event,
                          const ev::AssistanceVisitRecorded& m, const std::string& province) {
  RequireId(m.case_id(), "case_id");
  CheckEmployerFacts(m.employer(), province);
  if (m.visit_number() < 1) throw UndecodableEvent(fmt::format("visit_number {} is not 1, 2, 3 …", m.visit_number()));
  RequireCount(m.issues_found(), "issues_found");
  RequireCount(m.issues_fixed(), "issues_fixed");
  RequireCount(m.subsidy_fen(), "subsidy_fen");
  const MonthKey month = MonthOfFact(calendar, event, m.visited_on(), "visited_on", m.record_time());
  const auto& e = m.employer();
  const auto categories = HazardCategoriesOf(e);
  CellDeltas deltas;
  const auto add = [&](v1::Metric metric, int64_t value) {
    AddEverywhere(deltas, e.division_code(), e.industry_section(), categories, month, metric, value);
  };
  add(v1::METRIC_ASSISTANCE_VISITS, 1);
  add(v1::METRIC_ASSISTANCE_EMPLOYERS_HELPED, m.visit_number() == 1 ? 1 : 0);
  add(v1::METRIC_ASSISTANCE_ISSUES_FOUND, m.issues_found());
  add(v1::METRIC_ASSISTANCE_ISSUES_FIXED, m.issues_fixed());
  add(v1::METRIC_ASSISTANCE_SUBSIDY_FEN, m.subsidy_fen());
  AddOnce(tx, fmt::format("assistance/{}/{}", m.case_id(), m.visit_number()), deltas, m.employer().credit_code(),
          event);
}

// The column of a category of `edition`: the category of the columns
// edition with the same name (2013's 1-9 keep their numbers, its 10 "other"
// is 2024's 12).
v1::Metric DiseaseColumn(const domain::DiseaseCatalogueEdition& edition, int category_number) {
  const auto& category = edition.categories[static_cast<size_t>(category_number - 1)];
  const auto* columns = domain::FindDiseaseCatalogueEdition(kColumnsEdition);
  for (const auto& c : columns->categories) {
    if (c.name_en == category.name_en) return static_cast<v1::Metric>(v1::METRIC_DISEASE_CASES + c.number);
  }
  throw UndecodableEvent(fmt::format("category {} of the {} edition has no column", category_number, edition.id));
}

void ApplyDiseaseCases(store::Tx& tx, const ReportingCalendar&, const events::Event& event,
                       const ev::OccupationalDiseaseCaseReported& m, const std::string& province) {
  RequireId(m.report_id(), "report_id");
  CheckEmployerFacts(m.employer(), province);
  const MonthKey month = MonthOfDate(m.diagnosed_on(), "diagnosed_on");
  const auto* edition = domain::FindDiseaseCatalogueEdition(m.catalogue_edition());
  if (edition == nullptr) {
    throw UndecodableEvent(fmt::format("catalogue_edition '{}' is not an edition of the disease catalogue",
                                       domain::Utf8Prefix(m.catalogue_edition(), 16)));
  }
  const auto* in_force = domain::EditionInForce(m.diagnosed_on());
  if (in_force != edition) {
    throw UndecodableEvent(fmt::format("catalogue_edition {} is not the edition in force on {}", edition->id,
                                       m.diagnosed_on()));
  }
  const auto& e = m.employer();
  const auto categories = HazardCategoriesOf(e);
  CellDeltas deltas;
  for (const auto& d : m.diseases()) {
    if (d.category_number() < 1 || d.category_number() > static_cast<int>(edition->categories.size())) {
      throw UndecodableEvent(fmt::format("diseases.category_number {} is not a category of the {} edition",
                                         d.category_number(), edition->id));
    }
    RequireCount(d.cases(), "diseases.cases");
    AddEverywhere(deltas, e.division_code(), e.industry_section(), categories, month, v1::METRIC_DISEASE_CASES,
                  d.cases());
    AddEverywhere(deltas, e.division_code(), e.industry_section(), categories, month,
                  DiseaseColumn(*edition, d.category_number()), d.cases());
  }
  AddOnce(tx, "disease-cases/" + m.report_id(), deltas, m.employer().credit_code(), event);
}

// What one rectification item contributes to the cells of its cohort month.
void AddItem(CellDeltas& deltas, const SupervisionStore::RectificationItem& item, int sign) {
  const auto add = [&](v1::Metric metric, bool counts) {
    if (counts) {
      AddEverywhere(deltas, item.division_code, item.industry_section, item.hazard_categories, item.month, metric,
                    sign);
    }
  };
  add(v1::METRIC_RECTIFICATIONS_OPENED, true);
  add(v1::METRIC_RECTIFICATIONS_CLOSED, item.closed);
  add(v1::METRIC_RECTIFICATIONS_CLOSED_ON_TIME, item.closed && item.closed_on_time);
}

// A new item, placed where its employer is registered now as reporting knows
// it (rectification events carry no industry or hazard categories).
SupervisionStore::RectificationItem NewItem(store::Tx& tx, const std::string& item_id, const std::string& credit_code,
                                            const std::string& division_code, MonthKey month) {
  SupervisionStore::RectificationItem item;
  item.item_id = item_id;
  item.division_code = division_code;
  item.month = month;
  if (const auto facts = RollupStore::FindFacts(tx, credit_code)) {
    item.industry_section = facts->industry_section;
    if (facts->approved_declaration) {
      for (const auto& x : facts->approved_declaration->exposures()) {
        if (x.category() != 0 && std::find(item.hazard_categories.begin(), item.hazard_categories.end(),
                                           x.category()) == item.hazard_categories.end()) {
          item.hazard_categories.push_back(x.category());
        }
      }
    }
  }
  return item;
}

// Replaces an item's contribution by that of its new state.
void SaveItemChange(store::Tx& tx, const std::optional<SupervisionStore::RectificationItem>& before,
                    const SupervisionStore::RectificationItem& after, const std::string& credit_code,
                    const events::Event& event) {
  CellDeltas deltas;
  if (before) AddItem(deltas, *before, -1);
  AddItem(deltas, after, +1);
  SupervisionStore::SaveItem(tx, after);
  RollupStore::AddToCells(tx, deltas);
  Lineage::Record(tx, deltas, credit_code, event.id);
}

void ApplyRectificationOpened(store::Tx& tx, const ReportingCalendar& calendar, const events::Event& event,
                              const ev::RectificationOpened& m, const std::string& province) {
  RequireId(m.item_id(), "item_id");
  CheckDivision(m.division_code(), province, "division_code");
  const auto before = SupervisionStore::FindItem(tx, m.item_id());
  auto after = before ? *before
                      : NewItem(tx, m.item_id(), m.credit_code(), m.division_code(),
                                MonthOfEvent(calendar, event, m.open_time()));
  // A reopening (a review found the fix wanting) makes the item open again
  // in its cohort; opening an open item again changes nothing.
  if (before && !(m.reopened() && before->closed && m.open_time().seconds() >= before->state_time)) return;
  after.closed = false;
  after.closed_on_time = false;
  after.state_time = m.open_time().seconds();
  SaveItemChange(tx, before, after, m.credit_code(), event);
}

void ApplyRectificationClosed(store::Tx& tx, const ReportingCalendar& calendar, const events::Event& event,
                              const ev::RectificationClosed& m, const std::string& province) {
  RequireId(m.item_id(), "item_id");
  CheckDivision(m.division_code(), province, "division_code");
  const auto before = SupervisionStore::FindItem(tx, m.item_id());
  // A closure whose opening reporting never saw opens the item in the month it was closed.
  auto after = before ? *before
                      : NewItem(tx, m.item_id(), m.credit_code(), m.division_code(),
                                MonthOfEvent(calendar, event, m.close_time()));
  if (before && (before->closed || m.close_time().seconds() < before->state_time)) return;
  after.closed = true;
  after.closed_on_time = m.on_time();
  after.state_time = m.close_time().seconds();
  SaveItemChange(tx, before, after, m.credit_code(), event);
}

template <typename Message, typename Step>
bool Try(const events::Event& event, Step step) {
  if (event.type != Message::descriptor()->full_name()) return false;
  step(UnpackOrThrow<Message>(event));
  return true;
}

}  // namespace

bool ApplySupervisionFact(store::Tx& tx, const ReportingCalendar& calendar, const events::Event& event,
                          const std::string& province) {
  const auto with = [&](auto apply) { return [&, apply](const auto& m) { apply(tx, calendar, event, m, province); }; };
  return Try<ev::HazardTestRecorded>(event, with(ApplyHazardTest)) ||
         Try<ev::HealthExamSummaryRecorded>(event, with(ApplyExamSummary)) ||
         Try<ev::AssistanceVisitRecorded>(event, with(ApplyAssistanceVisit)) ||
         Try<ev::OccupationalDiseaseCaseReported>(event, with(ApplyDiseaseCases)) ||
         Try<ev::RectificationOpened>(event, with(ApplyRectificationOpened)) ||
         Try<ev::RectificationClosed>(event, with(ApplyRectificationClosed));
}

}  // namespace osh::reporting
