#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "osh/auth/authorize.h"
#include "osh/auth/principal.h"

namespace osh::registry {

// Authorisation of a request for one record, decided before the record's
// existence is told, so that the registry is no oracle of which ids and credit
// codes it holds. The rule, the same for every lookup of RegistryService and
// SupervisionService:
//  - a caller who may not `action` any record of the registry's province
//    (another province's staff, a national role writing, a worker writing, an
//    organisation role reviewing ...) is PERMISSION_DENIED first, whether or
//    not the record exists;
//  - an organisation role (employer, institution, worker), which may only act
//    on its own organisation's records, is PERMISSION_DENIED for a record that
//    is not its own and for one that does not exist, with the same message;
//  - NOT_FOUND answers only callers who may act on every record of the kind
//    in the province (its staff, national roles reading), who learn nothing
//    from it.
class RecordAccess {
 public:
  explicit RecordAccess(std::string province) : province_(std::move(province)) {}

  // Before any lookup: PERMISSION_DENIED unless the caller may `action` some
  // record of this registry's province.
  void RequireSomeRight(const auth::Principal* principal, auth::Action action) const;

  // After the lookup: `record` is the access view of what was found (nullopt
  // when nothing was). `what` names the request for messages, e.g.
  // "employer with id '…'" (already shortened by the caller). Refuses as the
  // rule above says; returns when the caller may `action` the record.
  void Require(const auth::Principal* principal, auth::Action action, const std::optional<auth::Resource>& record,
               std::string_view what) const;

  // Both, for a found record: the usual call inside a lookup.
  template <typename T, typename ResourceOf>
  T Allowed(const auth::Principal* principal, auth::Action action, std::optional<T> found, std::string_view what,
            ResourceOf resource_of) const {
    Require(principal, action, found ? std::optional<auth::Resource>(resource_of(*found)) : std::nullopt, what);
    return std::move(*found);
  }

  const std::string& province() const { return province_; }

 private:
  std::string province_;
};

}  // namespace osh::registry
