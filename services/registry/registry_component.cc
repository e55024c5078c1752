#include "registry_component.h"

#include <filesystem>

#include "osh/service/grpc_front.h"
#include "osh/domain/regions.h"
#include "osh/events/consumer.h"
#include "osh/events/relay.h"
#include "registry.h"
#include "registry_grpc.h"
#include "registry_store.h"
#include "registry_transfer.h"

namespace osh::registry {

std::vector<core::ConfigKey> ConfigKeys() {
  auto keys = service::TokenConfigKeys();
  keys.insert(keys.end(), {
      {"db-read-connections", "4", "SQLite read connections"},
      {"page-size-max", "500", "largest page a list call returns"},
      {"kafka-brokers", "127.0.0.1:9092", "Kafka bootstrap servers; empty keeps events in the outbox only"},
      {"consumer-group", "", "Kafka consumer group for incoming transfers (default registry-<province>)"},
  });
  return keys;
}

bool Wire(core::ServiceHost& host, std::string* error) {
  const auto& config = host.config();
  const std::string province = config.GetString("province");
  if (domain::FindProvince(province) == nullptr) {
    *error = "province '" + province + "' is not a GB/T 2260 province code";
    return false;
  }

  auto verifier = service::TokenVerifierFromConfig(config, error);
  if (!verifier) return false;
  auto& verifier_ref = host.Adopt(std::move(verifier));

  const auto db_path = std::filesystem::path(config.GetString("data-dir")) / "registry.db";
  auto& db = host.Adopt(store::Database::Open(
      {.path = db_path.string(), .read_connections = static_cast<int>(config.GetInt("db-read-connections"))},
      RegistryStore::Migrations()));

  Registry::Options options;
  options.province = province;
  options.max_page_size = static_cast<int>(config.GetInt("page-size-max"));

  // Events: the relay publishes what writes put in the outbox; the consumer
  // imports employers other provinces transfer here. Without brokers the
  // outbox simply keeps the events until a relay runs.
  if (const auto brokers = config.GetString("kafka-brokers"); !brokers.empty()) {
    auto& relay = host.Adopt(std::make_unique<events::OutboxRelay>(
        db, events::OutboxRelay::Options{.brokers = brokers}, &host.metrics()));
    if (!relay.Start(error)) return false;
    options.after_commit = [&relay] { relay.Notify(); };

    events::EventConsumer::Options consumer_options;
    consumer_options.brokers = brokers;
    consumer_options.group_id = config.GetString("consumer-group").empty() ? "registry-" + province
                                                                            : config.GetString("consumer-group");
    consumer_options.topics = {events::TopicFor("registry")};
    auto importer = std::make_shared<TransferImporter>(province);
    auto& consumer = host.Adopt(std::make_unique<events::EventConsumer>(
        db, consumer_options, [importer](store::Tx& tx, const events::Event& e) { importer->Apply(tx, e); },
        &host.metrics()));
    if (!consumer.Start(error)) return false;
  }
  auto& registry = host.Adopt(std::make_unique<Registry>(db, options));
  auto& service = host.Adopt(std::make_unique<RegistryGrpcService>(registry, verifier_ref));
  host.AddGrpcService(&service);
  return true;
}

}  // namespace osh::registry
