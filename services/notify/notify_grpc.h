#pragma once

#include <functional>

#include "notify.h"
#include "osh/auth/jwt.h"
#include "osh/notify/v1/notify.grpc.pb.h"
#include "osh/service/grpc_front.h"

namespace osh::notify {

// The thin gRPC face of Notify on the callback API; every call needs a verified token.
class NotifyGrpcService final : public v1::NotifyService::CallbackService {
 public:
  NotifyGrpcService(Notify& notify, const auth::TokenVerifier& verifier);

  using Ctx = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;

  Reactor* CreateTemplate(Ctx* ctx, const v1::CreateTemplateRequest* req, v1::Template* resp) override;
  Reactor* UpdateTemplate(Ctx* ctx, const v1::UpdateTemplateRequest* req, v1::Template* resp) override;
  Reactor* GetTemplate(Ctx* ctx, const v1::GetTemplateRequest* req, v1::Template* resp) override;
  Reactor* ListTemplates(Ctx* ctx, const v1::ListTemplatesRequest* req, v1::ListTemplatesResponse* resp) override;
  Reactor* PreviewTemplate(Ctx* ctx, const v1::PreviewTemplateRequest* req,
                           v1::PreviewTemplateResponse* resp) override;
  Reactor* CreateRule(Ctx* ctx, const v1::CreateRuleRequest* req, v1::Rule* resp) override;
  Reactor* GetRule(Ctx* ctx, const v1::GetRuleRequest* req, v1::Rule* resp) override;
  Reactor* ListRules(Ctx* ctx, const v1::ListRulesRequest* req, v1::ListRulesResponse* resp) override;
  Reactor* SetRuleEnabled(Ctx* ctx, const v1::SetRuleEnabledRequest* req, v1::Rule* resp) override;
  Reactor* ListInbox(Ctx* ctx, const v1::ListInboxRequest* req, v1::ListInboxResponse* resp) override;
  Reactor* MarkInboxRead(Ctx* ctx, const v1::MarkInboxReadRequest* req, v1::InboxItem* resp) override;
  Reactor* ListDeliveries(Ctx* ctx, const v1::ListDeliveriesRequest* req, v1::ListDeliveriesResponse* resp) override;
  Reactor* GetDelivery(Ctx* ctx, const v1::GetDeliveryRequest* req, v1::Delivery* resp) override;
  Reactor* SetPreference(Ctx* ctx, const v1::SetPreferenceRequest* req, v1::Preference* resp) override;
  Reactor* ListPreferences(Ctx* ctx, const v1::ListPreferencesRequest* req,
                           v1::ListPreferencesResponse* resp) override;
  Reactor* ListReminders(Ctx* ctx, const v1::ListRemindersRequest* req, v1::ListRemindersResponse* resp) override;

 private:
  Notify& notify_;
  service::GrpcFace face_;
};

}  // namespace osh::notify
