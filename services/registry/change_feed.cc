#include "change_feed.h"

#include <charconv>
#include <cstdint>

#include "osh/core/page_token.h"
#include "osh/service/checks.h"
#include "osh/service/paging.h"
#include "personal_data.h"

namespace osh::registry {
namespace {

// The sequence a cursor names, 0 for an empty one (the start of the log).
int64_t SequenceOf(const std::string& cursor, const std::string& fingerprint, core::FieldErrors& errors) {
  if (cursor.empty()) return 0;
  const auto position = core::DecodePageToken(cursor, fingerprint);
  int64_t sequence = -1;
  if (position) {
    const auto* end = position->data() + position->size();
    const auto [ptr, ec] = std::from_chars(position->data(), end, sequence);
    if (ec != std::errc() || ptr != end) sequence = -1;
  }
  if (sequence < 0) {
    errors.Add("cursor", "is not a cursor of this feed (take next_cursor of its previous answer, or empty to start)");
    return 0;
  }
  return sequence;
}

}  // namespace

void RequireBulkReader(const auth::Principal* principal, const std::string& province) {
  // "Every record of the province": no organisation, so only roles that may
  // read all of it (its staff, national roles) are allowed.
  service::Require(principal, auth::Action::kRead, {province, "", false});
}

template <typename Response, typename Add>
grpc::Status ChangeFeed::Page(const service::Caller& caller, const char* method, ChangeLog::Resource resource,
                              const v1::ListChangesRequest& request, Response* response, Add&& add) const {
  return service::Guard(caller, method, [&] {
    core::FieldErrors errors;
    const int page_size = service::PageSize(request.page_size(), options_.default_page_size,
                                            options_.max_page_size, errors);
    const std::string fingerprint = "changes|" + std::string(ChangeLog::Name(resource)) + "|" + options_.province;
    const int64_t after = SequenceOf(request.cursor(), fingerprint, errors);
    service::ThrowIfInvalid(errors);
    RequireBulkReader(caller.principal, options_.province);

    auto entries = db_.Read([&](store::Tx& tx) { return ChangeLog::After(tx, resource, after, page_size + 1); });
    response->set_has_more(static_cast<int>(entries.size()) > page_size);
    if (response->has_more()) entries.resize(static_cast<size_t>(page_size));
    const int64_t last = entries.empty() ? after : entries.back().sequence;
    response->set_next_cursor(core::EncodePageToken(std::to_string(last), fingerprint));
    for (const auto& entry : entries) {
      auto* change = response->add_changes();
      change->mutable_position()->set_sequence(entry.sequence);
      change->mutable_position()->set_version(entry.version);
      add(entry, *change);
    }
  });
}

grpc::Status ChangeFeed::ListEmployerChanges(const service::Caller& caller, const v1::ListChangesRequest& request,
                                             v1::ListEmployerChangesResponse* response) const {
  return Page(caller, "ListEmployerChanges", ChangeLog::Resource::kEmployers, request, response,
              [](const ChangeLog::Entry& entry, v1::EmployerChange& change) {
                auto* employer = change.mutable_employer();
                *employer = store::ParseRecord<v1::Employer>(entry.record);
                // Stored records never hold clear personal values; masking
                // again costs nothing and keeps the feed safe if one did.
                if (PersonalData::HoldsClear(*employer)) PersonalData::MaskInPlace(*employer);
              });
}

grpc::Status ChangeFeed::ListDeclarationChanges(const service::Caller& caller, const v1::ListChangesRequest& request,
                                                v1::ListDeclarationChangesResponse* response) const {
  return Page(caller, "ListDeclarationChanges", ChangeLog::Resource::kDeclarations, request, response,
              [](const ChangeLog::Entry& entry, v1::DeclarationChange& change) {
                *change.mutable_declaration() = store::ParseRecord<v1::Declaration>(entry.record);
              });
}

grpc::Status ChangeFeed::ListInspectionChanges(const service::Caller& caller, const v1::ListChangesRequest& request,
                                               v1::ListInspectionChangesResponse* response) const {
  return Page(caller, "ListInspectionChanges", ChangeLog::Resource::kInspections, request, response,
              [](const ChangeLog::Entry& entry, v1::InspectionChange& change) {
                *change.mutable_inspection() = store::ParseRecord<v1::Inspection>(entry.record);
              });
}

grpc::Status ChangeFeed::ListRectificationChanges(const service::Caller& caller,
                                                  const v1::ListChangesRequest& request,
                                                  v1::ListRectificationChangesResponse* response) const {
  return Page(caller, "ListRectificationChanges", ChangeLog::Resource::kRectificationItems, request, response,
              [](const ChangeLog::Entry& entry, v1::RectificationChange& change) {
                *change.mutable_item() = store::ParseRecord<v1::RectificationItem>(entry.record);
                change.mutable_item()->clear_overdue();  // a fact of the date, not of a write
              });
}

}  // namespace osh::registry
