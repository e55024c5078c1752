#include "registry.h"

#include <fmt/format.h>
#include <google/protobuf/util/field_mask_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <set>

#include "osh/auth/authorize.h"
#include "osh/core/errors.h"
#include "osh/core/ids.h"
#include "osh/core/log.h"
#include "osh/core/page_token.h"
#include "osh/domain/text.h"
#include "osh/service/actor.h"
#include "osh/service/checks.h"
#include "osh/service/paging.h"
#include "osh/service/records.h"
#include "osh/domain/industries.h"
#include "osh/domain/regions.h"
#include "registry_store.h"
#include "transfer_ledger.h"
#include "validation.h"

namespace osh::registry {
namespace {

using google::protobuf::util::FieldMaskUtil;
using google::protobuf::util::TimeUtil;

using service::Guard;
using service::Refusal;
using service::Refuse;
using service::ThrowIfInvalid;

using service::Require;


using service::ActorOf;

using service::Audit;

using service::Idempotent;

const std::set<std::string>& UpdatableEmployerPaths() {
  static const std::set<std::string> paths = {
      "name", "division_code", "registered_address", "workplace_address", "industry_section", "industry_code",
      "size_class", "registration_type", "legal_representative", "legal_representative_phone",
      "has_osh_management_body", "osh_staff_full_time", "osh_staff_part_time", "total_workers",
      "cumulative_disease_cases"};
  return paths;
}

int PageSize(int requested, const Registry::Options& o, core::FieldErrors& errors) {
  return service::PageSize(requested, o.default_page_size, o.max_page_size, errors);
}

constexpr size_t kMaxPurposeLength = 200;

// reveal_personal_data needs a purpose; a purpose is short plain text.
void CheckReveal(bool reveal, const std::string& purpose, core::FieldErrors& errors) {
  const size_t before = errors.size();
  service::CheckText(purpose, "purpose", kMaxPurposeLength, reveal, errors);
  if (errors.size() == before && domain::HasControlCharacters(purpose)) {
    errors.Add("purpose", "holds control characters or line breaks");
  }
}

}  // namespace

auth::Resource ResourceOf(const v1::Employer& e) { return {e.province(), e.credit_code(), false}; }

Registry::Registry(store::Database& db, const crypto::FieldCipher& cipher, Options options)
    : db_(db), options_(std::move(options)), personal_(cipher), access_(options_.province), events_(options_.province) {}

void Registry::Committed() const {
  if (options_.after_commit) options_.after_commit();
}

grpc::Status Registry::CreateEmployer(const Caller& caller, const v1::CreateEmployerRequest& request,
                                      v1::Employer* response) {
  return Guard(caller, "CreateEmployer", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    ValidateEmployer(request.employer(), options_.province, errors);
    ThrowIfInvalid(errors);
    const std::string province(domain::ProvinceOfDivision(request.employer().division_code()));
    Require(caller.principal, auth::Action::kWrite, {province, request.employer().credit_code(), false});
    // The idempotency record keeps the request with its personal values masked.
    v1::CreateEmployerRequest fingerprint = request;
    PersonalData::MaskInPlace(*fingerprint.mutable_employer());

    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "CreateEmployer", request.request_id(), fingerprint, response,
                 [&] { *response = CreateEmployerIn(tx, caller, request.employer()); });
    });
    Committed();
  });
}

v1::Employer Registry::CreateEmployerIn(store::Tx& tx, const Caller& caller, const v1::Employer& employer) {
  core::FieldErrors errors;
  ValidateEmployer(employer, options_.province, errors);
  ThrowIfInvalid(errors);
  const std::string province(domain::ProvinceOfDivision(employer.division_code()));
  Require(caller.principal, auth::Action::kWrite, {province, employer.credit_code(), false});
  if (auto existing = RegistryStore::FindEmployerByCreditCode(tx, employer.credit_code())) {
    Refuse(grpc::StatusCode::ALREADY_EXISTS, "an employer with credit code " + existing->credit_code() +
                                                 " is registered already (id " + existing->id() + ")");
  }
  const auto now = TimeUtil::TimeTToTimestamp(std::chrono::system_clock::to_time_t(options_.clock()));
  v1::Employer e;
  FieldMaskUtil::MergeMessageTo(employer, [] {
    google::protobuf::FieldMask m;
    for (const auto& p : UpdatableEmployerPaths()) m.add_paths(p);
    m.add_paths("credit_code");
    return m;
  }(), {}, &e);
  e.set_id(core::NewUuidV7(options_.clock()));
  e.set_province(province);
  e.set_status(v1::EMPLOYER_STATUS_ACTIVE);
  e.set_declaration_status(v1::DECLARATION_STATUS_UNSPECIFIED);
  e.set_version(1);
  *e.mutable_create_time() = now;
  *e.mutable_update_time() = now;
  SealedContact sealed;
  personal_.Seal(e, true, true, sealed);
  RegistryStore::InsertEmployer(tx, e);
  RegistryStore::PutSealedContact(tx, e.id(), sealed);
  Audit(tx, caller, "create", "employer", e.id());
  events_.Registered(tx, e);
  return e;
}

grpc::Status Registry::GetEmployer(const Caller& caller, const v1::GetEmployerRequest& request,
                                   v1::Employer* response) {
  return Guard(caller, "GetEmployer", [&] {
    core::FieldErrors errors;
    if (request.id().empty()) errors.Add("id", "is required");
    CheckReveal(request.reveal_personal_data(), request.purpose(), errors);
    ThrowIfInvalid(errors);
    *response = ReadEmployer(caller, request.reveal_personal_data(), request.purpose(),
                             "employer with id '" + service::Echo(request.id()) + "'",
                             [&](store::Tx& tx) { return RegistryStore::FindEmployer(tx, request.id()); });
  });
}

grpc::Status Registry::GetEmployerByCreditCode(const Caller& caller,
                                               const v1::GetEmployerByCreditCodeRequest& request,
                                               v1::Employer* response) {
  return Guard(caller, "GetEmployerByCreditCode", [&] {
    core::FieldErrors errors;
    if (request.credit_code().empty()) errors.Add("credit_code", "is required");
    CheckReveal(request.reveal_personal_data(), request.purpose(), errors);
    ThrowIfInvalid(errors);
    *response = ReadEmployer(
        caller, request.reveal_personal_data(), request.purpose(),
        "employer with credit code '" + std::string(domain::Utf8Prefix(request.credit_code(), 18)) + "'",
        [&](store::Tx& tx) { return RegistryStore::FindEmployerByCreditCode(tx, request.credit_code()); });
  });
}

grpc::Status Registry::UpdateEmployer(const Caller& caller, const v1::UpdateEmployerRequest& request,
                                      v1::Employer* response) {
  return Guard(caller, "UpdateEmployer", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    if (request.employer().id().empty()) errors.Add("employer.id", "is required");
    if (request.employer().version() <= 0) errors.Add("employer.version", "is required (the version you read)");
    google::protobuf::FieldMask mask = request.update_mask();
    if (mask.paths_size() == 0) {
      // Answers do not carry the personal values, so a read-modify-write
      // without a mask keeps them unless it sends new ones.
      for (const auto& p : UpdatableEmployerPaths()) {
        if (p == kLegalRepresentativeField && request.employer().legal_representative().empty()) continue;
        if (p == kLegalRepresentativePhoneField && request.employer().legal_representative_phone().empty()) continue;
        mask.add_paths(p);
      }
    }
    for (const auto& p : mask.paths()) {
      if (UpdatableEmployerPaths().count(p) == 0) {
        errors.Add("update_mask", "'" + service::Echo(p) + "' is not an updatable employer field");
      }
    }
    ThrowIfInvalid(errors);
    v1::UpdateEmployerRequest fingerprint = request;
    PersonalData::MaskInPlace(*fingerprint.mutable_employer());

    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "UpdateEmployer", request.request_id(), fingerprint, response,
                 [&] { *response = UpdateEmployerIn(tx, caller, request.employer(), mask, false).employer; });
    });
    Committed();
  });
}

Registry::EmployerWrite Registry::UpdateEmployerIn(store::Tx& tx, const Caller& caller, const v1::Employer& changes,
                                                   const google::protobuf::FieldMask& mask, bool keep_if_unchanged) {
  const auto masks = [&](const char* path) {
    return std::find(mask.paths().begin(), mask.paths().end(), path) != mask.paths().end();
  };
  auto e = access_.Allowed(caller.principal, auth::Action::kWrite, RegistryStore::FindEmployer(tx, changes.id()),
                           "employer with id '" + service::Echo(changes.id()) + "'", ResourceOf);
  service::RequireVersion("employer", e.id(), e.version(), changes.version());
  if (e.status() != v1::EMPLOYER_STATUS_ACTIVE) {
    Refuse(grpc::StatusCode::FAILED_PRECONDITION, "employer " + e.id() + " is no longer active");
  }
  const v1::Employer before = e;
  FieldMaskUtil::MergeOptions merge;
  merge.set_replace_message_fields(true);
  merge.set_replace_repeated_fields(true);
  FieldMaskUtil::MergeMessageTo(changes, mask, merge, &e);
  core::FieldErrors merged_errors;
  ValidateEmployer(e, options_.province, merged_errors);
  ThrowIfInvalid(merged_errors);
  SealedContact sealed = RegistryStore::FindSealedContact(tx, e.id());
  const bool name_masked = masks(kLegalRepresentativeField);
  const bool phone_masked = masks(kLegalRepresentativePhoneField);
  if (keep_if_unchanged) {
    // Compared in clear: the stored record keeps only masks of the personal values.
    v1::Employer stored = before;
    v1::Employer wanted = e;
    personal_.Open(sealed, stored);
    if (!name_masked) wanted.set_legal_representative(stored.legal_representative());
    if (!phone_masked) wanted.set_legal_representative_phone(stored.legal_representative_phone());
    wanted.clear_legal_representative_masked();
    wanted.clear_legal_representative_phone_masked();
    stored.clear_legal_representative_masked();
    stored.clear_legal_representative_phone_masked();
    if (google::protobuf::util::MessageDifferencer::Equals(stored, wanted)) return {before, false};
  }
  e.set_version(e.version() + 1);
  *e.mutable_update_time() = TimeUtil::TimeTToTimestamp(std::chrono::system_clock::to_time_t(options_.clock()));
  personal_.Seal(e, name_masked, phone_masked, sealed);
  RegistryStore::UpdateEmployer(tx, e);
  RegistryStore::PutSealedContact(tx, e.id(), sealed);
  Audit(tx, caller, "update", "employer", e.id());
  events_.Updated(tx, before, e);
  return {e, true};
}

grpc::Status Registry::ListEmployers(const Caller& caller, const v1::ListEmployersRequest& request,
                                     v1::ListEmployersResponse* response) {
  return Guard(caller, "ListEmployers", [&] {
    core::FieldErrors errors;
    const int page_size = PageSize(request.page_size(), options_, errors);
    EmployerFilter filter;
    filter.division_prefix = request.division_prefix();
    filter.industry_section = request.industry_section();
    filter.size_class = request.size_class();
    filter.hazard_category = request.hazard_category();
    filter.declaration_status = request.declaration_status();
    if (!filter.division_prefix.empty() && !domain::IsDivisionPrefix(filter.division_prefix)) {
      errors.Add("division_prefix", "must be 2, 4 or 6 digits starting with a province code");
    }
    if (!filter.industry_section.empty() && domain::FindIndustrySection(filter.industry_section) == nullptr) {
      errors.Add("industry_section", "must be a GB/T 4754-2017 section letter A-T");
    }
    if (!common::v1::SizeClass_IsValid(filter.size_class)) errors.Add("size_class", "unknown value");
    if (!common::v1::HazardCategory_IsValid(filter.hazard_category)) errors.Add("hazard_category", "unknown value");
    if (!v1::DeclarationStatus_IsValid(filter.declaration_status)) errors.Add("declaration_status", "unknown value");

    // Narrow the query to what the caller may see, then check it with the one policy.
    const auth::Principal& p = *caller.principal;
    auth::Resource scope{options_.province, "", false};
    if (auth::IsOrganisationRole(p.role)) {
      filter.credit_code = p.org;
      scope = {p.province, p.org, false};
    } else if (!filter.division_prefix.empty()) {
      scope.province = filter.division_prefix.substr(0, 2);
    } else if (auth::IsProvincialRole(p.role)) {
      filter.division_prefix = p.province;
      scope.province = p.province;
    }
    const std::string fingerprint = fmt::format("{}|{}|{}|{}|{}|{}", filter.division_prefix, filter.industry_section,
                                                filter.size_class, filter.hazard_category, filter.declaration_status,
                                                filter.credit_code);
    const std::string after_id = service::PagePosition(request.page_token(), fingerprint, errors);
    ThrowIfInvalid(errors);
    Require(caller.principal, auth::Action::kRead, scope);

    auto rows = db_.Read([&](store::Tx& tx) { return RegistryStore::ListEmployers(tx, filter, after_id, page_size + 1); });
    response->set_next_page_token(service::TrimPage(rows, page_size, fingerprint, [](const auto& e) { return e.id(); }));
    for (auto& e : rows) *response->add_employers() = std::move(e);
  });
}

grpc::Status Registry::TransferEmployer(const Caller& caller, const v1::TransferEmployerRequest& request,
                                        v1::Employer* response) {
  return Guard(caller, "TransferEmployer", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    if (request.id().empty()) errors.Add("id", "is required");
    if (request.version() <= 0) errors.Add("version", "is required (the version you read)");
    if (request.to_division_code().empty()) {
      errors.Add("to_division_code", "is required");
    } else if (auto bad = domain::DivisionCodeError(request.to_division_code())) {
      errors.Add("to_division_code", *bad);
    } else if (domain::ProvinceOfDivision(request.to_division_code()) == options_.province) {
      errors.Add("to_division_code", "is in this registry's own province; change division_code with UpdateEmployer");
    }
    service::CheckText(request.reason(), "reason", kMaxLongTextLength, true, errors);
    ThrowIfInvalid(errors);

    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "TransferEmployer", request.request_id(), request, response, [&] {
        // Handing an employer over is a supervisory act of its current province.
        auto e = access_.Allowed(caller.principal, auth::Action::kReview, RegistryStore::FindEmployer(tx, request.id()),
                                 "employer with id '" + service::Echo(request.id()) + "'", ResourceOf);
        service::RequireVersion("employer", e.id(), e.version(), request.version());
        if (e.status() != v1::EMPLOYER_STATUS_ACTIVE) {
          Refuse(grpc::StatusCode::FAILED_PRECONDITION, "employer " + e.id() + " is no longer active here");
        }
        if (RegistryStore::HasPendingDeclaration(tx, e.id())) {
          Refuse(grpc::StatusCode::FAILED_PRECONDITION,
                 "employer " + e.id() + " has a declaration awaiting review; decide it before the transfer");
        }
        const v1::Employer before = e;
        // The record as the new province will hold it.
        v1::Employer moved = e;
        moved.set_division_code(request.to_division_code());
        moved.set_province(std::string(domain::ProvinceOfDivision(request.to_division_code())));
        moved.set_version(e.version() + 1);
        *moved.mutable_update_time() =
            TimeUtil::TimeTToTimestamp(std::chrono::system_clock::to_time_t(options_.clock()));
        const auto declarations = RegistryStore::ListDeclarations(tx, e.id(), "", 100000);

        // Pending until the receiving province acknowledges the import (TransferLedger).
        e.set_status(v1::EMPLOYER_STATUS_TRANSFER_PENDING);
        e.set_version(moved.version());
        *e.mutable_update_time() = moved.update_time();
        RegistryStore::UpdateEmployer(tx, e);
        Audit(tx, caller, "transfer", "employer", e.id());
        const auto transfer_id = events_.Transferred(tx, before, moved, declarations, request.reason());
        TransferLedger::RecordSent(tx, transfer_id, moved, e.id(), static_cast<int>(declarations.size()));
        *response = e;
      });
    });
    Committed();
  });
}

grpc::Status Registry::SubmitDeclaration(const Caller& caller, const v1::SubmitDeclarationRequest& request,
                                         v1::Declaration* response) {
  return Guard(caller, "SubmitDeclaration", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    if (request.employer_id().empty()) errors.Add("employer_id", "is required");
    ThrowIfInvalid(errors);
    const auto now_tp = options_.clock();
    const int current_year = [&] {
      const std::time_t t = std::chrono::system_clock::to_time_t(now_tp);
      std::tm tm{};
      gmtime_r(&t, &tm);
      return tm.tm_year + 1900;
    }();

    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "SubmitDeclaration", request.request_id(), request, response, [&] {
        auto e = access_.Allowed(caller.principal, auth::Action::kWrite,
                                 RegistryStore::FindEmployer(tx, request.employer_id()),
                                 "employer with id '" + service::Echo(request.employer_id()) + "'", ResourceOf);
        if (e.status() != v1::EMPLOYER_STATUS_ACTIVE) {
          Refuse(grpc::StatusCode::FAILED_PRECONDITION, "employer " + e.id() + " is no longer active");
        }
        core::FieldErrors declaration_errors;
        ValidateDeclaration(request.declaration(), e, current_year, declaration_errors);
        ThrowIfInvalid(declaration_errors);
        if (RegistryStore::HasPendingDeclaration(tx, e.id())) {
          Refuse(grpc::StatusCode::FAILED_PRECONDITION,
                 "employer " + e.id() + " has a declaration awaiting review; wait for its decision");
        }
        if (request.declaration().type() == v1::DECLARATION_TYPE_INITIAL &&
            e.declaration_status() == v1::DECLARATION_STATUS_APPROVED) {
          Refuse(grpc::StatusCode::FAILED_PRECONDITION,
                 "employer " + e.id() + " has an approved declaration; submit a change or annual declaration");
        }
        const auto now = TimeUtil::TimeTToTimestamp(std::chrono::system_clock::to_time_t(now_tp));
        v1::Declaration d;
        d.set_type(request.declaration().type());
        d.set_change_reason(request.declaration().change_reason());
        d.set_change_description(request.declaration().change_description());
        d.set_year(request.declaration().year());
        *d.mutable_exposures() = request.declaration().exposures();
        d.set_total_exposed_workers(request.declaration().total_exposed_workers());
        d.set_total_workers(request.declaration().total_workers() > 0 ? request.declaration().total_workers()
                                                                      : e.total_workers());
        d.set_id(core::NewUuidV7(now_tp));
        d.set_employer_id(e.id());
        d.set_credit_code(e.credit_code());
        d.set_province(e.province());
        d.set_status(v1::DECLARATION_STATUS_SUBMITTED);
        *d.mutable_submitted_by() = ActorOf(*caller.principal);
        *d.mutable_submit_time() = now;
        DeriveDeclarationTotals(d);
        RegistryStore::InsertDeclaration(tx, d);

        e.set_declaration_status(v1::DECLARATION_STATUS_SUBMITTED);
        e.set_version(e.version() + 1);
        *e.mutable_update_time() = now;
        RegistryStore::UpdateEmployer(tx, e);
        Audit(tx, caller, "submit", "declaration", d.id());
        events_.DeclarationSubmitted(tx, d, e);
        *response = d;
      });
    });
    Committed();
  });
}

grpc::Status Registry::GetDeclaration(const Caller& caller, const v1::GetDeclarationRequest& request,
                                      v1::Declaration* response) {
  return Guard(caller, "GetDeclaration", [&] {
    if (request.id().empty()) throw Refusal{core::InvalidArgument("id", "is required")};
    access_.RequireSomeRight(caller.principal, auth::Action::kRead);
    auto d = db_.Read([&](store::Tx& tx) { return RegistryStore::FindDeclaration(tx, request.id()); });
    *response = access_.Allowed(caller.principal, auth::Action::kRead, std::move(d),
                                "declaration with id '" + service::Echo(request.id()) + "'",
                                [](const v1::Declaration& x) { return auth::Resource{x.province(), x.credit_code(), false}; });
  });
}

grpc::Status Registry::ListDeclarations(const Caller& caller, const v1::ListDeclarationsRequest& request,
                                        v1::ListDeclarationsResponse* response) {
  return Guard(caller, "ListDeclarations", [&] {
    core::FieldErrors errors;
    const int page_size = PageSize(request.page_size(), options_, errors);
    if (request.employer_id().empty()) errors.Add("employer_id", "is required");
    const std::string before_id = service::PagePosition(request.page_token(), request.employer_id(), errors);
    ThrowIfInvalid(errors);
    access_.RequireSomeRight(caller.principal, auth::Action::kRead);
    auto rows = db_.Read([&](store::Tx& tx) {
      const auto e = access_.Allowed(caller.principal, auth::Action::kRead,
                                     RegistryStore::FindEmployer(tx, request.employer_id()),
                                     "employer with id '" + service::Echo(request.employer_id()) + "'", ResourceOf);
      return RegistryStore::ListDeclarations(tx, e.id(), before_id, page_size + 1);
    });
    response->set_next_page_token(
        service::TrimPage(rows, page_size, request.employer_id(), [](const auto& d) { return d.id(); }));
    for (auto& d : rows) *response->add_declarations() = std::move(d);
  });
}

grpc::Status Registry::ReviewDeclaration(const Caller& caller, const v1::ReviewDeclarationRequest& request,
                                         v1::Declaration* response) {
  return Guard(caller, "ReviewDeclaration", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    if (request.id().empty()) errors.Add("id", "is required");
    service::CheckText(request.reason(), "reason", kMaxLongTextLength, !request.approve(), errors);
    ThrowIfInvalid(errors);

    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "ReviewDeclaration", request.request_id(), request, response, [&] {
        auto d = RegistryStore::FindDeclaration(tx, request.id());
        auto e = d ? RegistryStore::FindEmployer(tx, d->employer_id()) : std::nullopt;
        access_.Require(caller.principal, auth::Action::kReview, e ? std::optional(ResourceOf(*e)) : std::nullopt,
                        "declaration with id '" + service::Echo(request.id()) + "'");
        if (d->status() != v1::DECLARATION_STATUS_SUBMITTED) {
          Refuse(grpc::StatusCode::FAILED_PRECONDITION,
                 "declaration " + d->id() + " was decided already (" + v1::DeclarationStatus_Name(d->status()) + ")");
        }
        const auto now = TimeUtil::TimeTToTimestamp(std::chrono::system_clock::to_time_t(options_.clock()));
        auto* review = d->add_reviews();
        review->set_approved(request.approve());
        review->set_reason(request.reason());
        *review->mutable_reviewer() = ActorOf(*caller.principal);
        *review->mutable_review_time() = now;
        d->set_status(request.approve() ? v1::DECLARATION_STATUS_APPROVED : v1::DECLARATION_STATUS_REJECTED);
        RegistryStore::UpdateDeclaration(tx, *d);

        e->set_declaration_status(d->status());
        if (request.approve()) {
          std::set<int> categories;
          for (const auto& x : d->exposures()) categories.insert(x.category());
          e->clear_hazard_categories();
          for (int c : categories) e->add_hazard_categories(static_cast<common::v1::HazardCategory>(c));
          e->set_exposed_workers(d->total_exposed_workers());
          e->set_total_workers(d->total_workers());
        }
        e->set_version(e->version() + 1);
        *e->mutable_update_time() = now;
        RegistryStore::UpdateEmployer(tx, *e);
        Audit(tx, caller, request.approve() ? "approve" : "reject", "declaration", d->id());
        events_.DeclarationReviewed(tx, *d, *e);
        *response = *d;
      });
    });
    Committed();
  });
}

}  // namespace osh::registry
