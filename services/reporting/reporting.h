#pragma once

#include <grpcpp/support/status.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>

#include "google/api/httpbody.pb.h"
#include "osh/reporting/v1/reporting.pb.h"
#include "osh/service/call.h"
#include "osh/store/database.h"
#include "periods.h"

namespace osh::reporting {

namespace v1 = ::osh::reporting::v1;

// Who is calling: the verified principal (never null here: the gRPC face
// refuses anonymous calls) and the request id.
using service::Caller;

// Reporting's business rules, free of gRPC plumbing: rollup queries and
// exports over the cells the RollupProjector keeps current, and provincial
// annual reports. Each call validates, authorises with auth::Authorize, and
// reads or writes in one store transaction; writes are audited and idempotent
// on their request_id.
class Reporting {
 public:
  struct Options {
    ReportingCalendar calendar;
    int default_page_size = 100;
    int max_page_size = 1000;
    // Rows one query may aggregate to, and rows one export may hold.
    size_t max_rollup_groups = 200'000;
    size_t max_export_rows = 100'000;
    // Targets of indicators, from configuration; indicators without one have none.
    std::map<v1::Indicator, double> indicator_targets;
    std::function<std::chrono::system_clock::time_point()> clock = [] { return std::chrono::system_clock::now(); };
    // Validation: a figure that moves more than this share from the year
    // before (|this − before| ÷ before) is an outlier finding.
    double outlier_share = 0.5;
    // Called after a write that put events in the outbox (wakes the relay).
    std::function<void()> after_commit;
  };

  Reporting(store::Database& db, Options options);

  grpc::Status ListMetrics(const Caller& caller, const v1::ListMetricsRequest& request,
                           v1::ListMetricsResponse* response);
  grpc::Status QueryRollup(const Caller& caller, const v1::QueryRollupRequest& request,
                           v1::QueryRollupResponse* response);
  grpc::Status ExportRollup(const Caller& caller, const v1::ExportRollupRequest& request,
                            v1::ExportRollupResponse* response);

  grpc::Status GenerateAnnualReport(const Caller& caller, const v1::GenerateAnnualReportRequest& request,
                                    v1::AnnualReport* response);
  grpc::Status GetAnnualReport(const Caller& caller, const v1::GetAnnualReportRequest& request,
                               v1::AnnualReport* response);
  grpc::Status ListAnnualReports(const Caller& caller, const v1::ListAnnualReportsRequest& request,
                                 v1::ListAnnualReportsResponse* response);
  grpc::Status SubmitAnnualReport(const Caller& caller, const v1::SubmitAnnualReportRequest& request,
                                  v1::AnnualReport* response);
  grpc::Status GetReportingCompleteness(const Caller& caller, const v1::GetReportingCompletenessRequest& request,
                                        v1::ReportingCompleteness* response);
  grpc::Status CompareReportWithLive(const Caller& caller, const v1::CompareReportWithLiveRequest& request,
                                     v1::ReportComparison* response);

  // The seven indicators and new disease cases with year-on-year change
  // (indicators.cc).
  grpc::Status GetIndicators(const Caller& caller, const v1::GetIndicatorsRequest& request,
                             v1::GetIndicatorsResponse* response);
  // ---- Data approval (approval.cc), lineage (lineage.cc) and downloads
  // (downloads.cc), issue 16 ----
  grpc::Status ApproveAnnualReport(const Caller& caller, const v1::ApproveAnnualReportRequest& request,
                                   v1::AnnualReport* response);
  grpc::Status ReturnAnnualReport(const Caller& caller, const v1::ReturnAnnualReportRequest& request,
                                  v1::AnnualReport* response);
  grpc::Status TraceRollupCell(const Caller& caller, const v1::TraceRollupCellRequest& request,
                               v1::TraceRollupCellResponse* response);
  // A file to hand out: its bytes and content type, and the name the HTTP
  // face puts in Content-Disposition.
  struct Download {
    google::api::HttpBody body;
    std::string filename;
  };
  grpc::Status DownloadRollup(const Caller& caller, const v1::ExportRollupRequest& request, Download* response);
  grpc::Status DownloadAnnualReport(const Caller& caller, const v1::DownloadAnnualReportRequest& request,
                                    Download* response);

 private:
  store::Database& db_;
  Options options_;
};

// Parses "declaration_rate=0.9,health_exam_rate=0.95" (indicator names are the
// enum names without INDICATOR_, lower case). Nullopt with *error on bad input.
std::optional<std::map<v1::Indicator, double>> ParseIndicatorTargets(const std::string& text, std::string* error);

}  // namespace osh::reporting
