#pragma once

// Keeps a service's bookkeeping tables bounded: idempotency keys, processed
// event ids, the audit trail (and a service's own, e.g. notify's settled
// deliveries) are deleted once older than a configured horizon, by a
// background thread, in small batches each in its own transaction, so that a
// pass never holds the writer for long and never runs on a request.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "osh/core/config.h"
#include "osh/core/metrics.h"
#include "osh/core/service_host.h"
#include "osh/store/database.h"

namespace osh::service {

// How a table writes the time a row's age is measured from.
enum class TimeColumn {
  kUnixSeconds,  // INTEGER seconds
  kUnixMillis,   // INTEGER milliseconds
  kIsoUtc,       // TEXT 'YYYY-MM-DDTHH:MM:SS.sssZ' (strftime('%Y-%m-%dT%H:%M:%fZ'))
};

// One table under retention. `table`, `column` and `condition` are constants
// of the code, never input; the cut-off is a bound parameter.
struct RetainedTable {
  std::string table;
  std::string column;
  TimeColumn kind = TimeColumn::kUnixSeconds;
  std::chrono::seconds horizon{0};  // zero: kept for ever
  std::string condition;            // extra SQL condition, e.g. "status IN (2, 3)"; empty for none
};

class RetentionPruner {
 public:
  struct Options {
    std::chrono::seconds interval{3600};
    int batch_size = 1000;
    std::function<std::chrono::system_clock::time_point()> clock = [] { return std::chrono::system_clock::now(); };
  };

  RetentionPruner(store::Database& db, std::vector<RetainedTable> tables, Options options,
                  core::MetricsRegistry* metrics);
  ~RetentionPruner();
  RetentionPruner(const RetentionPruner&) = delete;
  RetentionPruner& operator=(const RetentionPruner&) = delete;

  // Prunes at once, then every `interval`, in a background thread.
  void Start();
  void Stop();

  // One pass: per table, deletes the rows older than now − horizon (now from
  // the clock), batch by batch until none is left. Rows deleted per table.
  std::map<std::string, int64_t> PruneOnce();

 private:
  int64_t PruneTable(const RetainedTable& table, std::chrono::system_clock::time_point now);

  store::Database& db_;
  std::vector<RetainedTable> tables_;
  Options options_;
  core::MetricsRegistry* metrics_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

// The horizons of the shared bookkeeping tables, from configuration.
struct RetentionHorizons {
  std::chrono::seconds idempotency{7 * 24 * 3600};
  std::chrono::seconds events_processed{35 * 24 * 3600};
  std::chrono::seconds audit{3 * 365 * 24 * 3600};
  std::chrono::seconds interval{3600};
};

// retention-idempotency-days, retention-events-processed-days,
// retention-audit-days, retention-interval-s, and event-max-bytes (the
// outbox's event size limit): every service that writes adds these.
std::vector<core::ConfigKey> BookkeepingConfigKeys();
// False with *error naming the key when a horizon is out of range.
bool HorizonsFromConfig(const core::Config& config, RetentionHorizons* horizons, std::string* error);

// The clock skew and pruning delay the consumer's age limit allows for.
inline constexpr std::chrono::seconds kDedupHorizonMargin{24 * 3600};
// The oldest event a consumer applies: below the events_processed horizon by
// kDedupHorizonMargin, so every event it accepts that was applied before
// still has its processed record (EventConsumer::Options::max_event_age).
std::chrono::seconds MaxEventAge(const RetentionHorizons& horizons);

// idempotency_keys and audit_log (RecordsMigration).
std::vector<RetainedTable> RecordsTables(const RetentionHorizons& horizons);
// events_processed (EventConsumer::Migration).
RetainedTable ProcessedEventsTable(const RetentionHorizons& horizons);

// Starts a pruner over `tables` for the life of the host.
RetentionPruner& StartRetention(core::ServiceHost& host, store::Database& db, std::vector<RetainedTable> tables,
                                const RetentionHorizons& horizons);

}  // namespace osh::service
