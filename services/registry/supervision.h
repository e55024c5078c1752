#pragma once

#include <grpcpp/support/status.h>

#include <chrono>
#include <functional>
#include <string>

#include "osh/registry/v1/supervision.pb.h"
#include "osh/service/call.h"
#include "osh/store/database.h"
#include "disease_cases.h"
#include "record_access.h"
#include "registry_events.h"
#include "risk_classifier.h"
#include "supervision_events.h"

namespace osh::registry {

using service::Caller;

// The employer `id` names, once the caller may `action` its records
// (RecordAccess): refused alike whether it exists or not. For the
// supervision rooms (supervision.cc, supervision_records.cc).
v1::Employer AllowedEmployer(store::Tx& tx, const RecordAccess& access, const Caller& caller, auth::Action action,
                             const std::string& id);

// Supervision business rules (inspections, rectification, hazard tests, risk
// classification) over the registry's store. Like Registry: each call
// validates, authorises, and reads or writes in one transaction; writes are
// audited and idempotent on their request_id.
class Supervision {
 public:
  struct Options {
    std::string province;
    int default_page_size = 50;
    int max_page_size = 500;
    RiskPolicy risk;
    std::function<std::chrono::system_clock::time_point()> clock = [] { return std::chrono::system_clock::now(); };
    // Called after a write that put events in the outbox: wakes the relay.
    std::function<void()> after_commit;
  };

  Supervision(store::Database& db, Options options);

  grpc::Status RecordInspection(const Caller& caller, const v1::RecordInspectionRequest& request,
                                v1::Inspection* response);
  grpc::Status GetInspection(const Caller& caller, const v1::GetInspectionRequest& request, v1::Inspection* response);
  // An employer's inspections, hazard tests and health-exam summaries, the
  // latest recorded first, for whoever may read the employer
  // (supervision_records.cc).
  grpc::Status ListInspections(const Caller& caller, const v1::ListInspectionsRequest& request,
                               v1::ListInspectionsResponse* response);
  grpc::Status ListHazardTests(const Caller& caller, const v1::ListHazardTestsRequest& request,
                               v1::ListHazardTestsResponse* response);
  grpc::Status ListHealthExamSummaries(const Caller& caller, const v1::ListHealthExamSummariesRequest& request,
                                       v1::ListHealthExamSummariesResponse* response);
  grpc::Status ListRectifications(const Caller& caller, const v1::ListRectificationsRequest& request,
                                  v1::ListRectificationsResponse* response);
  grpc::Status ReportRectificationDone(const Caller& caller, const v1::ReportRectificationDoneRequest& request,
                                       v1::RectificationItem* response);
  grpc::Status ReviewRectification(const Caller& caller, const v1::ReviewRectificationRequest& request,
                                   v1::RectificationItem* response);
  grpc::Status RecordHazardTest(const Caller& caller, const v1::RecordHazardTestRequest& request,
                                v1::HazardTest* response);
  grpc::Status ListExceedances(const Caller& caller, const v1::ListExceedancesRequest& request,
                               v1::ListExceedancesResponse* response);
  grpc::Status RecordHealthExamSummary(const Caller& caller, const v1::RecordHealthExamSummaryRequest& request,
                                       v1::HealthExamSummary* response);
  grpc::Status ListNotificationGaps(const Caller& caller, const v1::ListNotificationGapsRequest& request,
                                    v1::ListNotificationGapsResponse* response);
  grpc::Status EnrolAssistance(const Caller& caller, const v1::EnrolAssistanceRequest& request,
                               v1::AssistanceCase* response);
  grpc::Status RecordAssistanceVisit(const Caller& caller, const v1::RecordAssistanceVisitRequest& request,
                                     v1::AssistanceCase* response);
  grpc::Status GetAssistanceTotals(const Caller& caller, const v1::GetAssistanceTotalsRequest& request,
                                   v1::AssistanceTotals* response);
  grpc::Status RegisterInstitution(const Caller& caller, const v1::RegisterInstitutionRequest& request, v1::ServiceInstitution* response);
  grpc::Status EvaluateInstitution(const Caller& caller, const v1::EvaluateInstitutionRequest& request, v1::ServiceInstitution* response);
  grpc::Status SetInstitutionStatus(const Caller& caller, const v1::SetInstitutionStatusRequest& request, v1::ServiceInstitution* response);
  grpc::Status ListInstitutions(const Caller& caller, const v1::ListInstitutionsRequest& request, v1::ListInstitutionsResponse* response);
  grpc::Status AddExpert(const Caller& caller, const v1::AddExpertRequest& request, v1::Expert* response);
  grpc::Status ListExperts(const Caller& caller, const v1::ListExpertsRequest& request, v1::ListExpertsResponse* response);
  grpc::Status GetRiskClassification(const Caller& caller, const v1::GetRiskClassificationRequest& request,
                                     v1::RiskClassification* response);
  grpc::Status ListRiskClassifications(const Caller& caller, const v1::ListRiskClassificationsRequest& request,
                                       v1::ListRiskClassificationsResponse* response);

  // Occupational-disease case reports (DiseaseCases).
  grpc::Status RecordDiseaseCases(const Caller& caller, const v1::RecordDiseaseCasesRequest& request,
                                  v1::DiseaseCaseReport* response) {
    return disease_cases_.Record(caller, request, response);
  }
  grpc::Status GetDiseaseCaseReport(const Caller& caller, const v1::GetDiseaseCaseReportRequest& request,
                                    v1::DiseaseCaseReport* response) {
    return disease_cases_.Get(caller, request, response);
  }
  grpc::Status ListDiseaseCaseReports(const Caller& caller, const v1::ListDiseaseCaseReportsRequest& request,
                                      v1::ListDiseaseCaseReportsResponse* response) {
    return disease_cases_.List(caller, request, response);
  }

  // Today's date in China Standard Time ("YYYY-MM-DD"): deadlines are dates there.
  std::string Today() const;

 private:
  store::Database& db_;
  Options options_;
  // Lookups authorise before they tell whether a record exists.
  RecordAccess access_;
  RegistryEvents events_;
  SupervisionEvents facts_;
  DiseaseCases disease_cases_;
};

}  // namespace osh::registry
