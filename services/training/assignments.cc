// Training: mandatory assignments — the registry's events about employers of
// this province assign the mandatory courses they match.

#include "training.h"

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>

#include <cmath>
#include <set>

#include "course_rules.h"
#include "osh/auth/authorize.h"
#include "osh/core/ids.h"
#include "osh/domain/civil_date.h"
#include "osh/domain/credit_code.h"
#include "osh/domain/regions.h"
#include "osh/domain/text.h"
#include "osh/events/v1/registry_events.pb.h"
#include "osh/service/checks.h"
#include "osh/service/paging.h"
#include "osh/service/records.h"
#include "osh/store/enum_set.h"
#include "training_access.h"

namespace osh::training {
namespace {

// An employer of this province the registry told about (registered, declared,
// transferred in): remembered for courses published later, and assigned the
// published mandatory courses it matches now.
void EmployerKnown(store::Tx& tx, const events::Event& event, const events::v1::EmployerFacts& facts,
                   int64_t hazards, std::chrono::system_clock::time_point since, const Training::Options& options) {
  if (facts.credit_code().empty()) return;
  const KnownEmployer employer{facts.credit_code(), facts.industry_section(), hazards};
  TrainingStore::RememberEmployer(tx, employer);
  const std::string due_date = DueDate(since, options);
  for (const auto& course : TrainingStore::MandatoryCourses(tx, {options.province, ""})) {
    for (const auto& a : AssignIfMatching(tx, course, employer, due_date, options)) {
      service::Audit(tx, {event.source, "event", "assign", "assignment", a.id(), event.id});
    }
  }
}

}  // namespace

void Training::Route(store::Tx& tx, const events::Event& event) const {
  const auto since = [&](const google::protobuf::Timestamp& t) {
    return t.seconds() > 0 ? std::chrono::system_clock::from_time_t(TimeUtil::TimestampToTimeT(t)) : options_.clock();
  };
  // Other provinces' employers travel on the same topic; their training is
  // their province's business.
  const auto ours = [&](const events::v1::EmployerFacts& e) { return e.province() == options_.province; };
  if (event.type == events::v1::EnterpriseRegistered::descriptor()->full_name()) {
    events::v1::EnterpriseRegistered registered;
    events::UnpackOrThrow(event, &registered);  // dead-lettered at once: no retry makes it parse
    if (!ours(registered.employer())) return;
    EmployerKnown(tx, event, registered.employer(), store::EnumSet(registered.employer().hazard_categories()),
                  since(registered.registered_time()), options_);
  } else if (event.type == events::v1::DeclarationApproved::descriptor()->full_name()) {
    // A new employer's hazard categories are known only once its declaration
    // is approved (the registry's employer record takes them from there), so
    // hazard-specific mandatory courses are assigned then.
    events::v1::DeclarationApproved approved;
    events::UnpackOrThrow(event, &approved);  // dead-lettered at once: no retry makes it parse
    const auto& declaration = approved.declaration();
    if (!ours(declaration.employer())) return;
    int64_t hazards = store::EnumSet(declaration.employer().hazard_categories());
    for (const auto& exposure : declaration.exposures()) hazards |= store::EnumBit(exposure.category());
    EmployerKnown(tx, event, declaration.employer(), hazards, since(approved.review_time()), options_);
  } else if (event.type == events::v1::EnterpriseTransferred::descriptor()->full_name()) {
    // An employer moving in from another province becomes ours.
    events::v1::EnterpriseTransferred transferred;
    events::UnpackOrThrow(event, &transferred);  // dead-lettered at once: no retry makes it parse
    if (transferred.to_province() != options_.province) return;
    EmployerKnown(tx, event, transferred.employer(), store::EnumSet(transferred.employer().hazard_categories()),
                  since(transferred.transfer_time()), options_);
  }
}

grpc::Status Training::ListAssignments(const Caller& caller, const v1::ListAssignmentsRequest& request,
                                       v1::ListAssignmentsResponse* response) {
  return Guard(caller, "ListAssignments", [&] {
    core::FieldErrors errors;
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    if (!request.org().empty()) {
      if (auto bad = domain::CreditCodeError(request.org())) errors.Add("org", *bad);
    }
    const std::string fingerprint = fmt::format("assignments|{}|{}", request.org(), request.overdue_only());
    const std::string after_id = service::PagePosition(request.page_token(), fingerprint, errors);
    ThrowIfInvalid(errors);

    const auto* p = caller.principal;
    std::string org = request.org();
    if (p->role == auth::Role::kEmployer && org.empty()) org = p->org;
    if (auth::IsOrganisationRole(p->role) && p->role != auth::Role::kEmployer) {
      Refuse(grpc::StatusCode::PERMISSION_DENIED,
             "assignments are listed by employers and province staff, not role " + RoleText(p));
    }
    service::Require(p, auth::Action::kRead, {options_.province, org, false});
    const std::string overdue_before = request.overdue_only() ? domain::ChinaDateOf(options_.clock()) : "";
    auto rows = db_.Read([&](store::Tx& tx) {
      return TrainingStore::ListAssignments(tx, org, overdue_before, after_id, page_size + 1);
    });
    response->set_next_page_token(
        service::TrimPage(rows, page_size, fingerprint, [](const v1::Assignment& a) { return a.id(); }));
    for (auto& a : rows) *response->add_assignments() = std::move(a);
  });
}

}  // namespace osh::training
