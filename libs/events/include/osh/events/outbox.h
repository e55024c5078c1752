#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "osh/events/event.h"
#include "osh/store/database.h"

namespace osh::events {

// Thrown by Outbox::Append for an event above the outbox's size limit: the
// write that produced it rolls back, so no unpublishable event is committed.
class EventTooLarge : public std::length_error {
 public:
  using std::length_error::length_error;
};

// The transactional outbox: a service appends its outgoing events in the same
// store transaction as the state change they describe, so an event exists if
// and only if its change committed. OutboxRelay publishes them afterwards.
//
// A row the broker refuses for good (too large, an invalid record: see
// IsPermanentPublishFailure in relay.cc) is parked: set aside with its error
// and time, no longer pending, listed by ListParked for an operator. Rows after
// it are published, so a parked event arrives at no consumer and one
// aggregate's later events arrive without it; that is the price of never
// stopping a province's stream on one row (DESIGN.md "How data flows").
class Outbox {
 public:
  // The outbox table, as one of the owning service's migrations.
  static store::Migration Migration(int version);
  // Adds the parking columns; every service with an outbox has it after Migration.
  static store::Migration ParkingMigration(int version);
  // Adds the traceparent column (each row's W3C trace context, published as the
  // ce_traceparent header); every service with an outbox has it after Migration.
  static store::Migration TraceMigration(int version);

  // Largest encoded event (payload, key, CloudEvents headers and record
  // overhead) Append accepts. Below librdkafka's default message.max.bytes
  // (1,000,000) and the broker's (1,048,588), so an appended event always fits
  // a default broker. Process-wide; services set it from configuration.
  static constexpr size_t kDefaultMaxEventBytes = 900 * 1024;
  static void SetMaxEventBytes(size_t bytes);
  static size_t MaxEventBytes();
  // What the event occupies in a Kafka record, near enough for the limit.
  static size_t EncodedSize(const Event& event);

  // Throws EventTooLarge when EncodedSize(event) > MaxEventBytes().
  static void Append(store::Tx& tx, const Event& event);

  struct Row {
    int64_t seq;
    Event event;
  };
  // Unsent, unparked rows in commit order, at most `limit`, with seq > after_seq.
  static std::vector<Row> Pending(store::Tx& tx, int64_t after_seq, int limit);
  static void MarkSent(store::Tx& tx, const std::vector<int64_t>& seqs);
  // Unsent, unparked rows.
  static int64_t CountPending(store::Tx& tx);
  // Deletes sent rows older than `older_than_seconds`; returns how many.
  // Parked rows are kept until an operator deals with them.
  static int PruneSent(store::Tx& tx, int64_t older_than_seconds);

  // Sets a row aside for good with the reason it cannot be published.
  static void Park(store::Tx& tx, int64_t seq, const std::string& error);
  struct Parked {
    int64_t seq = 0;
    std::string event_id;
    std::string type;
    std::string topic;
    std::string key;
    int64_t payload_bytes = 0;
    int64_t created_at = 0;  // Unix seconds
    int64_t parked_at = 0;   // Unix seconds
    std::string error;
  };
  // Clears the parking of the parked row of event `event_id`, so that it is
  // pending again (in its old place by seq) and the relay publishes it next
  // round: for an operator who dealt with the reason (osh-admin outbox
  // replay). False when no parked row has that id.
  static bool Requeue(store::Tx& tx, const std::string& event_id);
  // Parked rows, oldest first, at most `limit`, with seq > after_seq.
  static std::vector<Parked> ListParked(store::Tx& tx, int64_t after_seq, int limit);
  static int64_t CountParked(store::Tx& tx);
};

}  // namespace osh::events
