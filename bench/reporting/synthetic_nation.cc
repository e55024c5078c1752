#include "synthetic_nation.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "osh/domain/credit_code.h"
#include "osh/domain/diseases.h"
#include "osh/events/v1/registry_events.pb.h"
#include "osh/events/v1/supervision_events.pb.h"
#include "osh/events/v1/training_events.pb.h"
#include "periods.h"

namespace osh::bench {
namespace {

namespace ev = osh::events::v1;
using std::chrono::days;
using std::chrono::sys_days;
using HazardCategory = osh::common::v1::HazardCategory;

// Registrations are spread over 2019-2024 (a registry built up over six
// years); every later event follows its employer's registration day.
const sys_days kFirstRegistrationDay = sys_days{std::chrono::year{2019} / std::chrono::January / std::chrono::day{1}};
constexpr int kRegistrationDays = 6 * 365;

// 10:00 in Beijing on `day`.
std::chrono::system_clock::time_point At(sys_days day) { return day + std::chrono::hours(2); }
google::protobuf::Timestamp Stamp(sys_days day) { return osh::reporting::ToTimestamp(At(day)); }

std::string DateOf(sys_days day) {
  const std::chrono::year_month_day ymd{day};
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

sys_days FirstDayOf(int year) { return sys_days{std::chrono::year{year} / std::chrono::January / std::chrono::day{1}}; }

std::string CreditCode(const std::string& division, uint64_t i) {
  const std::string first17 = fmt::format("91{}{:09d}", division, i % 1000000000);
  return first17 + *osh::domain::CreditCodeCheckCharacter(first17);
}

std::string Industry(uint64_t h) {
  static const char* kSections[] = {"A", "B", "D", "E", "F", "G", "H", "I", "L", "M", "N", "O", "Q"};
  return h % 2 == 0 ? "C" : kSections[(h / 2) % 13];
}

// True with probability per_mille / 1000, by bits of `h`.
bool Chance(uint64_t h, uint64_t per_mille) { return h % 1000 < per_mille; }

// Yearly supervision facts of one employer (a declared one is tested and
// examined; any may be inspected), plus its training completions, assistance
// and disease cases: deterministic by hashes of (employer, year).
class FactsOfEmployer {
 public:
  FactsOfEmployer(uint64_t i, const ev::EmployerFacts& f, sys_days registered, int exposed, bool declared,
                  bool noise, std::vector<events::Event>& out)
      : i_(i), f_(f), start_(registered + days(60)), exposed_(exposed), declared_(declared), noise_(noise), out_(out) {}

  void Generate() {
    for (int year = SyntheticNation::kFirstFactYear; year <= SyntheticNation::kLastFactYear; ++year) {
      const uint64_t h = Mix(i_ * 31 + static_cast<uint64_t>(year));
      const sys_days day = FirstDayOf(year) + days(static_cast<int>(h % 365));
      if (day < start_) continue;  // not registered (or not settled) yet
      if (declared_ && Chance(h >> 10, 250)) HazardTest(year, day, h >> 20);
      if (declared_ && Chance(h >> 30, 350)) ExamSummary(year, h >> 40);
      if (Chance(h >> 50, 80)) Rectification(year, day, Mix(h));
    }
    const uint64_t h = Mix(~i_);
    const sys_days last = FirstDayOf(SyntheticNation::kLastFactYear + 1) - days(1);
    const sys_days first = std::max(start_, FirstDayOf(SyntheticNation::kFirstFactYear));
    if (first > last) return;
    const auto within = [&](uint64_t x) { return first + days(static_cast<int>(x % static_cast<uint64_t>((last - first).count() + 1))); };
    if (Chance(h, 200)) Completion("P", osh::training::v1::TARGET_ROLE_EMPLOYER_PRINCIPAL, within(h >> 12));
    if (Chance(h >> 20, 150)) Completion("M", osh::training::v1::TARGET_ROLE_OSH_MANAGER, within(h >> 32));
    const bool small = f_.size_class() == osh::common::v1::SIZE_CLASS_SMALL ||
                       f_.size_class() == osh::common::v1::SIZE_CLASS_MICRO;
    if (small && Chance(h >> 40, 20)) Assistance(within(h >> 50));
    if (declared_ && Chance(Mix(h), 4)) DiseaseCases(within(Mix(h) >> 12), Mix(h) >> 40);
  }

 private:
  void Emit(const google::protobuf::Message& m, const char* service, sys_days day) {
    out_.push_back(events::MakeEvent(m, f_.province(), service, f_.credit_code(), At(day)));
  }

  // Dust at 2-6 points (and noise at 1-4 for a third); about one report in
  // eight has points above their limit.
  void HazardTest(int year, sys_days day, uint64_t h) {
    ev::HazardTestRecorded m;
    m.set_test_id(fmt::format("t{}-{}", i_, year));
    *m.mutable_employer() = f_;
    m.set_tested_on(DateOf(day));
    const auto factor = [&](const char* code, HazardCategory category, int tested, int exceeding) {
      auto* x = m.add_factors();
      x->set_factor_code(code);
      x->set_hazard_category(category);
      x->set_points_tested(tested);
      x->set_points_exceeding(exceeding);
      m.set_points_tested(m.points_tested() + tested);
      m.set_points_exceeding(m.points_exceeding() + exceeding);
    };
    const bool exceeded = Chance(h, 125);
    factor("D001", osh::common::v1::HAZARD_CATEGORY_DUST, 2 + static_cast<int>((h >> 10) % 5), exceeded ? 1 : 0);
    if (noise_) factor("P001", osh::common::v1::HAZARD_CATEGORY_PHYSICAL, 1 + static_cast<int>((h >> 14) % 4), 0);
    *m.mutable_record_time() = Stamp(day + days(7));
    Emit(m, "registry", day + days(7));
  }

  // In-service exams of the declared exposed workers: 85-100 % examined,
  // 90-100 % of them told in writing; recorded in December.
  void ExamSummary(int year, uint64_t h) {
    ev::HealthExamSummaryRecorded m;
    m.set_summary_id(fmt::format("x{}-{}", i_, year));
    *m.mutable_employer() = f_;
    m.set_year(year);
    m.set_exam_kind(2);
    const int examined = exposed_ * (85 + static_cast<int>(h % 16)) / 100;
    m.set_examined(examined);
    m.set_should_be_examined(exposed_);
    m.set_should_be_examined_source(ev::SHOULD_BE_EXAMINED_SOURCE_DECLARATION);
    m.set_notified_in_writing(examined * (90 + static_cast<int>((h >> 8) % 11)) / 100);
    m.set_abnormal(examined / 12);
    m.set_suspected_occupational_disease(examined >= 40 ? 1 : 0);
    const sys_days recorded = FirstDayOf(year) + days(340 + static_cast<int>((h >> 16) % 20));
    *m.mutable_record_time() = Stamp(recorded);
    Emit(m, "registry", recorded);
  }

  // An inspection finding due in 30 days: 85 % closed, three in four of those on time.
  void Rectification(int year, sys_days day, uint64_t h) {
    const std::string item = fmt::format("r{}-{}", i_, year);
    const sys_days deadline = day + days(30);
    ev::RectificationOpened opened;
    opened.set_item_id(item);
    opened.set_inspection_id("insp-" + item);
    opened.set_credit_code(f_.credit_code());
    opened.set_province(f_.province());
    opened.set_division_code(f_.division_code());
    opened.set_deadline(DateOf(deadline));
    *opened.mutable_open_time() = Stamp(day);
    Emit(opened, "registry", day);
    if (!Chance(h, 850)) return;
    const sys_days closed_on = Chance(h >> 10, 750) ? day + days(10 + static_cast<int>((h >> 20) % 20))
                                                    : deadline + days(1 + static_cast<int>((h >> 20) % 60));
    ev::RectificationClosed closed;
    closed.set_item_id(item);
    closed.set_credit_code(f_.credit_code());
    closed.set_province(f_.province());
    closed.set_division_code(f_.division_code());
    closed.set_deadline(DateOf(deadline));
    closed.set_on_time(closed_on <= deadline);
    *closed.mutable_close_time() = Stamp(closed_on);
    Emit(closed, "registry", closed_on);
  }

  void Completion(const char* prefix, osh::training::v1::TargetRole role, sys_days day) {
    ev::EnrollmentCompleted m;
    m.set_enrollment_id(fmt::format("{}{}", prefix, i_));
    m.set_course_id(role == osh::training::v1::TARGET_ROLE_EMPLOYER_PRINCIPAL ? "principal-course"
                                                                              : "osh-manager-course");
    m.set_course_version(1);
    m.set_province(f_.province());
    m.set_org(f_.credit_code());
    m.set_target_role(role);
    m.set_mandatory(true);
    m.set_score_percent(90);
    m.set_attempts_used(1);
    *m.mutable_complete_time() = Stamp(day);
    m.set_complete_date(DateOf(day));
    m.set_assignments_fulfilled(1);
    Emit(m, "training", day);
  }

  // Two visits a month apart: issues found, then fixed; 5,000 and 2,000 yuan.
  void Assistance(sys_days day) {
    const std::string case_id = fmt::format("a{}", i_);
    const int found = 3 + static_cast<int>(i_ % 6);
    for (int visit = 1; visit <= 2; ++visit) {
      ev::AssistanceVisitRecorded m;
      m.set_case_id(case_id);
      *m.mutable_employer() = f_;
      const sys_days on = day + days(30 * (visit - 1));
      m.set_visited_on(DateOf(on));
      m.set_visit_number(visit);
      m.set_issues_found(visit == 1 ? found : 0);
      m.set_issues_fixed(visit == 1 ? 1 : found - 1);
      m.set_subsidy_fen(visit == 1 ? 500000 : 200000);
      m.set_case_issues_found(found);
      m.set_case_issues_fixed(visit == 1 ? 1 : found);
      m.set_case_subsidy_fen(visit == 1 ? 500000 : 700000);
      *m.mutable_record_time() = Stamp(on);
      Emit(m, "registry", on);
    }
  }

  // Silicosis, coal workers' and welders' pneumoconiosis, noise deafness or a
  // chemical poisoning, 1-3 cases, in the edition in force on the day.
  void DiseaseCases(sys_days day, uint64_t h) {
    static const char* kCommon[] = {"01.01", "01.02", "01.11", "04.01", "05.20"};
    const std::string date = DateOf(day);
    const auto* edition = domain::EditionInForce(date);
    const std::string code = kCommon[h % 5];
    if (edition == nullptr || !domain::FindDisease(*edition, code)) {
      throw std::logic_error(fmt::format("disease {} is not in the catalogue in force on {}", code, date));
    }
    ev::OccupationalDiseaseCaseReported m;
    m.set_report_id(fmt::format("k{}", i_));
    *m.mutable_employer() = f_;
    m.set_diagnosed_on(date);
    m.set_catalogue_edition(std::string(edition->id));
    auto* d = m.add_diseases();
    d->set_disease_code(code);
    d->set_category_number(std::stoi(code.substr(0, 2)));
    d->set_cases(1 + static_cast<int>((h >> 8) % 3));
    m.set_total_cases(d->cases());
    m.set_reporter_kind(ev::DISEASE_CASE_REPORTER_KIND_DIAGNOSIS_INSTITUTION);
    *m.mutable_record_time() = Stamp(day);
    Emit(m, "registry", day);
  }

  uint64_t i_;
  const ev::EmployerFacts& f_;
  sys_days start_;
  int exposed_;
  bool declared_;
  bool noise_;
  std::vector<events::Event>& out_;
};

// Each province's literacy survey of a year (questionnaires of industrial
// workers in three of its counties; 45-65 % reach the threshold, rising by
// year). Carried by the first 31 × 5 employers, one batch each, so that every
// province has one per year 2020-2024 at any scale from 155 employers.
void LiteracySurvey(uint64_t i, const std::string& province, const SyntheticNation& nation,
                    std::vector<events::Event>& out) {
  constexpr uint64_t kProvinces = 31;
  const int year = SyntheticNation::kFirstFactYear + static_cast<int>(i / kProvinces);
  if (year > SyntheticNation::kLastFactYear) return;
  ev::LiteracySurveyRecorded m;
  m.set_batch_id(fmt::format("survey-{}-{}", province, year));
  m.set_province(province);
  m.set_threshold_percent(80);
  for (uint64_t county = 0; county < 3; ++county) {
    const uint64_t h = Mix(i * 7 + county);
    auto* c = m.add_counts();
    c->set_population(osh::training::v1::POPULATION_INDUSTRIAL_WORKERS);
    c->set_division_code(nation.Division(province, county));
    c->set_year(year);
    c->set_questionnaires(800 + static_cast<int>(h % 400));
    c->set_reaching_threshold(c->questionnaires() * (45 + 3 * (year - SyntheticNation::kFirstFactYear) +
                                                     static_cast<int>((h >> 16) % 8)) / 100);
  }
  const sys_days day = FirstDayOf(year) + days(200);
  *m.mutable_record_time() = Stamp(day);
  out.push_back(events::MakeEvent(m, province, "training", m.batch_id(), At(day)));
}

}  // namespace

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

SyntheticNation::SyntheticNation() {
  for (const auto& p : domain::MainlandProvinces()) provinces_.emplace_back(p);
}

std::string SyntheticNation::Province(uint64_t i) const {
  return std::string(provinces_[i % provinces_.size()].code);
}

std::string SyntheticNation::Division(const std::string& province, uint64_t h) const {
  const auto* p = domain::FindProvince(province);
  if (p->municipality) return fmt::format("{}01{:02d}", province, 1 + h % 16);
  return fmt::format("{}{:02d}{:02d}", province, 1 + h % 12, 1 + (h / 12) % 8);
}

std::vector<events::Event> SyntheticNation::EventsOf(uint64_t i) const {
  std::vector<events::Event> out;
  const uint64_t h = Mix(i);
  const std::string province = Province(i);
  const sys_days registered_on = kFirstRegistrationDay + days(static_cast<int>(h % kRegistrationDays));
  const auto day = [&](int after) { return registered_on + days(after); };
  ev::EmployerFacts f;
  f.set_division_code(Division(province, h >> 8));
  f.set_credit_code(CreditCode(f.division_code(), i));
  f.set_employer_id(fmt::format("e{}", i));
  f.set_province(province);
  f.set_industry_section(Industry(h >> 20));
  f.set_size_class(static_cast<osh::common::v1::SizeClass>(1 + (h >> 28) % 4));
  f.set_total_workers(static_cast<int>(5 + (h >> 32) % 400));
  f.set_version(1);

  ev::EnterpriseRegistered registered;
  *registered.mutable_employer() = f;
  *registered.mutable_registered_time() = Stamp(day(0));
  out.push_back(events::MakeEvent(registered, province, "registry", f.credit_code(), At(day(0))));

  const uint64_t fate = (h >> 40) % 1000;
  const bool declared = fate < 600;
  int exposed = 0;
  if (declared) {  // declared and approved
    ev::DeclarationFacts d;
    d.set_declaration_id(fmt::format("d{}", i));
    d.set_declaration_type(1);
    exposed = static_cast<int>(1 + (h >> 48) % static_cast<uint64_t>(f.total_workers()));
    d.set_total_exposed_workers(exposed);
    auto* dust = d.add_exposures();
    dust->set_category(osh::common::v1::HAZARD_CATEGORY_DUST);
    dust->set_exposed_worker_rows(exposed);
    if (fate % 3 == 0) {
      auto* noise = d.add_exposures();
      noise->set_category(osh::common::v1::HAZARD_CATEGORY_PHYSICAL);
      noise->set_exposed_worker_rows(exposed);
    }
    f.set_version(2);
    *d.mutable_employer() = f;
    ev::DeclarationSubmitted submitted;
    *submitted.mutable_declaration() = d;
    *submitted.mutable_submit_time() = Stamp(day(10));
    out.push_back(events::MakeEvent(submitted, province, "registry", f.credit_code(), At(day(10))));
    f.set_version(3);
    *d.mutable_employer() = f;
    ev::DeclarationApproved approved;
    *approved.mutable_declaration() = d;
    *approved.mutable_review_time() = Stamp(day(20));
    out.push_back(events::MakeEvent(approved, province, "registry", f.credit_code(), At(day(20))));
  }
  if (fate >= 900) {  // an update: more workers, sometimes another county
    ev::EnterpriseUpdated updated;
    *updated.mutable_previous() = f;
    f.set_version(f.version() + 1);
    f.set_total_workers(f.total_workers() + 10);
    if (fate % 2 == 0) f.set_division_code(Division(province, (h >> 8) + 1));
    *updated.mutable_employer() = f;
    *updated.mutable_update_time() = Stamp(day(30));
    out.push_back(events::MakeEvent(updated, province, "registry", f.credit_code(), At(day(30))));
  }
  if (fate >= 995) {  // a transfer to the next province, imported there
    const std::string to = Province(i + 1);
    ev::EnterpriseTransferred transferred;
    *transferred.mutable_employer() = f;
    transferred.set_from_province(province);
    transferred.set_to_province(to);
    transferred.set_to_division_code(Division(to, h >> 8));
    *transferred.mutable_transfer_time() = Stamp(day(40));
    out.push_back(events::MakeEvent(transferred, province, "registry", f.credit_code(), At(day(40))));
    f.set_province(to);
    f.set_division_code(transferred.to_division_code());
    f.set_version(1);
    ev::EnterpriseRegistered imported;
    *imported.mutable_employer() = f;
    *imported.mutable_registered_time() = Stamp(day(41));
    out.push_back(events::MakeEvent(imported, to, "registry", f.credit_code(), At(day(41))));
  }
  // Facts from 60 days after registration, where the employer is by then.
  FactsOfEmployer(i, f, registered_on, exposed, declared, declared && fate % 3 == 0, out).Generate();
  LiteracySurvey(i, province, *this, out);
  return out;
}

}  // namespace osh::bench
