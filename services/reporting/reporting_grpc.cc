#include "reporting_grpc.h"

#include "osh/service/grpc_front.h"

namespace osh::reporting {

ReportingGrpcService::ReportingGrpcService(Reporting& reporting, const auth::TokenVerifier& verifier)
    : reporting_(reporting), verifier_(verifier) {}

grpc::ServerUnaryReactor* ReportingGrpcService::Serve(grpc::CallbackServerContext* ctx,
                                                      const std::function<grpc::Status(const Caller&)>& call) {
  return service::ServeAuthenticated(ctx, verifier_, "reporting", call);
}

grpc::ServerUnaryReactor* ReportingGrpcService::ListMetrics(grpc::CallbackServerContext* ctx,
                                                            const v1::ListMetricsRequest* req,
                                                            v1::ListMetricsResponse* resp) {
  // The metric catalogue is public reference data (osh.api.v1.http_policy allow_anonymous).
  return service::ServeAllowingAnonymous(ctx, verifier_, [&](const Caller& c) {
    return reporting_.ListMetrics(c, *req, resp);
  });
}

grpc::ServerUnaryReactor* ReportingGrpcService::QueryRollup(grpc::CallbackServerContext* ctx,
                                                            const v1::QueryRollupRequest* req,
                                                            v1::QueryRollupResponse* resp) {
  return Serve(ctx, [&](const Caller& c) { return reporting_.QueryRollup(c, *req, resp); });
}

grpc::ServerUnaryReactor* ReportingGrpcService::ExportRollup(grpc::CallbackServerContext* ctx,
                                                             const v1::ExportRollupRequest* req,
                                                             v1::ExportRollupResponse* resp) {
  return Serve(ctx, [&](const Caller& c) { return reporting_.ExportRollup(c, *req, resp); });
}

grpc::ServerUnaryReactor* ReportingGrpcService::GenerateAnnualReport(grpc::CallbackServerContext* ctx,
                                                                     const v1::GenerateAnnualReportRequest* req,
                                                                     v1::AnnualReport* resp) {
  return Serve(ctx, [&](const Caller& c) { return reporting_.GenerateAnnualReport(c, *req, resp); });
}

grpc::ServerUnaryReactor* ReportingGrpcService::GetAnnualReport(grpc::CallbackServerContext* ctx,
                                                                const v1::GetAnnualReportRequest* req,
                                                                v1::AnnualReport* resp) {
  return Serve(ctx, [&](const Caller& c) { return reporting_.GetAnnualReport(c, *req, resp); });
}

grpc::ServerUnaryReactor* ReportingGrpcService::ListAnnualReports(grpc::CallbackServerContext* ctx,
                                                                  const v1::ListAnnualReportsRequest* req,
                                                                  v1::ListAnnualReportsResponse* resp) {
  return Serve(ctx, [&](const Caller& c) { return reporting_.ListAnnualReports(c, *req, resp); });
}

grpc::ServerUnaryReactor* ReportingGrpcService::SubmitAnnualReport(grpc::CallbackServerContext* ctx,
                                                                   const v1::SubmitAnnualReportRequest* req,
                                                                   v1::AnnualReport* resp) {
  return Serve(ctx, [&](const Caller& c) { return reporting_.SubmitAnnualReport(c, *req, resp); });
}

grpc::ServerUnaryReactor* ReportingGrpcService::GetReportingCompleteness(
    grpc::CallbackServerContext* ctx, const v1::GetReportingCompletenessRequest* req,
    v1::ReportingCompleteness* resp) {
  return Serve(ctx, [&](const Caller& c) { return reporting_.GetReportingCompleteness(c, *req, resp); });
}

grpc::ServerUnaryReactor* ReportingGrpcService::CompareReportWithLive(grpc::CallbackServerContext* ctx,
                                                                      const v1::CompareReportWithLiveRequest* req,
                                                                      v1::ReportComparison* resp) {
  return Serve(ctx, [&](const Caller& c) { return reporting_.CompareReportWithLive(c, *req, resp); });
}

grpc::ServerUnaryReactor* ReportingGrpcService::GetIndicators(grpc::CallbackServerContext* ctx,
                                                              const v1::GetIndicatorsRequest* req,
                                                              v1::GetIndicatorsResponse* resp) {
  return Serve(ctx, [&](const Caller& c) { return reporting_.GetIndicators(c, *req, resp); });
}

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

grpc::ServerUnaryReactor* ReportingGrpcService::ApproveAnnualReport(grpc::CallbackServerContext* ctx,
                                                                    const v1::ApproveAnnualReportRequest* req,
                                                                    v1::AnnualReport* resp) {
  return Serve(ctx, [&](const Caller& c) { return reporting_.ApproveAnnualReport(c, *req, resp); });
}

grpc::ServerUnaryReactor* ReportingGrpcService::ReturnAnnualReport(grpc::CallbackServerContext* ctx,
                                                                   const v1::ReturnAnnualReportRequest* req,
                                                                   v1::AnnualReport* resp) {
  return Serve(ctx, [&](const Caller& c) { return reporting_.ReturnAnnualReport(c, *req, resp); });
}

grpc::ServerUnaryReactor* ReportingGrpcService::TraceRollupCell(grpc::CallbackServerContext* ctx,
                                                                const v1::TraceRollupCellRequest* req,
                                                                v1::TraceRollupCellResponse* resp) {
  return Serve(ctx, [&](const Caller& c) { return reporting_.TraceRollupCell(c, *req, resp); });
}

grpc::ServerUnaryReactor* ReportingGrpcService::DownloadRollup(grpc::CallbackServerContext* ctx,
                                                               const v1::ExportRollupRequest* req,
                                                               google::api::HttpBody* resp) {
  return Serve(ctx, [&](const Caller& c) {
    Reporting::Download download;
    return Hand(ctx, reporting_.DownloadRollup(c, *req, &download), download, resp);
  });
}

grpc::ServerUnaryReactor* ReportingGrpcService::DownloadAnnualReport(grpc::CallbackServerContext* ctx,
                                                                     const v1::DownloadAnnualReportRequest* req,
                                                                     google::api::HttpBody* resp) {
  return Serve(ctx, [&](const Caller& c) {
    Reporting::Download download;
    return Hand(ctx, reporting_.DownloadAnnualReport(c, *req, &download), download, resp);
  });
}

}  // namespace osh::reporting
