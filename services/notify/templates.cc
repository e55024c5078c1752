// Notify: templates — versioned subject and body per event type and channel,
// written by province admins, previewed with a sample event.

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

}  // namespace osh::notify
