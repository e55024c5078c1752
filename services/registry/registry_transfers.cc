// Registry: the transfers this province sent and whether the receiving side confirmed them.
#include <fmt/format.h>

#include "osh/domain/regions.h"
#include "osh/service/checks.h"
#include "osh/service/paging.h"
#include "registry.h"
#include "transfer_ledger.h"

namespace osh::registry {

grpc::Status Registry::ListTransfers(const Caller& caller, const v1::ListTransfersRequest& request,
                                     v1::ListTransfersResponse* response) {
  return service::Guard(caller, "ListTransfers", [&] {
    core::FieldErrors errors;
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    TransferLedger::Filter filter{.pending_only = request.pending_only(), .to_province = request.to_province()};
    if (!filter.to_province.empty() &&
        (filter.to_province.size() != 2 || !domain::IsDivisionPrefix(filter.to_province))) {
      errors.Add("to_province", "must be a 2-digit GB/T 2260 province code");
    }
    const std::string fingerprint = fmt::format("{}|{}", filter.pending_only, filter.to_province);
    const std::string before_id = service::PagePosition(request.page_token(), fingerprint, errors);
    service::ThrowIfInvalid(errors);
    // Following up a transfer is the sending province's supervisory work, and
    // the national level oversees transfers between provinces.
    const auth::Principal& p = *caller.principal;
    const bool staff = (p.role == auth::Role::kProvinceAdmin || p.role == auth::Role::kInspector) &&
                       p.province == options_.province;
    if (!staff && p.role != auth::Role::kNationalAdmin) {
      service::Refuse(grpc::StatusCode::PERMISSION_DENIED,
                      "only province_admin and inspector of province " + options_.province +
                          " and national_admin may list its transfers; the caller is " +
                          std::string(auth::RoleName(p.role)) + (p.province.empty() ? "" : " of province " + p.province));
    }
    auto rows = db_.Read([&](store::Tx& tx) { return TransferLedger::List(tx, filter, before_id, page_size + 1); });
    response->set_next_page_token(
        service::TrimPage(rows, page_size, fingerprint, [](const auto& t) { return t.transfer_id(); }));
    for (auto& t : rows) *response->add_transfers() = std::move(t);
  });
}

}  // namespace osh::registry
