#include "supervision.h"

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>

#include <map>

#include "osh/auth/authorize.h"
#include "osh/core/errors.h"
#include "osh/core/ids.h"
#include "osh/core/page_token.h"
#include "osh/domain/credit_code.h"
#include "osh/domain/hazards.h"
#include "osh/domain/regions.h"
#include "osh/domain/text.h"
#include "osh/service/actor.h"
#include "osh/service/checks.h"
#include "osh/service/paging.h"
#include "osh/service/records.h"
#include "registry.h"
#include "registry_store.h"
#include "supervision_store.h"

namespace osh::registry {
namespace {

using google::protobuf::util::TimeUtil;
using service::Guard;
using service::Idempotent;
using service::Refuse;
using service::Require;
using service::ThrowIfInvalid;

constexpr size_t kMaxText = 2000;

std::string Named(const char* kind, const std::string& id) {
  return std::string(kind) + " with id '" + service::Echo(id) + "'";
}

// The employer a record of `kind` belongs to (nullopt when the record is
// missing), once the caller may `action` it: the record is refused exactly as
// its employer would be.
v1::Employer AllowedEmployerOf(store::Tx& tx, const RecordAccess& access, const Caller& caller, auth::Action action,
                               const std::optional<std::string>& employer_id, const char* kind,
                               const std::string& id) {
  auto e = employer_id ? RegistryStore::FindEmployer(tx, *employer_id) : std::nullopt;
  access.Require(caller.principal, action, e ? std::optional(ResourceOf(*e)) : std::nullopt, Named(kind, id));
  return std::move(*e);
}

void CheckDate(const std::string& value, const std::string& field, bool required, core::FieldErrors& errors) {
  if (value.empty()) {
    if (required) errors.Add(field, "is required (YYYY-MM-DD)");
  } else if (!IsCivilDate(value)) {
    errors.Add(field, "must be a date YYYY-MM-DD");
  }
}

void CheckFactor(const std::string& code, const std::string& field, bool required, core::FieldErrors& errors) {
  if (code.empty()) {
    if (required) errors.Add(field, "is required");
  } else if (domain::FindHazardFactor(code) == nullptr) {
    errors.Add(field, "'" + std::string(domain::Utf8Prefix(code, 16)) + "' is not a hazard factor code of the catalogue");
  }
}

// The denominator of the health-exam rate for `summary`: the count the
// employer reported, else the exposed workers of its latest approved
// declaration of that year or earlier, else nothing.
std::pair<int, events::v1::ShouldBeExaminedSource> ShouldBeExamined(store::Tx& tx, const v1::HealthExamSummary& summary) {
  if (summary.should_be_examined() > 0) {
    return {summary.should_be_examined(), events::v1::SHOULD_BE_EXAMINED_SOURCE_REPORTED};
  }
  // Newest first; an employer files about one declaration a year.
  for (const auto& d : RegistryStore::ListDeclarations(tx, summary.employer_id(), "", 100)) {
    if (d.status() == v1::DECLARATION_STATUS_APPROVED && d.year() <= summary.year()) {
      return {d.total_exposed_workers(), events::v1::SHOULD_BE_EXAMINED_SOURCE_DECLARATION};
    }
  }
  return {0, events::v1::SHOULD_BE_EXAMINED_SOURCE_NONE};
}

std::string StatusName(v1::RectificationStatus s) {
  return v1::RectificationStatus_Name(s).substr(std::string("RECTIFICATION_STATUS_").size());
}

}  // namespace

v1::Employer AllowedEmployer(store::Tx& tx, const RecordAccess& access, const Caller& caller, auth::Action action,
                             const std::string& id) {
  return access.Allowed(caller.principal, action, RegistryStore::FindEmployer(tx, id), Named("employer", id),
                        ResourceOf);
}

Supervision::Supervision(store::Database& db, Options options)
    : db_(db), options_(std::move(options)), access_(options_.province), events_(options_.province), facts_(options_.province),
      disease_cases_(db, DiseaseCases::Options{.province = options_.province,
                                               .default_page_size = options_.default_page_size,
                                               .max_page_size = options_.max_page_size,
                                               .clock = options_.clock,
                                               .after_commit = options_.after_commit}) {}

std::string Supervision::Today() const { return domain::ChinaDateOf(options_.clock()); }

grpc::Status Supervision::RecordInspection(const Caller& caller, const v1::RecordInspectionRequest& request,
                                           v1::Inspection* response) {
  return Guard(caller, "RecordInspection", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    if (request.employer_id().empty()) errors.Add("employer_id", "is required");
    const auto& in = request.inspection();
    CheckDate(in.inspected_on(), "inspection.inspected_on", true, errors);
    service::CheckText(in.summary(), "inspection.summary", kMaxText, false, errors);
    if (in.findings_size() > 200) errors.Add("inspection.findings", "at most 200 findings per inspection");
    for (int i = 0; i < in.findings_size(); ++i) {
      const auto& f = in.findings(i);
      const std::string p = fmt::format("inspection.findings[{}].", i);
      service::CheckText(f.description(), p + "description", kMaxText, true, errors);
      CheckFactor(f.factor_code(), p + "factor_code", false, errors);
      CheckDate(f.rectification_deadline(), p + "rectification_deadline", true, errors);
      if (IsCivilDate(f.rectification_deadline()) && IsCivilDate(in.inspected_on()) &&
          DaysBetween(in.inspected_on(), f.rectification_deadline()) <= 0) {
        errors.Add(p + "rectification_deadline", "must be after the inspection date");
      }
    }
    if (!in.inspected_on().empty() && IsCivilDate(in.inspected_on()) && DaysBetween(Today(), in.inspected_on()) > 0) {
      errors.Add("inspection.inspected_on", "is in the future");
    }
    ThrowIfInvalid(errors);
    const auto now_tp = options_.clock();
    const auto now = TimeUtil::TimeTToTimestamp(std::chrono::system_clock::to_time_t(now_tp));
    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "RecordInspection", request.request_id(), request, response, [&] {
        const auto e = AllowedEmployer(tx, access_, caller, auth::Action::kReview, request.employer_id());
        v1::Inspection inspection = in;
        inspection.set_id(core::NewUuidV7(now_tp));
        inspection.set_employer_id(e.id());
        inspection.set_province(e.province());
        inspection.set_division_code(e.division_code());
        *inspection.mutable_inspector() = service::ActorOf(*caller.principal);
        *inspection.mutable_create_time() = now;
        for (auto& f : *inspection.mutable_findings()) {
          v1::RectificationItem item;
          item.set_id(core::NewUuidV7(now_tp));
          item.set_inspection_id(inspection.id());
          item.set_employer_id(e.id());
          item.set_division_code(e.division_code());
          item.set_description(f.description());
          item.set_factor_code(f.factor_code());
          item.set_deadline(f.rectification_deadline());
          item.set_status(v1::RECTIFICATION_STATUS_OPEN);
          item.set_version(1);
          *item.mutable_update_time() = now;
          *item.mutable_last_actor() = service::ActorOf(*caller.principal);
          SupervisionStore::InsertItem(tx, item);
          events_.RectificationOpened(tx, item, e, false);
          f.set_rectification_item_id(item.id());
        }
        SupervisionStore::InsertInspection(tx, inspection);
        service::Audit(tx, caller, "record", "inspection", inspection.id());
        *response = inspection;
      });
    });
    if (options_.after_commit) options_.after_commit();
  });
}

grpc::Status Supervision::GetInspection(const Caller& caller, const v1::GetInspectionRequest& request,
                                        v1::Inspection* response) {
  return Guard(caller, "GetInspection", [&] {
    if (request.id().empty()) throw service::Refusal{core::InvalidArgument("id", "is required")};
    db_.Read([&](store::Tx& tx) {
      auto inspection = SupervisionStore::FindInspection(tx, request.id());
      AllowedEmployerOf(tx, access_, caller, auth::Action::kRead,
                        inspection ? std::optional(inspection->employer_id()) : std::nullopt, "inspection",
                        request.id());
      *response = *inspection;
    });
  });
}

grpc::Status Supervision::ListRectifications(const Caller& caller, const v1::ListRectificationsRequest& request,
                                             v1::ListRectificationsResponse* response) {
  return Guard(caller, "ListRectifications", [&] {
    core::FieldErrors errors;
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    SupervisionStore::ItemFilter filter;
    filter.division_prefix = request.division_prefix();
    filter.employer_id = request.employer_id();
    filter.status = request.status();
    filter.overdue_only = request.overdue_only();
    filter.today = Today();
    if (!filter.division_prefix.empty() && !domain::IsDivisionPrefix(filter.division_prefix)) {
      errors.Add("division_prefix", "must be 2, 4 or 6 digits starting with a province code");
    }
    if (!v1::RectificationStatus_IsValid(filter.status)) errors.Add("status", "unknown value");
    const auth::Principal& p = *caller.principal;
    if (auth::IsOrganisationRole(p.role) && filter.employer_id.empty()) {
      errors.Add("employer_id", "is required for role " + std::string(auth::RoleName(p.role)));
    }
    const std::string fingerprint = fmt::format("{}|{}|{}|{}", filter.division_prefix, filter.employer_id,
                                                filter.status, filter.overdue_only);
    const std::string after = service::PagePosition(request.page_token(), fingerprint, errors);
    ThrowIfInvalid(errors);
    auto rows = db_.Read([&](store::Tx& tx) {
      if (!filter.employer_id.empty()) {
        AllowedEmployer(tx, access_, caller, auth::Action::kRead, filter.employer_id);
      } else {
        if (filter.division_prefix.empty() && auth::IsProvincialRole(p.role)) filter.division_prefix = p.province;
        const std::string province = filter.division_prefix.substr(0, std::min<size_t>(2, filter.division_prefix.size()));
        Require(caller.principal, auth::Action::kRead, {province.empty() ? options_.province : province, "", false});
      }
      return SupervisionStore::ListItems(tx, filter, after, page_size + 1);
    });
    response->set_next_page_token(service::TrimPage(rows, page_size, fingerprint, [](const auto& i) { return i.id(); }));
    const auto today = filter.today;
    for (auto& item : rows) {
      item.set_overdue((item.status() == v1::RECTIFICATION_STATUS_OPEN ||
                        item.status() == v1::RECTIFICATION_STATUS_REOPENED) &&
                       item.deadline() < today);
      *response->add_items() = std::move(item);
    }
  });
}

grpc::Status Supervision::ReportRectificationDone(const Caller& caller,
                                                  const v1::ReportRectificationDoneRequest& request,
                                                  v1::RectificationItem* response) {
  return Guard(caller, "ReportRectificationDone", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    if (request.id().empty()) errors.Add("id", "is required");
    service::CheckText(request.note(), "note", kMaxText, true, errors);
    ThrowIfInvalid(errors);
    const auto now_tp = options_.clock();
    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "ReportRectificationDone", request.request_id(), request, response, [&] {
        auto found = SupervisionStore::FindItem(tx, request.id());
        AllowedEmployerOf(tx, access_, caller, auth::Action::kWrite,
                          found ? std::optional(found->employer_id()) : std::nullopt, "rectification item",
                          request.id());
        auto item = std::move(*found);
        service::RequireVersion("rectification item", item.id(), item.version(), request.version());
        if (item.status() != v1::RECTIFICATION_STATUS_OPEN && item.status() != v1::RECTIFICATION_STATUS_REOPENED) {
          Refuse(grpc::StatusCode::FAILED_PRECONDITION,
                 "item " + item.id() + " is " + StatusName(item.status()) + "; only OPEN or REOPENED items are reported done");
        }
        item.set_status(v1::RECTIFICATION_STATUS_REPORTED_DONE);
        item.set_done_note(request.note());
        item.set_version(item.version() + 1);
        *item.mutable_update_time() = TimeUtil::TimeTToTimestamp(std::chrono::system_clock::to_time_t(now_tp));
        *item.mutable_last_actor() = service::ActorOf(*caller.principal);
        SupervisionStore::UpdateItem(tx, item);
        service::Audit(tx, caller, "report_done", "rectification_item", item.id());
        *response = item;
      });
    });
  });
}

grpc::Status Supervision::ReviewRectification(const Caller& caller, const v1::ReviewRectificationRequest& request,
                                              v1::RectificationItem* response) {
  return Guard(caller, "ReviewRectification", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    if (request.id().empty()) errors.Add("id", "is required");
    service::CheckText(request.reason(), "reason", kMaxText, !request.accept(), errors);
    if (!request.accept()) {
      CheckDate(request.new_deadline(), "new_deadline", true, errors);
      if (IsCivilDate(request.new_deadline()) && DaysBetween(Today(), request.new_deadline()) <= 0) {
        errors.Add("new_deadline", "must be after today");
      }
    }
    ThrowIfInvalid(errors);
    const auto now_tp = options_.clock();
    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "ReviewRectification", request.request_id(), request, response, [&] {
        auto found = SupervisionStore::FindItem(tx, request.id());
        // kReview: inspectors and admins of the province; never the employer itself.
        const auto employer = AllowedEmployerOf(tx, access_, caller, auth::Action::kReview,
                                                found ? std::optional(found->employer_id()) : std::nullopt,
                                                "rectification item", request.id());
        auto item = std::move(*found);
        service::RequireVersion("rectification item", item.id(), item.version(), request.version());
        if (item.status() != v1::RECTIFICATION_STATUS_REPORTED_DONE) {
          Refuse(grpc::StatusCode::FAILED_PRECONDITION,
                 "item " + item.id() + " is " + StatusName(item.status()) + "; only REPORTED_DONE items are reviewed");
        }
        item.set_status(request.accept() ? v1::RECTIFICATION_STATUS_CLOSED : v1::RECTIFICATION_STATUS_REOPENED);
        item.set_review_reason(request.reason());
        if (!request.accept()) item.set_deadline(request.new_deadline());
        item.set_version(item.version() + 1);
        *item.mutable_update_time() = TimeUtil::TimeTToTimestamp(std::chrono::system_clock::to_time_t(now_tp));
        *item.mutable_last_actor() = service::ActorOf(*caller.principal);
        SupervisionStore::UpdateItem(tx, item);
        if (request.accept()) {
          events_.RectificationClosed(tx, item, employer, domain::ChinaDateOf(now_tp));
        } else {
          events_.RectificationOpened(tx, item, employer, true);
        }
        service::Audit(tx, caller, request.accept() ? "close" : "reopen", "rectification_item", item.id());
        *response = item;
      });
    });
    if (options_.after_commit) options_.after_commit();
  });
}

grpc::Status Supervision::RecordHazardTest(const Caller& caller, const v1::RecordHazardTestRequest& request,
                                           v1::HazardTest* response) {
  return Guard(caller, "RecordHazardTest", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    if (request.employer_id().empty()) errors.Add("employer_id", "is required");
    const auto& in = request.hazard_test();
    CheckDate(in.tested_on(), "hazard_test.tested_on", true, errors);
    if (IsCivilDate(in.tested_on()) && DaysBetween(Today(), in.tested_on()) > 0) {
      errors.Add("hazard_test.tested_on", "is in the future");
    }
    service::CheckText(in.institution(), "hazard_test.institution", 200, true, errors);
    service::CheckText(in.report_number(), "hazard_test.report_number", 100, false, errors);
    if (in.results_size() == 0) errors.Add("hazard_test.results", "at least one result is required");
    if (in.results_size() > 1000) errors.Add("hazard_test.results", "at most 1000 results per report");
    for (int i = 0; i < in.results_size(); ++i) {
      const auto& r = in.results(i);
      const std::string p = fmt::format("hazard_test.results[{}].", i);
      CheckFactor(r.factor_code(), p + "factor_code", true, errors);
      service::CheckText(r.workplace(), p + "workplace", 200, true, errors);
      service::CheckText(r.post(), p + "post", 200, true, errors);
      service::CheckText(r.unit(), p + "unit", 20, true, errors);
      if (!std::isfinite(r.measured_value()) || r.measured_value() < 0) {
        errors.Add(p + "measured_value", "must be a finite number >= 0");
      }
      if (!std::isfinite(r.exposure_limit()) || r.exposure_limit() <= 0) {
        errors.Add(p + "exposure_limit", "must be a finite number > 0");
      }
    }
    ThrowIfInvalid(errors);
    const auto now_tp = options_.clock();
    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "RecordHazardTest", request.request_id(), request, response, [&] {
        const auto e = AllowedEmployer(tx, access_, caller, auth::Action::kWrite, request.employer_id());
        v1::HazardTest test = in;
        test.set_id(core::NewUuidV7(now_tp));
        test.set_employer_id(e.id());
        test.set_division_code(e.division_code());
        int exceedances = 0;
        for (auto& r : *test.mutable_results()) {
          r.set_exceeded(r.measured_value() > r.exposure_limit());
          exceedances += r.exceeded() ? 1 : 0;
        }
        test.set_exceedances(exceedances);
        *test.mutable_create_time() = TimeUtil::TimeTToTimestamp(std::chrono::system_clock::to_time_t(now_tp));
        SupervisionStore::InsertHazardTest(tx, test);
        facts_.HazardTestRecorded(tx, test, e);
        service::Audit(tx, caller, "record", "hazard_test", test.id());
        *response = test;
      });
    });
    if (options_.after_commit) options_.after_commit();
  });
}

grpc::Status Supervision::ListExceedances(const Caller& caller, const v1::ListExceedancesRequest& request,
                                          v1::ListExceedancesResponse* response) {
  return Guard(caller, "ListExceedances", [&] {
    core::FieldErrors errors;
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    SupervisionStore::ExceedanceFilter filter{request.division_prefix(), request.factor_code(), request.tested_since()};
    if (!filter.division_prefix.empty() && !domain::IsDivisionPrefix(filter.division_prefix)) {
      errors.Add("division_prefix", "must be 2, 4 or 6 digits starting with a province code");
    }
    CheckFactor(filter.factor_code, "factor_code", false, errors);
    CheckDate(filter.tested_since, "tested_since", false, errors);
    const auth::Principal& p = *caller.principal;
    if (filter.division_prefix.empty() && auth::IsProvincialRole(p.role)) filter.division_prefix = p.province;
    const std::string fingerprint =
        fmt::format("{}|{}|{}", filter.division_prefix, filter.factor_code, filter.tested_since);
    const std::string after = service::PagePosition(request.page_token(), fingerprint, errors);
    ThrowIfInvalid(errors);
    // A regional view across employers: province staff and national roles.
    const std::string province = filter.division_prefix.empty() ? options_.province : filter.division_prefix.substr(0, 2);
    Require(caller.principal, auth::Action::kRead, {province, "", false});
    auto rows = db_.Read([&](store::Tx& tx) { return SupervisionStore::ListExceedances(tx, filter, after, page_size + 1); });
    response->set_next_page_token(
        service::TrimPage(rows, page_size, fingerprint, [](const auto& row) { return row.first; }));
    for (auto& [position, x] : rows) *response->add_exceedances() = std::move(x);
  });
}

grpc::Status Supervision::RecordHealthExamSummary(const Caller& caller,
                                                  const v1::RecordHealthExamSummaryRequest& request,
                                                  v1::HealthExamSummary* response) {
  return Guard(caller, "RecordHealthExamSummary", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    if (request.employer_id().empty()) errors.Add("employer_id", "is required");
    const auto& in = request.summary();
    const int this_year = std::stoi(Today().substr(0, 4));
    if (in.year() < 2000 || in.year() > this_year) {
      errors.Add("summary.year", fmt::format("must be a year from 2000 to {}", this_year));
    }
    if (in.kind() == v1::EXAM_KIND_UNSPECIFIED || !v1::ExamKind_IsValid(in.kind())) {
      errors.Add("summary.kind", "is required (pre-employment, in-service or departure)");
    }
    service::CheckText(in.institution(), "summary.institution", 200, true, errors);
    if (in.examined() < 0) errors.Add("summary.examined", "must be >= 0");
    for (const auto& [value, field] : {std::pair{in.abnormal(), "summary.abnormal"},
                                       std::pair{in.suspected_occupational_disease(),
                                                 "summary.suspected_occupational_disease"},
                                       std::pair{in.notified_in_writing(), "summary.notified_in_writing"}}) {
      if (value < 0 || value > in.examined()) {
        errors.Add(field, fmt::format("must be from 0 to examined ({})", in.examined()));
      }
    }
    if (in.should_be_examined() < 0) errors.Add("summary.should_be_examined", "must be >= 0 (0: from the declaration)");
    if (in.suspected_occupational_disease() > in.abnormal() && in.abnormal() >= 0) {
      errors.Add("summary.suspected_occupational_disease", "cannot exceed abnormal results");
    }
    ThrowIfInvalid(errors);
    const auto now_tp = options_.clock();
    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "RecordHealthExamSummary", request.request_id(), request, response, [&] {
        const auto e = AllowedEmployer(tx, access_, caller, auth::Action::kWrite, request.employer_id());
        if (auto existing = SupervisionStore::FindSummaryId(tx, e.id(), in.year(), in.kind())) {
          Refuse(grpc::StatusCode::ALREADY_EXISTS,
                 fmt::format("employer {} has a {} summary for {} already: {}", e.id(), v1::ExamKind_Name(in.kind()),
                             in.year(), *existing));
        }
        v1::HealthExamSummary summary = in;
        summary.set_id(core::NewUuidV7(now_tp));
        summary.set_employer_id(e.id());
        summary.set_division_code(e.division_code());
        summary.set_notification_gap(in.examined() - in.notified_in_writing());
        *summary.mutable_create_time() = TimeUtil::TimeTToTimestamp(std::chrono::system_clock::to_time_t(now_tp));
        SupervisionStore::InsertSummary(tx, summary);
        const auto [should, source] = ShouldBeExamined(tx, summary);
        facts_.HealthExamSummaryRecorded(tx, summary, e, should, source);
        service::Audit(tx, caller, "record", "health_exam_summary", summary.id());
        *response = summary;
      });
    });
    if (options_.after_commit) options_.after_commit();
  });
}

grpc::Status Supervision::ListNotificationGaps(const Caller& caller, const v1::ListNotificationGapsRequest& request,
                                               v1::ListNotificationGapsResponse* response) {
  return Guard(caller, "ListNotificationGaps", [&] {
    core::FieldErrors errors;
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    SupervisionStore::GapFilter filter{request.division_prefix(), request.year()};
    if (!filter.division_prefix.empty() && !domain::IsDivisionPrefix(filter.division_prefix)) {
      errors.Add("division_prefix", "must be 2, 4 or 6 digits starting with a province code");
    }
    if (filter.year < 0) errors.Add("year", "must be a year, or 0 for every year");
    const auth::Principal& p = *caller.principal;
    if (filter.division_prefix.empty() && auth::IsProvincialRole(p.role)) filter.division_prefix = p.province;
    const std::string fingerprint = fmt::format("gaps|{}|{}", filter.division_prefix, filter.year);
    const std::string after = service::PagePosition(request.page_token(), fingerprint, errors);
    ThrowIfInvalid(errors);
    const std::string province = filter.division_prefix.empty() ? options_.province : filter.division_prefix.substr(0, 2);
    Require(caller.principal, auth::Action::kRead, {province, "", false});
    db_.Read([&](store::Tx& tx) {
      auto rows = SupervisionStore::ListGaps(tx, filter, after, page_size + 1);
      response->set_next_page_token(
          service::TrimPage(rows, page_size, fingerprint, [](const auto& row) { return row.first; }));
      for (auto& [position, summary] : rows) *response->add_summaries() = std::move(summary);
      const auto [examined, notified] = SupervisionStore::ExaminedAndNotified(tx, filter);
      response->set_total_examined(examined);
      response->set_total_notified(notified);
    });
  });
}

grpc::Status Supervision::EnrolAssistance(const Caller& caller, const v1::EnrolAssistanceRequest& request,
                                          v1::AssistanceCase* response) {
  return Guard(caller, "EnrolAssistance", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    if (request.employer_id().empty()) errors.Add("employer_id", "is required");
    const auto& in = request.assistance_case();
    CheckDate(in.enrolled_on(), "assistance_case.enrolled_on", true, errors);
    if (IsCivilDate(in.enrolled_on()) && DaysBetween(Today(), in.enrolled_on()) > 0) {
      errors.Add("assistance_case.enrolled_on", "is in the future");
    }
    service::CheckText(in.assigned_expert(), "assistance_case.assigned_expert", 100, true, errors);
    service::CheckText(in.assigned_institution(), "assistance_case.assigned_institution", 200, false, errors);
    ThrowIfInvalid(errors);
    const auto now_tp = options_.clock();
    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "EnrolAssistance", request.request_id(), request, response, [&] {
        // The programme is run by the province's health authority, not by the employers it helps.
        const auto e = AllowedEmployer(tx, access_, caller, auth::Action::kReview, request.employer_id());
        if (e.size_class() != common::v1::SIZE_CLASS_SMALL && e.size_class() != common::v1::SIZE_CLASS_MICRO) {
          Refuse(grpc::StatusCode::FAILED_PRECONDITION,
                 "employer " + e.id() + " is not a small or micro enterprise; the programme is for them");
        }
        if (auto existing = SupervisionStore::FindCaseIdOfEmployer(tx, e.id())) {
          Refuse(grpc::StatusCode::ALREADY_EXISTS, "employer " + e.id() + " is enrolled already: case " + *existing);
        }
        v1::AssistanceCase c;
        c.set_id(core::NewUuidV7(now_tp));
        c.set_employer_id(e.id());
        c.set_division_code(e.division_code());
        c.set_enrolled_on(in.enrolled_on());
        c.set_assigned_expert(in.assigned_expert());
        c.set_assigned_institution(in.assigned_institution());
        c.set_version(1);
        SupervisionStore::InsertCase(tx, c);
        service::Audit(tx, caller, "enrol", "assistance_case", c.id());
        *response = c;
      });
    });
  });
}

grpc::Status Supervision::RecordAssistanceVisit(const Caller& caller, const v1::RecordAssistanceVisitRequest& request,
                                                v1::AssistanceCase* response) {
  return Guard(caller, "RecordAssistanceVisit", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    if (request.case_id().empty()) errors.Add("case_id", "is required");
    const auto& v = request.visit();
    CheckDate(v.visited_on(), "visit.visited_on", true, errors);
    if (IsCivilDate(v.visited_on()) && DaysBetween(Today(), v.visited_on()) > 0) {
      errors.Add("visit.visited_on", "is in the future");
    }
    service::CheckText(v.expert(), "visit.expert", 100, true, errors);
    service::CheckText(v.notes(), "visit.notes", kMaxText, false, errors);
    if (v.issues_found() < 0) errors.Add("visit.issues_found", "must be >= 0");
    if (v.issues_fixed() < 0) errors.Add("visit.issues_fixed", "must be >= 0");
    if (v.subsidy_fen() < 0) errors.Add("visit.subsidy_fen", "must be >= 0");
    ThrowIfInvalid(errors);
    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "RecordAssistanceVisit", request.request_id(), request, response, [&] {
        auto c = SupervisionStore::FindCase(tx, request.case_id());
        const auto employer = AllowedEmployerOf(tx, access_, caller, auth::Action::kReview, c ? std::optional(c->employer_id()) : std::nullopt,
                          "assistance case", request.case_id());
        if (v.visited_on() < c->enrolled_on()) {
          throw service::Refusal{core::InvalidArgument("visit.visited_on", "is before the enrolment on " + c->enrolled_on())};
        }
        // Fixed issues are issues found, at this visit or an earlier one.
        if (c->issues_fixed() + v.issues_fixed() > c->issues_found() + v.issues_found()) {
          throw service::Refusal{core::InvalidArgument(
              "visit.issues_fixed", fmt::format("would make {} fixed of {} found", c->issues_fixed() + v.issues_fixed(),
                                                c->issues_found() + v.issues_found()))};
        }
        *c->add_visits() = v;
        c->set_issues_found(c->issues_found() + v.issues_found());
        c->set_issues_fixed(c->issues_fixed() + v.issues_fixed());
        c->set_subsidy_fen(c->subsidy_fen() + v.subsidy_fen());
        c->set_version(c->version() + 1);
        SupervisionStore::UpdateCase(tx, *c);
        facts_.AssistanceVisitRecorded(tx, *c, v, employer,
                                       TimeUtil::TimeTToTimestamp(std::chrono::system_clock::to_time_t(options_.clock())));
        service::Audit(tx, caller, "visit", "assistance_case", c->id());
        *response = *c;
      });
    });
    if (options_.after_commit) options_.after_commit();
  });
}

grpc::Status Supervision::GetAssistanceTotals(const Caller& caller, const v1::GetAssistanceTotalsRequest& request,
                                              v1::AssistanceTotals* response) {
  return Guard(caller, "GetAssistanceTotals", [&] {
    std::string prefix = request.division_prefix();
    if (!prefix.empty() && !domain::IsDivisionPrefix(prefix)) {
      throw service::Refusal{
          core::InvalidArgument("division_prefix", "must be 2, 4 or 6 digits starting with a province code")};
    }
    if (prefix.empty() && auth::IsProvincialRole(caller.principal->role)) prefix = caller.principal->province;
    Require(caller.principal, auth::Action::kRead, {prefix.empty() ? options_.province : prefix.substr(0, 2), "", false});
    *response = db_.Read([&](store::Tx& tx) { return SupervisionStore::AssistanceTotals(tx, prefix); });
  });
}

grpc::Status Supervision::RegisterInstitution(const Caller& caller, const v1::RegisterInstitutionRequest& request,
                                              v1::ServiceInstitution* response) {
  return Guard(caller, "RegisterInstitution", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    const auto& in = request.institution();
    if (auto bad = domain::CreditCodeError(in.credit_code())) errors.Add("institution.credit_code", *bad);
    service::CheckText(in.name(), "institution.name", 200, true, errors);
    if (in.kinds_size() == 0) errors.Add("institution.kinds", "at least one kind is required");
    for (int k : in.kinds()) {
      if (k == v1::INSTITUTION_KIND_UNSPECIFIED || !v1::InstitutionKind_IsValid(k)) {
        errors.Add("institution.kinds", "unknown kind");
      }
    }
    for (int c : in.qualification_scope()) {
      if (c == common::v1::HAZARD_CATEGORY_UNSPECIFIED || !common::v1::HazardCategory_IsValid(c)) {
        errors.Add("institution.qualification_scope", "unknown hazard category");
      }
    }
    CheckDate(in.qualification_expires_on(), "institution.qualification_expires_on", true, errors);
    ThrowIfInvalid(errors);
    const auto now_tp = options_.clock();
    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "RegisterInstitution", request.request_id(), request, response, [&] {
        Require(caller.principal, auth::Action::kWrite, {options_.province, "", false});
        if (auto existing = SupervisionStore::FindInstitutionIdByCreditCode(tx, in.credit_code())) {
          Refuse(grpc::StatusCode::ALREADY_EXISTS, "institution " + in.credit_code() + " is registered: " + *existing);
        }
        v1::ServiceInstitution x = in;
        x.set_id(core::NewUuidV7(now_tp));
        x.set_province(options_.province);
        x.set_status(v1::INSTITUTION_STATUS_ACTIVE);
        x.clear_status_reason();
        x.clear_evaluations();
        x.set_version(1);
        SupervisionStore::InsertInstitution(tx, x);
        service::Audit(tx, caller, "register", "institution", x.id());
        *response = x;
      });
    });
  });
}

namespace {

// The institution `id` names, once the caller may review it (RecordAccess).
v1::ServiceInstitution ReviewableInstitution(store::Tx& tx, const RecordAccess& access, const Caller& caller,
                                             const std::string& id) {
  return access.Allowed(caller.principal, auth::Action::kReview, SupervisionStore::FindInstitution(tx, id),
                        Named("institution", id),
                        [](const v1::ServiceInstitution& x) { return auth::Resource{x.province(), "", false}; });
}

}  // namespace

grpc::Status Supervision::EvaluateInstitution(const Caller& caller, const v1::EvaluateInstitutionRequest& request,
                                              v1::ServiceInstitution* response) {
  return Guard(caller, "EvaluateInstitution", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    if (request.id().empty()) errors.Add("id", "is required");
    CheckDate(request.evaluation().evaluated_on(), "evaluation.evaluated_on", true, errors);
    service::CheckText(request.evaluation().findings(), "evaluation.findings", kMaxText, !request.evaluation().passed(),
                       errors);
    ThrowIfInvalid(errors);
    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "EvaluateInstitution", request.request_id(), request, response, [&] {
        auto x = ReviewableInstitution(tx, access_, caller, request.id());
        auto* e = x.add_evaluations();
        *e = request.evaluation();
        *e->mutable_evaluator() = service::ActorOf(*caller.principal);
        x.set_version(x.version() + 1);
        SupervisionStore::UpdateInstitution(tx, x);
        service::Audit(tx, caller, "evaluate", "institution", x.id());
        *response = x;
      });
    });
  });
}

grpc::Status Supervision::SetInstitutionStatus(const Caller& caller, const v1::SetInstitutionStatusRequest& request,
                                               v1::ServiceInstitution* response) {
  return Guard(caller, "SetInstitutionStatus", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    if (request.id().empty()) errors.Add("id", "is required");
    if (request.status() != v1::INSTITUTION_STATUS_ACTIVE && request.status() != v1::INSTITUTION_STATUS_SUSPENDED) {
      errors.Add("status", "must be ACTIVE (reinstate) or SUSPENDED");
    }
    service::CheckText(request.reason(), "reason", kMaxText, true, errors);
    ThrowIfInvalid(errors);
    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "SetInstitutionStatus", request.request_id(), request, response, [&] {
        auto x = ReviewableInstitution(tx, access_, caller, request.id());
        service::RequireVersion("institution", x.id(), x.version(), request.version());
        if (x.status() == request.status()) {
          Refuse(grpc::StatusCode::FAILED_PRECONDITION,
                 "institution " + x.id() + " is " + v1::InstitutionStatus_Name(x.status()) + " already");
        }
        x.set_status(request.status());
        x.set_status_reason(request.reason());
        x.set_version(x.version() + 1);
        SupervisionStore::UpdateInstitution(tx, x);
        service::Audit(tx, caller, request.status() == v1::INSTITUTION_STATUS_SUSPENDED ? "suspend" : "reinstate",
                       "institution", x.id());
        *response = x;
      });
    });
  });
}

grpc::Status Supervision::ListInstitutions(const Caller& caller, const v1::ListInstitutionsRequest& request,
                                           v1::ListInstitutionsResponse* response) {
  return Guard(caller, "ListInstitutions", [&] {
    core::FieldErrors errors;
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    SupervisionStore::InstitutionFilter filter{options_.province, request.kind(), request.status(),
                                               request.expiring_before()};
    if (!v1::InstitutionKind_IsValid(filter.kind)) errors.Add("kind", "unknown value");
    if (!v1::InstitutionStatus_IsValid(filter.status)) errors.Add("status", "unknown value");
    CheckDate(filter.expiring_before, "expiring_before", false, errors);
    const std::string fingerprint =
        fmt::format("institutions|{}|{}|{}", filter.kind, filter.status, filter.expiring_before);
    const std::string after = service::PagePosition(request.page_token(), fingerprint, errors);
    ThrowIfInvalid(errors);
    Require(caller.principal, auth::Action::kRead, {options_.province, "", false});
    auto rows = db_.Read([&](store::Tx& tx) { return SupervisionStore::ListInstitutions(tx, filter, after, page_size + 1); });
    response->set_next_page_token(service::TrimPage(rows, page_size, fingerprint, [](const auto& x) { return x.id(); }));
    for (auto& x : rows) *response->add_institutions() = std::move(x);
  });
}

grpc::Status Supervision::AddExpert(const Caller& caller, const v1::AddExpertRequest& request, v1::Expert* response) {
  return Guard(caller, "AddExpert", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    const auto& in = request.expert();
    service::CheckText(in.name(), "expert.name", 100, true, errors);
    service::CheckText(in.affiliation(), "expert.affiliation", 200, false, errors);
    service::CheckText(in.title(), "expert.title", 100, false, errors);
    if (in.specialities_size() == 0) errors.Add("expert.specialities", "at least one speciality is required");
    for (int c : in.specialities()) {
      if (c == common::v1::HAZARD_CATEGORY_UNSPECIFIED || !common::v1::HazardCategory_IsValid(c)) {
        errors.Add("expert.specialities", "unknown hazard category");
      }
    }
    ThrowIfInvalid(errors);
    const auto now_tp = options_.clock();
    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "AddExpert", request.request_id(), request, response, [&] {
        Require(caller.principal, auth::Action::kWrite, {options_.province, "", false});
        v1::Expert x = in;
        x.set_id(core::NewUuidV7(now_tp));
        x.set_province(options_.province);
        SupervisionStore::InsertExpert(tx, x);
        service::Audit(tx, caller, "add", "expert", x.id());
        *response = x;
      });
    });
  });
}

grpc::Status Supervision::ListExperts(const Caller& caller, const v1::ListExpertsRequest& request,
                                      v1::ListExpertsResponse* response) {
  return Guard(caller, "ListExperts", [&] {
    core::FieldErrors errors;
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    if (!common::v1::HazardCategory_IsValid(request.speciality())) errors.Add("speciality", "unknown value");
    const std::string fingerprint = fmt::format("experts|{}", static_cast<int>(request.speciality()));
    const std::string after = service::PagePosition(request.page_token(), fingerprint, errors);
    ThrowIfInvalid(errors);
    Require(caller.principal, auth::Action::kRead, {options_.province, "", false});
    auto rows = db_.Read([&](store::Tx& tx) {
      return SupervisionStore::ListExperts(tx, options_.province, request.speciality(), after, page_size + 1);
    });
    response->set_next_page_token(service::TrimPage(rows, page_size, fingerprint, [](const auto& x) { return x.id(); }));
    for (auto& x : rows) *response->add_experts() = std::move(x);
  });
}

grpc::Status Supervision::GetRiskClassification(const Caller& caller, const v1::GetRiskClassificationRequest& request,
                                                v1::RiskClassification* response) {
  return Guard(caller, "GetRiskClassification", [&] {
    if (request.employer_id().empty()) throw service::Refusal{core::InvalidArgument("employer_id", "is required")};
    const auto today = Today();
    db_.Read([&](store::Tx& tx) {
      const auto e = AllowedEmployer(tx, access_, caller, auth::Action::kRead, request.employer_id());
      *response = Classify(options_.risk, SupervisionStore::InputsOf(tx, e, today));
      response->set_employer_id(e.id());
      response->set_division_code(e.division_code());
      response->set_as_of(today);
    });
  });
}

grpc::Status Supervision::ListRiskClassifications(const Caller& caller,
                                                  const v1::ListRiskClassificationsRequest& request,
                                                  v1::ListRiskClassificationsResponse* response) {
  return Guard(caller, "ListRiskClassifications", [&] {
    core::FieldErrors errors;
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    EmployerFilter filter;
    filter.division_prefix = request.division_prefix();
    if (!filter.division_prefix.empty() && !domain::IsDivisionPrefix(filter.division_prefix)) {
      errors.Add("division_prefix", "must be 2, 4 or 6 digits starting with a province code");
    }
    const auth::Principal& p = *caller.principal;
    if (filter.division_prefix.empty() && auth::IsProvincialRole(p.role)) filter.division_prefix = p.province;
    const std::string fingerprint = "risk|" + filter.division_prefix;
    const std::string after = service::PagePosition(request.page_token(), fingerprint, errors);
    ThrowIfInvalid(errors);
    const std::string province = filter.division_prefix.empty() ? options_.province : filter.division_prefix.substr(0, 2);
    Require(caller.principal, auth::Action::kRead, {province, "", false});
    const auto today = Today();
    db_.Read([&](store::Tx& tx) {
      auto classify = [&](const v1::Employer& e) {
        auto c = Classify(options_.risk, SupervisionStore::InputsOf(tx, e, today));
        c.set_employer_id(e.id());
        c.set_division_code(e.division_code());
        c.set_as_of(today);
        return c;
      };
      auto employers = RegistryStore::ListEmployers(tx, filter, after, page_size + 1);
      response->set_next_page_token(
          service::TrimPage(employers, page_size, fingerprint, [](const auto& e) { return e.id(); }));
      for (const auto& e : employers) *response->add_classifications() = classify(e);
      if (!request.include_summary()) return;
      std::map<std::pair<int, int>, int> cells;
      std::string position;
      while (true) {
        auto batch = RegistryStore::ListEmployers(tx, filter, position, 1000);
        for (const auto& e : batch) {
          const auto c = Classify(options_.risk, SupervisionStore::InputsOf(tx, e, today));
          ++cells[{c.hazard_class(), c.management_grade()}];
        }
        if (batch.size() < 1000) break;
        position = batch.back().id();
      }
      for (const auto& [key, count] : cells) {
        auto* cell = response->add_summary();
        cell->set_hazard_class(static_cast<v1::HazardRiskClass>(key.first));
        cell->set_management_grade(static_cast<v1::ManagementGrade>(key.second));
        cell->set_employers(count);
      }
    });
  });
}

}  // namespace osh::registry
