// Notify: rules — an event type to recipients and a template per channel;
// schedule rules plan reminders before deadlines.

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
namespace {

constexpr size_t kMaxRecipients = 20;

}  // namespace

grpc::Status Notify::CreateRule(const Caller& caller, const v1::CreateRuleRequest& request, v1::Rule* response) {
  return Guard(caller, "CreateRule", [&] {
    const auto& rule = request.rule();
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    service::CheckText(rule.name(), "rule.name", 100, true, errors);
    if (!rule.category().empty() && !IsCategory(rule.category())) {
      errors.Add("rule.category", "must be 1 to 32 of a-z, 0-9 and _");
    }
    if (EventTypeOrNull(rule.event_type()) == nullptr) {
      errors.Add("rule.event_type", "'" + Echo(rule.event_type()) + "' is not an osh.events.v1 event");
    }
    if (!rule.source_province().empty() && rule.source_province() != "*" &&
        domain::FindProvince(rule.source_province()) == nullptr) {
      errors.Add("rule.source_province", "must be empty (this province), * (every province) or a province code");
    }
    CheckSchedule(rule, errors);
    if (rule.digest() && rule.legally_required()) {
      errors.Add("rule.digest", "legally required notices are sent one by one, never in a digest");
    }
    if (rule.recipients_size() == 0 || static_cast<size_t>(rule.recipients_size()) > kMaxRecipients) {
      errors.Add("rule.recipients", "must name 1 to 20 recipients");
    }
    bool wants_inbox = false, wants_webhook = false, wants_email = false;
    for (int i = 0; i < rule.recipients_size(); ++i) {
      const auto& r = rule.recipients(i);
      const std::string at = "rule.recipients[" + std::to_string(i) + "]";
      switch (r.target_case()) {
        case v1::Recipient::kEventOrganisation:
          if (!r.event_organisation()) errors.Add(at + ".event_organisation", "must be true when set");
          wants_inbox = true;
          break;
        case v1::Recipient::kProvinceRole:
          if (!auth::ParseRole(r.province_role())) errors.Add(at + ".province_role", "is not a role");
          wants_inbox = true;
          break;
        case v1::Recipient::kSubject:
          service::CheckText(r.subject(), at + ".subject", 128, true, errors);
          wants_inbox = true;
          break;
        case v1::Recipient::kWebhookUrl: {
          const auto& url = r.webhook_url();
          if (!domain::IsHttpUrl(url) || url.size() > 2048 || url.find_first_of(" \t\r\n") != std::string::npos) {
            errors.Add(at + ".webhook_url", "must be an http(s) URL of at most 2048 characters");
          }
          wants_webhook = true;
          break;
        }
        case v1::Recipient::kEmail:
          if (!IsEmailAddress(r.email())) errors.Add(at + ".email", "is not an email address");
          if (!options_.email_enabled) errors.Add(at + ".email", "email is not configured on this deployment");
          wants_email = true;
          break;
        case v1::Recipient::TARGET_NOT_SET:
          errors.Add(at, "names no recipient");
          break;
      }
    }
    ThrowIfInvalid(errors);
    Require(caller.principal, auth::Action::kWrite, {options_.province, "", false});
    // The secret is shown once, to the creator; the answer a retry gets from
    // the idempotency table holds it sealed like the rule's own copy.
    const service::AnswerSealing seal_secret{
        .seal = [&](google::protobuf::Message& stored) {
          auto& kept = static_cast<v1::Rule&>(stored);
          if (!kept.webhook_secret().empty()) {
            kept.set_webhook_secret(SealRuleSecret(secrets_, kept.id(), kept.webhook_secret()));
          }
        },
        .open = [&](google::protobuf::Message& answer) {
          auto& replayed = static_cast<v1::Rule&>(answer);
          if (replayed.webhook_secret().empty()) return;
          const auto secret = OpenRuleSecret(secrets_, replayed.id(), replayed.webhook_secret());
          if (!secret) {
            Refuse(grpc::StatusCode::INTERNAL, "the webhook secret of rule " + replayed.id() +
                                                   " does not open with this deployment's key ring");
          }
          replayed.set_webhook_secret(*secret);
        }};
    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "CreateRule", request.request_id(), request, response, [&] {
        core::FieldErrors template_errors;
        const auto check = [&](bool wanted, const std::string& id, v1::Channel channel, const char* field) {
          if (!wanted) return;
          auto t = id.empty() ? std::nullopt : NotifyStore::FindTemplate(tx, id, 0);
          if (!t || t->province() != options_.province) {
            template_errors.Add(field, "must name a template of this province");
          } else if (t->channel() != channel || t->event_type() != rule.event_type()) {
            template_errors.Add(field, "must name a " + v1::Channel_Name(channel) + " template for " + rule.event_type());
          }
        };
        check(wants_inbox, rule.inbox_template_id(), v1::CHANNEL_INBOX, "rule.inbox_template_id");
        check(wants_webhook, rule.webhook_template_id(), v1::CHANNEL_WEBHOOK, "rule.webhook_template_id");
        check(wants_email, rule.email_template_id(), v1::CHANNEL_EMAIL, "rule.email_template_id");
        ThrowIfInvalid(template_errors);
        v1::Rule stored = rule;
        stored.set_id(core::NewUuidV7(options_.clock()));
        stored.set_province(options_.province);
        if (stored.source_province().empty()) stored.set_source_province(options_.province);
        stored.set_enabled(true);
        stored.set_version(1);
        *stored.mutable_create_time() = Now(options_);
        const std::string secret = wants_webhook ? RandomHex(32) : "";
        NotifyStore::PutRule(tx, stored, secret.empty() ? "" : SealRuleSecret(secrets_, stored.id(), secret), true);
        if (stored.schedule().deadline() == v1::DEADLINE_KIND_ANNUAL_DATE) planner_.PlanAnnual(tx, stored, options_.clock());
        service::Audit(tx, caller, "create", "rule", stored.id());
        *response = stored;
        response->set_webhook_secret(secret);  // shown once
      }, &seal_secret);
    });
  });
}

grpc::Status Notify::GetRule(const Caller& caller, const v1::GetRuleRequest& request, v1::Rule* response) {
  return Guard(caller, "GetRule", [&] {
    if (request.id().empty()) throw Refusal{core::InvalidArgument("id", "is required")};
    Require(caller.principal, auth::Action::kRead, {options_.province, "", false});
    *response = db_.Read([&](store::Tx& tx) { return RuleFor(tx, caller, auth::Action::kRead, request.id()); });
  });
}

grpc::Status Notify::ListRules(const Caller& caller, const v1::ListRulesRequest& request,
                               v1::ListRulesResponse* response) {
  return Guard(caller, "ListRules", [&] {
    core::FieldErrors errors;
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    const std::string fingerprint = "rules|" + request.event_type();
    const std::string after = service::PagePosition(request.page_token(), fingerprint, errors);
    ThrowIfInvalid(errors);
    Require(caller.principal, auth::Action::kRead, {options_.province, "", false});
    auto rows = db_.Read([&](store::Tx& tx) {
      return NotifyStore::ListRules(tx, options_.province, request.event_type(), after, page_size + 1);
    });
    response->set_next_page_token(
        service::TrimPage(rows, page_size, fingerprint, [](const v1::Rule& r) { return r.id(); }));
    for (auto& r : rows) *response->add_rules() = std::move(r);
  });
}

grpc::Status Notify::SetRuleEnabled(const Caller& caller, const v1::SetRuleEnabledRequest& request,
                                    v1::Rule* response) {
  return Guard(caller, "SetRuleEnabled", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    if (request.id().empty()) errors.Add("id", "is required");
    if (request.version() <= 0) errors.Add("version", "is required (the version you read)");
    ThrowIfInvalid(errors);
    Require(caller.principal, auth::Action::kWrite, {options_.province, "", false});
    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "SetRuleEnabled", request.request_id(), request, response, [&] {
        auto r = std::optional(RuleFor(tx, caller, auth::Action::kWrite, request.id()));
        service::RequireVersion("rule", r->id(), r->version(), request.version());
        r->set_enabled(request.enabled());
        r->set_version(r->version() + 1);
        NotifyStore::PutRule(tx, *r, "", false);
        if (r->enabled() && r->schedule().deadline() == v1::DEADLINE_KIND_ANNUAL_DATE) {
          planner_.PlanAnnual(tx, *r, options_.clock());
        }
        service::Audit(tx, caller, request.enabled() ? "enable" : "disable", "rule", r->id());
        *response = *r;
      });
    });
  });
}

}  // namespace osh::notify
