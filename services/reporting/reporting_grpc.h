#pragma once

#include <functional>

#include "osh/auth/jwt.h"
#include "osh/reporting/v1/reporting.grpc.pb.h"
#include "osh/service/grpc_front.h"
#include "reporting.h"

namespace osh::reporting {

// The thin gRPC face of Reporting on the callback API: it verifies the bearer
// token of each call (the gateway checked it too, but the gRPC port does not
// trust blindly), refuses anonymous callers except for the public metric
// catalogue (reporting.proto's allow_anonymous), and answers with Reporting's status.
class ReportingGrpcService final : public v1::ReportingService::CallbackService {
 public:
  ReportingGrpcService(Reporting& reporting, const auth::TokenVerifier& verifier);

  grpc::ServerUnaryReactor* ListMetrics(grpc::CallbackServerContext* ctx, const v1::ListMetricsRequest* req,
                                        v1::ListMetricsResponse* resp) override;
  grpc::ServerUnaryReactor* QueryRollup(grpc::CallbackServerContext* ctx, const v1::QueryRollupRequest* req,
                                        v1::QueryRollupResponse* resp) override;
  grpc::ServerUnaryReactor* ExportRollup(grpc::CallbackServerContext* ctx, const v1::ExportRollupRequest* req,
                                         v1::ExportRollupResponse* resp) override;
  grpc::ServerUnaryReactor* GenerateAnnualReport(grpc::CallbackServerContext* ctx,
                                                 const v1::GenerateAnnualReportRequest* req,
                                                 v1::AnnualReport* resp) override;
  grpc::ServerUnaryReactor* GetAnnualReport(grpc::CallbackServerContext* ctx, const v1::GetAnnualReportRequest* req,
                                            v1::AnnualReport* resp) override;
  grpc::ServerUnaryReactor* ListAnnualReports(grpc::CallbackServerContext* ctx,
                                              const v1::ListAnnualReportsRequest* req,
                                              v1::ListAnnualReportsResponse* resp) override;
  grpc::ServerUnaryReactor* SubmitAnnualReport(grpc::CallbackServerContext* ctx,
                                               const v1::SubmitAnnualReportRequest* req,
                                               v1::AnnualReport* resp) override;
  grpc::ServerUnaryReactor* GetReportingCompleteness(grpc::CallbackServerContext* ctx,
                                                     const v1::GetReportingCompletenessRequest* req,
                                                     v1::ReportingCompleteness* resp) override;
  grpc::ServerUnaryReactor* CompareReportWithLive(grpc::CallbackServerContext* ctx,
                                                  const v1::CompareReportWithLiveRequest* req,
                                                  v1::ReportComparison* resp) override;
  grpc::ServerUnaryReactor* GetIndicators(grpc::CallbackServerContext* ctx, const v1::GetIndicatorsRequest* req,
                                          v1::GetIndicatorsResponse* resp) override;

  // ---- Data approval, lineage and downloads (issue 16) ----
  grpc::ServerUnaryReactor* ApproveAnnualReport(grpc::CallbackServerContext* ctx,
                                                const v1::ApproveAnnualReportRequest* req,
                                                v1::AnnualReport* resp) override;
  grpc::ServerUnaryReactor* ReturnAnnualReport(grpc::CallbackServerContext* ctx,
                                               const v1::ReturnAnnualReportRequest* req,
                                               v1::AnnualReport* resp) override;
  grpc::ServerUnaryReactor* TraceRollupCell(grpc::CallbackServerContext* ctx, const v1::TraceRollupCellRequest* req,
                                            v1::TraceRollupCellResponse* resp) override;
  // The file's name travels as the initial metadata `content-disposition`,
  // which the gateway copies onto the HTTP response.
  grpc::ServerUnaryReactor* DownloadRollup(grpc::CallbackServerContext* ctx, const v1::ExportRollupRequest* req,
                                           google::api::HttpBody* resp) override;
  grpc::ServerUnaryReactor* DownloadAnnualReport(grpc::CallbackServerContext* ctx,
                                                 const v1::DownloadAnnualReportRequest* req,
                                                 google::api::HttpBody* resp) override;

 private:
  Reporting& reporting_;
  service::GrpcFace face_;
};

}  // namespace osh::reporting
