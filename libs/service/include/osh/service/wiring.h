#pragma once

// The steps every provincial service's wiring takes in the same way, so a
// service's component file says only what is its own.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "osh/core/service_host.h"
#include "osh/events/consumer.h"
#include "osh/service/retention.h"
#include "osh/store/database.h"

namespace osh::service {

// The province this deployment serves (config key "province"), checked
// against GB/T 2260. False with *error set when it is not a province code.
bool ServedProvince(const core::Config& config, std::string* province, std::string* error);

// <data-dir>/<file_name> opened with db-read-connections readers and brought
// up to the newest migration; the host keeps it for the life of the process.
// When the service declares the key database-url and it is set (postgres://…),
// that PostgreSQL database instead of the file.
// The key database-url, for the services that run on PostgreSQL as well; its
// help names the SQLite file used when it is empty.
// `url_key` names another key instead, for a second store of one process
// (training's LRS: xapi-database-url), which needs a database of its own.
core::ConfigKey DatabaseUrlConfigKey(std::string_view file_name, std::string_view url_key = "database-url");

store::Database& AdoptDatabase(core::ServiceHost& host, std::string_view file_name,
                               const std::vector<store::Migration>& migrations,
                               std::string_view url_key = "database-url");

// When kafka-brokers is set, starts the relay that publishes the outbox of
// `db` and sets *after_commit to the call that wakes it after a write; when
// empty, events wait in the outbox and *after_commit stays empty. Either way
// the admin port lists the outbox's parked rows at /outbox/parked.
bool StartOutboxRelay(core::ServiceHost& host, store::Database& db, std::function<void()>* after_commit,
                      std::string* error);

// What every writing service does for its bookkeeping (BookkeepingConfigKeys):
// applies event-max-bytes to the outbox, reads the retention horizons into
// *horizons, and starts pruning idempotency_keys and audit_log, events_processed
// when `consumes_events`, and the service's `own` tables. A consumer of the
// service then sets max_event_age = MaxEventAge(*horizons).
bool StartBookkeeping(core::ServiceHost& host, store::Database& db, bool consumes_events,
                      std::vector<RetainedTable> own, RetentionHorizons* horizons, std::string* error);

// What a service consumes and what it does with each event.
struct ConsumerSpec {
  std::vector<std::string> topics;
  // The consumer group when the key consumer-group is empty ("notify-44").
  std::string default_group;
  events::EventConsumer::Handler handler;
  std::function<void()> after_commit;  // after each committed batch (wake a dispatcher, a relay)
};

// Starts the service's event consumer on `db` from `brokers` (the service's
// kafka-brokers) with the group consumer-group (else spec.default_group) and
// max_event_age from the retention horizons, so that an event older than
// what events_processed remembers is dead-lettered rather than applied twice.
// The host adopts it after `db`, so it stops before the database closes.
// False with *error when there is no topic or it cannot start.
bool StartEventConsumer(core::ServiceHost& host, store::Database& db, const std::string& brokers, ConsumerSpec spec,
                        const RetentionHorizons& horizons, std::string* error);

}  // namespace osh::service
