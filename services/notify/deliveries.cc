// Notify: what was sent (deliveries and their attempts) and what is planned
// (reminders), for province staff.

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

}  // namespace osh::notify
