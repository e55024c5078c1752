#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "osh/store/database.h"

namespace osh::registry {

// The registry-wide log of record changes that the change feeds read
// (proto/osh/registry/v1/changes.proto). The store methods that write an
// employer, declaration, inspection or rectification item append one entry in
// the caller's transaction, so an entry commits, or rolls back, with its
// record, exactly as an outbox event does.
//
// An entry's sequence is the largest so far plus one, read and written inside
// the write transaction. Registry writes are serialised (one writer on SQLite;
// on PostgreSQL every write transaction first takes one advisory lock and then
// reads in READ COMMITTED, so it sees every earlier commit), hence sequence
// order is commit order and no reader ever sees an entry while an earlier one
// is still uncommitted: a reader that has seen sequence n will never later see
// an entry below n appear. No wall clock is involved, and the log lives in the
// database, so positions survive restarts.
class ChangeLog {
 public:
  enum class Resource { kEmployers, kDeclarations, kInspections, kRectificationItems };

  // The table, its index, and one entry per record written before the log
  // existed (employers first, then declarations, inspections, items, each in
  // id order), so a client starting from the beginning sees every record.
  static store::Migration Migration(int version);

  // Appends the change of `record_id` at `version`; `version` 0 for records
  // that keep none, which then get the count of their changes (1: created).
  static void Append(store::Tx& tx, Resource resource, const std::string& record_id, int64_t version);

  struct Entry {
    int64_t sequence = 0;
    int64_t version = 0;
    std::string record;  // the record's current serialized message
  };
  // The entries of `resource` after `after_sequence`, oldest first, at most
  // `limit`, each with the record as it is now.
  static std::vector<Entry> After(store::Tx& tx, Resource resource, int64_t after_sequence, int limit);

  // The feed's name in cursors and messages ("employers", ...).
  static std::string_view Name(Resource resource);
};

}  // namespace osh::registry
