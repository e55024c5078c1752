#include "reporting_component.h"

#include "osh/core/log.h"
#include "osh/events/consumer.h"
#include "osh/events/event.h"
#include "osh/service/grpc_front.h"
#include "osh/service/wiring.h"
#include "reporting.h"
#include "reporting_grpc.h"
#include "rollup_projector.h"
#include "rollup_store.h"

namespace osh::reporting {

std::vector<core::ConfigKey> ConfigKeys() {
  auto keys = service::TokenConfigKeys();
  for (auto& key : service::BookkeepingConfigKeys()) keys.push_back(std::move(key));
  keys.insert(keys.end(), {
      {"db-read-connections", "4", "read connections (SQLite or PostgreSQL)"},
      service::DatabaseUrlConfigKey("reporting.db"),
      {"page-size-max", "1000", "largest page a list or query call returns"},
      {"rollup-max-groups", "200000", "most rows one rollup query may aggregate to"},
      {"export-max-rows", "100000", "most rows one export may hold"},
      {"consume", "true", "consume the registry events (false: serve queries over the rollups as they are)"},
      {"kafka-brokers", "127.0.0.1:9092", "Kafka bootstrap servers carrying every province's events"},
      {"deployment", "national", "name of this deployment; the default consumer group is reporting-<deployment>"},
      {"consumer-group", "", "Kafka consumer group id (default reporting-<deployment>)"},
      {"period-utc-offset-minutes", "480", "time zone periods are cut in, minutes east of UTC (China: 480)"},
      {"outlier-share", "0.5",
       "validation: a report figure moving more than this share from the year before is an outlier finding"},
      {"indicator-targets", "",
       "targets of the indicators as name=ratio pairs (declaration_rate, monitoring_pass_rate, health_exam_rate, "
       "written_notice_rate, training_rate, rectification_closure_rate, health_literacy_level), e.g. "
       "declaration_rate=0.9,health_exam_rate=0.95"},
  });
  return keys;
}

bool Wire(core::ServiceHost& host, std::string* error) {
  const auto& config = host.config();
  const auto* verifier = service::AdoptTokenVerifier(host, error);
  if (verifier == nullptr) return false;

  Reporting::Options options;
  try {
    options.calendar = ReportingCalendar(static_cast<int>(config.GetInt("period-utc-offset-minutes")));
    options.max_page_size = static_cast<int>(config.GetInt("page-size-max"));
    options.max_rollup_groups = static_cast<size_t>(config.GetInt("rollup-max-groups"));
    options.max_export_rows = static_cast<size_t>(config.GetInt("export-max-rows"));
    options.outlier_share = config.GetDouble("outlier-share");
    if (!(options.outlier_share > 0)) throw std::invalid_argument("outlier-share must be a positive ratio");
  } catch (const std::invalid_argument& e) {
    *error = e.what();
    return false;
  }
  auto targets = ParseIndicatorTargets(config.GetString("indicator-targets"), error);
  if (!targets) return false;
  options.indicator_targets = std::move(*targets);

  auto& db = service::AdoptDatabase(host, "reporting.db", RollupStore::Migrations());
  service::RetentionHorizons horizons;
  if (!service::StartBookkeeping(host, db, true, {}, &horizons, error)) return false;

  if (config.GetBool("consume")) {
    auto& projector = host.Adopt(std::make_unique<RollupProjector>(options.calendar, &host.metrics()));
    // Started after the projector and the database are adopted, so it stops before them.
    if (!service::StartEventConsumer(host, db, config.GetString("kafka-brokers"),
                                     {.topics = {events::TopicFor("registry"), events::TopicFor("training")},
                                      .default_group = "reporting-" + config.GetString("deployment"),
                                      .handler = projector.AsHandler(),
                                      .after_commit = {}},
                                     horizons, error)) {
      return false;
    }
  }

  // Approval events (osh.reporting.events) leave through the outbox.
  if (!service::StartOutboxRelay(host, db, &options.after_commit, error)) return false;
  auto& reporting = host.Adopt(std::make_unique<Reporting>(db, options));
  auto& service = host.Adopt(std::make_unique<ReportingGrpcService>(reporting, *verifier));
  host.AddGrpcService(&service);
  return true;
}

}  // namespace osh::reporting
