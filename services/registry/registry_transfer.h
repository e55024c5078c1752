#pragma once

#include <string>
#include <vector>

#include "osh/events/event.h"
#include "osh/events/v1/registry_events.pb.h"
#include "osh/registry/v1/registry.pb.h"
#include "osh/store/database.h"

namespace osh::registry {

// The sending side of a transfer: appends it to the outbox inside the
// transfer's transaction. With its declaration history it fits the outbox's
// event limit: one EnterpriseTransferred carrying declaration_records, as
// before parts existed. Otherwise the history (a serialized TransferHistory)
// is cut into chunks of at most `chunk_bytes` (0: half the event limit) and
// sent as history_part_count EnterpriseTransferPart events after the
// EnterpriseTransferred, all keyed by the credit code, so however many
// declarations an employer has, no event exceeds the limit.
void AppendTransfer(store::Tx& tx, events::v1::EnterpriseTransferred transfer,
                    const std::vector<::osh::registry::v1::Declaration>& declarations, const std::string& province,
                    size_t chunk_bytes = 0);

// The receiving side of a transfer between provinces. Run by the registry's
// event consumer: an EnterpriseTransferred event whose destination is this
// registry's province imports the employer and its declaration history. It
// applies inside the consumer's transaction, which also records the event as
// processed, so a redelivered or replayed transfer imports nothing twice, and
// a restart of either registry mid-way leaves both consistent. A history in
// parts is kept (transfer_parts) until the transfer event and every part are
// here, in whatever order they came; then it is imported, once
// (transfers_imported), and the parts are dropped.
class TransferImporter {
 public:
  explicit TransferImporter(std::string province) : province_(std::move(province)) {}

  // The tables holding parts until their transfer is complete.
  static store::Migration Migration(int version);

  // Ignores every other event. Throws when the event cannot be applied (an
  // unreadable record, or the credit code is active here already); the consumer
  // retries and then dead-letters it for an operator.
  void Apply(store::Tx& tx, const events::Event& event) const;

 private:
  // Stages a transfer event or part (part_index -1 for the event itself), then
  // imports when the transfer is complete.
  void Stage(store::Tx& tx, const std::string& transfer_id, int part_index, int part_count,
             const std::string& bytes, const std::string& event_id) const;
  void Import(store::Tx& tx, const events::v1::EnterpriseTransferred& transfer,
              const google::protobuf::RepeatedPtrField<std::string>& declaration_records,
              const std::string& event_id) const;

  std::string province_;
};

}  // namespace osh::registry
