#include "notify_component.h"

#include "dispatcher.h"
#include "notify.h"
#include "notify_grpc.h"
#include "notify_store.h"
#include "scheduler.h"
#include "osh/core/config.h"
#include "osh/crypto/field_cipher.h"
#include "osh/events/consumer.h"
#include "osh/service/grpc_front.h"
#include "osh/service/wiring.h"

namespace osh::notify {

std::vector<core::ConfigKey> ConfigKeys() {
  auto keys = service::TokenConfigKeys();
  for (auto& key : service::BookkeepingConfigKeys()) keys.push_back(std::move(key));
  keys.insert(keys.end(), {
      {"db-read-connections", "4", "read connections (SQLite or PostgreSQL)"},
      service::DatabaseUrlConfigKey("notify.db"),
      {"page-size-max", "500", "largest page a list call returns"},
      {"kafka-brokers", "127.0.0.1:9092", "Kafka bootstrap servers; empty routes no events"},
      {"consumer-group", "", "Kafka consumer group (default notify-<province>)"},
      {"event-services", "registry,content,training", "services whose events (osh.<service>.events) rules may name"},
      {"webhook-timeout-ms", "5000", "time a webhook receiver has to answer"},
      {"webhook-max-attempts", "8", "attempts before a webhook delivery is dead-lettered"},
      {"webhook-retry-base-ms", "1000", "first retry delay (doubles per attempt, full jitter)"},
      {"webhook-retry-cap-ms", "1800000", "longest retry delay (webhooks and email)"},
      {"webhook-allow-private", "false", "allow webhooks to loopback, private and link-local addresses"},
      {"delivery-senders", "4", "webhook and email deliveries sent at once"},
      {"delivery-per-recipient", "2", "of which at most this many to one receiver or mailbox"},
      {"field-key-file", "", "key ring sealing the rules' webhook secrets at rest (else OSH_FIELD_KEYS)"},
      {"smtp-url", "", "SMTP server for email (smtp://host:port or smtps://…); empty: no email"},
      {"smtp-from", "noreply@osh.invalid", "sender address of notification email"},
      {"reminder-hour", "9", "hour of the day (China Standard Time) deadline reminders are sent"},
      {"digest-hour", "8", "hour of the day (China Standard Time) low-priority mail goes out as one digest"},
      {"retention-deliveries-days", "90",
       "days settled deliveries (delivered, dead-lettered, digested) are kept; at least retention-events-processed-days"},
  });
  return keys;
}

bool Wire(core::ServiceHost& host, std::string* error) {
  const auto& config = host.config();
  Notify::Options options;
  if (!service::ServedProvince(config, &options.province, error)) return false;
  const auto* verifier = service::AdoptTokenVerifier(host, error);
  if (verifier == nullptr) return false;
  auto cipher = crypto::FieldCipher::FromSecret(config.GetString("field-key-file"), "OSH_FIELD_KEYS", error);
  if (!cipher) return false;
  const auto& secrets = host.Adopt(std::move(cipher));
  auto& db = service::AdoptDatabase(host, "notify.db", NotifyStore::Migrations());
  // A settled delivery's dedup key must outlive the record of the event that
  // made it, or a redelivered event could deliver twice.
  const auto delivery_days = config.GetInt("retention-deliveries-days");
  if (delivery_days < config.GetInt("retention-events-processed-days") || delivery_days > 36500) {
    *error = "retention-deliveries-days must be at least retention-events-processed-days and at most 36500";
    return false;
  }
  service::RetentionHorizons horizons;
  if (!service::StartBookkeeping(host, db, true,
                                 {NotifyStore::SettledDeliveries(std::chrono::hours(24) * delivery_days)}, &horizons,
                                 error)) {
    return false;
  }
  // Secrets earlier versions stored in clear are sealed before anything reads them.
  if (const int sealed = db.Write([&](store::Tx& tx) { return NotifyStore::SealClearSecrets(tx, secrets); });
      sealed > 0) {
    core::log::Info("sealed webhook secrets stored in clear", {{"count", sealed}});
  }
  options.max_page_size = static_cast<int>(config.GetInt("page-size-max"));
  options.reminder_hour = static_cast<int>(config.GetInt("reminder-hour"));
  ReminderScheduler::Options schedule;
  schedule.digest_hour = static_cast<int>(config.GetInt("digest-hour"));
  for (const auto& [key, hour] : {std::pair{"reminder-hour", options.reminder_hour}, {"digest-hour", schedule.digest_hour}}) {
    if (hour < 0 || hour > 23) {
      *error = std::string(key) + " must be an hour from 0 to 23";
      return false;
    }
  }

  WebhookDispatcher::Options dispatch;
  dispatch.timeout = std::chrono::milliseconds(config.GetInt("webhook-timeout-ms"));
  dispatch.retry.max_attempts = static_cast<int>(config.GetInt("webhook-max-attempts"));
  dispatch.retry.base = std::chrono::milliseconds(config.GetInt("webhook-retry-base-ms"));
  dispatch.retry.cap = std::chrono::milliseconds(config.GetInt("webhook-retry-cap-ms"));
  dispatch.allow_private_webhooks = config.GetBool("webhook-allow-private");
  dispatch.senders = static_cast<int>(config.GetInt("delivery-senders"));
  dispatch.per_recipient = static_cast<int>(config.GetInt("delivery-per-recipient"));
  if (dispatch.senders < 1 || dispatch.senders > 64 || dispatch.per_recipient < 1) {
    *error = "delivery-senders must be 1 to 64 and delivery-per-recipient at least 1";
    return false;
  }
  dispatch.smtp = {.url = config.GetString("smtp-url"), .from = config.GetString("smtp-from")};
  options.email_enabled = !dispatch.smtp.url.empty();
  auto& dispatcher = host.Adopt(std::make_unique<WebhookDispatcher>(db, secrets, dispatch, &host.metrics()));
  dispatcher.Start();

  auto& notify = host.Adopt(std::make_unique<Notify>(db, secrets, options));
  auto& scheduler = host.Adopt(std::make_unique<ReminderScheduler>(
      db, notify, schedule, [&dispatcher] { dispatcher.Notify(); }, &host.metrics()));
  scheduler.Start();
  if (const auto brokers = config.GetString("kafka-brokers"); !brokers.empty()) {
    std::vector<std::string> topics;
    for (const auto& service_name : core::SplitList(config.GetString("event-services"), ',')) {
      topics.push_back(events::TopicFor(service_name));
    }
    if (!service::StartEventConsumer(
            host, db, brokers,
            {.topics = std::move(topics),
             .default_group = "notify-" + options.province,
             .handler = [&notify](store::Tx& tx, const events::Event& e) { notify.Route(tx, e); },
             .after_commit =
                 [&dispatcher, &scheduler] {
                   dispatcher.Notify();
                   scheduler.Wake();  // a reopened item may have a reminder due at once
                 }},
            horizons, error)) {
      return false;
    }
  }
  auto& service = host.Adopt(std::make_unique<NotifyGrpcService>(notify, *verifier));
  host.AddGrpcService(&service);
  return true;
}

}  // namespace osh::notify
