#include "training_component.h"

#include "osh/auth/jwt.h"
#include "osh/crypto/field_cipher.h"
#include "osh/events/consumer.h"
#include "osh/service/grpc_front.h"
#include "osh/service/wiring.h"
#include "training.h"
#include "training_grpc.h"
#include "training_store.h"
#include "xapi_endpoint.h"

namespace osh::training {

std::vector<core::ConfigKey> ConfigKeys() {
  auto keys = service::TokenConfigKeys();
  for (auto& key : service::BookkeepingConfigKeys()) keys.push_back(std::move(key));
  keys.insert(keys.end(), {
      {"db-read-connections", "4", "read connections (SQLite or PostgreSQL)"},
      service::DatabaseUrlConfigKey("training.db"),
      {"page-size-max", "100", "largest page a list call returns"},
      {"kafka-brokers", "127.0.0.1:9092", "Kafka bootstrap servers; empty: events stay in the outbox, none consumed"},
      {"consumer-group", "", "Kafka consumer group of registry events (default training-<province>)"},
      {"certificate-key-file", "", "file holding the certificate-code HMAC key, 32+ bytes (else OSH_CERTIFICATE_KEY)"},
      {"field-key-file", "", "key ring sealing the certificate holder's name (else OSH_FIELD_KEYS)"},
      {"assignment-due-days", "90", "days after registration a mandatory course is due"},
      {"literacy-threshold-percent", "80", "score rate at which a questionnaire counts as health-literate"},
      {"survey-batch-max", "10000", "most questionnaires one RecordLiteracySurveys call takes"},
      {"xapi-address", "127.0.0.1:8108", "host:port of the xAPI LRS (HTTP, under /xapi); empty: no LRS"},
      // The LRS's schema is versioned apart from training's (as xapi.db is a
      // file apart from training.db), so it cannot share training's database.
      service::DatabaseUrlConfigKey("xapi.db", "xapi-database-url"),
      {"xapi-credentials-file", "",
       "xAPI clients for HTTP Basic: lines \"<key> <sha256 hex of secret> <province> [<scope>,...]\" (scopes as xAPI "
       "names them: statements/write, statements/read/mine, statements/read, state, profile, all/read, all; none "
       "given: statements/write,statements/read/mine,state,profile)"},
      {"xapi-body-limit-bytes", "16777216", "largest xAPI request body (statements with attachments)"},
      {"xapi-max-connections", "512", "xAPI connections open at once (0: no limit; over it: 503)"},
      {"xapi-max-connections-per-client", "64", "xAPI connections open at once from one client address (over it: 429)"},
      {"xapi-body-bytes-in-flight", "67108864",
       "bytes of xAPI request bodies being read or answered at once (0: no limit; over it: 503)"},
      {"xapi-body-bytes-in-flight-per-client", "33554432",
       "the same from one client address (over it: 429); at least xapi-body-limit-bytes"},
      {"xapi-header-timeout-ms", "10000", "how long an xAPI request's header may take to arrive"},
      {"xapi-read-timeout-ms", "30000", "how long an xAPI request's body may take to arrive"},
  });
  return keys;
}

bool Wire(core::ServiceHost& host, std::string* error) {
  const auto& config = host.config();
  Training::Options options;
  if (!service::ServedProvince(config, &options.province, error)) return false;
  const auto* verifier = service::AdoptTokenVerifier(host, error);
  if (verifier == nullptr) return false;

  std::string key_error;
  auto key = auth::LoadSecret(config.GetString("certificate-key-file"), "OSH_CERTIFICATE_KEY", &key_error);
  if (key.empty()) {
    *error = "certificate key: " + key_error;
    return false;
  }
  auto codes = CertificateCodes::Create(std::move(key), options.province, error);
  if (!codes) return false;
  auto& certificate_codes = host.Adopt(std::move(codes));
  auto cipher = crypto::FieldCipher::FromSecret(config.GetString("field-key-file"), "OSH_FIELD_KEYS", error);
  if (!cipher) return false;
  auto& field_cipher = host.Adopt(std::move(cipher));

  auto& db = service::AdoptDatabase(host, "training.db", TrainingStore::Migrations());
  service::RetentionHorizons horizons;
  if (!service::StartBookkeeping(host, db, true, {}, &horizons, error)) return false;
  options.max_page_size = static_cast<int>(config.GetInt("page-size-max"));
  options.assignment_due_days = static_cast<int>(config.GetInt("assignment-due-days"));
  options.literacy_threshold_percent = static_cast<double>(config.GetInt("literacy-threshold-percent"));
  options.max_survey_batch = static_cast<int>(config.GetInt("survey-batch-max"));
  if (options.assignment_due_days < 1 || options.literacy_threshold_percent <= 0 ||
      options.literacy_threshold_percent > 100 || options.max_survey_batch < 1) {
    *error = "assignment-due-days must be 1 or more, literacy-threshold-percent 1-100, survey-batch-max 1 or more";
    return false;
  }
  if (!service::StartOutboxRelay(host, db, &options.after_commit, error)) return false;
  auto& training = host.Adopt(std::make_unique<Training>(db, field_cipher, certificate_codes, options));

  if (const auto brokers = config.GetString("kafka-brokers"); !brokers.empty()) {
    if (!service::StartEventConsumer(
            host, db, brokers,
            {.topics = {events::TopicFor("registry")},
             .default_group = "training-" + options.province,
             .handler = [&training](store::Tx& tx, const events::Event& e) { training.Route(tx, e); },
             .after_commit = {}},
            horizons, error)) {
      return false;
    }
  }
  if (!StartXapiEndpoint(host, *verifier, error)) return false;
  auto& service = host.Adopt(std::make_unique<TrainingGrpcService>(training, *verifier));
  host.AddGrpcService(&service);
  return true;
}

}  // namespace osh::training
