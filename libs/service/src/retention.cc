#include "osh/service/retention.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "osh/core/log.h"
#include "osh/events/outbox.h"

namespace osh::service {
namespace {

constexpr int64_t kDay = 24 * 3600;

// The cut-off in the column's own representation: rows below it are older than the horizon.
void BindCutoff(store::Statement& s, int index, TimeColumn kind, std::chrono::system_clock::time_point cutoff) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(cutoff.time_since_epoch()).count();
  switch (kind) {
    case TimeColumn::kUnixSeconds:
      s.Bind(index, static_cast<int64_t>(ms / 1000));
      return;
    case TimeColumn::kUnixMillis:
      s.Bind(index, static_cast<int64_t>(ms));
      return;
    case TimeColumn::kIsoUtc:
      s.Bind(index, fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z",
                                fmt::gmtime(std::chrono::system_clock::to_time_t(cutoff)),
                                static_cast<int>(((ms % 1000) + 1000) % 1000)));
      return;
  }
}

}  // namespace

RetentionPruner::RetentionPruner(store::Database& db, std::vector<RetainedTable> tables, Options options,
                                 core::MetricsRegistry* metrics)
    : db_(db), tables_(std::move(tables)), options_(std::move(options)), metrics_(metrics) {}

RetentionPruner::~RetentionPruner() { Stop(); }

void RetentionPruner::Start() {
  thread_ = std::thread([this] {
    while (true) {
      try {
        PruneOnce();
      } catch (const std::exception& e) {
        core::log::Warn("retention pass failed; will try again", {{"error", e.what()}});
      }
      std::unique_lock lock(mu_);
      if (wake_.wait_for(lock, options_.interval, [this] { return stopping_; })) return;
    }
  });
}

void RetentionPruner::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::map<std::string, int64_t> RetentionPruner::PruneOnce() {
  const auto now = options_.clock();
  std::map<std::string, int64_t> deleted;
  for (const auto& table : tables_) {
    if (table.horizon.count() <= 0) continue;
    deleted[table.table] = PruneTable(table, now);
  }
  return deleted;
}

int64_t RetentionPruner::PruneTable(const RetainedTable& table, std::chrono::system_clock::time_point now) {
  // DELETE … LIMIT needs a compile option SQLite rarely has (and PostgreSQL has
  // not): delete by the row's address, rowid or PostgreSQL's ctid.
  const char* address = db_.dialect() == store::Dialect::kPostgres ? "ctid" : "rowid";
  const std::string sql = fmt::format(
      "DELETE FROM {0} WHERE {3} IN (SELECT {3} FROM {0} WHERE {1} < ?{2} LIMIT ?)", table.table, table.column,
      table.condition.empty() ? "" : " AND (" + table.condition + ")", address);
  int64_t total = 0;
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
    }
    const int n = db_.Write([&](store::Tx& tx) {
      auto s = tx.Prepare(sql);
      BindCutoff(s, 1, table.kind, now - table.horizon);
      s.Bind(2, static_cast<int64_t>(options_.batch_size));
      return s.Run();
    });
    total += n;
    if (n < options_.batch_size) break;
  }
  if (metrics_ != nullptr && total > 0) {
    metrics_->GetCounter("osh_retention_pruned_total", "bookkeeping rows deleted after their horizon",
                         {{"table", table.table}})
        .Inc(static_cast<double>(total));
  }
  if (total > 0) core::log::Info("retention pruned", {{"table", table.table}, {"rows", total}});
  return total;
}

std::vector<core::ConfigKey> BookkeepingConfigKeys() {
  return {
      {"retention-idempotency-days", "7",
       "days a write's request_id is remembered (a retry after that runs again); 0 keeps them for ever"},
      {"retention-events-processed-days", "35",
       "days the ids of applied events are kept (above the topics' 30-day retention); events older than this less a day are dead-lettered, not applied (at least 2)"},
      {"retention-audit-days", "1095", "days audit entries are kept; 0 keeps them for ever"},
      {"retention-interval-s", "3600", "seconds between retention passes"},
      {"event-max-bytes", std::to_string(events::Outbox::kDefaultMaxEventBytes),
       "largest encoded event the outbox accepts (below the broker's message.max.bytes)"},
  };
}

bool HorizonsFromConfig(const core::Config& config, RetentionHorizons* h, std::string* error) {
  const auto days = [&](const char* key, int64_t min, std::chrono::seconds* out) {
    const int64_t v = config.GetInt(key);
    if (v < min || v > 36500) {
      *error = fmt::format("{} must be from {} to 36500 days, got {}", key, min, v);
      return false;
    }
    *out = std::chrono::seconds(v * kDay);
    return true;
  };
  if (!days("retention-idempotency-days", 0, &h->idempotency) ||
      !days("retention-events-processed-days", 2, &h->events_processed) ||
      !days("retention-audit-days", 0, &h->audit)) {
    return false;
  }
  const int64_t interval = config.GetInt("retention-interval-s");
  if (interval < 1) {
    *error = "retention-interval-s must be at least 1";
    return false;
  }
  h->interval = std::chrono::seconds(interval);
  return true;
}

std::chrono::seconds MaxEventAge(const RetentionHorizons& h) { return h.events_processed - kDedupHorizonMargin; }

std::vector<RetainedTable> RecordsTables(const RetentionHorizons& h) {
  return {{"idempotency_keys", "created_at", TimeColumn::kIsoUtc, h.idempotency, ""},
          {"audit_log", "at", TimeColumn::kIsoUtc, h.audit, ""}};
}

RetainedTable ProcessedEventsTable(const RetentionHorizons& h) {
  return {"events_processed", "processed_at", TimeColumn::kUnixSeconds, h.events_processed, ""};
}

RetentionPruner& StartRetention(core::ServiceHost& host, store::Database& db, std::vector<RetainedTable> tables,
                                const RetentionHorizons& horizons) {
  auto& pruner = host.Adopt(std::make_unique<RetentionPruner>(
      db, std::move(tables), RetentionPruner::Options{.interval = horizons.interval}, &host.metrics()));
  pruner.Start();
  return pruner;
}

}  // namespace osh::service
