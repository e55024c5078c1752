// Supervision: an employer's supervision record read back — its inspections,
// hazard testing reports and health-exam summaries, the latest recorded first
// — for whoever may read the employer itself (its organisation, province
// staff of its province, national roles). The employer's page in the console
// shows them beside its declarations and rectification items.
#include <fmt/format.h>

#include "osh/service/checks.h"
#include "osh/service/paging.h"
#include "supervision.h"
#include "supervision_store.h"

namespace osh::registry {
namespace {

// Validates the page, authorises reading the employer, and fills `add` with a
// page of `fetch(tx, employer_id, after, limit)` and the next page's token.
template <typename Request, typename Record, typename Fetch, typename Add>
std::string EmployerRecordsPage(store::Database& db, const RecordAccess& access, const Caller& caller,
                                const Request& request, int default_page_size, int max_page_size, const char* kind,
                                Fetch&& fetch, Add&& add) {
  core::FieldErrors errors;
  if (request.employer_id().empty()) errors.Add("employer_id", "is required");
  const int page_size = service::PageSize(request.page_size(), default_page_size, max_page_size, errors);
  const std::string fingerprint = fmt::format("{}|{}", kind, request.employer_id());
  const std::string after = service::PagePosition(request.page_token(), fingerprint, errors);
  service::ThrowIfInvalid(errors);
  auto rows = db.Read([&](store::Tx& tx) {
    AllowedEmployer(tx, access, caller, auth::Action::kRead, request.employer_id());
    return fetch(tx, request.employer_id(), after, page_size + 1);
  });
  auto token = service::TrimPage(rows, page_size, fingerprint, [](const Record& r) { return r.id(); });
  for (auto& r : rows) add(std::move(r));
  return token;
}

}  // namespace

grpc::Status Supervision::ListInspections(const Caller& caller, const v1::ListInspectionsRequest& request,
                                          v1::ListInspectionsResponse* response) {
  return service::Guard(caller, "ListInspections", [&] {
    response->set_next_page_token(EmployerRecordsPage<v1::ListInspectionsRequest, v1::Inspection>(
        db_, access_, caller, request, options_.default_page_size, options_.max_page_size, "inspections",
        SupervisionStore::InspectionsOf, [&](v1::Inspection&& r) { *response->add_inspections() = std::move(r); }));
  });
}

grpc::Status Supervision::ListHazardTests(const Caller& caller, const v1::ListHazardTestsRequest& request,
                                          v1::ListHazardTestsResponse* response) {
  return service::Guard(caller, "ListHazardTests", [&] {
    response->set_next_page_token(EmployerRecordsPage<v1::ListHazardTestsRequest, v1::HazardTest>(
        db_, access_, caller, request, options_.default_page_size, options_.max_page_size, "hazard_tests",
        SupervisionStore::HazardTestsOf, [&](v1::HazardTest&& r) { *response->add_hazard_tests() = std::move(r); }));
  });
}

grpc::Status Supervision::ListHealthExamSummaries(const Caller& caller,
                                                  const v1::ListHealthExamSummariesRequest& request,
                                                  v1::ListHealthExamSummariesResponse* response) {
  return service::Guard(caller, "ListHealthExamSummaries", [&] {
    response->set_next_page_token(EmployerRecordsPage<v1::ListHealthExamSummariesRequest, v1::HealthExamSummary>(
        db_, access_, caller, request, options_.default_page_size, options_.max_page_size, "health_exam_summaries",
        SupervisionStore::SummariesOf,
        [&](v1::HealthExamSummary&& r) { *response->add_summaries() = std::move(r); }));
  });
}

}  // namespace osh::registry
