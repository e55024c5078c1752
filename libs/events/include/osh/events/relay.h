#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "osh/core/admin_http.h"
#include "osh/core/metrics.h"
#include "osh/store/database.h"

namespace osh::events {

// Publishes outbox rows to Kafka with an idempotent producer (acks=all,
// enable.idempotence=true) and marks a row sent only from its successful
// delivery report. A crash at any point leaves unsent rows pending, so after a
// restart they are published again: nothing is lost, at worst an event is
// published twice, and consumers drop the copy by its ce_id.
//
// A row Kafka refuses for good (IsPermanentPublishFailure: too large, an
// invalid record) is sent once more on its own, so that it is not blamed for
// its batch, and when refused again parked (Outbox::Park): the rows after it
// go on, so one bad row never stops the stream, and a restart does not try it
// again. All the rows of a round refused so are sent on their own at once,
// each in a request of its own, and judged together within
// isolation_timeout: a run of bad rows costs the rows after it about one
// broker round trip, never one wait per bad row. Any other failure keeps the
// row and everything after it pending, in order, for the next round.
// Ordering: one aggregate's events reach Kafka in commit order, except that a
// parked event is missing from its sequence, and a row that was refused in a
// batch and then published alone may follow rows committed after it.
//
// Several replicas of a service may share one PostgreSQL database: only the one
// holding the database's lease "osh.outbox.relay" (store::Lease, a session
// advisory lock) publishes; the others stand by and take over when its session
// ends. A leader rather than rows claimed with FOR UPDATE SKIP LOCKED, because
// two relays publishing different ranges of the outbox at once would publish an
// aggregate's events out of commit order. On SQLite (one process) the lease is
// always held.
class OutboxRelay {
 public:
  struct Options {
    std::string brokers = "127.0.0.1:9092";
    int batch_size = 1000;
    // How often to look for rows when not notified.
    std::chrono::milliseconds idle_poll{200};
    // How long one batch may wait for delivery reports before it is retried.
    std::chrono::milliseconds delivery_timeout{30000};
    // How long the rows a round sends on their own (above) may wait for their
    // reports, all together; one still unanswered then is retried next round.
    std::chrono::milliseconds isolation_timeout{10000};
    // Sent rows are kept this long for inspection, then pruned.
    std::chrono::seconds retention{24 * 3600};
    // Extra librdkafka producer properties (tests, tuning).
    std::map<std::string, std::string> producer_properties;
  };

  OutboxRelay(store::Database& db, Options options, core::MetricsRegistry* metrics);
  ~OutboxRelay();
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  // Creates the producer and starts publishing in a background thread.
  bool Start(std::string* error);
  // Wakes the relay after a commit that appended events.
  void Notify();
  // Stops within about kStopGrace: rows the broker confirms by then are
  // marked sent, the rest stay pending for the next start. (Waiting for a
  // broker that is down would outlast a Kubernetes termination grace period.)
  void Stop();
  static constexpr std::chrono::milliseconds kStopGrace{2000};

  uint64_t published() const { return published_.load(); }
  // Rows handed to the producer (confirmed or not) and rows parked, since Start.
  uint64_t produced() const { return produced_.load(); }
  uint64_t parked() const { return parked_.load(); }

  // One synchronous round: publishes pending rows until none are left or a
  // delivery fails for a reason that may pass, with up to 4 × batch_size rows
  // in flight, parking the rows refused for good. Returns the number
  // published. For tests and tools; do not call while the background thread runs.
  int PublishPending(std::string* error);

 private:
  struct Producer;
  void Run();
  bool CreateProducer(std::string* error);
  std::map<std::string, std::string> ProducerProperties() const;
  // Sends the pending row `seq` (slot `slot` of the round) on its own through
  // the isolation producer without waiting; its report lands in the
  // producer's isolation results (delivered at once when no longer pending).
  void Isolate(size_t slot, int64_t seq);
  bool CreateIsolationProducer(std::string* error);
  // Parks the row and counts it.
  void ParkRow(int64_t seq, const std::string& event_id, const std::string& error);
  void UpdateGauges();

  store::Database& db_;
  Options options_;
  core::MetricsRegistry* metrics_;
  std::unique_ptr<Producer> producer_;
  std::unique_ptr<store::Lease> lease_;
  bool leading_ = false;  // for the log line when the role changes
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool notified_ = false;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> published_{0};
  std::atomic<uint64_t> produced_{0};
  std::atomic<uint64_t> parked_{0};
  std::chrono::steady_clock::time_point last_prune_{};
};

// Serves GET /outbox/parked on a service's admin port: the parked rows of
// `db`'s outbox as JSON ({"parked": n, "rows": [...], "truncated": bool},
// oldest first, at most 1000; times in Unix seconds), for an operator.
void ServeParkedRows(core::AdminHttpServer& admin, store::Database& db);

}  // namespace osh::events
