#pragma once

// What the rooms of Notify (templates, rules, inbox, deliveries, routing)
// share: the event types templates may name, template compilation and its
// cache, audiences, and lookups that answer another province's template or
// rule like a missing one. Internal to osh-notify.

#include <google/protobuf/descriptor.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/time_util.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "notify.h"
#include "osh/core/errors.h"
#include "osh/service/records.h"
#include "osh/service/call.h"
#include "template_engine.h"

namespace osh::notify {

// The names every room of the service uses unqualified.
using google::protobuf::Descriptor;
using google::protobuf::util::TimeUtil;
using service::Echo;
using service::Guard;
using service::Idempotent;
using service::Refusal;
using service::Refuse;
using service::Require;
using service::ThrowIfInvalid;

inline constexpr char kEventsPackage[] = "osh.events.v1.";

// A template's subject and body, compiled against its event type.
struct CompiledPair {
  CompiledTemplate subject;
  CompiledTemplate body;
};

// Event types are the messages of osh.events.v1. Naming one message of each
// events file links that file into the binary: the generated pool only knows
// descriptors whose code the linker kept.
const google::protobuf::Descriptor* EventTypeOrNull(const std::string& name);

// Milliseconds: delivery latency is measured from these.
google::protobuf::Timestamp Now(const Notify::Options& o);

std::string RandomHex(size_t bytes);

Escaping EscapingFor(v1::Channel channel);

// Nullopt (with `problems` saying why) when either does not compile.
std::optional<CompiledPair> CompileSubjectAndBody(const v1::Template& t, const google::protobuf::Descriptor* type,
                                                  std::vector<TemplateError>* problems);

// Compiles subject and body against the event type, adding authoring errors
// under `prefix`; for webhooks the body must render to JSON whatever the values.
void CheckTemplate(const v1::Template& t, const google::protobuf::Descriptor* type, const std::string& prefix,
                   core::FieldErrors& errors);

void ValidateTemplateText(const v1::Template& t, core::FieldErrors& errors);

std::string AudienceOfRole(const std::string& province, const std::string& role);

// The credit code an event is about: a field named credit_code (registry
// events, at the top or in their employer facts one message down) or org
// (training events, like the token claim).
std::string CreditCodeOf(const google::protobuf::Message& m, int depth = 0);

// Categories are tokens subscribers choose by: a-z, 0-9, _ (1 to 32).
bool IsCategory(const std::string& c);

void FillVariables(v1::Template& t);

// A template or rule of this deployment for a caller already allowed to
// `action` this province's (Require before the lookup): one the caller still
// may not touch (another province's) answers like a missing one.
v1::Template TemplateFor(store::Tx& tx, const Caller& caller, auth::Action action, const std::string& id,
                         int64_t version);

v1::Rule RuleFor(store::Tx& tx, const Caller& caller, auth::Action action, const std::string& id);

// Compiled templates by (id, version), so routing an event does not
// recompile its rules' templates.
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

}  // namespace osh::notify
