#pragma once

#include <string>

#include "osh/events/event.h"
#include "osh/store/database.h"

namespace osh::registry {

// The receiving side of a transfer between provinces. Run by the registry's
// event consumer: an EnterpriseTransferred event whose destination is this
// registry's province imports the employer and its declaration history. It
// applies inside the consumer's transaction, which also records the event as
// processed, so a redelivered or replayed transfer imports nothing twice, and
// a restart of either registry mid-way leaves both consistent.
class TransferImporter {
 public:
  explicit TransferImporter(std::string province) : province_(std::move(province)) {}

  // Ignores every other event. Throws when the event cannot be applied (an
  // unreadable record, or the credit code is active here already); the consumer
  // retries and then dead-letters it for an operator.
  void Apply(store::Tx& tx, const events::Event& event) const;

 private:
  std::string province_;
};

}  // namespace osh::registry
