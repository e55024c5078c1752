#include "notify_grpc.h"

#include "osh/service/grpc_front.h"

namespace osh::notify {

NotifyGrpcService::NotifyGrpcService(Notify& notify, const auth::TokenVerifier& verifier)
    : notify_(notify), face_(v1::NotifyService::service_full_name(), verifier) {}

OSH_GRPC_UNARY(NotifyGrpcService, notify_, CreateTemplate, v1::CreateTemplateRequest, v1::Template)
OSH_GRPC_UNARY(NotifyGrpcService, notify_, UpdateTemplate, v1::UpdateTemplateRequest, v1::Template)
OSH_GRPC_UNARY(NotifyGrpcService, notify_, GetTemplate, v1::GetTemplateRequest, v1::Template)
OSH_GRPC_UNARY(NotifyGrpcService, notify_, ListTemplates, v1::ListTemplatesRequest, v1::ListTemplatesResponse)
OSH_GRPC_UNARY(NotifyGrpcService, notify_, PreviewTemplate, v1::PreviewTemplateRequest, v1::PreviewTemplateResponse)
OSH_GRPC_UNARY(NotifyGrpcService, notify_, CreateRule, v1::CreateRuleRequest, v1::Rule)
OSH_GRPC_UNARY(NotifyGrpcService, notify_, GetRule, v1::GetRuleRequest, v1::Rule)
OSH_GRPC_UNARY(NotifyGrpcService, notify_, ListRules, v1::ListRulesRequest, v1::ListRulesResponse)
OSH_GRPC_UNARY(NotifyGrpcService, notify_, SetRuleEnabled, v1::SetRuleEnabledRequest, v1::Rule)
OSH_GRPC_UNARY(NotifyGrpcService, notify_, ListInbox, v1::ListInboxRequest, v1::ListInboxResponse)
OSH_GRPC_UNARY(NotifyGrpcService, notify_, MarkInboxRead, v1::MarkInboxReadRequest, v1::InboxItem)
OSH_GRPC_UNARY(NotifyGrpcService, notify_, ListDeliveries, v1::ListDeliveriesRequest, v1::ListDeliveriesResponse)
OSH_GRPC_UNARY(NotifyGrpcService, notify_, GetDelivery, v1::GetDeliveryRequest, v1::Delivery)
OSH_GRPC_UNARY(NotifyGrpcService, notify_, SetPreference, v1::SetPreferenceRequest, v1::Preference)
OSH_GRPC_UNARY(NotifyGrpcService, notify_, ListPreferences, v1::ListPreferencesRequest, v1::ListPreferencesResponse)
OSH_GRPC_UNARY(NotifyGrpcService, notify_, ListReminders, v1::ListRemindersRequest, v1::ListRemindersResponse)

}  // namespace osh::notify
