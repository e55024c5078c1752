#include "transfer_ledger.h"

#include <google/protobuf/util/time_util.h>

#include <stdexcept>

#include "osh/core/log.h"
#include "osh/events/event.h"
#include "registry_store.h"

namespace osh::registry {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int kPending = v1::TRANSFER_STATE_PENDING;
constexpr int kConfirmed = v1::TRANSFER_STATE_CONFIRMED;

}  // namespace

store::Migration TransferLedger::Migration(int version) {
  // Times in Unix milliseconds; transfer ids are UUIDv7, so their order is the order sent.
  return {version, "transfers_sent", R"sql(
CREATE TABLE transfers_sent (
  transfer_id TEXT PRIMARY KEY,
  employer_id TEXT NOT NULL,
  credit_code TEXT NOT NULL,
  to_province TEXT NOT NULL,
  to_division_code TEXT NOT NULL,
  state INTEGER NOT NULL,
  transfer_time_ms INTEGER NOT NULL,
  confirm_time_ms INTEGER,
  declarations_sent INTEGER NOT NULL,
  declarations_imported INTEGER NOT NULL DEFAULT 0,
  receiver_employer_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX transfers_sent_by_state ON transfers_sent(state, transfer_id);
-- The receiving side: which province sent each staged part (TransferImporter).
ALTER TABLE transfer_parts ADD COLUMN sender TEXT NOT NULL DEFAULT '';
)sql"};
}

void TransferLedger::RecordSent(store::Tx& tx, const std::string& transfer_id, const v1::Employer& moved,
                                const std::string& employer_id, int declarations_sent) {
  tx.Prepare(
        "INSERT INTO transfers_sent (transfer_id, employer_id, credit_code, to_province, to_division_code, state,"
        " transfer_time_ms, declarations_sent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .BindAll(transfer_id, employer_id, moved.credit_code(), moved.province(), moved.division_code(),
               static_cast<int64_t>(kPending), TimeUtil::TimestampToMilliseconds(moved.update_time()),
               static_cast<int64_t>(declarations_sent))
      .Run();
}

bool TransferLedger::Confirm(store::Tx& tx, const events::v1::EnterpriseTransferAccepted& accepted, int64_t now_ms) {
  auto find = tx.Prepare("SELECT employer_id, to_province FROM transfers_sent WHERE transfer_id = ? AND state = ?");
  find.BindAll(accepted.transfer_id(), static_cast<int64_t>(kPending));
  if (!find.Step()) return false;
  const std::string employer_id = find.Text(0);
  // Every province sees every transfer go by: only the one it went to may confirm it.
  if (find.Text(1) != accepted.to_province()) {
    throw events::UndecodableEvent("transfer " + accepted.transfer_id() + " went to province " + find.Text(1) +
                             ", but province " + accepted.to_province() + " acknowledges it");
  }
  tx.Prepare(
        "UPDATE transfers_sent SET state = ?, confirm_time_ms = ?, declarations_imported = ?,"
        " receiver_employer_id = ? WHERE transfer_id = ?")
      .BindAll(static_cast<int64_t>(kConfirmed), now_ms, static_cast<int64_t>(accepted.declarations_imported()),
               accepted.employer_id(), accepted.transfer_id())
      .Run();
  // The employer may have come back since (imported again, ACTIVE): then it stays as it is.
  if (auto e = RegistryStore::FindEmployer(tx, employer_id); e && e->status() == v1::EMPLOYER_STATUS_TRANSFER_PENDING) {
    e->set_status(v1::EMPLOYER_STATUS_TRANSFERRED_OUT);
    e->set_version(e->version() + 1);
    *e->mutable_update_time() = TimeUtil::MillisecondsToTimestamp(now_ms);
    RegistryStore::UpdateEmployer(tx, *e);
  }
  core::log::Info("transfer confirmed by the receiving province", {{"transfer_id", accepted.transfer_id()},
                                                                   {"employer_id", employer_id},
                                                                   {"to_province", accepted.to_province()},
                                                                   {"declarations", accepted.declarations_imported()}});
  return true;
}

std::vector<v1::Transfer> TransferLedger::List(store::Tx& tx, const Filter& f, const std::string& before_id,
                                               int limit) {
  auto s = tx.Prepare(
      "SELECT transfer_id, employer_id, credit_code, to_province, to_division_code, state, transfer_time_ms,"
      " confirm_time_ms, declarations_sent, declarations_imported, receiver_employer_id FROM transfers_sent"
      " WHERE (? = '' OR transfer_id < ?) AND (? = 0 OR state = ?) AND (? = '' OR to_province = ?)"
      " ORDER BY transfer_id DESC LIMIT ?");
  s.BindAll(before_id, before_id, static_cast<int64_t>(f.pending_only), static_cast<int64_t>(kPending),
            f.to_province, f.to_province, static_cast<int64_t>(limit));
  std::vector<v1::Transfer> out;
  while (s.Step()) {
    v1::Transfer t;
    t.set_transfer_id(s.Text(0));
    t.set_employer_id(s.Text(1));
    t.set_credit_code(s.Text(2));
    t.set_to_province(s.Text(3));
    t.set_to_division_code(s.Text(4));
    t.set_state(static_cast<v1::TransferState>(s.Int(5)));
    *t.mutable_transfer_time() = TimeUtil::MillisecondsToTimestamp(s.Int(6));
    if (!s.IsNull(7)) *t.mutable_confirm_time() = TimeUtil::MillisecondsToTimestamp(s.Int(7));
    t.set_declarations_sent(static_cast<int32_t>(s.Int(8)));
    t.set_declarations_imported(static_cast<int32_t>(s.Int(9)));
    t.set_receiver_employer_id(s.Text(10));
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace osh::registry
