#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "osh/events/v1/registry_events.pb.h"
#include "osh/registry/v1/registry.pb.h"
#include "osh/registry/v1/supervision.pb.h"
#include "osh/store/database.h"

namespace osh::registry {

namespace v1 = ::osh::registry::v1;

// Writes the registry's domain events into the outbox, inside the caller's
// transaction, so each event commits with the change it reports. Events carry
// facts and counts only: no names or phone numbers of people or other personal
// data leave the province.
class RegistryEvents {
 public:
  explicit RegistryEvents(std::string province) : province_(std::move(province)) {}

  static events::v1::EmployerFacts FactsOf(const v1::Employer& employer);

  void Registered(store::Tx& tx, const v1::Employer& employer) const;
  void Updated(store::Tx& tx, const v1::Employer& before, const v1::Employer& after) const;
  void DeclarationSubmitted(store::Tx& tx, const v1::Declaration& d, const v1::Employer& employer) const;
  void DeclarationReviewed(store::Tx& tx, const v1::Declaration& d, const v1::Employer& employer) const;
  // Returns the transfer's id (AppendTransfer).
  std::string Transferred(store::Tx& tx, const v1::Employer& before, const v1::Employer& moved,
                          const std::vector<v1::Declaration>& declarations, const std::string& reason) const;

  void RectificationOpened(store::Tx& tx, const v1::RectificationItem& item, const v1::Employer& employer,
                           bool reopened) const;
  void RectificationClosed(store::Tx& tx, const v1::RectificationItem& item, const v1::Employer& employer,
                           const std::string& closed_on) const;

  const std::string& province() const { return province_; }

 private:
  std::string province_;
};

}  // namespace osh::registry
