#include "registry_component.h"

#include <filesystem>

#include "osh/auth/jwt.h"
#include "osh/domain/regions.h"
#include "osh/events/consumer.h"
#include "osh/events/relay.h"
#include "registry.h"
#include "registry_grpc.h"
#include "registry_store.h"
#include "registry_transfer.h"

namespace osh::registry {

std::vector<core::ConfigKey> ConfigKeys() {
  return {
      {"jwt-hs256-secret-file", "", "file holding the HS256 secret (else OSH_JWT_HS256_SECRET)"},
      {"jwt-rs256-public-key-file", "", "PEM public key for RS256 tokens (production)"},
      {"jwt-issuer", "", "required `iss` of tokens, when set"},
      {"db-read-connections", "4", "SQLite read connections"},
      {"page-size-max", "500", "largest page a list call returns"},
      {"kafka-brokers", "127.0.0.1:9092", "Kafka bootstrap servers; empty keeps events in the outbox only"},
      {"consumer-group", "", "Kafka consumer group for incoming transfers (default registry-<province>)"},
  };
}

bool Wire(core::ServiceHost& host, std::string* error) {
  const auto& config = host.config();
  const std::string province = config.GetString("province");
  if (domain::FindProvince(province) == nullptr) {
    *error = "province '" + province + "' is not a GB/T 2260 province code";
    return false;
  }

  auth::VerifierConfig verifier_config;
  verifier_config.issuer = config.GetString("jwt-issuer");
  if (const auto key_file = config.GetString("jwt-rs256-public-key-file"); !key_file.empty()) {
    std::string key_error;
    verifier_config.rs256_public_key_pem = auth::LoadSecret(key_file, "", &key_error);
    if (verifier_config.rs256_public_key_pem.empty()) {
      *error = key_error;
      return false;
    }
  }
  std::string secret_error;
  verifier_config.hs256_secret =
      auth::LoadSecret(config.GetString("jwt-hs256-secret-file"), "OSH_JWT_HS256_SECRET", &secret_error);
  if (verifier_config.hs256_secret.empty() && verifier_config.rs256_public_key_pem.empty()) {
    *error = "no token key configured: " + secret_error;
    return false;
  }
  auto verifier = auth::TokenVerifier::Create(verifier_config, error);
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
