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

namespace osh::notify {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::util::TimeUtil;
using service::Guard;
using service::Idempotent;
using service::Refusal;
using service::Refuse;
using service::Require;
using service::ThrowIfInvalid;

constexpr size_t kMaxRecipients = 20;
constexpr char kEventsPackage[] = "osh.events.v1.";

using service::Echo;

// Event types are the messages of osh.events.v1. Naming one message of each
// events file links that file into the binary: the generated pool only knows
// descriptors whose code the linker kept.
const Descriptor* EventTypeOrNull(const std::string& name) {
  static const bool linked = [] {
    events::v1::EnterpriseRegistered::descriptor();
    events::v1::ArticlePublished::descriptor();
    events::v1::DeadlineReminder::descriptor();
    events::v1::CertificateIssued::descriptor();
    return true;
  }();
  (void)linked;
  if (name.rfind(kEventsPackage, 0) != 0) return nullptr;
  return google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(name);
}

// Milliseconds: delivery latency is measured from these.
google::protobuf::Timestamp Now(const Notify::Options& o) {
  return TimeUtil::MillisecondsToTimestamp(
      std::chrono::duration_cast<std::chrono::milliseconds>(o.clock().time_since_epoch()).count());
}

std::string RandomHex(size_t bytes) {
  std::vector<unsigned char> buffer(bytes);
  if (RAND_bytes(buffer.data(), static_cast<int>(bytes)) != 1) throw std::runtime_error("no randomness");
  std::string out;
  for (unsigned char b : buffer) out += fmt::format("{:02x}", b);
  return out;
}

Escaping EscapingFor(v1::Channel channel) {
  return channel == v1::CHANNEL_WEBHOOK ? Escaping::kJson : Escaping::kPlainText;
}

// A template's subject and body, compiled against its event type; nullopt
// (with `problems` saying why) when either does not compile.
struct CompiledPair {
  CompiledTemplate subject;
  CompiledTemplate body;
};

std::optional<CompiledPair> CompileSubjectAndBody(const v1::Template& t, const Descriptor* type,
                                                  std::vector<TemplateError>* problems) {
  auto subject = CompileTemplate(t.subject(), type, problems, "subject");
  auto body = CompileTemplate(t.body(), type, problems, "body");
  if (!subject || !body) return std::nullopt;
  return CompiledPair{std::move(*subject), std::move(*body)};
}

// Compiles subject and body against the event type, adding authoring errors
// under `prefix`; for webhooks the body must render to JSON whatever the values.
void CheckTemplate(const v1::Template& t, const Descriptor* type, const std::string& prefix,
                   core::FieldErrors& errors) {
  std::vector<TemplateError> problems;
  const auto compiled = CompileSubjectAndBody(t, type, &problems);
  for (const auto& p : problems) errors.Add(prefix + p.field, p.message);
  if (!problems.empty() || !compiled) return;
  if (t.channel() == v1::CHANNEL_WEBHOOK) {
    // A placeholder outside quotes breaks JSON for some values (a name, an
    // enum, a list); a number does only after a '-' or a digit.
    if (!RendersJsonWhateverTheValues(compiled->body)) {
      errors.Add(prefix + "body", "a webhook body must be JSON whatever the values (text placeholders inside strings)");
    }
  }
}

void ValidateTemplateText(const v1::Template& t, core::FieldErrors& errors) {
  service::CheckText(t.subject(), "template.subject", 200, t.channel() != v1::CHANNEL_WEBHOOK, errors);
  if (t.body().empty()) errors.Add("template.body", "is required");
}

std::string AudienceOfRole(const std::string& province, const std::string& role) {
  return "role:" + province + ":" + role;
}

// The credit code an event is about: a field named credit_code (registry
// events, at the top or in their employer facts one message down) or org
// (training events, like the token claim).
std::string CreditCodeOf(const google::protobuf::Message& m, int depth = 0) {
  const auto* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  for (const char* name : {"credit_code", "org"}) {
    if (const auto* f = d->FindFieldByName(name); f != nullptr && !f->is_repeated() &&
                                                   f->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
      return r->GetString(m, f);
    }
  }
  if (depth >= 1) return "";
  for (int i = 0; i < d->field_count(); ++i) {
    const auto* f = d->field(i);
    if (f->is_repeated() || f->type() != google::protobuf::FieldDescriptor::TYPE_MESSAGE || !r->HasField(m, f)) continue;
    if (auto code = CreditCodeOf(r->GetMessage(m, f), depth + 1); !code.empty()) return code;
  }
  return "";
}

// Categories are tokens subscribers choose by: a-z, 0-9, _ (1 to 32).
bool IsCategory(const std::string& c) {
  if (c.empty() || c.size() > 32) return false;
  return std::all_of(c.begin(), c.end(), [](char x) { return (x >= 'a' && x <= 'z') || (x >= '0' && x <= '9') || x == '_'; });
}

void FillVariables(v1::Template& t) {
  t.clear_variables();
  if (const auto* type = EventTypeOrNull(t.event_type())) {
    for (auto& v : AvailableVariables(type)) t.add_variables(std::move(v));
  }
}

}  // namespace

class CompiledTemplateCache {
 public:
  // The template `id`'s newest version, compiled; nullopt when it is gone or no longer compiles.
  std::shared_ptr<const CompiledPair> Newest(store::Tx& tx, const std::string& id,
                                             const google::protobuf::Descriptor* type) {
    if (id.empty()) return nullptr;
    auto t = NotifyStore::FindTemplate(tx, id, 0);
    if (!t) return nullptr;
    const auto key = std::make_pair(id, t->version());
    {
      std::lock_guard lock(mu_);
      if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    }
    std::vector<TemplateError> problems;
    auto compiled = CompileSubjectAndBody(*t, type, &problems);
    if (!compiled) return nullptr;
    auto shared = std::make_shared<const CompiledPair>(std::move(*compiled));
    std::lock_guard lock(mu_);
    if (cache_.size() >= kMaxEntries) cache_.clear();  // a province has dozens; this only bounds a pathological case
    cache_.emplace(key, shared);
    return shared;
  }

 private:
  static constexpr size_t kMaxEntries = 4096;
  std::mutex mu_;
  std::map<std::pair<std::string, int64_t>, std::shared_ptr<const CompiledPair>> cache_;
};

namespace {

// A template or rule of this deployment for a caller already allowed to
// `action` this province's (Require before the lookup): one the caller still
// may not touch (another province's) answers like a missing one.
v1::Template TemplateFor(store::Tx& tx, const Caller& caller, auth::Action action, const std::string& id,
                         int64_t version) {
  return service::AllowedOrRefuse(NotifyStore::FindTemplate(tx, id, version), "template", id, caller.principal, action,
                                  [](const v1::Template& t) { return auth::Resource{t.province(), "", false}; });
}

v1::Rule RuleFor(store::Tx& tx, const Caller& caller, auth::Action action, const std::string& id) {
  return service::AllowedOrRefuse(NotifyStore::FindRule(tx, id), "rule", id, caller.principal, action,
                                  [](const v1::Rule& r) { return auth::Resource{r.province(), "", false}; });
}

}  // namespace

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

grpc::Status Notify::CreateTemplate(const Caller& caller, const v1::CreateTemplateRequest& request,
                                    v1::Template* response) {
  return Guard(caller, "CreateTemplate", [&] {
    const auto& t = request.template_();
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    service::CheckText(t.name(), "template.name", 100, true, errors);
    const auto* type = EventTypeOrNull(t.event_type());
    if (type == nullptr) errors.Add("template.event_type", "'" + Echo(t.event_type()) + "' is not an osh.events.v1 event");
    if (t.channel() == v1::CHANNEL_UNSPECIFIED || !v1::Channel_IsValid(t.channel())) {
      errors.Add("template.channel", "must be CHANNEL_INBOX, CHANNEL_WEBHOOK or CHANNEL_EMAIL");
    }
    if (t.locale() != "zh-CN" && t.locale() != "en") errors.Add("template.locale", "must be zh-CN or en");
    ValidateTemplateText(t, errors);
    if (errors.empty()) CheckTemplate(t, type, "template.", errors);
    ThrowIfInvalid(errors);
    Require(caller.principal, auth::Action::kWrite, {options_.province, "", false});
    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "CreateTemplate", request.request_id(), request, response, [&] {
        v1::Template stored = t;
        stored.set_id(core::NewUuidV7(options_.clock()));
        stored.set_province(options_.province);
        stored.set_version(1);
        *stored.mutable_update_time() = Now(options_);
        *stored.mutable_updated_by() = service::ActorOf(*caller.principal);
        stored.clear_variables();
        NotifyStore::InsertTemplate(tx, stored);
        service::Audit(tx, caller, "create", "template", stored.id());
        *response = stored;
      });
    });
    FillVariables(*response);
  });
}

grpc::Status Notify::UpdateTemplate(const Caller& caller, const v1::UpdateTemplateRequest& request,
                                    v1::Template* response) {
  return Guard(caller, "UpdateTemplate", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    if (request.id().empty()) errors.Add("id", "is required");
    if (request.version() <= 0) errors.Add("version", "is required (the version you read)");
    ThrowIfInvalid(errors);
    Require(caller.principal, auth::Action::kWrite, {options_.province, "", false});
    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "UpdateTemplate", request.request_id(), request, response, [&] {
        auto t = std::optional(TemplateFor(tx, caller, auth::Action::kWrite, request.id(), 0));
        service::RequireVersion("template", t->id(), t->version(), request.version());
        t->set_subject(request.subject());
        t->set_body(request.body());
        core::FieldErrors text_errors;
        ValidateTemplateText(*t, text_errors);
        if (text_errors.empty()) CheckTemplate(*t, EventTypeOrNull(t->event_type()), "template.", text_errors);
        ThrowIfInvalid(text_errors);
        t->set_version(t->version() + 1);
        *t->mutable_update_time() = Now(options_);
        *t->mutable_updated_by() = service::ActorOf(*caller.principal);
        NotifyStore::InsertTemplate(tx, *t);
        service::Audit(tx, caller, "update", "template", t->id());
        *response = *t;
      });
    });
    FillVariables(*response);
  });
}

grpc::Status Notify::GetTemplate(const Caller& caller, const v1::GetTemplateRequest& request,
                                 v1::Template* response) {
  return Guard(caller, "GetTemplate", [&] {
    if (request.id().empty()) throw Refusal{core::InvalidArgument("id", "is required")};
    Require(caller.principal, auth::Action::kRead, {options_.province, "", false});
    *response = db_.Read(
        [&](store::Tx& tx) { return TemplateFor(tx, caller, auth::Action::kRead, request.id(), request.version()); });
    FillVariables(*response);
  });
}

grpc::Status Notify::ListTemplates(const Caller& caller, const v1::ListTemplatesRequest& request,
                                   v1::ListTemplatesResponse* response) {
  return Guard(caller, "ListTemplates", [&] {
    core::FieldErrors errors;
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    const std::string fingerprint = "templates|" + request.event_type();
    const std::string after = service::PagePosition(request.page_token(), fingerprint, errors);
    ThrowIfInvalid(errors);
    Require(caller.principal, auth::Action::kRead, {options_.province, "", false});
    auto rows = db_.Read([&](store::Tx& tx) {
      return NotifyStore::ListTemplates(tx, options_.province, request.event_type(), after, page_size + 1);
    });
    response->set_next_page_token(
        service::TrimPage(rows, page_size, fingerprint, [](const v1::Template& t) { return t.id(); }));
    for (auto& t : rows) *response->add_templates() = std::move(t);
  });
}

grpc::Status Notify::PreviewTemplate(const Caller& caller, const v1::PreviewTemplateRequest& request,
                                     v1::PreviewTemplateResponse* response) {
  return Guard(caller, "PreviewTemplate", [&] {
    if (request.id().empty()) throw Refusal{core::InvalidArgument("id", "is required")};
    Require(caller.principal, auth::Action::kRead, {options_.province, "", false});
    auto t = std::optional(
        db_.Read([&](store::Tx& tx) { return TemplateFor(tx, caller, auth::Action::kRead, request.id(), 0); }));
    const auto* type = EventTypeOrNull(t->event_type());
    std::unique_ptr<google::protobuf::Message> sample(
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
    if (!request.sample_event_json().empty()) {
      google::protobuf::util::JsonParseOptions parse;
      const auto parsed = google::protobuf::util::JsonStringToMessage(request.sample_event_json(), sample.get(), parse);
      if (!parsed.ok()) {
        throw Refusal{core::InvalidArgument("sample_event_json", "is not a " + t->event_type() + " in JSON: " +
                                                                     std::string(parsed.message()))};
      }
    }
    std::vector<TemplateError> problems;
    const auto compiled = CompileSubjectAndBody(*t, type, &problems);
    if (!compiled) Refuse(grpc::StatusCode::FAILED_PRECONDITION, "the stored template no longer compiles");
    response->set_subject(Render(compiled->subject, *sample, Escaping::kPlainText));
    response->set_body(Render(compiled->body, *sample, EscapingFor(t->channel())));
  });
}

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

grpc::Status Notify::ListInbox(const Caller& caller, const v1::ListInboxRequest& request,
                               v1::ListInboxResponse* response) {
  return Guard(caller, "ListInbox", [&] {
    core::FieldErrors errors;
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    const std::string fingerprint = std::string("inbox|") + (request.unread_only() ? "1" : "0");
    const auto after = service::TimeKeyOf(service::PagePosition(request.page_token(), fingerprint, errors), errors);
    ThrowIfInvalid(errors);
    const auto audiences = AudiencesOf(*caller.principal);
    auto rows = db_.Read([&](store::Tx& tx) {
      response->set_unread(NotifyStore::CountUnread(tx, audiences, caller.principal->subject));
      return NotifyStore::ListInbox(tx, audiences, caller.principal->subject, request.unread_only(), after.seconds,
                                    after.id, page_size + 1);
    });
    response->set_next_page_token(service::TrimPage(rows, page_size, fingerprint, [](const v1::InboxItem& i) {
      return service::EncodeTimeKey(i.create_time().seconds(), i.id());
    }));
    for (auto& i : rows) *response->add_items() = std::move(i);
  });
}

grpc::Status Notify::MarkInboxRead(const Caller& caller, const v1::MarkInboxReadRequest& request,
                                   v1::InboxItem* response) {
  return Guard(caller, "MarkInboxRead", [&] {
    if (request.id().empty()) throw Refusal{core::InvalidArgument("id", "is required")};
    const auto audiences = AudiencesOf(*caller.principal);
    db_.Write([&](store::Tx& tx) {
      const auto audience = NotifyStore::InboxAudience(tx, request.id());
      // Someone else's item is as absent as a wrong id.
      if (!audience || std::find(audiences.begin(), audiences.end(), *audience) == audiences.end()) {
        Refuse(grpc::StatusCode::NOT_FOUND, "no inbox item with id '" + Echo(request.id()) + "' for you");
      }
      NotifyStore::MarkRead(tx, request.id(), caller.principal->subject, Now(options_).seconds());
      *response = *NotifyStore::FindInboxItem(tx, request.id(), caller.principal->subject);
    });
  });
}

grpc::Status Notify::ListDeliveries(const Caller& caller, const v1::ListDeliveriesRequest& request,
                                    v1::ListDeliveriesResponse* response) {
  return Guard(caller, "ListDeliveries", [&] {
    core::FieldErrors errors;
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    if (!v1::DeliveryStatus_IsValid(request.status())) errors.Add("status", "unknown value");
    const std::string fingerprint = fmt::format("deliveries|{}|{}", static_cast<int>(request.status()), request.event_id());
    const std::string after = service::PagePosition(request.page_token(), fingerprint, errors);
    ThrowIfInvalid(errors);
    Require(caller.principal, auth::Action::kRead, {options_.province, "", false});
    auto rows = db_.Read([&](store::Tx& tx) {
      return NotifyStore::ListDeliveries(tx, request.status(), request.event_id(), after, page_size + 1);
    });
    response->set_next_page_token(
        service::TrimPage(rows, page_size, fingerprint, [](const v1::Delivery& d) { return d.id(); }));
    for (auto& d : rows) *response->add_deliveries() = std::move(d);
  });
}

grpc::Status Notify::GetDelivery(const Caller& caller, const v1::GetDeliveryRequest& request,
                                 v1::Delivery* response) {
  return Guard(caller, "GetDelivery", [&] {
    if (request.id().empty()) throw Refusal{core::InvalidArgument("id", "is required")};
    Require(caller.principal, auth::Action::kRead, {options_.province, "", false});
    *response = service::FoundOrRefuse(db_.Read([&](store::Tx& tx) { return NotifyStore::FindDelivery(tx, request.id()); }),
                                       "delivery", request.id());
  });
}

grpc::Status Notify::SetPreference(const Caller& caller, const v1::SetPreferenceRequest& request,
                                   v1::Preference* response) {
  return Guard(caller, "SetPreference", [&] {
    core::FieldErrors errors;
    if (!IsCategory(request.category())) errors.Add("category", "must be 1 to 32 of a-z, 0-9 and _");
    if (request.channel() == v1::CHANNEL_UNSPECIFIED || !v1::Channel_IsValid(request.channel())) {
      errors.Add("channel", "must be CHANNEL_INBOX, CHANNEL_WEBHOOK or CHANNEL_EMAIL");
    }
    ThrowIfInvalid(errors);
    response->set_category(request.category());
    response->set_channel(request.channel());
    response->set_enabled(request.enabled());
    db_.Write([&](store::Tx& tx) { NotifyStore::PutPreference(tx, caller.principal->subject, *response); });
  });
}

grpc::Status Notify::ListPreferences(const Caller& caller, const v1::ListPreferencesRequest&,
                                     v1::ListPreferencesResponse* response) {
  return Guard(caller, "ListPreferences", [&] {
    auto rows = db_.Read([&](store::Tx& tx) { return NotifyStore::ListPreferences(tx, caller.principal->subject); });
    for (auto& p : rows) *response->add_preferences() = std::move(p);
  });
}

grpc::Status Notify::ListReminders(const Caller& caller, const v1::ListRemindersRequest& request,
                                   v1::ListRemindersResponse* response) {
  return Guard(caller, "ListReminders", [&] {
    core::FieldErrors errors;
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    if (!v1::ReminderStatus_IsValid(request.status())) errors.Add("status", "unknown value");
    const std::string fingerprint = fmt::format("reminders|{}|{}", static_cast<int>(request.status()), request.rule_id());
    const auto after = service::TimeKeyOf(service::PagePosition(request.page_token(), fingerprint, errors), errors);
    ThrowIfInvalid(errors);
    Require(caller.principal, auth::Action::kRead, {options_.province, "", false});
    auto rows = db_.Read([&](store::Tx& tx) {
      return NotifyStore::ListReminders(tx, request.status(), request.rule_id(), after.seconds, after.id,
                                        page_size + 1);
    });
    response->set_next_page_token(service::TrimPage(rows, page_size, fingerprint, [](const v1::Reminder& r) {
      return service::EncodeTimeKey(r.due_time().seconds(), r.id());
    }));
    for (auto& r : rows) *response->add_reminders() = std::move(r);
  });
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
