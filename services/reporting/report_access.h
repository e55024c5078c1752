#pragma once

#include <string>

#include "osh/auth/authorize.h"
#include "osh/domain/text.h"
#include "osh/service/call.h"
#include "rollup_store.h"

namespace osh::reporting {

// The annual report `id` for a caller who may `action` reports of its own
// scope (its province; national data for national_admin): others are refused
// before the lookup, whatever the id. A report the caller may not read (of
// another province) answers like a missing one (NOT_FOUND), so ids do not
// reveal which reports exist; one it reads but may not `action` is refused.
// (The policy of main's reporting.cc ReportFor, shared by approval.cc and
// downloads.cc; keep one of the two on merge.)
inline v1::AnnualReport ReportFor(store::Tx& tx, const service::Caller& caller, auth::Action action,
                                  const std::string& id) {
  service::Require(caller.principal, action, {caller.principal->province, "", false});
  auto report = RollupStore::FindReport(tx, id);
  if (!report || !auth::Authorize(caller.principal, auth::Action::kRead, {report->province(), "", false}).allowed) {
    service::Refuse(grpc::StatusCode::NOT_FOUND,
                    "no annual report with id '" + std::string(domain::Utf8Prefix(id, 64)) + "'");
  }
  service::Require(caller.principal, action, {report->province(), "", false});
  return std::move(*report);
}

}  // namespace osh::reporting
