#pragma once

#include <string>
#include <vector>

#include "osh/events/v1/registry_events.pb.h"
#include "osh/registry/v1/registry.pb.h"
#include "osh/store/database.h"

namespace osh::registry {

namespace v1 = ::osh::registry::v1;

// The sending side's record of its transfers (table transfers_sent): one row
// per TransferEmployer, pending until the receiving province's
// EnterpriseTransferAccepted comes back through the mirrors, then confirmed.
// The employer stays TRANSFER_PENDING meanwhile, and a transfer that is never
// confirmed (refused there, or lost on the way) stays listable.
class TransferLedger {
 public:
  static store::Migration Migration(int version);

  // Records a transfer just sent, inside TransferEmployer's transaction.
  static void RecordSent(store::Tx& tx, const std::string& transfer_id, const v1::Employer& moved,
                         const std::string& employer_id, int declarations_sent);

  // Applies the receiving side's acknowledgement: the transfer becomes
  // confirmed and its employer TRANSFERRED_OUT (version + 1). False when no
  // pending transfer has that id (confirmed already, or sent before
  // acknowledgements existed): nothing changes then. Throws when the
  // acknowledgement comes from another province than the transfer went to.
  static bool Confirm(store::Tx& tx, const events::v1::EnterpriseTransferAccepted& accepted, int64_t now_ms);

  struct Filter {
    bool pending_only = false;
    std::string to_province;  // empty: every province
  };
  // Newest first: transfers with transfer_id < before_id (all when empty), at most `limit`.
  static std::vector<v1::Transfer> List(store::Tx& tx, const Filter& filter, const std::string& before_id, int limit);
};

}  // namespace osh::registry
