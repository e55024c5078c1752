#pragma once

#include <grpcpp/support/status.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "notify_store.h"
#include "reminders.h"
#include "osh/events/event.h"
#include "osh/notify/v1/notify.pb.h"
#include "osh/service/call.h"
#include "osh/store/database.h"

namespace osh::notify {

using service::Caller;

// The notify service's rules, free of gRPC plumbing: templates and rules
// (province admins), the caller's inbox, deliveries; and Route, which turns
// one event into its deliveries inside the consumer's transaction.
class Notify {
 public:
  struct Options {
    std::string province;
    int default_page_size = 50;
    int max_page_size = 500;
    std::function<std::chrono::system_clock::time_point()> clock = [] { return std::chrono::system_clock::now(); };
    bool email_enabled = false;  // an SMTP server is configured
    int reminder_hour = 9;       // China Standard Time hour reminders go out
  };

  // The facts of an event its deliveries record.
  struct EventFacts {
    std::string id;
    std::string type;
    std::string province;  // of its source: role audiences are that province's
    google::protobuf::Timestamp time;
  };

  // `secrets` seals the rules' webhook secrets at rest (SealRuleSecret).
  Notify(store::Database& db, const crypto::FieldCipher& secrets, Options options);
  ~Notify();

  grpc::Status CreateTemplate(const Caller& caller, const v1::CreateTemplateRequest& request, v1::Template* response);
  grpc::Status UpdateTemplate(const Caller& caller, const v1::UpdateTemplateRequest& request, v1::Template* response);
  grpc::Status GetTemplate(const Caller& caller, const v1::GetTemplateRequest& request, v1::Template* response);
  grpc::Status ListTemplates(const Caller& caller, const v1::ListTemplatesRequest& request,
                             v1::ListTemplatesResponse* response);
  grpc::Status PreviewTemplate(const Caller& caller, const v1::PreviewTemplateRequest& request,
                               v1::PreviewTemplateResponse* response);
  grpc::Status CreateRule(const Caller& caller, const v1::CreateRuleRequest& request, v1::Rule* response);
  grpc::Status GetRule(const Caller& caller, const v1::GetRuleRequest& request, v1::Rule* response);
  grpc::Status ListRules(const Caller& caller, const v1::ListRulesRequest& request, v1::ListRulesResponse* response);
  grpc::Status SetRuleEnabled(const Caller& caller, const v1::SetRuleEnabledRequest& request, v1::Rule* response);
  grpc::Status ListInbox(const Caller& caller, const v1::ListInboxRequest& request, v1::ListInboxResponse* response);
  grpc::Status MarkInboxRead(const Caller& caller, const v1::MarkInboxReadRequest& request, v1::InboxItem* response);
  grpc::Status ListDeliveries(const Caller& caller, const v1::ListDeliveriesRequest& request,
                              v1::ListDeliveriesResponse* response);
  grpc::Status GetDelivery(const Caller& caller, const v1::GetDeliveryRequest& request, v1::Delivery* response);
  grpc::Status SetPreference(const Caller& caller, const v1::SetPreferenceRequest& request, v1::Preference* response);
  grpc::Status ListPreferences(const Caller& caller, const v1::ListPreferencesRequest& request,
                               v1::ListPreferencesResponse* response);
  grpc::Status ListReminders(const Caller& caller, const v1::ListRemindersRequest& request,
                             v1::ListRemindersResponse* response);

  // Applies the enabled rules of the event's type: one inbox item or one
  // pending webhook or email delivery per (event, rule, recipient, channel), never a
  // second one for the same event (the consumer dedups events too). Runs in
  // the EventConsumer's transaction; events nobody has a rule for change nothing.
  // Rectification events also plan and cancel deadline reminders.
  void Route(store::Tx& tx, const events::Event& event) const;

  // One rule's deliveries of one event (`message` is its payload): an inbox
  // item, or a pending or digest-bound delivery, per recipient and channel,
  // unless that (event, rule, recipient, channel) was delivered before.
  // Returns how many are new.
  int Deliver(store::Tx& tx, const v1::Rule& rule, const EventFacts& event,
              const google::protobuf::Message& message) const;

  const ReminderPlanner& planner() const { return planner_; }
  const Options& options() const { return options_; }

  // Inbox audiences of a principal: itself, its organisation, its role in its province.
  static std::vector<std::string> AudiencesOf(const auth::Principal& p);

 private:
  store::Database& db_;
  const crypto::FieldCipher& secrets_;
  Options options_;
  ReminderPlanner planner_;
  // Templates compiled once per (id, version): a version never changes.
  std::unique_ptr<class CompiledTemplateCache> compiled_;
};

}  // namespace osh::notify
