#include "registry_events.h"

#include "osh/events/event.h"
#include "osh/events/outbox.h"
#include "registry_transfer.h"

namespace osh::registry {
namespace {

constexpr char kService[] = "registry";

events::v1::DeclarationFacts DeclarationFactsOf(const v1::Declaration& d, const v1::Employer& employer) {
  events::v1::DeclarationFacts f;
  f.set_declaration_id(d.id());
  *f.mutable_employer() = RegistryEvents::FactsOf(employer);
  f.set_declaration_type(d.type());
  f.set_year(d.year());
  f.set_total_exposed_workers(d.total_exposed_workers());
  for (const auto& t : d.category_totals()) {
    auto* x = f.add_exposures();
    x->set_category(t.category());
    x->set_exposed_worker_rows(t.exposed_worker_rows());
  }
  return f;
}

}  // namespace

events::v1::EmployerFacts RegistryEvents::FactsOf(const v1::Employer& e) {
  events::v1::EmployerFacts f;
  f.set_employer_id(e.id());
  f.set_credit_code(e.credit_code());
  f.set_province(e.province());
  f.set_division_code(e.division_code());
  f.set_industry_section(e.industry_section());
  f.set_size_class(e.size_class());
  f.set_total_workers(e.total_workers());
  *f.mutable_hazard_categories() = e.hazard_categories();
  f.set_exposed_workers(e.exposed_workers());
  f.set_version(e.version());
  return f;
}

void RegistryEvents::Registered(store::Tx& tx, const v1::Employer& e) const {
  events::v1::EnterpriseRegistered m;
  *m.mutable_employer() = FactsOf(e);
  m.set_name(e.name());
  *m.mutable_registered_time() = e.create_time();
  events::Outbox::Append(tx, events::MakeEvent(m, province_, kService, e.credit_code()));
}

void RegistryEvents::Updated(store::Tx& tx, const v1::Employer& before, const v1::Employer& after) const {
  events::v1::EnterpriseUpdated m;
  *m.mutable_employer() = FactsOf(after);
  *m.mutable_previous() = FactsOf(before);
  *m.mutable_update_time() = after.update_time();
  events::Outbox::Append(tx, events::MakeEvent(m, province_, kService, after.credit_code()));
}

void RegistryEvents::DeclarationSubmitted(store::Tx& tx, const v1::Declaration& d, const v1::Employer& e) const {
  events::v1::DeclarationSubmitted m;
  *m.mutable_declaration() = DeclarationFactsOf(d, e);
  *m.mutable_submit_time() = d.submit_time();
  events::Outbox::Append(tx, events::MakeEvent(m, province_, kService, e.credit_code()));
}

void RegistryEvents::DeclarationReviewed(store::Tx& tx, const v1::Declaration& d, const v1::Employer& e) const {
  const auto& review = d.reviews(d.reviews_size() - 1);
  if (d.status() == v1::DECLARATION_STATUS_APPROVED) {
    events::v1::DeclarationApproved m;
    *m.mutable_declaration() = DeclarationFactsOf(d, e);
    *m.mutable_review_time() = review.review_time();
    events::Outbox::Append(tx, events::MakeEvent(m, province_, kService, e.credit_code()));
  } else {
    events::v1::DeclarationRejected m;
    *m.mutable_declaration() = DeclarationFactsOf(d, e);
    m.set_reason(review.reason());
    *m.mutable_review_time() = review.review_time();
    events::Outbox::Append(tx, events::MakeEvent(m, province_, kService, e.credit_code()));
  }
}

std::string RegistryEvents::Transferred(store::Tx& tx, const v1::Employer& before, const v1::Employer& moved,
                                        const std::vector<v1::Declaration>& declarations,
                                        const std::string& reason) const {
  events::v1::EnterpriseTransferred m;
  *m.mutable_employer() = FactsOf(before);
  m.set_from_province(before.province());
  m.set_to_province(moved.province());
  m.set_to_division_code(moved.division_code());
  v1::Employer record = moved;
  // Personal data stays in the province that holds it, masked forms included.
  record.clear_legal_representative();
  record.clear_legal_representative_phone();
  record.clear_legal_representative_masked();
  record.clear_legal_representative_phone_masked();
  m.set_employer_record(record.SerializeAsString());
  m.set_reason(reason);
  *m.mutable_transfer_time() = moved.update_time();
  // With the declaration history inline, or in parts when that would be too large.
  return AppendTransfer(tx, std::move(m), declarations, province_);
}

void RegistryEvents::RectificationOpened(store::Tx& tx, const v1::RectificationItem& item,
                                         const v1::Employer& employer, bool reopened) const {
  events::v1::RectificationOpened m;
  m.set_item_id(item.id());
  m.set_inspection_id(item.inspection_id());
  m.set_employer_id(employer.id());
  m.set_credit_code(employer.credit_code());
  m.set_province(employer.province());
  m.set_division_code(item.division_code());
  m.set_factor_code(item.factor_code());
  m.set_deadline(item.deadline());
  m.set_reopened(reopened);
  *m.mutable_open_time() = item.update_time();
  events::Outbox::Append(tx, events::MakeEvent(m, province_, kService, employer.credit_code()));
}

void RegistryEvents::RectificationClosed(store::Tx& tx, const v1::RectificationItem& item,
                                         const v1::Employer& employer, const std::string& closed_on) const {
  events::v1::RectificationClosed m;
  m.set_item_id(item.id());
  m.set_employer_id(employer.id());
  m.set_credit_code(employer.credit_code());
  m.set_province(employer.province());
  m.set_division_code(item.division_code());
  m.set_deadline(item.deadline());
  m.set_on_time(closed_on <= item.deadline());  // both YYYY-MM-DD
  *m.mutable_close_time() = item.update_time();
  events::Outbox::Append(tx, events::MakeEvent(m, province_, kService, employer.credit_code()));
}

}  // namespace osh::registry
