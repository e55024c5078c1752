// Registry: the reads of personal data in clear and their record.
#include <google/protobuf/util/time_util.h>

#include <fmt/format.h>

#include "osh/core/ids.h"
#include "osh/service/actor.h"
#include "osh/service/checks.h"
#include "osh/service/paging.h"
#include "registry.h"
#include "registry_store.h"

namespace osh::registry {
namespace {

using google::protobuf::util::TimeUtil;

// The range RFC 3339 can write (0001-01-01 to 9999-12-31), as protobuf's JSON mapping does.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

// A time bound of the request in Unix milliseconds; adds an error when it is no valid time.
int64_t MillisOf(const google::protobuf::Timestamp& t, const char* field, core::FieldErrors& errors) {
  if (t.seconds() < kMinTimestampSeconds || t.seconds() > kMaxTimestampSeconds || t.nanos() < 0 ||
      t.nanos() > 999'999'999) {
    errors.Add(field, "is not a valid time (0001-01-01 to 9999-12-31, nanos 0-999999999)");
    return 0;
  }
  return t.seconds() * 1000 + t.nanos() / 1'000'000;
}

}  // namespace

void Registry::RequireMayReveal(const Caller& caller) const {
  // Who needs the clear values: the province's staff for their supervision,
  // and the employer for its own record. Institutions and workers do not;
  // national roles and other provinces never see a province's personal data.
  const auth::Principal& p = *caller.principal;
  const bool staff = (p.role == auth::Role::kProvinceAdmin || p.role == auth::Role::kInspector) &&
                     p.province == options_.province;
  if (staff || p.role == auth::Role::kEmployer) return;
  service::Refuse(grpc::StatusCode::PERMISSION_DENIED,
                  "role " + std::string(auth::RoleName(p.role)) + (p.province.empty() ? "" : " of province " + p.province) +
                      " may not read personal data in clear (reveal_personal_data); ask without it for the masked record");
}

v1::Employer Registry::ReadEmployer(const Caller& caller, bool reveal, const std::string& purpose,
                                    const std::string& what,
                                    const std::function<std::optional<v1::Employer>(store::Tx&)>& find) {
  // Authorise before looking: the answer to a caller who may not read such a
  // record does not depend on whether it exists.
  access_.RequireSomeRight(caller.principal, auth::Action::kRead);
  if (!reveal) {
    return access_.Allowed(caller.principal, auth::Action::kRead, db_.Read(find), what, ResourceOf);
  }
  RequireMayReveal(caller);
  // A write transaction: the record of the read commits with it, or the read fails.
  return db_.Write([&](store::Tx& tx) {
    auto e = access_.Allowed(caller.principal, auth::Action::kRead, find(tx), what, ResourceOf);
    personal_.Open(RegistryStore::FindSealedContact(tx, e.id()), e);
    v1::PersonalDataRead read;
    if (!e.legal_representative().empty()) read.add_fields(kLegalRepresentativeField);
    if (!e.legal_representative_phone().empty()) read.add_fields(kLegalRepresentativePhoneField);
    if (read.fields_size() == 0) return e;  // nothing personal was read
    const auto now = options_.clock();
    read.set_id(core::NewUuidV7(now));
    *read.mutable_read_time() = TimeUtil::MillisecondsToTimestamp(
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
    *read.mutable_reader() = service::ActorOf(*caller.principal);
    read.set_record_type("employer");
    read.set_record_id(e.id());
    read.set_purpose(purpose);
    read.set_request_id(caller.request_id);
    PersonalDataReads::Record(tx, read);
    return e;
  });
}

grpc::Status Registry::ListPersonalDataReads(const Caller& caller, const v1::ListPersonalDataReadsRequest& request,
                                             v1::ListPersonalDataReadsResponse* response) {
  return service::Guard(caller, "ListPersonalDataReads", [&] {
    core::FieldErrors errors;
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    PersonalDataReads::Filter filter;
    filter.record_id = request.record_id();
    service::CheckText(filter.record_id, "record_id", service::kMaxRequestIdLength, false, errors);
    if (request.has_start_time()) filter.start_ms = MillisOf(request.start_time(), "start_time", errors);
    if (request.has_end_time()) filter.end_ms = MillisOf(request.end_time(), "end_time", errors);
    if (errors.empty() && filter.end_ms <= filter.start_ms) errors.Add("end_time", "must be after start_time");
    const std::string fingerprint = fmt::format("{}|{}|{}", filter.record_id, filter.start_ms, filter.end_ms);
    const std::string before_id = service::PagePosition(request.page_token(), fingerprint, errors);
    service::ThrowIfInvalid(errors);
    // Oversight of the province's reads is its admins' task alone: inspectors
    // (who read) do not list, national roles and other provinces never see it.
    const auth::Principal& p = *caller.principal;
    if (p.role != auth::Role::kProvinceAdmin || p.province != options_.province) {
      service::Refuse(grpc::StatusCode::PERMISSION_DENIED,
                      "only province_admin of province " + options_.province +
                          " may list the reads of personal data; the caller is " + std::string(auth::RoleName(p.role)) +
                          (p.province.empty() ? "" : " of province " + p.province));
    }
    auto rows = db_.Read([&](store::Tx& tx) { return PersonalDataReads::List(tx, filter, before_id, page_size + 1); });
    response->set_next_page_token(
        service::TrimPage(rows, page_size, fingerprint, [](const auto& r) { return r.id(); }));
    for (auto& r : rows) *response->add_reads() = std::move(r);
  });
}

}  // namespace osh::registry
