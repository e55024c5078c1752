#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "osh/events/event.h"
#include "osh/store/database.h"

namespace osh::events {

// The transactional outbox: a service appends its outgoing events in the same
// store transaction as the state change they describe, so an event exists if
// and only if its change committed. OutboxRelay publishes them afterwards.
class Outbox {
 public:
  // The outbox table, as one of the owning service's migrations.
  static store::Migration Migration(int version);

  static void Append(store::Tx& tx, const Event& event);

  struct Row {
    int64_t seq;
    Event event;
  };
  // Unsent rows in commit order, at most `limit`, with seq > after_seq.
  static std::vector<Row> Pending(store::Tx& tx, int64_t after_seq, int limit);
  static void MarkSent(store::Tx& tx, const std::vector<int64_t>& seqs);
  static int64_t CountPending(store::Tx& tx);
  // Deletes sent rows older than `older_than_seconds`; returns how many.
  static int PruneSent(store::Tx& tx, int64_t older_than_seconds);
};

}  // namespace osh::events
