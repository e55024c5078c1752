#include "supervision_grpc.h"

#include "osh/service/grpc_front.h"

namespace osh::registry {

SupervisionGrpcService::SupervisionGrpcService(Supervision& supervision, const auth::TokenVerifier& verifier,
                                               const ChangeFeed* feed)
    : supervision_(supervision), verifier_(verifier), feed_(feed) {}

grpc::ServerUnaryReactor* SupervisionGrpcService::RecordInspection(grpc::CallbackServerContext* ctx,
    const v1::RecordInspectionRequest* req, v1::Inspection* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision",
                                     [&](const Caller& c) { return supervision_.RecordInspection(c, *req, resp); });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::GetInspection(grpc::CallbackServerContext* ctx,
    const v1::GetInspectionRequest* req, v1::Inspection* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision",
                                     [&](const Caller& c) { return supervision_.GetInspection(c, *req, resp); });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::ListInspections(grpc::CallbackServerContext* ctx,
    const v1::ListInspectionsRequest* req, v1::ListInspectionsResponse* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision",
                                     [&](const Caller& c) { return supervision_.ListInspections(c, *req, resp); });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::ListHazardTests(grpc::CallbackServerContext* ctx,
    const v1::ListHazardTestsRequest* req, v1::ListHazardTestsResponse* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision",
                                     [&](const Caller& c) { return supervision_.ListHazardTests(c, *req, resp); });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::ListHealthExamSummaries(grpc::CallbackServerContext* ctx,
    const v1::ListHealthExamSummariesRequest* req, v1::ListHealthExamSummariesResponse* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision", [&](const Caller& c) {
    return supervision_.ListHealthExamSummaries(c, *req, resp);
  });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::ListRectifications(grpc::CallbackServerContext* ctx,
    const v1::ListRectificationsRequest* req, v1::ListRectificationsResponse* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision",
                                     [&](const Caller& c) { return supervision_.ListRectifications(c, *req, resp); });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::ReportRectificationDone(grpc::CallbackServerContext* ctx,
    const v1::ReportRectificationDoneRequest* req, v1::RectificationItem* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision",
                                     [&](const Caller& c) { return supervision_.ReportRectificationDone(c, *req, resp); });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::ReviewRectification(grpc::CallbackServerContext* ctx,
    const v1::ReviewRectificationRequest* req, v1::RectificationItem* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision",
                                     [&](const Caller& c) { return supervision_.ReviewRectification(c, *req, resp); });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::RecordHazardTest(grpc::CallbackServerContext* ctx,
    const v1::RecordHazardTestRequest* req, v1::HazardTest* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision",
                                     [&](const Caller& c) { return supervision_.RecordHazardTest(c, *req, resp); });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::ListExceedances(grpc::CallbackServerContext* ctx,
    const v1::ListExceedancesRequest* req, v1::ListExceedancesResponse* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision",
                                     [&](const Caller& c) { return supervision_.ListExceedances(c, *req, resp); });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::RecordDiseaseCases(grpc::CallbackServerContext* ctx,
    const v1::RecordDiseaseCasesRequest* req, v1::DiseaseCaseReport* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision",
                                     [&](const Caller& c) { return supervision_.RecordDiseaseCases(c, *req, resp); });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::GetDiseaseCaseReport(grpc::CallbackServerContext* ctx,
    const v1::GetDiseaseCaseReportRequest* req, v1::DiseaseCaseReport* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision",
                                     [&](const Caller& c) { return supervision_.GetDiseaseCaseReport(c, *req, resp); });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::ListDiseaseCaseReports(grpc::CallbackServerContext* ctx,
    const v1::ListDiseaseCaseReportsRequest* req, v1::ListDiseaseCaseReportsResponse* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision",
                                     [&](const Caller& c) { return supervision_.ListDiseaseCaseReports(c, *req, resp); });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::GetRiskClassification(grpc::CallbackServerContext* ctx,
    const v1::GetRiskClassificationRequest* req, v1::RiskClassification* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision",
                                     [&](const Caller& c) { return supervision_.GetRiskClassification(c, *req, resp); });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::ListRiskClassifications(grpc::CallbackServerContext* ctx,
    const v1::ListRiskClassificationsRequest* req, v1::ListRiskClassificationsResponse* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision",
                                     [&](const Caller& c) { return supervision_.ListRiskClassifications(c, *req, resp); });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::RecordHealthExamSummary(grpc::CallbackServerContext* ctx,
    const v1::RecordHealthExamSummaryRequest* req, v1::HealthExamSummary* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision",
                                     [&](const Caller& c) { return supervision_.RecordHealthExamSummary(c, *req, resp); });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::ListNotificationGaps(grpc::CallbackServerContext* ctx,
    const v1::ListNotificationGapsRequest* req, v1::ListNotificationGapsResponse* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision",
                                     [&](const Caller& c) { return supervision_.ListNotificationGaps(c, *req, resp); });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::EnrolAssistance(grpc::CallbackServerContext* ctx,
    const v1::EnrolAssistanceRequest* req, v1::AssistanceCase* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision",
                                     [&](const Caller& c) { return supervision_.EnrolAssistance(c, *req, resp); });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::RecordAssistanceVisit(grpc::CallbackServerContext* ctx,
    const v1::RecordAssistanceVisitRequest* req, v1::AssistanceCase* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision",
                                     [&](const Caller& c) { return supervision_.RecordAssistanceVisit(c, *req, resp); });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::GetAssistanceTotals(grpc::CallbackServerContext* ctx,
    const v1::GetAssistanceTotalsRequest* req, v1::AssistanceTotals* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision",
                                     [&](const Caller& c) { return supervision_.GetAssistanceTotals(c, *req, resp); });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::RegisterInstitution(grpc::CallbackServerContext* ctx,
    const v1::RegisterInstitutionRequest* req, v1::ServiceInstitution* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision",
                                     [&](const Caller& c) { return supervision_.RegisterInstitution(c, *req, resp); });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::EvaluateInstitution(grpc::CallbackServerContext* ctx,
    const v1::EvaluateInstitutionRequest* req, v1::ServiceInstitution* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision",
                                     [&](const Caller& c) { return supervision_.EvaluateInstitution(c, *req, resp); });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::SetInstitutionStatus(grpc::CallbackServerContext* ctx,
    const v1::SetInstitutionStatusRequest* req, v1::ServiceInstitution* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision",
                                     [&](const Caller& c) { return supervision_.SetInstitutionStatus(c, *req, resp); });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::ListInstitutions(grpc::CallbackServerContext* ctx,
    const v1::ListInstitutionsRequest* req, v1::ListInstitutionsResponse* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision",
                                     [&](const Caller& c) { return supervision_.ListInstitutions(c, *req, resp); });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::AddExpert(grpc::CallbackServerContext* ctx,
    const v1::AddExpertRequest* req, v1::Expert* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision",
                                     [&](const Caller& c) { return supervision_.AddExpert(c, *req, resp); });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::ListExperts(grpc::CallbackServerContext* ctx,
    const v1::ListExpertsRequest* req, v1::ListExpertsResponse* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision",
                                     [&](const Caller& c) { return supervision_.ListExperts(c, *req, resp); });
}

namespace {

const grpc::Status kNoFeeds(grpc::StatusCode::UNIMPLEMENTED, "this registry runs without change feeds");

}  // namespace

grpc::ServerUnaryReactor* SupervisionGrpcService::ListInspectionChanges(grpc::CallbackServerContext* ctx,
                                                                        const v1::ListChangesRequest* req,
                                                                        v1::ListInspectionChangesResponse* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision", [&](const Caller& c) {
    return feed_ ? feed_->ListInspectionChanges(c, *req, resp) : kNoFeeds;
  });
}

grpc::ServerUnaryReactor* SupervisionGrpcService::ListRectificationChanges(
    grpc::CallbackServerContext* ctx, const v1::ListChangesRequest* req, v1::ListRectificationChangesResponse* resp) {
  return service::ServeAuthenticated(ctx, verifier_, "supervision", [&](const Caller& c) {
    return feed_ ? feed_->ListRectificationChanges(c, *req, resp) : kNoFeeds;
  });
}

}  // namespace osh::registry
