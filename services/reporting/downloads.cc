// Downloads as real files: the rollup export and the annual report as the
// bytes of a file (google.api.HttpBody), which the gateway answers as the HTTP
// body with their content type and a Content-Disposition naming the file.
#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>

#include "osh/auth/authorize.h"
#include "osh/core/errors.h"
#include "osh/domain/text.h"
#include "osh/service/checks.h"
#include "osh/tabular/csv_writer.h"
#include "report_access.h"
#include "reporting.h"
#include "rollup_metrics.h"
#include "rollup_query.h"
#include "rollup_store.h"

namespace osh::reporting {
namespace {

using service::Refusal;
using service::Refuse;

constexpr char kCsv[] = "text/csv; charset=utf-8";
constexpr char kHtml[] = "text/html; charset=utf-8";

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string MetricName(v1::Metric metric) {
  const auto* spec = FindMetric(metric);
  return spec == nullptr ? v1::Metric_Name(metric) : std::string(spec->name);
}

std::string MetricDescription(v1::Metric metric) {
  const auto* spec = FindMetric(metric);
  return spec == nullptr ? "" : std::string(spec->description);
}

std::string IndicatorName(v1::Indicator indicator) {
  std::string name = v1::Indicator_Name(indicator);
  if (name.starts_with("INDICATOR_")) name = name.substr(10);
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

std::string TimeText(const google::protobuf::Timestamp& t) {
  return t.seconds() == 0 ? "" : google::protobuf::util::TimeUtil::ToString(t);
}

std::string ValueText(const v1::IndicatorValue& v) {
  return v.has_value() ? fmt::format("{:.4f}", v.value()) : "";
}

// One row per figure: the province's metrics, its indicators, then each
// city's metrics; a spreadsheet filters by `kind` and `region_code`.
std::string ReportCsv(const v1::AnnualReport& r) {
  std::string out = "kind,region_code,region_name,item,value,numerator,denominator,target\r\n";
  const auto line = [&out](std::initializer_list<std::string> cells) {
    bool first = true;
    for (const auto& c : cells) {
      if (!first) out += ',';
      first = false;
      tabular::AppendCsvField(out, c);
    }
    out += "\r\n";
  };
  for (const auto& v : r.totals()) {
    line({"metric", r.province(), r.province_name(), MetricName(v.metric()), std::to_string(v.value()), "", "", ""});
  }
  for (const auto& v : r.indicators()) {
    line({"indicator", r.province(), r.province_name(), IndicatorName(v.indicator()), ValueText(v),
          std::to_string(v.numerator()), std::to_string(v.denominator()),
          v.has_target() ? fmt::format("{:.4f}", v.target()) : ""});
  }
  for (const auto& city : r.cities()) {
    for (const auto& v : city.values()) {
      line({"metric", city.region_code(), city.region_name(), MetricName(v.metric()), std::to_string(v.value()), "",
            "", ""});
    }
  }
  return out;
}

// A printable written report: self-contained HTML (inline style, no scripts,
// every text escaped) that a browser prints as the report due by 15 December.
std::string ReportHtml(const v1::AnnualReport& r) {
  std::string h;
  const auto title = fmt::format("{} {} — occupational health annual report", r.province_name(), r.year());
  h += "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>" + HtmlEscape(title) +
       "</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}"
       "td,th{border:1px solid #999;padding:.25em .6em}td.n{text-align:right}@media print{a{display:none}}</style>"
       "</head><body>\n";
  h += "<h1>" + HtmlEscape(title) + "</h1>\n<p>";
  h += fmt::format("Report {} · province {} · status {} · figures frozen {}", HtmlEscape(r.id()), HtmlEscape(r.province()),
                   HtmlEscape(v1::ReportStatus_Name(r.status())), HtmlEscape(TimeText(r.snapshot_time())));
  if (r.has_submission()) {
    h += fmt::format("<br>Submitted {} ({})", HtmlEscape(TimeText(r.submission().submit_time())),
                     r.submission().late() ? "late" : "on time");
    if (!r.submission().amendment_reason().empty()) {
      h += "<br>Amendment: " + HtmlEscape(r.submission().amendment_reason());
    }
  }
  if (r.has_review()) {
    h += fmt::format("<br>Review: {} {}", HtmlEscape(v1::ReportStatus_Name(r.review().decision())),
                     HtmlEscape(TimeText(r.review().review_time())));
    if (!r.review().reason().empty()) h += " — " + HtmlEscape(r.review().reason());
  }
  h += "</p>\n<h2>Indicators</h2>\n<table><tr><th>Indicator</th><th>Value</th><th>Numerator</th><th>Denominator</th>"
       "<th>Target</th><th>Meets target</th></tr>\n";
  for (const auto& v : r.indicators()) {
    h += fmt::format("<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td>"
                     "<td>{}</td></tr>\n",
                     HtmlEscape(IndicatorName(v.indicator())),
                     v.has_value() ? fmt::format("{:.1f} %", v.value() * 100) : "—", v.numerator(), v.denominator(),
                     v.has_target() ? fmt::format("{:.1f} %", v.target() * 100) : "—", v.meets_target() ? "yes" : "no");
  }
  h += "</table>\n<h2>Figures</h2>\n<table><tr><th>Metric</th><th>Value</th><th>Meaning</th></tr>\n";
  for (const auto& v : r.totals()) {
    h += fmt::format("<tr><td>{}</td><td class=n>{}</td><td>{}</td></tr>\n", HtmlEscape(MetricName(v.metric())),
                     v.value(), HtmlEscape(MetricDescription(v.metric())));
  }
  h += "</table>\n<h2>Cities</h2>\n<table><tr><th>City</th>";
  for (const auto& v : r.totals()) h += "<th>" + HtmlEscape(MetricName(v.metric())) + "</th>";
  h += "</tr>\n";
  for (const auto& city : r.cities()) {
    h += "<tr><td>" + HtmlEscape(city.region_code()) + "</td>";
    for (const auto& v : city.values()) h += fmt::format("<td class=n>{}</td>", v.value());
    h += "</tr>\n";
  }
  h += "</table>\n";
  if (r.findings_size() > 0) {
    h += "<h2>Validation findings</h2>\n<table><tr><th>Finding</th><th>What</th><th>Explanation</th></tr>\n";
    for (const auto& f : r.findings()) {
      std::string explanation;
      for (const auto& e : r.submission().explanations()) {
        if (e.finding_id() == f.id()) explanation = e.explanation();
      }
      h += "<tr><td>" + HtmlEscape(f.id()) + "</td><td>" + HtmlEscape(f.message()) + "</td><td>" +
           HtmlEscape(explanation) + "</td></tr>\n";
    }
    h += "</table>\n";
  }
  h += "</body></html>\n";
  return h;
}

}  // namespace

grpc::Status Reporting::DownloadRollup(const Caller& caller, const v1::ExportRollupRequest& request,
                                       Download* response) {
  // The same checks, scope and rows as ExportRollup; only the wrapping differs.
  v1::ExportRollupResponse exported;
  auto status = ExportRollup(caller, request, &exported);
  if (!status.ok()) return status;
  const bool csv = request.format() == v1::EXPORT_FORMAT_CSV;
  response->body.set_content_type(exported.content_type());
  response->body.set_data(std::move(*exported.mutable_content()));
  const std::string region = request.query().region_prefix().empty()
                                 ? (auth::IsProvincialRole(caller.principal->role) ? caller.principal->province
                                                                                   : std::string("national"))
                                 : request.query().region_prefix();
  const std::string period = PeriodLabel(request.query().period());
  response->filename =
      fmt::format("osh-rollup-{}-{}.{}", region, period.empty() ? "now" : period, csv ? "csv" : "json");
  return grpc::Status::OK;
}

grpc::Status Reporting::DownloadAnnualReport(const Caller& caller, const v1::DownloadAnnualReportRequest& request,
                                             Download* response) {
  return service::Guard(caller, "DownloadAnnualReport", [&] {
    core::FieldErrors errors;
    if (request.id().empty()) errors.Add("id", "is required");
    if (request.format() != v1::EXPORT_FORMAT_CSV && request.format() != v1::EXPORT_FORMAT_HTML) {
      errors.Add("format", "is required (EXPORT_FORMAT_CSV or EXPORT_FORMAT_HTML)");
    }
    service::ThrowIfInvalid(errors);
    const auto r =
        std::optional(db_.Read([&](store::Tx& tx) { return ReportFor(tx, caller, auth::Action::kRead, request.id()); }));
    const bool csv = request.format() == v1::EXPORT_FORMAT_CSV;
    response->body.set_content_type(csv ? kCsv : kHtml);
    response->body.set_data(csv ? ReportCsv(*r) : ReportHtml(*r));
    response->filename = fmt::format("osh-annual-report-{}-{}-{}.{}", r->province(), r->year(), r->id(),
                                     csv ? "csv" : "html");
  });
}

}  // namespace osh::reporting
