#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "osh/core/metrics.h"
#include "osh/events/event.h"
#include "osh/store/database.h"

namespace osh::events {

// Consumes events into a service's store, exactly once in effect:
// - each event is applied inside one store transaction that also records its
//   (source, ce_id) in processed_events, so a redelivered event changes nothing;
// - offsets are committed only after that transaction (or after the event was
//   dead-lettered), so a crash re-reads rather than skips;
// - a handler failure is retried with exponential backoff up to max_attempts,
//   then the event goes to `<topic><dead_letter_suffix>` with the error in the
//   osh_error header; malformed events (bad CloudEvents attributes), events a
//   handler cannot decode (UndecodableEvent) and events older than
//   max_event_age go there at once, counted. None ever stops the consumer.
// - a failure of the store itself (store::StoreError::IsTransient: disk full,
//   I/O error, busy) is not the event's fault: it is retried with backoff for
//   as long as it lasts and never dead-lettered, holding its partition.
// The (source, ce_id) records are pruned after a horizon (service retention,
// retention-events-processed-days): an event older than that may have been
// applied already with its record since gone, so with max_event_age set below
// the horizon such an event is dead-lettered (osh_events_expired_total) for an
// operator to judge, never applied a second time.
// Events that arrive together are applied in one transaction (up to
// max_batch), which spares a disk flush per event; if any of them fails, the
// batch is rolled back and its events are applied one by one as above.
class EventConsumer {
 public:
  struct Options {
    std::string brokers = "127.0.0.1:9092";
    std::string group_id;
    std::vector<std::string> topics;
    int max_attempts = 5;
    std::chrono::milliseconds initial_backoff{100};
    std::chrono::milliseconds max_backoff{5000};
    std::string dead_letter_suffix = ".dlt";
    int max_batch = 500;
    // How long Stop() waits for the consumer to commit and leave its group.
    std::chrono::milliseconds close_timeout{5000};
    std::map<std::string, std::string> consumer_properties;
    // Events whose ce_time is older than this are dead-lettered instead of
    // applied (see above); zero applies events of any age.
    std::chrono::seconds max_event_age{0};
    std::function<std::chrono::system_clock::time_point()> clock = [] { return std::chrono::system_clock::now(); };
    // Called after each transaction that applied events has committed: lets
    // work the handler queued (deliveries to send) start at once.
    std::function<void()> after_commit;
  };

  // Applies one event within `tx`. Throw to fail; the transaction then rolls
  // back and the event is retried. Events of types a handler does not know
  // should simply be ignored (they are still recorded as processed).
  using Handler = std::function<void(store::Tx& tx, const Event& event)>;

  // The processed_events table, as one of the owning service's migrations.
  static store::Migration Migration(int version);
  // An index on processed_at, so retention prunes by age in bounded batches.
  static store::Migration RetentionMigration(int version);

  // Why the event is too old to apply (empty when it is not): its ce_time is
  // more than max_age before now. Zero max_age accepts every age.
  static std::string TooOld(const Event& event, std::chrono::system_clock::time_point now,
                            std::chrono::seconds max_age);

  EventConsumer(store::Database& db, Options options, Handler handler, core::MetricsRegistry* metrics);
  ~EventConsumer();
  EventConsumer(const EventConsumer&) = delete;
  EventConsumer& operator=(const EventConsumer&) = delete;

  bool Start(std::string* error);
  void Stop();

  uint64_t applied() const { return applied_.load(); }
  uint64_t duplicates() const { return duplicates_.load(); }
  uint64_t dead_lettered() const { return dead_lettered_.load(); }
  uint64_t undecodable() const { return undecodable_.load(); }
  uint64_t expired() const { return expired_.load(); }

  // Applies one event as the background loop does (dedup + handler + record),
  // returning false when it was a duplicate. Throws what the handler throws.
  // Exposed for unit tests of handlers without a broker.
  static bool ApplyOnce(store::Database& db, const Handler& handler, const Event& event);

 private:
  struct Kafka;
  void Run();
  // Applies one event with retries, then dead-letters it; false when stopping
  // interrupted it (its offset must then not be stored).
  bool ApplyWithRetries(const Event& event);
  bool DeadLetter(const Event& event, const std::string& failure);
  // Applies valid events in one transaction; false (nothing applied) when any failed.
  bool ApplyBatch(const std::vector<Event>& batch);

  store::Database& db_;
  Options options_;
  Handler handler_;
  core::MetricsRegistry* metrics_;
  std::unique_ptr<Kafka> kafka_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> applied_{0};
  std::atomic<uint64_t> duplicates_{0};
  std::atomic<uint64_t> dead_lettered_{0};
  std::atomic<uint64_t> undecodable_{0};
  std::atomic<uint64_t> expired_{0};
};

}  // namespace osh::events
