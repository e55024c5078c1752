// Data approval of provincial annual reports, as DHIS2 does it: a province
// submits a draft, the national level accepts it or returns it with a reason,
// and a returned report is amended (a new draft) and submitted again.
//
//   DRAFT --submit--> SUBMITTED --approve--> ACCEPTED
//                         |  \--return--> RETURNED
//   a later submission of the same province and year supersedes the report in
//   force (SUBMITTED, ACCEPTED or RETURNED) -> SUPERSEDED
//
// Every transition is audited, bumps the report's version and puts its event
// (osh.events.v1.ProvincialReport*) in the outbox in the same transaction.
#include <fmt/format.h>

#include "osh/auth/authorize.h"
#include "osh/core/errors.h"
#include "osh/domain/regions.h"
#include "osh/domain/text.h"
#include "osh/events/event.h"
#include "osh/events/outbox.h"
#include "osh/events/v1/reporting_events.pb.h"
#include "osh/service/actor.h"
#include "osh/service/checks.h"
#include "osh/service/records.h"
#include "report_access.h"
#include "reporting.h"
#include "rollup_store.h"
#include "validation.h"

namespace osh::reporting {
namespace {

constexpr size_t kMaxReasonLength = 2000;
constexpr int kFirstReportYear = 2000;
constexpr int kLastYear = 2100;
constexpr char kService[] = "reporting";

using service::ActorOf;
using service::Guard;
using service::Idempotent;
using service::Refusal;
using service::Refuse;
using service::Require;
using service::ThrowIfInvalid;

namespace ev = ::osh::events::v1;

// Reports written before versions were kept read as version 1.
int64_t VersionOf(const v1::AnnualReport& r) { return r.version() > 0 ? r.version() : 1; }

v1::AnnualReport FoundReport(store::Tx& tx, const std::string& id) {
  auto r = RollupStore::FindReport(tx, id);
  if (!r) Refuse(grpc::StatusCode::NOT_FOUND, "no annual report with id '" + std::string(domain::Utf8Prefix(id, 64)) + "'");
  return std::move(*r);
}

ev::ProvincialReportRef RefOf(const v1::AnnualReport& r) {
  ev::ProvincialReportRef ref;
  ref.set_report_id(r.id());
  ref.set_province(r.province());
  ref.set_year(r.year());
  ref.set_version(r.version());
  return ref;
}

// The event leaves the national deployment as the province's: ce_source
// osh://<province>/reporting, key the report id.
void Emit(store::Tx& tx, const google::protobuf::Message& m, const v1::AnnualReport& r,
          std::chrono::system_clock::time_point now) {
  events::Outbox::Append(tx, events::MakeEvent(m, r.province(), kService, r.id(), now));
}

// Only a national_admin reviews, which is checked before the report is looked
// up; a province's own staff cannot accept their figures.
void RequireReviewer(const Caller& caller, const std::string& id, const char* verb) {
  if (caller.principal->role != auth::Role::kNationalAdmin) {
    Refuse(grpc::StatusCode::PERMISSION_DENIED,
           fmt::format("only a national_admin {} a provincial annual report (report '{}')", verb,
                       domain::Utf8Prefix(id, 64)));
  }
}

void RequireSubmitted(const v1::AnnualReport& r, const char* action) {
  if (r.status() != v1::REPORT_STATUS_SUBMITTED) {
    Refuse(grpc::StatusCode::FAILED_PRECONDITION,
           fmt::format("annual report {} is {}; only a REPORT_STATUS_SUBMITTED report can be {}", r.id(),
                       v1::ReportStatus_Name(r.status()), action));
  }
}

void ValidateReview(const std::string& id, int64_t version, const std::string& request_id, core::FieldErrors& errors) {
  service::CheckRequestId(request_id, errors);
  if (id.empty()) errors.Add("id", "is required");
  if (version <= 0) errors.Add("version", "is required (the version you read)");
}

// A national_admin's decision on a submitted report (ACCEPTED or RETURNED with
// a reason): checked, recorded, audited and emitted in the caller's transaction.
v1::AnnualReport Decide(store::Tx& tx, const Caller& caller, const std::string& id, int64_t version,
                        v1::ReportStatus decision, const std::string& reason,
                        std::chrono::system_clock::time_point now) {
  const bool accept = decision == v1::REPORT_STATUS_ACCEPTED;
  RequireReviewer(caller, id, accept ? "accepts" : "returns");
  auto r = FoundReport(tx, id);
  service::RequireVersion("annual report", r.id(), VersionOf(r), version);
  RequireSubmitted(r, accept ? "accepted" : "returned");
  auto* review = r.mutable_review();
  review->set_decision(decision);
  *review->mutable_review_time() = ToTimestamp(now);
  *review->mutable_reviewed_by() = ActorOf(*caller.principal);
  review->set_reason(reason);
  r.set_status(decision);
  r.set_version(VersionOf(r) + 1);
  RollupStore::UpdateReport(tx, r);
  service::Audit(tx, caller, accept ? "accept" : "return", "annual_report", r.id());
  if (accept) {
    ev::ProvincialReportAccepted m;
    *m.mutable_report() = RefOf(r);
    *m.mutable_review_time() = review->review_time();
    Emit(tx, m, r, now);
  } else {
    ev::ProvincialReportReturned m;
    *m.mutable_report() = RefOf(r);
    *m.mutable_review_time() = review->review_time();
    m.set_reason(reason);
    Emit(tx, m, r, now);
  }
  return r;
}

}  // namespace

grpc::Status Reporting::SubmitAnnualReport(const Caller& caller, const v1::SubmitAnnualReportRequest& request,
                                           v1::AnnualReport* response) {
  return Guard(caller, "SubmitAnnualReport", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    if (request.id().empty()) errors.Add("id", "is required");
    if (request.version() < 0) errors.Add("version", "must be the version you read, or 0");
    service::CheckText(request.amendment_reason(), "amendment_reason", kMaxReasonLength, false, errors);
    ThrowIfInvalid(errors);

    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "SubmitAnnualReport", request.request_id(), request, response, [&] {
        auto r = ReportFor(tx, caller, auth::Action::kWrite, request.id());
        if (caller.principal->role != auth::Role::kProvinceAdmin) {
          Refuse(grpc::StatusCode::PERMISSION_DENIED,
                 "only the province_admin of province " + r.province() + " submits its annual report");
        }
        if (request.version() != 0) service::RequireVersion("annual report", r.id(), VersionOf(r), request.version());
        if (r.status() != v1::REPORT_STATUS_DRAFT) {
          Refuse(grpc::StatusCode::FAILED_PRECONDITION,
                 "annual report " + r.id() + " is " + v1::ReportStatus_Name(r.status()) + ", not a draft");
        }
        core::FieldErrors explained;
        CheckExplanations(r, request.explanations(), explained);
        ThrowIfInvalid(explained);

        const bool has_reason = request.amendment_reason().find_first_not_of(" \t\r\n") != std::string::npos;
        auto in_force = RollupStore::FindReportInForce(tx, r.province(), r.year());
        // A returned report asks for amended figures: its return reason stands
        // as the amendment's, so the resubmission needs none of its own.
        const bool returned = in_force && in_force->status() == v1::REPORT_STATUS_RETURNED;
        if (in_force && !returned && !has_reason) {
          throw Refusal{core::InvalidArgument(
              "amendment_reason", fmt::format("is required: report {} was submitted for {} {} already and this one "
                                              "would replace it",
                                              in_force->id(), r.province(), r.year()))};
        }
        if (!in_force && has_reason) {
          throw Refusal{core::InvalidArgument(
              "amendment_reason", "is only for a report that replaces a submitted one; none is submitted for " +
                                      r.province() + " " + std::to_string(r.year()))};
        }
        const auto now = options_.clock();
        const auto due = options_.calendar.AnnualReportDue(r.year());
        auto* s = r.mutable_submission();
        *s->mutable_submit_time() = ToTimestamp(now);
        *s->mutable_submitted_by() = ActorOf(*caller.principal);
        *s->mutable_due_time() = ToTimestamp(due);
        s->set_late(now >= due);
        *s->mutable_explanations() = request.explanations();
        if (in_force) {
          s->set_amendment_reason(has_reason ? request.amendment_reason()
                                             : "returned: " + in_force->review().reason());
          s->set_supersedes_report_id(in_force->id());
          in_force->set_status(v1::REPORT_STATUS_SUPERSEDED);
          in_force->set_version(VersionOf(*in_force) + 1);
          RollupStore::UpdateReport(tx, *in_force);
          service::Audit(tx, caller, "supersede", "annual_report", in_force->id());
        }
        r.set_status(v1::REPORT_STATUS_SUBMITTED);
        r.set_version(VersionOf(r) + 1);
        RollupStore::UpdateReport(tx, r);
        service::Audit(tx, caller, "submit", "annual_report", r.id());

        ev::ProvincialReportSubmitted m;
        *m.mutable_report() = RefOf(r);
        *m.mutable_submit_time() = s->submit_time();
        m.set_late(s->late());
        m.set_supersedes_report_id(s->supersedes_report_id());
        m.set_explained_findings(s->explanations_size());
        Emit(tx, m, r, now);
        *response = std::move(r);
      });
    });
    if (options_.after_commit) options_.after_commit();
  });
}

grpc::Status Reporting::ApproveAnnualReport(const Caller& caller, const v1::ApproveAnnualReportRequest& request,
                                            v1::AnnualReport* response) {
  return Guard(caller, "ApproveAnnualReport", [&] {
    core::FieldErrors errors;
    ValidateReview(request.id(), request.version(), request.request_id(), errors);
    ThrowIfInvalid(errors);
    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "ApproveAnnualReport", request.request_id(), request, response, [&] {
        *response = Decide(tx, caller, request.id(), request.version(), v1::REPORT_STATUS_ACCEPTED, "",
                           options_.clock());
      });
    });
    if (options_.after_commit) options_.after_commit();
  });
}

grpc::Status Reporting::ReturnAnnualReport(const Caller& caller, const v1::ReturnAnnualReportRequest& request,
                                           v1::AnnualReport* response) {
  return Guard(caller, "ReturnAnnualReport", [&] {
    core::FieldErrors errors;
    ValidateReview(request.id(), request.version(), request.request_id(), errors);
    service::CheckText(request.reason(), "reason", kMaxReasonLength, true, errors);
    ThrowIfInvalid(errors);
    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "ReturnAnnualReport", request.request_id(), request, response, [&] {
        *response = Decide(tx, caller, request.id(), request.version(), v1::REPORT_STATUS_RETURNED, request.reason(),
                           options_.clock());
      });
    });
    if (options_.after_commit) options_.after_commit();
  });
}

grpc::Status Reporting::GetReportingCompleteness(const Caller& caller,
                                                 const v1::GetReportingCompletenessRequest& request,
                                                 v1::ReportingCompleteness* response) {
  return Guard(caller, "GetReportingCompleteness", [&] {
    if (request.year() < kFirstReportYear || request.year() > kLastYear) {
      throw Refusal{core::InvalidArgument(
          "year", fmt::format("must be between {} and {}, got {}", kFirstReportYear, kLastYear, request.year()))};
    }
    Require(caller.principal, auth::Action::kRead, {"", "", false});
    const auto now = options_.clock();
    const auto due = options_.calendar.AnnualReportDue(request.year());
    const auto submissions =
        db_.Read([&](store::Tx& tx) { return RollupStore::EverSubmittedOfYear(tx, request.year()); });

    response->set_year(request.year());
    *response->mutable_due_time() = ToTimestamp(due);
    *response->mutable_read_time() = ToTimestamp(now);
    for (const auto& province : domain::MainlandProvinces()) {
      auto* pc = response->add_provinces();
      pc->set_province(std::string(province.code));
      pc->set_province_name(std::string(province.name_zh));
      const v1::AnnualReport* first = nullptr;
      int count = 0;
      for (const auto& r : submissions) {
        if (r.province() != province.code) continue;
        ++count;
        if (r.status() != v1::REPORT_STATUS_SUPERSEDED) {
          pc->set_report_id(r.id());
          pc->set_review_status(r.status());
        }
        if (first == nullptr ||
            FromTimestamp(r.submission().submit_time()) < FromTimestamp(first->submission().submit_time())) {
          first = &r;
        }
      }
      // Timeliness is the first submission's: a late amendment does not make an
      // on-time report late, nor an on-time amendment a late one timely.
      if (first != nullptr) {
        *pc->mutable_first_submit_time() = first->submission().submit_time();
        pc->set_amendments(count - 1);
        pc->set_state(first->submission().late() ? v1::SUBMISSION_STATE_LATE : v1::SUBMISSION_STATE_ON_TIME);
      } else {
        pc->set_state(now >= due ? v1::SUBMISSION_STATE_MISSING : v1::SUBMISSION_STATE_NOT_YET_DUE);
      }
      switch (pc->state()) {
        case v1::SUBMISSION_STATE_ON_TIME:
          response->set_on_time(response->on_time() + 1);
          break;
        case v1::SUBMISSION_STATE_LATE:
          response->set_late(response->late() + 1);
          break;
        case v1::SUBMISSION_STATE_MISSING:
          response->set_missing(response->missing() + 1);
          break;
        default:
          response->set_not_yet_due(response->not_yet_due() + 1);
      }
      switch (pc->review_status()) {
        case v1::REPORT_STATUS_ACCEPTED:
          response->set_accepted(response->accepted() + 1);
          break;
        case v1::REPORT_STATUS_RETURNED:
          response->set_returned(response->returned() + 1);
          break;
        case v1::REPORT_STATUS_SUBMITTED:
          response->set_awaiting_review(response->awaiting_review() + 1);
          break;
        default:
          break;
      }
    }
    const int expected = static_cast<int>(domain::MainlandProvinces().size());
    response->set_expected(expected);
    response->set_submitted(response->on_time() + response->late());
    response->set_completeness_rate(static_cast<double>(response->submitted()) / expected);
    response->set_timeliness_rate(static_cast<double>(response->on_time()) / expected);
    response->set_acceptance_rate(static_cast<double>(response->accepted()) / expected);
  });
}

}  // namespace osh::reporting
