#include "osh/service/wiring.h"

#include <filesystem>

#include "osh/core/log.h"
#include "osh/domain/regions.h"
#include "osh/events/outbox.h"
#include "osh/events/relay.h"

namespace osh::service {

bool ServedProvince(const core::Config& config, std::string* province, std::string* error) {
  *province = config.GetString("province");
  if (domain::FindProvince(*province) == nullptr) {
    *error = "province '" + *province + "' is not a GB/T 2260 province code";
    return false;
  }
  return true;
}

core::ConfigKey DatabaseUrlConfigKey(std::string_view file_name, std::string_view url_key) {
  return {std::string(url_key), "",
          "PostgreSQL database, postgres://user@host:port/dbname (password from PGPASSWORD or ?passfile=…, never in "
          "the URL of a shared config); several replicas may share one. Empty: the SQLite file " +
              std::string(file_name) + " in data-dir"};
}

store::Database& AdoptDatabase(core::ServiceHost& host, std::string_view file_name,
                               const std::vector<store::Migration>& migrations, std::string_view url_key) {
  const auto& config = host.config();
  const auto path = std::filesystem::path(config.GetString("data-dir")) / file_name;
  // A service that declares database-url may run on PostgreSQL; empty keeps the SQLite file.
  const std::string key(url_key);
  const std::string url = config.Has(key) ? config.GetString(key) : "";
  return host.Adopt(store::Database::Open({.path = path.string(),
                                           .read_connections = static_cast<int>(config.GetInt("db-read-connections")),
                                           .url = url},
                                          migrations));
}

bool StartOutboxRelay(core::ServiceHost& host, store::Database& db, std::function<void()>* after_commit,
                      std::string* error) {
  events::ServeParkedRows(host.admin(), db);
  const auto brokers = host.config().GetString("kafka-brokers");
  if (brokers.empty()) return true;
  auto& relay = host.Adopt(
      std::make_unique<events::OutboxRelay>(db, events::OutboxRelay::Options{.brokers = brokers}, &host.metrics()));
  if (!relay.Start(error)) return false;
  *after_commit = [&relay] { relay.Notify(); };
  return true;
}

bool StartEventConsumer(core::ServiceHost& host, store::Database& db, const std::string& brokers, ConsumerSpec spec,
                        const RetentionHorizons& horizons, std::string* error) {
  if (spec.topics.empty()) {
    *error = "the event consumer names no topic";
    return false;
  }
  events::EventConsumer::Options options;
  options.brokers = brokers;
  options.group_id = host.config().GetString("consumer-group");
  if (options.group_id.empty()) options.group_id = spec.default_group;
  options.topics = std::move(spec.topics);
  options.max_event_age = MaxEventAge(horizons);
  options.after_commit = std::move(spec.after_commit);
  auto& consumer =
      host.Adopt(std::make_unique<events::EventConsumer>(db, options, std::move(spec.handler), &host.metrics()));
  if (!consumer.Start(error)) return false;
  core::log::Info("consuming",
                  {{"topics", options.topics}, {"group_id", options.group_id}, {"brokers", options.brokers}});
  return true;
}

bool StartBookkeeping(core::ServiceHost& host, store::Database& db, bool consumes_events,
                      std::vector<RetainedTable> own, RetentionHorizons* horizons, std::string* error) {
  const auto& config = host.config();
  const int64_t max_event_bytes = config.GetInt("event-max-bytes");
  if (max_event_bytes < 1024) {
    *error = "event-max-bytes must be at least 1024";
    return false;
  }
  events::Outbox::SetMaxEventBytes(static_cast<size_t>(max_event_bytes));
  if (!HorizonsFromConfig(config, horizons, error)) return false;
  auto tables = RecordsTables(*horizons);
  if (consumes_events) tables.push_back(ProcessedEventsTable(*horizons));
  for (auto& t : own) tables.push_back(std::move(t));
  StartRetention(host, db, std::move(tables), *horizons);
  return true;
}

}  // namespace osh::service
