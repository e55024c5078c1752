// Notify: what the rooms share (notify_shared.h).

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
// Event types are the messages of osh.events.v1. Naming one message of each
// events file links that file into the binary: the generated pool only knows
// descriptors whose code the linker kept.
const Descriptor* EventTypeOrNull(const std::string& name) {
  static const bool linked = [] {
    events::v1::EnterpriseRegistered::descriptor();
    events::v1::ArticlePublished::descriptor();
    events::v1::DeadlineReminder::descriptor();
    events::v1::CertificateIssued::descriptor();
    events::v1::CertificateRevoked::descriptor();
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
std::string CreditCodeOf(const google::protobuf::Message& m, int depth) {
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

}  // namespace osh::notify
