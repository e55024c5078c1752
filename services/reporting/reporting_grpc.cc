#include "reporting_grpc.h"

#include "osh/service/grpc_front.h"

namespace osh::reporting {

ReportingGrpcService::ReportingGrpcService(Reporting& reporting, const auth::TokenVerifier& verifier)
    : reporting_(reporting), face_(v1::ReportingService::service_full_name(), verifier) {}

OSH_GRPC_UNARY(ReportingGrpcService, reporting_, ListMetrics, v1::ListMetricsRequest, v1::ListMetricsResponse)
OSH_GRPC_UNARY(ReportingGrpcService, reporting_, QueryRollup, v1::QueryRollupRequest, v1::QueryRollupResponse)
OSH_GRPC_UNARY(ReportingGrpcService, reporting_, ExportRollup, v1::ExportRollupRequest, v1::ExportRollupResponse)
OSH_GRPC_UNARY(ReportingGrpcService, reporting_, GenerateAnnualReport, v1::GenerateAnnualReportRequest,
               v1::AnnualReport)
OSH_GRPC_UNARY(ReportingGrpcService, reporting_, GetAnnualReport, v1::GetAnnualReportRequest, v1::AnnualReport)
OSH_GRPC_UNARY(ReportingGrpcService, reporting_, ListAnnualReports, v1::ListAnnualReportsRequest,
               v1::ListAnnualReportsResponse)
OSH_GRPC_UNARY(ReportingGrpcService, reporting_, SubmitAnnualReport, v1::SubmitAnnualReportRequest, v1::AnnualReport)
OSH_GRPC_UNARY(ReportingGrpcService, reporting_, GetReportingCompleteness, v1::GetReportingCompletenessRequest,
               v1::ReportingCompleteness)
OSH_GRPC_UNARY(ReportingGrpcService, reporting_, CompareReportWithLive, v1::CompareReportWithLiveRequest,
               v1::ReportComparison)
OSH_GRPC_UNARY(ReportingGrpcService, reporting_, GetIndicators, v1::GetIndicatorsRequest, v1::GetIndicatorsResponse)

// ---- Data approval, lineage and downloads (issue 16) ----

namespace {

// Hands a Download out: the body as the response, the file name as
// `content-disposition` (names are built from codes, ids and period labels,
// so they need no quoting beyond the quotes).
grpc::Status Hand(grpc::CallbackServerContext* ctx, grpc::Status status, Reporting::Download& download,
                  google::api::HttpBody* resp) {
  if (!status.ok()) return status;
  ctx->AddInitialMetadata("content-disposition", "attachment; filename=\"" + download.filename + "\"");
  *resp = std::move(download.body);
  return status;
}

}  // namespace

OSH_GRPC_UNARY(ReportingGrpcService, reporting_, ApproveAnnualReport, v1::ApproveAnnualReportRequest, v1::AnnualReport)
OSH_GRPC_UNARY(ReportingGrpcService, reporting_, ReturnAnnualReport, v1::ReturnAnnualReportRequest, v1::AnnualReport)
OSH_GRPC_UNARY(ReportingGrpcService, reporting_, TraceRollupCell, v1::TraceRollupCellRequest,
               v1::TraceRollupCellResponse)

grpc::ServerUnaryReactor* ReportingGrpcService::DownloadRollup(grpc::CallbackServerContext* ctx,
                                                               const v1::ExportRollupRequest* req,
                                                               google::api::HttpBody* resp) {
  return face_.Serve(ctx, "DownloadRollup", [&](const Caller& c) {
    Reporting::Download download;
    return Hand(ctx, reporting_.DownloadRollup(c, *req, &download), download, resp);
  });
}

grpc::ServerUnaryReactor* ReportingGrpcService::DownloadAnnualReport(grpc::CallbackServerContext* ctx,
                                                                     const v1::DownloadAnnualReportRequest* req,
                                                                     google::api::HttpBody* resp) {
  return face_.Serve(ctx, "DownloadAnnualReport", [&](const Caller& c) {
    Reporting::Download download;
    return Hand(ctx, reporting_.DownloadAnnualReport(c, *req, &download), download, resp);
  });
}

}  // namespace osh::reporting
