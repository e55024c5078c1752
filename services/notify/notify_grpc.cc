#include "notify_grpc.h"

#include "osh/service/grpc_front.h"

namespace osh::notify {

NotifyGrpcService::NotifyGrpcService(Notify& notify, const auth::TokenVerifier& verifier)
    : notify_(notify), verifier_(verifier) {}

grpc::ServerUnaryReactor* NotifyGrpcService::Serve(Ctx* ctx, const std::function<grpc::Status(const Caller&)>& call) {
  return service::ServeAuthenticated(ctx, verifier_, "notify", call);
}

// Why a macro: fifteen methods that differ only in their names and types.
#define OSH_NOTIFY_METHOD(Method, Request, Response)                                                    \
  grpc::ServerUnaryReactor* NotifyGrpcService::Method(Ctx* ctx, const Request* req, Response* resp) {  \
    return Serve(ctx, [&](const Caller& c) { return notify_.Method(c, *req, resp); });                  \
  }

OSH_NOTIFY_METHOD(CreateTemplate, v1::CreateTemplateRequest, v1::Template)
OSH_NOTIFY_METHOD(UpdateTemplate, v1::UpdateTemplateRequest, v1::Template)
OSH_NOTIFY_METHOD(GetTemplate, v1::GetTemplateRequest, v1::Template)
OSH_NOTIFY_METHOD(ListTemplates, v1::ListTemplatesRequest, v1::ListTemplatesResponse)
OSH_NOTIFY_METHOD(PreviewTemplate, v1::PreviewTemplateRequest, v1::PreviewTemplateResponse)
OSH_NOTIFY_METHOD(CreateRule, v1::CreateRuleRequest, v1::Rule)
OSH_NOTIFY_METHOD(GetRule, v1::GetRuleRequest, v1::Rule)
OSH_NOTIFY_METHOD(ListRules, v1::ListRulesRequest, v1::ListRulesResponse)
OSH_NOTIFY_METHOD(SetRuleEnabled, v1::SetRuleEnabledRequest, v1::Rule)
OSH_NOTIFY_METHOD(ListInbox, v1::ListInboxRequest, v1::ListInboxResponse)
OSH_NOTIFY_METHOD(MarkInboxRead, v1::MarkInboxReadRequest, v1::InboxItem)
OSH_NOTIFY_METHOD(ListDeliveries, v1::ListDeliveriesRequest, v1::ListDeliveriesResponse)
OSH_NOTIFY_METHOD(GetDelivery, v1::GetDeliveryRequest, v1::Delivery)
OSH_NOTIFY_METHOD(SetPreference, v1::SetPreferenceRequest, v1::Preference)
OSH_NOTIFY_METHOD(ListPreferences, v1::ListPreferencesRequest, v1::ListPreferencesResponse)
OSH_NOTIFY_METHOD(ListReminders, v1::ListRemindersRequest, v1::ListRemindersResponse)

#undef OSH_NOTIFY_METHOD

}  // namespace osh::notify
