#include "supervision_grpc.h"

#include "osh/service/grpc_front.h"

namespace osh::registry {

SupervisionGrpcService::SupervisionGrpcService(Supervision& supervision, const auth::TokenVerifier& verifier,
                                               const ChangeFeed* feed)
    : supervision_(supervision), face_(v1::SupervisionService::service_full_name(), verifier), feed_(feed) {}

OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, RecordInspection, v1::RecordInspectionRequest, v1::Inspection)
OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, GetInspection, v1::GetInspectionRequest, v1::Inspection)
OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, ListInspections, v1::ListInspectionsRequest,
               v1::ListInspectionsResponse)
OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, ListHazardTests, v1::ListHazardTestsRequest,
               v1::ListHazardTestsResponse)
OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, ListHealthExamSummaries, v1::ListHealthExamSummariesRequest,
               v1::ListHealthExamSummariesResponse)
OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, ListRectifications, v1::ListRectificationsRequest,
               v1::ListRectificationsResponse)
OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, ReportRectificationDone, v1::ReportRectificationDoneRequest,
               v1::RectificationItem)
OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, ReviewRectification, v1::ReviewRectificationRequest,
               v1::RectificationItem)
OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, RecordHazardTest, v1::RecordHazardTestRequest, v1::HazardTest)
OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, ListExceedances, v1::ListExceedancesRequest,
               v1::ListExceedancesResponse)
OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, RecordDiseaseCases, v1::RecordDiseaseCasesRequest,
               v1::DiseaseCaseReport)
OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, GetDiseaseCaseReport, v1::GetDiseaseCaseReportRequest,
               v1::DiseaseCaseReport)
OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, ListDiseaseCaseReports, v1::ListDiseaseCaseReportsRequest,
               v1::ListDiseaseCaseReportsResponse)
OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, GetRiskClassification, v1::GetRiskClassificationRequest,
               v1::RiskClassification)
OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, ListRiskClassifications, v1::ListRiskClassificationsRequest,
               v1::ListRiskClassificationsResponse)
OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, RecordHealthExamSummary, v1::RecordHealthExamSummaryRequest,
               v1::HealthExamSummary)
OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, ListNotificationGaps, v1::ListNotificationGapsRequest,
               v1::ListNotificationGapsResponse)
OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, EnrolAssistance, v1::EnrolAssistanceRequest, v1::AssistanceCase)
OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, RecordAssistanceVisit, v1::RecordAssistanceVisitRequest,
               v1::AssistanceCase)
OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, GetAssistanceTotals, v1::GetAssistanceTotalsRequest,
               v1::AssistanceTotals)
OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, RegisterInstitution, v1::RegisterInstitutionRequest,
               v1::ServiceInstitution)
OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, EvaluateInstitution, v1::EvaluateInstitutionRequest,
               v1::ServiceInstitution)
OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, SetInstitutionStatus, v1::SetInstitutionStatusRequest,
               v1::ServiceInstitution)
OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, ListInstitutions, v1::ListInstitutionsRequest,
               v1::ListInstitutionsResponse)
OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, AddExpert, v1::AddExpertRequest, v1::Expert)
OSH_GRPC_UNARY(SupervisionGrpcService, supervision_, ListExperts, v1::ListExpertsRequest, v1::ListExpertsResponse)

namespace {

const grpc::Status kNoFeeds(grpc::StatusCode::UNIMPLEMENTED, "this registry runs without change feeds");

}  // namespace

grpc::ServerUnaryReactor* SupervisionGrpcService::ListInspectionChanges(grpc::CallbackServerContext* ctx,
                                                                        const v1::ListChangesRequest* req,
                                                                        v1::ListInspectionChangesResponse* resp) {
  return face_.Serve(ctx, "ListInspectionChanges", [&](const Caller& c) {
    return feed_ ? feed_->ListInspectionChanges(c, *req, resp) : kNoFeeds;
  });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::ListRectificationChanges(
    grpc::CallbackServerContext* ctx, const v1::ListChangesRequest* req, v1::ListRectificationChangesResponse* resp) {
  return face_.Serve(ctx, "ListRectificationChanges", [&](const Caller& c) {
    return feed_ ? feed_->ListRectificationChanges(c, *req, resp) : kNoFeeds;
  });
}

}  // namespace osh::registry
