#pragma once

#include <string>
#include <vector>

#include "osh/events/event.h"
#include "osh/events/v1/registry_events.pb.h"
#include "osh/registry/v1/registry.pb.h"
#include "osh/store/database.h"

namespace osh::registry {

// The topic transfers between provinces travel on (see EnterpriseTransferred
// in registry_events.proto): each province's registry writes its handovers
// and acknowledgements here; MirrorMaker 2 copies it province -> national and
// national -> province, where it is named national.osh.exchange.transfers
// (k8s/README.md). On one shared broker (deploy/up.sh) registries read it as is.
inline constexpr char kExchangeTopic[] = "osh.exchange.transfers";

// The sending side of a transfer: appends it to the outbox inside the
// transfer's transaction and returns its transfer_id (a new UUIDv7).
// A notice without history goes to osh.registry.events (the national
// aggregation reads it there); the handover to kExchangeTopic. With its
// declaration history it fits the outbox's event limit: one
// EnterpriseTransferred carrying declaration_records. Otherwise the history (a
// serialized TransferHistory) is cut into chunks of at most `chunk_bytes` (0:
// half the event limit) and sent as history_part_count EnterpriseTransferPart
// events after the EnterpriseTransferred, all keyed by the credit code, so
// however many declarations an employer has, no event exceeds the limit.
std::string AppendTransfer(store::Tx& tx, events::v1::EnterpriseTransferred transfer,
                           const std::vector<::osh::registry::v1::Declaration>& declarations,
                           const std::string& province, size_t chunk_bytes = 0);

// Both ends of a transfer between provinces, run by the registry's consumer
// of the exchange topic. Events this province wrote itself (they come back
// through the mirrors) and events addressed to other provinces are ignored.
//
// Receiving: an EnterpriseTransferred event whose destination is this
// registry's province imports the employer and its declaration history. It
// applies inside the consumer's transaction, which also records the event as
// processed, so a redelivered or replayed transfer imports nothing twice, and
// a restart of either registry mid-way leaves both consistent. A history in
// parts is kept (transfer_parts) until the transfer event and every part are
// here, in whatever order they came; then it is imported, once
// (transfers_imported), and the parts are dropped. The same transaction
// writes the EnterpriseTransferAccepted acknowledgement to the outbox.
//
// Sending: an EnterpriseTransferAccepted addressed to this province confirms
// the transfer (TransferLedger::Confirm).
class TransferImporter {
 public:
  explicit TransferImporter(std::string province) : province_(std::move(province)) {}

  // The tables holding parts until their transfer is complete.
  static store::Migration Migration(int version);

  // Ignores every other event. Throws when the event cannot be applied (an
  // unreadable record, a sender that is not the province the event names, or
  // the credit code is active here already); the consumer retries and then
  // dead-letters it for an operator, and the sender's transfer stays pending.
  void Apply(store::Tx& tx, const events::Event& event) const;

 private:
  // Stages a transfer event or part (part_index -1 for the event itself), then
  // imports when the transfer is complete.
  void Stage(store::Tx& tx, const std::string& transfer_id, int part_index, int part_count,
             const std::string& bytes, const events::Event& event) const;
  // Imports the employer and its history and acknowledges the transfer
  // (when it has a transfer_id: a sender that predates acknowledgements sets none).
  void Import(store::Tx& tx, const events::v1::EnterpriseTransferred& transfer,
              const google::protobuf::RepeatedPtrField<std::string>& declaration_records,
              const std::string& event_id) const;
  bool AlreadyImported(store::Tx& tx, const std::string& transfer_id) const;

  std::string province_;
};

}  // namespace osh::registry
