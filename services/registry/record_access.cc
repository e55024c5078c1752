#include "record_access.h"

#include "osh/service/call.h"

namespace osh::registry {

void RecordAccess::RequireSomeRight(const auth::Principal* principal, auth::Action action) const {
  // The widest record the caller could be allowed: any of the province for
  // staff and national roles, its own organisation's for organisation roles.
  auth::Resource widest{province_, "", false};
  if (principal != nullptr && auth::IsOrganisationRole(principal->role)) widest.org = principal->org;
  service::Require(principal, action, widest);
}

void RecordAccess::Require(const auth::Principal* principal, auth::Action action,
                           const std::optional<auth::Resource>& record, std::string_view what) const {
  RequireSomeRight(principal, action);
  const bool own_records_only = principal != nullptr && auth::IsOrganisationRole(principal->role);
  const auto refuse_foreign = [&] {
    // The same words whether the record is another organisation's or missing:
    // neither its existence nor its owner is told.
    service::Refuse(grpc::StatusCode::PERMISSION_DENIED,
                    "role " + std::string(auth::RoleName(principal->role)) + " may only " +
                        std::string(auth::ActionName(action)) + " records of its own organisation " + principal->org +
                        ", and the " + std::string(what) + " is not one of them");
  };
  if (!record) {
    if (own_records_only) refuse_foreign();
    service::Refuse(grpc::StatusCode::NOT_FOUND, "no " + std::string(what));
  }
  const auto decision = auth::Authorize(principal, action, *record);
  if (!decision.allowed) {
    if (own_records_only) refuse_foreign();
    service::Refuse(grpc::StatusCode::PERMISSION_DENIED, decision.reason);
  }
}

}  // namespace osh::registry
