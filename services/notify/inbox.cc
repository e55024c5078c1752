// Notify: the caller's own inbox and notification preferences.

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

}  // namespace osh::notify
