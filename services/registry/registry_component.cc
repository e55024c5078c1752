#include "registry_component.h"

#include <filesystem>

#include "osh/core/config.h"
#include "osh/core/log.h"
#include "osh/crypto/field_cipher.h"
#include "osh/service/grpc_front.h"
#include "osh/service/wiring.h"
#include "osh/events/consumer.h"
#include "change_feed.h"
#include "employer_export.h"
#include "import/importer.h"
#include "registry.h"
#include "registry_grpc.h"
#include "registry_store.h"
#include "registry_transfer.h"
#include "supervision.h"
#include "supervision_grpc.h"

namespace osh::registry {

std::vector<core::ConfigKey> ConfigKeys() {
  auto keys = service::TokenConfigKeys();
  for (auto& key : service::BookkeepingConfigKeys()) keys.push_back(std::move(key));
  keys.insert(keys.end(), {
      {"db-read-connections", "4", "read connections (SQLite or PostgreSQL)"},
      service::DatabaseUrlConfigKey("registry.db"),
      {"page-size-max", "500", "largest page a list call returns"},
      {"field-key-file", "",
       "key ring sealing the legal representative's name and phone (else OSH_FIELD_KEYS); required"},
      {"kafka-brokers", "127.0.0.1:9092", "Kafka bootstrap servers; empty keeps events in the outbox only"},
      {"consumer-group", "", "Kafka consumer group for incoming transfers (default registry-<province>)"},
      {"exchange-topics", "osh.exchange.transfers",
       "comma-separated topics transfers from other provinces and their acknowledgements arrive on: "
       "osh.exchange.transfers when every province shares one broker (deploy/up.sh); "
       "national.osh.exchange.transfers, MirrorMaker 2's copy of the national topic, in a province's cluster"},
      {"risk-serious-factors", "",
       "hazard factor codes that make an exposure serious (default: silica, asbestos, benzene, lead, mercury, "
       "vinyl chloride, cadmium, beryllium, arsenic, phosgene, TNT, ionising radiation)"},
      {"risk-inspections-per-year", "0,1,2;1,2,3;2,3,4",
       "inspections per year: rows general; relatively serious; serious, columns grades A,B,C"},
      {"risk-relatively-serious-exposed", "10", "workers exposed at one factor that make the class relatively serious"},
      {"risk-test-max-age-days", "365", "hazard testing older than this is a missing test"},
      {"risk-grade-b-signals", "1", "compliance signals (overdue items, missing tests, exceedances) for grade B"},
      {"risk-grade-c-signals", "3", "compliance signals for grade C"},
      {"import-max-bytes", "268435456",
       "largest bulk-import file (bytes); a larger one is refused before it is stored. The gateway's "
       "import-body-limit-bytes should match"},
      {"import-max-row-bytes", "1048576", "largest row of an import file (bytes)"},
      {"import-batch-rows", "500", "rows an import writes per transaction (the position is saved after each)"},
  });
  return keys;
}

bool Wire(core::ServiceHost& host, std::string* error) {
  const auto& config = host.config();
  std::string province;
  if (!service::ServedProvince(config, &province, error)) return false;
  const auto* verifier = service::AdoptTokenVerifier(host, error);
  if (verifier == nullptr) return false;
  auto cipher = crypto::FieldCipher::FromSecret(config.GetString("field-key-file"), "OSH_FIELD_KEYS", error);
  if (!cipher) {
    *error = "field-key-file: " + *error;
    return false;
  }
  auto& field_cipher = host.Adopt(std::move(cipher));
  auto& db = service::AdoptDatabase(host, "registry.db", RegistryStore::Migrations());
  // Records written before personal data was sealed are sealed now, before any call is served.
  if (const int sealed = PersonalData(field_cipher).SealBacklog(db); sealed > 0) {
    core::log::Info("sealed personal data written in clear before", {{"rows", sealed}});
  }
  service::RetentionHorizons horizons;
  if (!service::StartBookkeeping(host, db, true, {}, &horizons, error)) return false;

  Registry::Options options;
  options.province = province;
  options.max_page_size = static_cast<int>(config.GetInt("page-size-max"));

  // Events: the relay publishes what writes put in the outbox; the consumer
  // imports employers other provinces transfer here. Without brokers the
  // outbox simply keeps the events until a relay runs.
  if (!service::StartOutboxRelay(host, db, &options.after_commit, error)) return false;
  if (const auto brokers = config.GetString("kafka-brokers"); !brokers.empty()) {
    auto topics = core::SplitList(config.GetString("exchange-topics"));
    if (topics.empty()) {
      *error = "exchange-topics: name at least one topic (transfers arrive there)";
      return false;
    }
    auto importer = std::make_shared<TransferImporter>(province);
    if (!service::StartEventConsumer(
            host, db, brokers,
            {.topics = std::move(topics),
             .default_group = "registry-" + province,
             .handler = [importer](store::Tx& tx, const events::Event& e) { importer->Apply(tx, e); },
             .after_commit = options.after_commit},  // acknowledgements go out at once
            horizons, error)) {
      return false;
    }
  }
  auto& registry = host.Adopt(std::make_unique<Registry>(db, field_cipher, options));
  Importer::Options import_options;
  import_options.province = province;
  import_options.dir = std::filesystem::path(config.GetString("data-dir")) / "imports";
  import_options.max_file_bytes = config.GetInt("import-max-bytes");
  import_options.max_row_bytes = static_cast<size_t>(config.GetInt("import-max-row-bytes"));
  import_options.batch_rows = static_cast<int>(config.GetInt("import-batch-rows"));
  if (import_options.max_file_bytes <= 0 || import_options.max_file_bytes > (1LL << 31) - (1 << 20) ||
      import_options.batch_rows <= 0) {
    *error = "import-max-bytes must be 1 byte to 2 GiB - 1 MiB (one gRPC message carries the file); "
             "import-batch-rows at least 1";
    return false;
  }
  // The upload arrives as one message: the file and a little framing.
  host.SetMaxReceiveMessageBytes(static_cast<int>(import_options.max_file_bytes + (1 << 20)));
  auto& importer = host.Adopt(std::make_unique<Importer>(db, registry, import_options));
  importer.Start();
  const auto& feed = host.Adopt(std::make_unique<ChangeFeed>(
      db, ChangeFeed::Options{.province = province, .max_page_size = options.max_page_size}));
  const auto& exporter = host.Adopt(std::make_unique<EmployerExport>(db, EmployerExport::Options{.province = province}));
  auto& service = host.Adopt(std::make_unique<RegistryGrpcService>(registry, *verifier, &importer, &feed, &exporter));
  host.AddGrpcService(&service);

  auto risk = RiskPolicy::Parse(config.GetString("risk-serious-factors"),
                                config.GetString("risk-inspections-per-year"), error);
  if (!risk) return false;
  risk->relatively_serious_min_exposed = static_cast<int>(config.GetInt("risk-relatively-serious-exposed"));
  risk->test_max_age_days = static_cast<int>(config.GetInt("risk-test-max-age-days"));
  risk->grade_b_signals = static_cast<int>(config.GetInt("risk-grade-b-signals"));
  risk->grade_c_signals = static_cast<int>(config.GetInt("risk-grade-c-signals"));
  auto& supervision = host.Adopt(std::make_unique<Supervision>(
      db, Supervision::Options{.province = province,
                               .max_page_size = options.max_page_size,
                               .risk = *risk,
                               .after_commit = options.after_commit}));
  auto& supervision_service = host.Adopt(std::make_unique<SupervisionGrpcService>(supervision, *verifier, &feed));
  host.AddGrpcService(&supervision_service);
  return true;
}

}  // namespace osh::registry
