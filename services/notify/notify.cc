// Notify: the class's own members and routing: one event becomes the
// deliveries of the enabled rules that match it, inside the consumer's
// transaction.

#include "notify.h"

#include <fmt/format.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <openssl/rand.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "osh/auth/authorize.h"
#include "osh/core/ids.h"
#include "osh/core/log.h"
#include "osh/domain/regions.h"
#include "osh/domain/text.h"
#include "osh/service/actor.h"
#include "osh/service/checks.h"
#include "osh/service/paging.h"
#include "osh/service/records.h"
#include "email.h"
#include "osh/events/v1/content_events.pb.h"
#include "osh/events/v1/notify_events.pb.h"
#include "osh/events/v1/registry_events.pb.h"
#include "osh/events/v1/training_events.pb.h"
#include "reminders.h"
#include "template_engine.h"
#include "notify_shared.h"

namespace osh::notify {
Notify::Notify(store::Database& db, const crypto::FieldCipher& secrets, Options options)
    : db_(db),
      secrets_(secrets),
      options_(std::move(options)),
      planner_({.send_hour = options_.reminder_hour}),
      compiled_(std::make_unique<CompiledTemplateCache>()) {}

Notify::~Notify() = default;

std::vector<std::string> Notify::AudiencesOf(const auth::Principal& p) {
  std::vector<std::string> out = {"sub:" + p.subject};
  out.push_back(p.org.empty() ? std::string() : "org:" + p.org);
  out.push_back(AudienceOfRole(p.province, std::string(auth::RoleName(p.role))));
  return out;
}

void Notify::Route(store::Tx& tx, const events::Event& event) const {
  std::string province, service_name;
  events::ParseSource(event.source, &province, &service_name);
  // An event that does not decode is dead-lettered by the consumer (and
  // counted), never recorded as processed with its reminders silently missing.
  if (event.type == events::v1::RectificationOpened::descriptor()->full_name()) {
    events::v1::RectificationOpened opened;
    events::UnpackOrThrow(event, &opened);
    planner_.RectificationOpened(tx, opened, province, options_.clock());
  } else if (event.type == events::v1::RectificationClosed::descriptor()->full_name()) {
    events::v1::RectificationClosed closed;
    events::UnpackOrThrow(event, &closed);
    planner_.RectificationClosed(tx, closed, options_.clock());
  } else if (event.type == events::v1::CertificateIssued::descriptor()->full_name()) {
    events::v1::CertificateIssued issued;
    events::UnpackOrThrow(event, &issued);
    planner_.CertificateIssued(tx, issued, province, options_.clock());
  } else if (event.type == events::v1::CertificateRevoked::descriptor()->full_name()) {
    events::v1::CertificateRevoked revoked;
    events::UnpackOrThrow(event, &revoked);
    planner_.CertificateRevoked(tx, revoked, options_.clock());
  }
  const auto rules = NotifyStore::EnabledRulesFor(tx, event.type);
  if (rules.empty()) return;
  const auto* type = EventTypeOrNull(event.type);
  if (type == nullptr) return;
  std::unique_ptr<google::protobuf::Message> message(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
  events::UnpackOrThrow(event, message.get());
  EventFacts facts{.id = event.id, .type = event.type, .province = province, .time = {}};
  if (!TimeUtil::FromString(event.time, &facts.time)) facts.time = Now(options_);
  for (const auto& rule : rules) {
    if (rule.source_province() != "*" && rule.source_province() != province) continue;
    Deliver(tx, rule, facts, *message);
  }
}

int Notify::Deliver(store::Tx& tx, const v1::Rule& rule, const EventFacts& event,
                    const google::protobuf::Message& message) const {
  const auto now = Now(options_);
  const auto* type = message.GetDescriptor();
  const auto inbox_template = compiled_->Newest(tx, rule.inbox_template_id(), type);
  const auto webhook_template = compiled_->Newest(tx, rule.webhook_template_id(), type);
  const auto email_template = compiled_->Newest(tx, rule.email_template_id(), type);
  int made = 0;
  for (const auto& r : rule.recipients()) {
    v1::Delivery d;
    d.set_id(core::NewUuidV7(options_.clock()));
    d.set_event_id(event.id);
    d.set_event_type(event.type);
    d.set_rule_id(rule.id());
    *d.mutable_create_time() = now;
    *d.mutable_event_time() = event.time;
    if (r.target_case() == v1::Recipient::kWebhookUrl) {
      if (!webhook_template) continue;
      d.set_channel(v1::CHANNEL_WEBHOOK);
      d.set_recipient(r.webhook_url());
      d.set_status(v1::DELIVERY_STATUS_PENDING);
      *d.mutable_next_attempt_time() = now;
      made += NotifyStore::InsertDelivery(tx, d, Render(webhook_template->body, message, Escaping::kJson));
      continue;
    }
    if (r.target_case() == v1::Recipient::kEmail) {
      if (!email_template) continue;
      d.set_channel(v1::CHANNEL_EMAIL);
      d.set_recipient(r.email());
      // Low-priority mail waits for the mailbox's daily digest; legally required mail never does.
      const bool digested = rule.digest() && !rule.legally_required();
      d.set_status(digested ? v1::DELIVERY_STATUS_IN_DIGEST : v1::DELIVERY_STATUS_PENDING);
      *d.mutable_next_attempt_time() = now;
      const std::string payload =
          nlohmann::json{{"subject", Render(email_template->subject, message, Escaping::kPlainText)},
                         {"body", Render(email_template->body, message, Escaping::kPlainText)}}
              .dump();
      made += NotifyStore::InsertDelivery(tx, d, payload);
      continue;
    }
    if (!inbox_template) continue;
    std::string audience;
    if (r.target_case() == v1::Recipient::kEventOrganisation) {
      const auto code = CreditCodeOf(message);
      if (code.empty()) continue;  // the event is about no organisation
      audience = "org:" + code;
    } else if (r.target_case() == v1::Recipient::kProvinceRole) {
      audience = AudienceOfRole(event.province, r.province_role());
    } else {
      audience = "sub:" + r.subject();
    }
    d.set_channel(v1::CHANNEL_INBOX);
    d.set_recipient(audience);
    d.set_status(v1::DELIVERY_STATUS_DELIVERED);
    *d.mutable_delivered_time() = now;
    if (!NotifyStore::InsertDelivery(tx, d, "")) continue;
    ++made;
    v1::InboxItem item;
    item.set_id(d.id());
    item.set_subject(Render(inbox_template->subject, message, Escaping::kPlainText));
    item.set_body(Render(inbox_template->body, message, Escaping::kPlainText));
    item.set_event_type(event.type);
    item.set_event_id(event.id);
    item.set_rule_id(rule.id());
    item.set_category(rule.category());
    item.set_legally_required(rule.legally_required());
    *item.mutable_create_time() = now;
    NotifyStore::InsertInboxItem(tx, item, audience);
  }
  return made;
}

}  // namespace osh::notify
