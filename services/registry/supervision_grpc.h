#pragma once

#include "osh/auth/jwt.h"
#include "osh/registry/v1/supervision.grpc.pb.h"
#include "osh/service/grpc_front.h"
#include "change_feed.h"
#include "supervision.h"

namespace osh::registry {

// The gRPC face of Supervision on the callback API: verifies the bearer token
// of each call, refuses anonymous callers, answers with Supervision's status.
class SupervisionGrpcService final : public v1::SupervisionService::CallbackService {
 public:
  // `feed` serves the inspection and rectification change feeds; without one
  // they answer UNIMPLEMENTED.
  SupervisionGrpcService(Supervision& supervision, const auth::TokenVerifier& verifier,
                         const ChangeFeed* feed = nullptr);

  grpc::ServerUnaryReactor* RecordInspection(grpc::CallbackServerContext* ctx, const v1::RecordInspectionRequest* req,
      v1::Inspection* resp) override;
  grpc::ServerUnaryReactor* GetInspection(grpc::CallbackServerContext* ctx, const v1::GetInspectionRequest* req,
      v1::Inspection* resp) override;
  grpc::ServerUnaryReactor* ListInspections(grpc::CallbackServerContext* ctx, const v1::ListInspectionsRequest* req,
      v1::ListInspectionsResponse* resp) override;
  grpc::ServerUnaryReactor* ListHazardTests(grpc::CallbackServerContext* ctx, const v1::ListHazardTestsRequest* req,
      v1::ListHazardTestsResponse* resp) override;
  grpc::ServerUnaryReactor* ListHealthExamSummaries(grpc::CallbackServerContext* ctx,
      const v1::ListHealthExamSummariesRequest* req, v1::ListHealthExamSummariesResponse* resp) override;
  grpc::ServerUnaryReactor* ListRectifications(grpc::CallbackServerContext* ctx, const v1::ListRectificationsRequest* req,
      v1::ListRectificationsResponse* resp) override;
  grpc::ServerUnaryReactor* ReportRectificationDone(grpc::CallbackServerContext* ctx, const v1::ReportRectificationDoneRequest* req,
      v1::RectificationItem* resp) override;
  grpc::ServerUnaryReactor* ReviewRectification(grpc::CallbackServerContext* ctx, const v1::ReviewRectificationRequest* req,
      v1::RectificationItem* resp) override;
  grpc::ServerUnaryReactor* RecordHazardTest(grpc::CallbackServerContext* ctx, const v1::RecordHazardTestRequest* req,
      v1::HazardTest* resp) override;
  grpc::ServerUnaryReactor* ListExceedances(grpc::CallbackServerContext* ctx, const v1::ListExceedancesRequest* req,
      v1::ListExceedancesResponse* resp) override;
  grpc::ServerUnaryReactor* RecordHealthExamSummary(grpc::CallbackServerContext* ctx,
      const v1::RecordHealthExamSummaryRequest* req, v1::HealthExamSummary* resp) override;
  grpc::ServerUnaryReactor* ListNotificationGaps(grpc::CallbackServerContext* ctx,
      const v1::ListNotificationGapsRequest* req, v1::ListNotificationGapsResponse* resp) override;
  grpc::ServerUnaryReactor* EnrolAssistance(grpc::CallbackServerContext* ctx,
      const v1::EnrolAssistanceRequest* req, v1::AssistanceCase* resp) override;
  grpc::ServerUnaryReactor* RecordAssistanceVisit(grpc::CallbackServerContext* ctx,
      const v1::RecordAssistanceVisitRequest* req, v1::AssistanceCase* resp) override;
  grpc::ServerUnaryReactor* GetAssistanceTotals(grpc::CallbackServerContext* ctx,
      const v1::GetAssistanceTotalsRequest* req, v1::AssistanceTotals* resp) override;
  grpc::ServerUnaryReactor* RegisterInstitution(grpc::CallbackServerContext* ctx,
      const v1::RegisterInstitutionRequest* req, v1::ServiceInstitution* resp) override;
  grpc::ServerUnaryReactor* EvaluateInstitution(grpc::CallbackServerContext* ctx,
      const v1::EvaluateInstitutionRequest* req, v1::ServiceInstitution* resp) override;
  grpc::ServerUnaryReactor* SetInstitutionStatus(grpc::CallbackServerContext* ctx,
      const v1::SetInstitutionStatusRequest* req, v1::ServiceInstitution* resp) override;
  grpc::ServerUnaryReactor* ListInstitutions(grpc::CallbackServerContext* ctx,
      const v1::ListInstitutionsRequest* req, v1::ListInstitutionsResponse* resp) override;
  grpc::ServerUnaryReactor* AddExpert(grpc::CallbackServerContext* ctx,
      const v1::AddExpertRequest* req, v1::Expert* resp) override;
  grpc::ServerUnaryReactor* ListExperts(grpc::CallbackServerContext* ctx,
      const v1::ListExpertsRequest* req, v1::ListExpertsResponse* resp) override;
  grpc::ServerUnaryReactor* RecordDiseaseCases(grpc::CallbackServerContext* ctx,
      const v1::RecordDiseaseCasesRequest* req, v1::DiseaseCaseReport* resp) override;
  grpc::ServerUnaryReactor* GetDiseaseCaseReport(grpc::CallbackServerContext* ctx,
      const v1::GetDiseaseCaseReportRequest* req, v1::DiseaseCaseReport* resp) override;
  grpc::ServerUnaryReactor* ListDiseaseCaseReports(grpc::CallbackServerContext* ctx,
      const v1::ListDiseaseCaseReportsRequest* req, v1::ListDiseaseCaseReportsResponse* resp) override;
  grpc::ServerUnaryReactor* GetRiskClassification(grpc::CallbackServerContext* ctx, const v1::GetRiskClassificationRequest* req,
      v1::RiskClassification* resp) override;
  grpc::ServerUnaryReactor* ListRiskClassifications(grpc::CallbackServerContext* ctx, const v1::ListRiskClassificationsRequest* req,
      v1::ListRiskClassificationsResponse* resp) override;

  grpc::ServerUnaryReactor* ListInspectionChanges(grpc::CallbackServerContext* ctx, const v1::ListChangesRequest* req,
      v1::ListInspectionChangesResponse* resp) override;
  grpc::ServerUnaryReactor* ListRectificationChanges(grpc::CallbackServerContext* ctx,
      const v1::ListChangesRequest* req, v1::ListRectificationChangesResponse* resp) override;

 private:
  Supervision& supervision_;
  service::GrpcFace face_;
  const ChangeFeed* feed_;
};

}  // namespace osh::registry
