#include "disease_cases.h"

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <set>

#include "disease_case_store.h"
#include "osh/auth/authorize.h"
#include "osh/core/errors.h"
#include "osh/core/ids.h"
#include "osh/domain/civil_date.h"
#include "osh/domain/diseases.h"
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
using service::ThrowIfInvalid;

constexpr int kMaxDiseases = 200;
// A plausibility bound per disease and report, far above any real cluster
// (the national total was 11,108 cases in 2022), so a typo is caught.
constexpr int kMaxCasesPerDisease = 10000;

bool IsStaff(auth::Role role) { return role == auth::Role::kProvinceAdmin || role == auth::Role::kInspector; }

// The edition in force on the report's diagnosis date, with every disease
// checked against it and completed with its category; field errors name the
// entry.
const domain::DiseaseCatalogueEdition* CheckReport(v1::DiseaseCaseReport& report, const std::string& today,
                                                   core::FieldErrors& errors) {
  const std::string& date = report.diagnosed_on();
  const domain::DiseaseCatalogueEdition* edition = nullptr;
  if (date.empty()) {
    errors.Add("report.diagnosed_on", "is required (YYYY-MM-DD)");
  } else if (!domain::IsCivilDate(date)) {
    errors.Add("report.diagnosed_on", "must be a date YYYY-MM-DD");
  } else if (date > today) {
    errors.Add("report.diagnosed_on", "is in the future");
  } else if ((edition = domain::EditionInForce(date)) == nullptr) {
    errors.Add("report.diagnosed_on", fmt::format("is before the oldest disease catalogue ({})",
                                                  domain::AllDiseaseCatalogueEditions().front().effective_date));
  }
  if (report.diseases_size() == 0) errors.Add("report.diseases", "at least one disease is required");
  if (report.diseases_size() > kMaxDiseases) {
    errors.Add("report.diseases", fmt::format("at most {} diseases per report", kMaxDiseases));
  }
  std::set<std::string> seen;
  const int checked = report.diseases_size() > kMaxDiseases ? 0 : report.diseases_size();
  for (int i = 0; i < checked; ++i) {
    auto& d = *report.mutable_diseases(i);
    const std::string p = fmt::format("report.diseases[{}].", i);
    if (d.cases() < 0) errors.Add(p + "cases", "must be >= 0");
    if (d.cases() > kMaxCasesPerDisease) errors.Add(p + "cases", fmt::format("must be at most {}", kMaxCasesPerDisease));
    if (d.disease_code().empty()) {
      errors.Add(p + "disease_code", "is required");
      continue;
    }
    if (!seen.insert(d.disease_code()).second) {
      errors.Add(p + "disease_code", "'" + service::Echo(d.disease_code()) + "' is listed twice");
      continue;
    }
    if (edition == nullptr) continue;
    const auto disease = domain::FindDisease(*edition, d.disease_code());
    if (!disease) {
      errors.Add(p + "disease_code",
                 fmt::format("'{}' is not a disease of the {} catalogue edition in force on {} "
                             "(codes CC.NN: {} categories)",
                             service::Echo(d.disease_code()), edition->id, date, edition->categories.size()));
      continue;
    }
    d.set_category_number(disease->category->number);
    d.set_category_name(std::string(disease->category->name_zh));
  }
  return edition;
}

std::string CategoryName(const std::string& edition_id, int number) {
  const auto* edition = domain::FindDiseaseCatalogueEdition(edition_id);
  if (edition == nullptr || number < 1 || number > static_cast<int>(edition->categories.size())) return "";
  return std::string(edition->categories[static_cast<size_t>(number - 1)].name_zh);
}

}  // namespace

DiseaseCases::DiseaseCases(store::Database& db, Options options)
    : db_(db), options_(std::move(options)), access_(options_.province), events_(options_.province) {}

void DiseaseCases::RequireReporter(store::Tx& tx, const auth::Principal& p) const {
  if (IsStaff(p.role)) {
    access_.RequireSomeRight(&p, auth::Action::kWrite);
    return;
  }
  if (p.role != auth::Role::kInstitution) {
    Refuse(grpc::StatusCode::PERMISSION_DENIED,
           "role " + std::string(auth::RoleName(p.role)) +
               " may not report occupational-disease cases; diagnosis institutions and province staff do");
  }
  if (p.province != options_.province) {
    Refuse(grpc::StatusCode::PERMISSION_DENIED, "an institution of province " + p.province +
                                                    " cannot report cases of employers of province " +
                                                    options_.province);
  }
  const auto id = SupervisionStore::FindInstitutionIdByCreditCode(tx, p.org);
  const auto institution = id ? SupervisionStore::FindInstitution(tx, *id) : std::nullopt;
  const auto& kinds = institution ? institution->kinds() : decltype(institution->kinds()){};
  const bool diagnoses =
      institution && std::find(kinds.begin(), kinds.end(), v1::INSTITUTION_KIND_DIAGNOSIS) != kinds.end();
  const std::string today = domain::ChinaDateOf(options_.clock());
  if (!diagnoses || institution->province() != options_.province ||
      institution->status() != v1::INSTITUTION_STATUS_ACTIVE ||
      (!institution->qualification_expires_on().empty() && institution->qualification_expires_on() < today)) {
    Refuse(grpc::StatusCode::PERMISSION_DENIED,
           "organisation " + p.org + " is not an active, qualified diagnosis institution of province " +
               options_.province + "'s register");
  }
}

grpc::Status DiseaseCases::Record(const Caller& caller, const v1::RecordDiseaseCasesRequest& request,
                                  v1::DiseaseCaseReport* response) {
  return Guard(caller, "RecordDiseaseCases", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    if (request.employer_id().empty()) errors.Add("employer_id", "is required");
    v1::DiseaseCaseReport report = request.report();
    const auto now_tp = options_.clock();
    const auto* edition = CheckReport(report, domain::ChinaDateOf(now_tp), errors);
    ThrowIfInvalid(errors);
    const auth::Principal& p = *caller.principal;
    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "RecordDiseaseCases", request.request_id(), request, response, [&] {
        RequireReporter(tx, p);
        // Either kind of reporter may act on every employer of the province,
        // so NOT_FOUND tells it nothing it could not learn otherwise.
        const auto e = service::FoundOrRefuse(RegistryStore::FindEmployer(tx, request.employer_id()), "employer",
                                              request.employer_id());
        if (IsStaff(p.role)) {
          access_.Require(&p, auth::Action::kWrite, ResourceOf(e), "employer " + e.id());
        } else if (e.province() != p.province) {
          Refuse(grpc::StatusCode::PERMISSION_DENIED, "employer " + e.id() + " is of province " + e.province() +
                                                          ", not the institution's province " + p.province);
        }
        report.set_id(core::NewUuidV7(now_tp));
        report.set_employer_id(e.id());
        report.set_division_code(e.division_code());
        report.set_catalogue_edition(std::string(edition->id));
        int total = 0;
        for (const auto& d : report.diseases()) total += d.cases();
        report.set_total_cases(total);
        report.set_reporter_org(IsStaff(p.role) ? "" : p.org);
        *report.mutable_reporter() = service::ActorOf(p);
        *report.mutable_create_time() = TimeUtil::TimeTToTimestamp(std::chrono::system_clock::to_time_t(now_tp));
        DiseaseCaseStore::Insert(tx, report, e.credit_code());
        events_.DiseaseCasesReported(tx, report, e);
        service::Audit(tx, caller, "record", "disease_case_report", report.id());
        *response = report;
      });
    });
    if (options_.after_commit) options_.after_commit();
  });
}

grpc::Status DiseaseCases::Get(const Caller& caller, const v1::GetDiseaseCaseReportRequest& request,
                               v1::DiseaseCaseReport* response) {
  return Guard(caller, "GetDiseaseCaseReport", [&] {
    if (request.id().empty()) throw service::Refusal{core::InvalidArgument("id", "is required")};
    const auth::Principal& p = *caller.principal;
    const std::string what = "disease case report with id '" + service::Echo(request.id()) + "'";
    db_.Read([&](store::Tx& tx) {
      auto report = DiseaseCaseStore::Find(tx, request.id());
      if (p.role == auth::Role::kInstitution) {
        // An institution reads the reports it filed, and a missing one is refused alike.
        if (!report || report->reporter_org() != p.org || p.province != options_.province) {
          Refuse(grpc::StatusCode::PERMISSION_DENIED,
                 "an institution may only read the case reports it filed, and the " + what + " is not one of them");
        }
      } else {
        auto e = report ? RegistryStore::FindEmployer(tx, report->employer_id()) : std::nullopt;
        access_.Require(&p, auth::Action::kRead, e ? std::optional(ResourceOf(*e)) : std::nullopt, what);
      }
      *response = std::move(*report);
    });
  });
}

grpc::Status DiseaseCases::List(const Caller& caller, const v1::ListDiseaseCaseReportsRequest& request,
                                v1::ListDiseaseCaseReportsResponse* response) {
  return Guard(caller, "ListDiseaseCaseReports", [&] {
    core::FieldErrors errors;
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    DiseaseCaseStore::Filter filter{request.division_prefix(), request.employer_id(), request.year(), "", ""};
    if (!filter.division_prefix.empty() && !domain::IsDivisionPrefix(filter.division_prefix)) {
      errors.Add("division_prefix", "must be 2, 4 or 6 digits starting with a province code");
    }
    if (filter.year != 0 && (filter.year < 2000 || filter.year > 9999)) {
      errors.Add("year", "must be a year from 2000, or 0 for every year");
    }
    const auth::Principal& p = *caller.principal;
    // Organisation roles see their own part only: an institution the reports it
    // filed, an employer those about it.
    if (p.role == auth::Role::kInstitution) filter.reporter_org = p.org;
    if (p.role == auth::Role::kEmployer) filter.credit_code = p.org;
    if (filter.division_prefix.empty() && auth::IsProvincialRole(p.role)) filter.division_prefix = p.province;
    const std::string fingerprint =
        fmt::format("disease-cases|{}|{}|{}|{}|{}", filter.division_prefix, filter.employer_id, filter.year,
                    filter.reporter_org, filter.credit_code);
    const std::string after = service::PagePosition(request.page_token(), fingerprint, errors);
    ThrowIfInvalid(errors);
    const std::string province =
        filter.division_prefix.empty() ? options_.province : filter.division_prefix.substr(0, 2);
    access_.RequireSomeRight(&p, auth::Action::kRead);
    if (p.role == auth::Role::kWorker) {
      Refuse(grpc::StatusCode::PERMISSION_DENIED, "role worker may not list occupational-disease case reports");
    }
    service::Require(&p, auth::Action::kRead,
                     {province, auth::IsOrganisationRole(p.role) ? p.org : std::string(), false});
    db_.Read([&](store::Tx& tx) {
      auto rows = DiseaseCaseStore::List(tx, filter, after, page_size + 1);
      response->set_next_page_token(
          service::TrimPage(rows, page_size, fingerprint, [](const auto& row) { return row.first; }));
      for (auto& [position, report] : rows) *response->add_reports() = std::move(report);
      int64_t total = 0;
      for (auto& t : DiseaseCaseStore::CategoryTotals(tx, filter)) {
        t.set_category_name(CategoryName(t.catalogue_edition(), t.category_number()));
        total += t.cases();
        *response->add_category_totals() = std::move(t);
      }
      response->set_total_cases(total);
    });
  });
}

}  // namespace osh::registry
