#include "content_component.h"

#include "content.h"
#include "content_grpc.h"
#include "content_store.h"
#include "osh/service/grpc_front.h"
#include "osh/service/wiring.h"

namespace osh::content {

std::vector<core::ConfigKey> ConfigKeys() {
  auto keys = service::TokenConfigKeys();
  for (auto& key : service::BookkeepingConfigKeys()) keys.push_back(std::move(key));
  keys.insert(keys.end(), {
      {"db-read-connections", "4", "read connections (SQLite or PostgreSQL)"},
      service::DatabaseUrlConfigKey("content.db"),
      {"page-size-max", "100", "largest page a list or search returns"},
      {"body-max-bytes", "1048576", "largest article body accepted, in bytes"},
      {"search-max-offset", "1000", "deepest search result a page may start at"},
      {"search-max-counted-hits", "10000", "matches counted exactly for total_hits; beyond, total_hits_capped"},
      {"kafka-brokers", "127.0.0.1:9092", "Kafka bootstrap servers; empty keeps events in the outbox only"},
  });
  return keys;
}

bool Wire(core::ServiceHost& host, std::string* error) {
  const auto& config = host.config();
  Content::Options options;
  if (!service::ServedProvince(config, &options.province, error)) return false;
  const auto* verifier = service::AdoptTokenVerifier(host, error);
  if (verifier == nullptr) return false;

  // The store first: it registers the bigram tokenizer its schema names.
  auto& store = host.Adopt(std::make_unique<ContentStore>(search::Tokenizer::kCjkBigram));
  auto& db = service::AdoptDatabase(host, "content.db", store.Migrations());
  service::RetentionHorizons horizons;
  if (!service::StartBookkeeping(host, db, false, {}, &horizons, error)) return false;
  options.max_page_size = static_cast<int>(config.GetInt("page-size-max"));
  options.max_body_bytes = static_cast<size_t>(config.GetInt("body-max-bytes"));
  options.max_search_offset = static_cast<int>(config.GetInt("search-max-offset"));
  options.max_counted_hits = config.GetInt("search-max-counted-hits");
  if (!service::StartOutboxRelay(host, db, &options.after_commit, error)) return false;
  auto& content = host.Adopt(std::make_unique<Content>(db, store, options));
  auto& service = host.Adopt(std::make_unique<ContentGrpcService>(content, *verifier));
  host.AddGrpcService(&service);
  return true;
}

}  // namespace osh::content
