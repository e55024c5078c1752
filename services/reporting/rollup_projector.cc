#include "rollup_projector.h"

#include <fmt/format.h>

#include <map>

#include "osh/domain/industries.h"
#include "osh/domain/regions.h"
#include "osh/domain/text.h"
#include "osh/domain/credit_code.h"
#include "lineage.h"
#include "osh/events/v1/training_events.pb.h"
#include "supervision_projection.h"
#include "supervision_store.h"

namespace osh::reporting {
namespace {

// Exposed-worker rows per hazard category of an approved declaration; a
// category listed twice is merged.
std::map<int, int64_t> CategoryRowsOf(const ev::DeclarationFacts& d) {
  std::map<int, int64_t> rows;
  for (const auto& x : d.exposures()) {
    if (x.category() != 0) rows[x.category()] += x.exposed_worker_rows();
  }
  return rows;
}

// Adds (sign = +1) or removes (-1) everything one employer contributes to the
// stock cells of `month`: once in the all-categories cells and once in the
// cell of each hazard category of its latest approved declaration.
void AddStockContribution(CellDeltas& deltas, const EmployerFacts& f, MonthKey month, int sign) {
  std::map<int, int64_t> category_rows;
  if (f.approved_declaration) category_rows = CategoryRowsOf(*f.approved_declaration);
  const auto add = [&](v1::Metric metric, int64_t all_categories, auto per_category) {
    AddDelta(deltas, {0, f.division_code, f.industry_section, month}, metric, sign * all_categories);
    for (const auto& [category, rows] : category_rows) {
      AddDelta(deltas, {category, f.division_code, f.industry_section, month}, metric, sign * per_category(rows));
    }
  };
  const auto same = [](int64_t value) { return [value](int64_t) { return value; }; };
  add(v1::METRIC_REGISTERED_EMPLOYERS, 1, same(1));
  add(v1::METRIC_WORKERS, f.total_workers, same(f.total_workers));
  if (f.approved_declaration) {
    add(v1::METRIC_EMPLOYERS_WITH_APPROVED_DECLARATION, 1, same(1));
    add(v1::METRIC_EXPOSED_WORKERS, f.approved_declaration->total_exposed_workers(),
        [](int64_t rows) { return rows; });
    // An employer with occupational hazards must have its principal and its
    // OSH manager trained: two places, each filled once a mandatory course
    // for the role is completed.
    add(v1::METRIC_PRINCIPALS_AND_MANAGERS_TO_TRAIN, 2, same(2));
    if (f.principal_trained) add(v1::METRIC_PRINCIPALS_TRAINED, 1, same(1));
    if (f.osh_manager_trained) add(v1::METRIC_OSH_MANAGERS_TRAINED, 1, same(1));
  }
}

// Counts one occurrence of a flow where the employer is, in the all-categories
// cell and in the cell of each of `categories`.
void AddFlow(CellDeltas& deltas, v1::Metric metric, const std::string& division_code,
             const std::string& industry_section, const std::map<int, int64_t>& categories, MonthKey month) {
  AddDelta(deltas, {0, division_code, industry_section, month}, metric, 1);
  for (const auto& [category, unused] : categories) {
    AddDelta(deltas, {category, division_code, industry_section, month}, metric, 1);
  }
}

std::map<int, int64_t> ApprovedCategoriesOf(const EmployerFacts& f) {
  return f.approved_declaration ? CategoryRowsOf(*f.approved_declaration) : std::map<int, int64_t>{};
}

// Copies what the registry owns about an employer (where it is, what it does,
// how big it is) into the facts; declaration-owned facts are left alone.
void TakeEmployerFacts(EmployerFacts& f, const ev::EmployerFacts& e, const std::string& source_province) {
  f.credit_code = e.credit_code();
  f.province = std::string(domain::ProvinceOfDivision(e.division_code()));
  f.division_code = e.division_code();
  f.industry_section = e.industry_section();
  f.size_class = e.size_class();
  f.total_workers = e.total_workers();
  f.facts_province = source_province;
  f.facts_version = e.version();
}

// True when the event must not change the employer's facts:
// - the employer is in another province now: only a transfer moves an
//   employer between provinces, so this is an event from before the transfer
//   that arrived late (provinces' topics are not ordered with each other);
// - the event describes an older state than the facts already applied, as
//   numbered by the same province's registry.
bool IsStale(const std::optional<EmployerFacts>& current, const ev::EmployerFacts& e,
             const std::string& source_province) {
  if (!current) return false;
  if (current->province != source_province) return true;
  return current->facts_province == source_province && e.version() > 0 && e.version() < current->facts_version;
}

// One event's application: the facts before and after, the flows it counts.
class Application {
 public:
  Application(store::Tx& tx, const events::Event& event, std::string source_province, MonthKey month)
      : tx_(tx), event_(event), source_province_(std::move(source_province)), month_(month) {}

  void Registered(const ev::EnterpriseRegistered& m) {
    CheckEmployerFacts(m.employer(), source_province_);
    Load(m.employer().credit_code());
    Lineage::RememberName(tx_, m.employer().credit_code(), m.name());
    if (IsStale(before_, m.employer(), source_province_)) return MarkStale();
    after_ = before_.value_or(Unseen());
    TakeEmployerFacts(*after_, m.employer(), source_province_);
    // A credit code seen before (the receiving province importing a
    // transferred employer, a re-registration) refreshes the facts but is not
    // a new registration.
    if (!before_) Flow(v1::METRIC_REGISTRATIONS, *after_);
  }

  void Updated(const ev::EnterpriseUpdated& m) {
    CheckEmployerFacts(m.employer(), source_province_);
    Load(m.employer().credit_code());
    if (IsStale(before_, m.employer(), source_province_)) return MarkStale();
    after_ = before_.value_or(Unseen());
    TakeEmployerFacts(*after_, m.employer(), source_province_);
  }

  void Transferred(const ev::EnterpriseTransferred& m) {
    const auto& e = m.employer();
    if (e.credit_code().empty()) throw UndecodableEvent("employer.credit_code is missing");
    if (m.from_province() != source_province_) {
      throw UndecodableEvent(fmt::format("from_province {} of a transfer sent by province {}", m.from_province(),
                                         source_province_));
    }
    const auto* to = domain::FindProvince(m.to_province());
    if (to == nullptr || !to->mainland || m.to_province() == m.from_province()) {
      throw UndecodableEvent(
          fmt::format("to_province '{}' is not another mainland province", domain::Utf8Prefix(m.to_province(), 8)));
    }
    CheckDivision(m.to_division_code(), m.to_province(), "to_division_code");
    if (domain::FindIndustrySection(e.industry_section()) == nullptr) {
      throw UndecodableEvent("employer.industry_section is not a GB/T 4754-2017 section letter");
    }
    Load(e.credit_code());
    if (before_ && before_->province == m.to_province()) {
      // Moved already: this transfer was applied (and re-emitted under a new
      // id) or the employer was first seen in the receiving province.
      return CountTransferFlows(m, *before_, TransferOrigin(m, e));
    }
    if (before_ && before_->province != m.from_province()) {
      throw UndecodableEvent(
          fmt::format("reporting places employer {} in province {}; a transfer from {} cannot move it",
                      e.credit_code(), before_->province, m.from_province()));
    }
    const std::string from_division = TransferOrigin(m, e);
    after_ = before_.value_or(Unseen());
    if (!before_) {
      // First sight of this employer: it existed in the sending province.
      TakeEmployerFacts(*after_, e, source_province_);
      after_->province = m.from_province();
      after_->division_code = from_division;
    }
    after_->province = m.to_province();
    after_->division_code = m.to_division_code();
    after_->industry_section = e.industry_section();
    after_->facts_province = m.to_province();
    after_->facts_version = 0;  // the receiving registry numbers its own versions
    CountTransferFlows(m, *after_, from_division);
  }

  void DeclarationSubmitted(const ev::DeclarationSubmitted& m) {
    const auto& d = DeclarationEmployer(m.declaration());
    if (RollupStore::FirstOccurrence(tx_, "declaration-submitted/" + m.declaration().declaration_id())) {
      AddFlow(deltas_, v1::METRIC_DECLARATIONS_SUBMITTED, d.division_code, d.industry_section,
              CategoryRowsOf(m.declaration()), month_);
    }
  }

  void DeclarationApproved(const ev::DeclarationApproved& m) {
    const auto& d = DeclarationEmployer(m.declaration());
    if (!stale_) after_->approved_declaration = m.declaration();
    if (RollupStore::FirstOccurrence(tx_, "declaration-decided/" + m.declaration().declaration_id())) {
      AddFlow(deltas_, v1::METRIC_DECLARATIONS_APPROVED, d.division_code, d.industry_section,
              CategoryRowsOf(m.declaration()), month_);
    }
  }

  void DeclarationRejected(const ev::DeclarationRejected& m) {
    // A rejection leaves the previous approval, if any, in force.
    const auto& d = DeclarationEmployer(m.declaration());
    if (RollupStore::FirstOccurrence(tx_, "declaration-decided/" + m.declaration().declaration_id())) {
      AddFlow(deltas_, v1::METRIC_DECLARATIONS_REJECTED, d.division_code, d.industry_section,
              CategoryRowsOf(m.declaration()), month_);
    }
  }

  // A completion by a learner of `org`: a mandatory course completed by its
  // principal or OSH manager marks that role trained (for good, remembered
  // by credit code even while reporting does not know the employer yet);
  // every completion counts once (by enrollment) as a flow of its role where
  // the employer is.
  void Completed(const ev::EnrollmentCompleted& m) {
    if (m.enrollment_id().empty()) throw UndecodableEvent("enrollment_id is missing");
    const auto role = m.target_role();
    // Supervisors' own training (inspectors, institution staff, district
    // leaders) is no employer's: no rollup metric counts it, and it is not an
    // error either.
    if (role == training::v1::TARGET_ROLE_INSPECTOR || role == training::v1::TARGET_ROLE_INSTITUTION_STAFF ||
        role == training::v1::TARGET_ROLE_DISTRICT_LEADER) {
      return;
    }
    if (m.org().empty()) throw UndecodableEvent("org is missing");
    if (role != training::v1::TARGET_ROLE_EMPLOYER_PRINCIPAL && role != training::v1::TARGET_ROLE_OSH_MANAGER &&
        role != training::v1::TARGET_ROLE_WORKER) {
      throw UndecodableEvent(
          fmt::format("target_role {} is not principal, OSH manager or worker", static_cast<int>(role)));
    }
    Load(m.org());
    if (m.mandatory() && role != training::v1::TARGET_ROLE_WORKER &&
        SupervisionStore::MarkTrained(tx_, m.org(), role) && before_) {
      after_ = *before_;
      (role == training::v1::TARGET_ROLE_EMPLOYER_PRINCIPAL ? after_->principal_trained
                                                            : after_->osh_manager_trained) = true;
    }
    if (!RollupStore::FirstOccurrence(tx_, "completion/" + m.enrollment_id())) return;
    const v1::Metric metric = role == training::v1::TARGET_ROLE_EMPLOYER_PRINCIPAL ? v1::METRIC_COMPLETIONS_PRINCIPAL
                              : role == training::v1::TARGET_ROLE_OSH_MANAGER      ? v1::METRIC_COMPLETIONS_OSH_MANAGER
                                                                                  : v1::METRIC_COMPLETIONS_WORKER;
    if (before_) return Flow(metric, *before_);
    // Not known yet: where its credit code says it registered, in the
    // completing province, else at the province's own code.
    std::string division = std::string(source_province_) + "0000";
    if (!domain::CreditCodeError(m.org())) {
      const std::string registered(domain::CreditCodeDivision(m.org()));
      if (!domain::DivisionCodeError(registered) && domain::ProvinceOfDivision(registered) == source_province_) {
        division = registered;
      }
    }
    AddFlow(deltas_, metric, division, "", {}, month_);
  }

  // Writes the stock deltas (new contribution minus old) with the flows, and the facts.
  bool Commit() {
    if (after_) {
      if (before_) AddStockContribution(deltas_, *before_, month_, -1);
      AddStockContribution(deltas_, *after_, month_, +1);
      RollupStore::SaveFacts(tx_, *after_);
    }
    RollupStore::AddToCells(tx_, deltas_);
    Lineage::Record(tx_, deltas_, credit_code_, event_.id);
    return !stale_;
  }

 private:
  void Load(const std::string& credit_code) {
    credit_code_ = credit_code;
    before_ = RollupStore::FindFacts(tx_, credit_code);
  }
  // The facts of an employer reporting has not seen: nothing but the roles
  // its people were trained for already.
  EmployerFacts Unseen() const {
    EmployerFacts f;
    f.principal_trained =
        SupervisionStore::IsTrained(tx_, credit_code_, training::v1::TARGET_ROLE_EMPLOYER_PRINCIPAL);
    f.osh_manager_trained = SupervisionStore::IsTrained(tx_, credit_code_, training::v1::TARGET_ROLE_OSH_MANAGER);
    return f;
  }

  // Where in the sending province the employer left from: where reporting
  // counted it, else the facts the event carries.
  std::string TransferOrigin(const ev::EnterpriseTransferred& m, const ev::EmployerFacts& e) const {
    if (before_ && before_->province == m.from_province()) return before_->division_code;
    if (domain::ProvinceOfDivision(e.division_code()) == m.from_province() &&
        !domain::DivisionCodeError(e.division_code())) {
      return e.division_code();
    }
    throw UndecodableEvent("cannot tell where in province " + m.from_province() + " the transferred employer was");
  }

  // Out of the sending region, into the receiving one; once per transfer (by
  // employer, provinces and time) even if the event is re-emitted.
  void CountTransferFlows(const ev::EnterpriseTransferred& m, const EmployerFacts& moved,
                          const std::string& from_division) {
    const std::string occurrence =
        m.transfer_time().seconds() > 0
            ? fmt::format("transfer/{}/{}/{}/{}", moved.credit_code, m.from_province(), m.to_province(),
                          m.transfer_time().seconds())
            : "transfer-event/" + event_.source + "/" + event_.id;
    if (!RollupStore::FirstOccurrence(tx_, occurrence)) return;
    const auto categories = ApprovedCategoriesOf(moved);
    AddFlow(deltas_, v1::METRIC_TRANSFERS_OUT, from_division, moved.industry_section, categories, month_);
    AddFlow(deltas_, v1::METRIC_TRANSFERS_IN, moved.division_code, moved.industry_section, categories, month_);
  }
  void MarkStale() { stale_ = true; }
  void Flow(v1::Metric metric, const EmployerFacts& f) {
    AddFlow(deltas_, metric, f.division_code, f.industry_section, ApprovedCategoriesOf(f), month_);
  }

  // Brings the employer of a declaration event up to date (unless the event is
  // stale) and returns the facts its flows are placed by.
  const EmployerFacts& DeclarationEmployer(const ev::DeclarationFacts& d) {
    if (d.declaration_id().empty()) throw UndecodableEvent("declaration.declaration_id is missing");
    if (d.total_exposed_workers() < 0) throw UndecodableEvent("declaration.total_exposed_workers is negative");
    CheckEmployerFacts(d.employer(), source_province_);
    Load(d.employer().credit_code());
    after_ = before_.value_or(Unseen());
    if (IsStale(before_, d.employer(), source_province_)) {
      MarkStale();
    } else {
      TakeEmployerFacts(*after_, d.employer(), source_province_);
    }
    return *after_;
  }

  store::Tx& tx_;
  const events::Event& event_;
  std::string source_province_;
  MonthKey month_;
  // The employer every delta of this event belongs to (lineage, training facts).
  std::string credit_code_;
  std::optional<EmployerFacts> before_;
  std::optional<EmployerFacts> after_;
  CellDeltas deltas_;
  bool stale_ = false;
};

// A batch of literacy questionnaires, counted once per batch: in the survey's
// year (the month it was recorded when that falls in the year),
// by division, outside any industry or hazard category.
void ApplyLiteracy(store::Tx& tx, const ReportingCalendar& calendar, const events::Event& event,
                   const ev::LiteracySurveyRecorded& m, const std::string& source_province) {
  if (m.batch_id().empty()) throw UndecodableEvent("batch_id is missing");
  const MonthKey recorded = MonthOfEvent(calendar, event, m.record_time());
  CellDeltas deltas;
  for (const auto& c : m.counts()) {
    CheckDivision(c.division_code(), source_province, "counts.division_code");
    if (c.year() < 2000 || c.year() > 2100) {
      throw UndecodableEvent(fmt::format("counts.year {} is not a survey year", c.year()));
    }
    if (c.questionnaires() < 0 || c.reaching_threshold() < 0 || c.reaching_threshold() > c.questionnaires()) {
      throw UndecodableEvent("counts: questionnaires and reaching_threshold must be 0 ≤ reaching ≤ questionnaires");
    }
    // Recorded in the survey's year: that month; later: its December; ahead of it: its January.
    const MonthKey month = MonthWithinYear(c.year(), recorded);
    AddDelta(deltas, {0, c.division_code(), "", month}, v1::METRIC_LITERACY_QUESTIONNAIRES, c.questionnaires());
    AddDelta(deltas, {0, c.division_code(), "", month}, v1::METRIC_LITERACY_REACHING_THRESHOLD,
             c.reaching_threshold());
  }
  // Keyed by the batch, not the event id: a batch re-emitted under a new id counts once.
  if (RollupStore::FirstOccurrence(tx, "literacy/" + source_province + "/" + m.batch_id())) {
    RollupStore::AddToCells(tx, deltas);
    // Survey batches are counted by division, not by employer.
    Lineage::Record(tx, deltas, "", event.id);
  }
}

}  // namespace

RollupProjector::RollupProjector(ReportingCalendar calendar, core::MetricsRegistry* metrics) : calendar_(calendar) {
  if (metrics != nullptr) {
    applied_ = &metrics->GetCounter("osh_reporting_events_applied_total", "registry events applied to the rollups");
    ignored_ = &metrics->GetCounter("osh_reporting_events_ignored_total", "events of types reporting does not roll up");
    stale_ = &metrics->GetCounter("osh_reporting_events_stale_total",
                                  "events older than the employer facts already applied (flows only)");
  }
}

void RollupProjector::Apply(store::Tx& tx, const events::Event& event) const {
  const std::string province = event.Province();
  const auto* known = domain::FindProvince(province);
  if (known == nullptr || !known->mainland) {
    throw UndecodableEvent("ce_source '" + std::string(domain::Utf8Prefix(event.source, 64)) +
                           "' names no mainland province");
  }
  const auto apply = [&](const auto& message, const google::protobuf::Timestamp& time, auto step) {
    Application application(tx, event, province, MonthOfEvent(calendar_, event, time));
    step(application, message);
    const bool fresh = application.Commit();
    if (applied_ != nullptr) applied_->Inc();
    if (!fresh && stale_ != nullptr) stale_->Inc();
  };
  const std::string& type = event.type;
  if (type == ev::EnterpriseRegistered::descriptor()->full_name()) {
    const auto m = UnpackOrThrow<ev::EnterpriseRegistered>(event);
    apply(m, m.registered_time(), [](Application& a, const auto& x) { a.Registered(x); });
  } else if (type == ev::EnterpriseUpdated::descriptor()->full_name()) {
    const auto m = UnpackOrThrow<ev::EnterpriseUpdated>(event);
    apply(m, m.update_time(), [](Application& a, const auto& x) { a.Updated(x); });
  } else if (type == ev::EnterpriseTransferred::descriptor()->full_name()) {
    const auto m = UnpackOrThrow<ev::EnterpriseTransferred>(event);
    apply(m, m.transfer_time(), [](Application& a, const auto& x) { a.Transferred(x); });
  } else if (type == ev::DeclarationSubmitted::descriptor()->full_name()) {
    const auto m = UnpackOrThrow<ev::DeclarationSubmitted>(event);
    apply(m, m.submit_time(), [](Application& a, const auto& x) { a.DeclarationSubmitted(x); });
  } else if (type == ev::DeclarationApproved::descriptor()->full_name()) {
    const auto m = UnpackOrThrow<ev::DeclarationApproved>(event);
    apply(m, m.review_time(), [](Application& a, const auto& x) { a.DeclarationApproved(x); });
  } else if (type == ev::DeclarationRejected::descriptor()->full_name()) {
    const auto m = UnpackOrThrow<ev::DeclarationRejected>(event);
    apply(m, m.review_time(), [](Application& a, const auto& x) { a.DeclarationRejected(x); });
  } else if (type == ev::LiteracySurveyRecorded::descriptor()->full_name()) {
    ApplyLiteracy(tx, calendar_, event, UnpackOrThrow<ev::LiteracySurveyRecorded>(event), province);
    if (applied_ != nullptr) applied_->Inc();
  } else if (type == ev::EnrollmentCompleted::descriptor()->full_name()) {
    const auto m = UnpackOrThrow<ev::EnrollmentCompleted>(event);
    Application application(tx, event, province,
                            m.complete_date().empty() ? MonthOfEvent(calendar_, event, m.complete_time())
                                                      : MonthOfDate(m.complete_date(), "complete_date"));
    application.Completed(m);
    application.Commit();
    if (applied_ != nullptr) applied_->Inc();
  } else if (ApplySupervisionFact(tx, calendar_, event, province)) {
    if (applied_ != nullptr) applied_->Inc();
  } else if (ignored_ != nullptr) {
    ignored_->Inc();
  }
}

}  // namespace osh::reporting
