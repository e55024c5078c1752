#include "content_component.h"

#include <filesystem>

#include "content.h"
#include "content_grpc.h"
#include "content_store.h"
#include "osh/domain/regions.h"
#include "osh/events/relay.h"
#include "osh/service/grpc_front.h"

namespace osh::content {

std::vector<core::ConfigKey> ConfigKeys() {
  auto keys = service::TokenConfigKeys();
  keys.insert(keys.end(), {
      {"db-read-connections", "4", "SQLite read connections"},
      {"page-size-max", "100", "largest page a list or search returns"},
      {"body-max-bytes", "1048576", "largest article body accepted, in bytes"},
      {"search-max-offset", "1000", "deepest search result a page may start at"},
      {"kafka-brokers", "127.0.0.1:9092", "Kafka bootstrap servers; empty keeps events in the outbox only"},
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
  const auto* verifier = service::AdoptTokenVerifier(host, error);
  if (verifier == nullptr) return false;

  // The store first: it registers the bigram tokenizer its schema names.
  auto& store = host.Adopt(std::make_unique<ContentStore>(search::Tokenizer::kCjkBigram));
  const auto db_path = std::filesystem::path(config.GetString("data-dir")) / "content.db";
  auto& db = host.Adopt(store::Database::Open(
      {.path = db_path.string(), .read_connections = static_cast<int>(config.GetInt("db-read-connections"))},
      store.Migrations()));

  Content::Options options;
  options.province = province;
  options.max_page_size = static_cast<int>(config.GetInt("page-size-max"));
  options.max_body_bytes = static_cast<size_t>(config.GetInt("body-max-bytes"));
  options.max_search_offset = static_cast<int>(config.GetInt("search-max-offset"));
  if (const auto brokers = config.GetString("kafka-brokers"); !brokers.empty()) {
    auto& relay = host.Adopt(std::make_unique<events::OutboxRelay>(
        db, events::OutboxRelay::Options{.brokers = brokers}, &host.metrics()));
    if (!relay.Start(error)) return false;
    options.after_commit = [&relay] { relay.Notify(); };
  }
  auto& content = host.Adopt(std::make_unique<Content>(db, store, options));
  auto& service = host.Adopt(std::make_unique<ContentGrpcService>(content, *verifier));
  host.AddGrpcService(&service);
  return true;
}

}  // namespace osh::content
