#include "registry_transfer.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "osh/core/ids.h"
#include "osh/core/log.h"
#include "osh/events/event.h"
#include "osh/events/outbox.h"
#include "osh/events/v1/registry_events.pb.h"
#include "osh/registry/v1/registry.pb.h"
#include "osh/service/records.h"
#include "registry_store.h"
#include "transfer_ledger.h"

namespace osh::registry {
namespace {

constexpr char kService[] = "registry";
constexpr int kTransferEvent = -1;  // part_index of the staged EnterpriseTransferred itself
constexpr int kMaxParts = 100000;

}  // namespace

std::string AppendTransfer(store::Tx& tx, events::v1::EnterpriseTransferred transfer,
                           const std::vector<v1::Declaration>& declarations, const std::string& province,
                           size_t chunk_bytes) {
  const std::string key = transfer.employer().credit_code();
  const std::string transfer_id = core::NewUuidV7();
  transfer.set_transfer_id(transfer_id);
  // The notice for the aggregation: facts and the record, never the history.
  events::Outbox::Append(tx, events::MakeEvent(transfer, province, kService, key));

  const auto handover = [&](const google::protobuf::Message& m) {
    auto event = events::MakeEvent(m, province, kService, key);
    event.topic = kExchangeTopic;
    return event;
  };
  for (const auto& d : declarations) transfer.add_declaration_records(d.SerializeAsString());
  auto whole = handover(transfer);
  if (events::Outbox::EncodedSize(whole) <= events::Outbox::MaxEventBytes()) {
    events::Outbox::Append(tx, whole);
    return transfer_id;
  }
  events::v1::TransferHistory history;
  *history.mutable_declaration_records() = std::move(*transfer.mutable_declaration_records());
  const std::string bytes = history.SerializeAsString();
  if (chunk_bytes == 0) chunk_bytes = events::Outbox::MaxEventBytes() / 2;
  const size_t parts = (bytes.size() + chunk_bytes - 1) / chunk_bytes;
  transfer.set_history_part_count(static_cast<int32_t>(parts));
  transfer.set_history_bytes(static_cast<int64_t>(bytes.size()));
  events::Outbox::Append(tx, handover(transfer));
  for (size_t i = 0; i < parts; ++i) {
    events::v1::EnterpriseTransferPart part;
    part.set_transfer_id(transfer_id);
    part.set_credit_code(key);
    part.set_from_province(transfer.from_province());
    part.set_to_province(transfer.to_province());
    part.set_part_index(static_cast<int32_t>(i));
    part.set_part_count(static_cast<int32_t>(parts));
    part.set_history_chunk(bytes.substr(i * chunk_bytes, chunk_bytes));
    events::Outbox::Append(tx, handover(part));
  }
  return transfer_id;
}

store::Migration TransferImporter::Migration(int version) {
  return {version, "transfer_parts", R"sql(
CREATE TABLE transfer_parts (
  transfer_id TEXT NOT NULL,
  part_index INTEGER NOT NULL,
  part_count INTEGER NOT NULL,
  bytes BLOB NOT NULL,
  event_id TEXT NOT NULL,
  PRIMARY KEY (transfer_id, part_index)
);
CREATE TABLE transfers_imported (
  transfer_id TEXT PRIMARY KEY,
  event_id TEXT NOT NULL,
  imported_at INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER))
);
)sql"};
}

void TransferImporter::Apply(store::Tx& tx, const events::Event& event) const {
  // Our own handovers and acknowledgements come back through the mirrors.
  if (event.Province() == province_) return;
  // A province speaks only for itself: an event naming another sender is refused.
  const auto require_sender = [&](const std::string& named) {
    if (event.Province() != named) {
      throw events::UndecodableEvent("event " + event.id + " from " + event.source + " names province " + named +
                               " as its sender");
    }
  };
  if (event.type == events::v1::EnterpriseTransferred::descriptor()->full_name()) {
    events::v1::EnterpriseTransferred transfer;
    events::UnpackOrThrow(event, &transfer);
    if (transfer.to_province() != province_) return;
    require_sender(transfer.from_province());
    if (transfer.history_part_count() == 0) {
      if (!transfer.transfer_id().empty() && AlreadyImported(tx, transfer.transfer_id())) return;
      Import(tx, transfer, transfer.declaration_records(), event.id);
    } else {
      if (transfer.transfer_id().empty() || transfer.history_part_count() > kMaxParts) {
        throw events::UndecodableEvent("EnterpriseTransferred in parts without a transfer_id or with too many parts");
      }
      Stage(tx, transfer.transfer_id(), kTransferEvent, transfer.history_part_count(), event.payload, event);
    }
  } else if (event.type == events::v1::EnterpriseTransferPart::descriptor()->full_name()) {
    events::v1::EnterpriseTransferPart part;
    events::UnpackOrThrow(event, &part);
    if (part.to_province() != province_) return;
    require_sender(part.from_province());
    if (part.transfer_id().empty() || part.part_count() <= 0 || part.part_count() > kMaxParts ||
        part.part_index() < 0 || part.part_index() >= part.part_count()) {
      throw events::UndecodableEvent("EnterpriseTransferPart " + event.id + " has no transfer_id or a bad part index");
    }
    Stage(tx, part.transfer_id(), part.part_index(), part.part_count(), part.history_chunk(), event);
  } else if (event.type == events::v1::EnterpriseTransferAccepted::descriptor()->full_name()) {
    events::v1::EnterpriseTransferAccepted accepted;
    events::UnpackOrThrow(event, &accepted);
    if (accepted.from_province() != province_) return;
    require_sender(accepted.to_province());
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    if (!TransferLedger::Confirm(tx, accepted, now.count())) {
      core::log::Info("acknowledgement of no pending transfer ignored",
                      {{"transfer_id", accepted.transfer_id()}, {"event_id", event.id}});
    }
  }
}

bool TransferImporter::AlreadyImported(store::Tx& tx, const std::string& transfer_id) const {
  auto imported = tx.Prepare("SELECT 1 FROM transfers_imported WHERE transfer_id = ?");
  imported.Bind(1, transfer_id);
  return imported.Step();
}

void TransferImporter::Stage(store::Tx& tx, const std::string& transfer_id, int part_index, int part_count,
                             const std::string& bytes, const events::Event& event) const {
  if (AlreadyImported(tx, transfer_id)) return;  // a late copy of a transfer already imported
  auto stage = tx.Prepare(
      "INSERT INTO transfer_parts (transfer_id, part_index, part_count, bytes, event_id, sender)"
      " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (transfer_id, part_index) DO NOTHING");
  stage.Bind(1, transfer_id).Bind(2, part_index).Bind(3, part_count);
  stage.BindBlob(4, bytes).Bind(5, event.id).Bind(6, event.Province()).Run();

  // Complete when the transfer event and parts 0 … count-1 are all here.
  auto staged = tx.Prepare(
      "SELECT part_index, part_count, bytes, event_id, sender FROM transfer_parts WHERE transfer_id = ?"
      " ORDER BY part_index");
  staged.Bind(1, transfer_id);
  std::string transfer_payload, transfer_event_id, history, sender;
  int parts = 0;
  while (staged.Step()) {
    if (staged.Int(1) != part_count) {
      throw events::UndecodableEvent("transfer " + transfer_id + ": its events disagree on the number of parts");
    }
    // Every province sees every transfer id go by: parts from another province than
    // the transfer's are refused, not spliced into its history. ('' = staged before senders were kept.)
    if (const std::string from = staged.Text(4); !from.empty()) {
      if (!sender.empty() && from != sender) {
        throw events::UndecodableEvent("transfer " + transfer_id + ": its events come from provinces " + sender +
                                       " and " + from);
      }
      sender = from;
    }
    if (staged.Int(0) == kTransferEvent) {
      transfer_payload = staged.Blob(2);
      transfer_event_id = staged.Text(3);
    } else {
      history += staged.Blob(2);  // in part_index order
      ++parts;
    }
  }
  if (transfer_event_id.empty() || parts < part_count) return;

  events::v1::EnterpriseTransferred transfer;
  events::v1::TransferHistory parsed;
  if (!transfer.ParseFromString(transfer_payload)) throw events::UndecodableEvent("staged transfer does not parse");
  if (static_cast<int64_t>(history.size()) != transfer.history_bytes() || !parsed.ParseFromString(history)) {
    throw events::UndecodableEvent("transfer " + transfer_id + ": the reassembled history is not the one sent");
  }
  Import(tx, transfer, parsed.declaration_records(), transfer_event_id);
  tx.Prepare("DELETE FROM transfer_parts WHERE transfer_id = ?").BindAll(transfer_id).Run();
}

void TransferImporter::Import(store::Tx& tx, const events::v1::EnterpriseTransferred& transfer,
                              const google::protobuf::RepeatedPtrField<std::string>& declaration_records,
                              const std::string& event_id) const {
  v1::Employer moved;
  if (!moved.ParseFromString(transfer.employer_record()) || moved.id().empty() || moved.credit_code().empty()) {
    throw events::UndecodableEvent("EnterpriseTransferred carries no readable employer record");
  }
  moved.set_province(province_);
  moved.set_division_code(transfer.to_division_code());
  moved.set_status(v1::EMPLOYER_STATUS_ACTIVE);

  if (auto existing = RegistryStore::FindEmployerByCreditCode(tx, moved.credit_code())) {
    if (existing->status() == v1::EMPLOYER_STATUS_ACTIVE) {
      throw events::UndecodableEvent("credit code " + moved.credit_code() +
                                     " is already registered and active in province " +
                                     province_ + " (id " + existing->id() + ")");
    }
    // It had moved away from here before and now comes back: same record, newer facts.
    moved.set_id(existing->id());
    moved.set_version(std::max(existing->version(), moved.version()) + 1);
    RegistryStore::UpdateEmployer(tx, moved);
  } else {
    RegistryStore::InsertEmployer(tx, moved);
  }
  int imported = 0;
  for (const auto& bytes : declaration_records) {
    v1::Declaration d;
    if (!d.ParseFromString(bytes) || d.id().empty()) throw events::UndecodableEvent("unreadable declaration record");
    if (RegistryStore::FindDeclaration(tx, d.id())) continue;
    d.set_employer_id(moved.id());
    d.set_province(province_);
    RegistryStore::InsertDeclaration(tx, d);
    ++imported;
  }
  service::Audit(tx, service::AuditEntry{"system:transfer", "system", "import", "employer", moved.id(), event_id});
  if (!transfer.transfer_id().empty()) {
    tx.Prepare("INSERT INTO transfers_imported (transfer_id, event_id) VALUES (?, ?)")
        .BindAll(transfer.transfer_id(), event_id)
        .Run();
    // The acknowledgement commits with the import, so the sender hears of every import exactly once.
    events::v1::EnterpriseTransferAccepted accepted;
    accepted.set_transfer_id(transfer.transfer_id());
    accepted.set_credit_code(moved.credit_code());
    accepted.set_from_province(transfer.from_province());
    accepted.set_to_province(province_);
    accepted.set_employer_id(moved.id());
    accepted.set_declarations_imported(imported);
    *accepted.mutable_accept_time() = google::protobuf::util::TimeUtil::GetCurrentTime();
    auto ack = events::MakeEvent(accepted, province_, kService, moved.credit_code());
    ack.topic = kExchangeTopic;
    events::Outbox::Append(tx, ack);
  }
  core::log::Info("employer imported by transfer", {{"employer_id", moved.id()},
                                                    {"from_province", transfer.from_province()},
                                                    {"declarations", imported},
                                                    {"parts", transfer.history_part_count()},
                                                    {"event_id", event_id}});
}

}  // namespace osh::registry
