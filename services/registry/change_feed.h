#pragma once

#include <grpcpp/support/status.h>

#include <string>

#include "change_log.h"
#include "osh/auth/principal.h"
#include "osh/registry/v1/registry.pb.h"
#include "osh/registry/v1/supervision.pb.h"
#include "osh/service/call.h"
#include "osh/store/database.h"

namespace osh::registry {

namespace v1 = ::osh::registry::v1;

// Who may read a province's registry in bulk (change feeds, exports): its
// staff (province_admin, inspector) and national roles, by the one access
// policy asked about "every record of the province"; organisation roles
// (employers, institutions, workers), editors and other provinces' staff are
// PERMISSION_DENIED.
void RequireBulkReader(const auth::Principal* principal, const std::string& province);

// The change feeds of proto/osh/registry/v1/changes.proto over the ChangeLog:
// a page of changes after an opaque cursor, each with its record as it is now
// (an employer's personal data masked, as ListEmployers answers it). A cursor
// is bound to its feed and this registry's province, so one of another feed
// or province is refused naming `cursor` instead of skipping changes.
class ChangeFeed {
 public:
  struct Options {
    std::string province;  // the province this registry serves
    int default_page_size = 50;
    int max_page_size = 500;
  };

  ChangeFeed(store::Database& db, Options options) : db_(db), options_(std::move(options)) {}

  grpc::Status ListEmployerChanges(const service::Caller& caller, const v1::ListChangesRequest& request,
                                   v1::ListEmployerChangesResponse* response) const;
  grpc::Status ListDeclarationChanges(const service::Caller& caller, const v1::ListChangesRequest& request,
                                      v1::ListDeclarationChangesResponse* response) const;
  grpc::Status ListInspectionChanges(const service::Caller& caller, const v1::ListChangesRequest& request,
                                     v1::ListInspectionChangesResponse* response) const;
  grpc::Status ListRectificationChanges(const service::Caller& caller, const v1::ListChangesRequest& request,
                                        v1::ListRectificationChangesResponse* response) const;

 private:
  // Validates, authorises and reads one page of a feed; `add(entry)` puts each
  // change into the response, whose cursor and has_more it sets.
  template <typename Response, typename Add>
  grpc::Status Page(const service::Caller& caller, const char* method, ChangeLog::Resource resource,
                    const v1::ListChangesRequest& request, Response* response, Add&& add) const;

  store::Database& db_;
  Options options_;
};

}  // namespace osh::registry
