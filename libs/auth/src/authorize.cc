#include "osh/auth/authorize.h"

#include <utility>

namespace osh::auth {
namespace {

Decision Allow(std::string reason) { return Decision{true, std::move(reason)}; }
Decision Deny(std::string reason) { return Decision{false, std::move(reason)}; }

std::string DataOf(const Resource& resource) {
  return resource.province.empty() ? std::string("national data")
                                   : "data of province " + resource.province;
}

// province_admin and inspector: everything inside their own province.
Decision AuthorizeProvinceStaff(const Principal& principal, Action action,
                                const Resource& resource) {
  const std::string verb(ActionName(action));
  if (resource.province != principal.province) {
    return Deny("province " + principal.province + " staff cannot " + verb + " " +
                DataOf(resource));
  }
  return Allow("province " + principal.province + " staff may " + verb + " " + DataOf(resource));
}

// institution, employer and worker: only their own organisation's records.
Decision AuthorizeOrganisation(const Principal& principal, Action action,
                               const Resource& resource) {
  const std::string role(RoleName(principal.role));
  const std::string verb(ActionName(action));
  if (principal.org.empty()) {
    return Deny("role " + role + " without an organisation may only read published public data");
  }
  if (action == Action::kReview) return Deny("role " + role + " may not review records");
  if (action == Action::kWrite && principal.role == Role::kWorker) {
    return Deny("role worker may not write");
  }
  if (resource.org != principal.org) {
    return Deny("role " + role + " may only act on its own organisation " + principal.org +
                "; resource belongs to " +
                (resource.org.empty() ? std::string("no organisation") : resource.org));
  }
  // A credit code is national, but an organisation's records stay in the
  // province that holds them (DESIGN.md "Personal data").
  if (resource.province != principal.province) {
    return Deny("role " + role + " of province " + principal.province + " cannot " + verb + " " +
                DataOf(resource));
  }
  return Allow("role " + role + " may " + verb + " records of its own organisation " +
               principal.org);
}

}  // namespace

std::string_view ActionName(Action action) {
  switch (action) {
    case Action::kRead:
      return "read";
    case Action::kWrite:
      return "write";
    case Action::kReview:
      return "review";
  }
  return "unknown";
}

Decision Authorize(const Principal* principal, Action action, const Resource& resource) {
  if (action == Action::kRead && resource.published_public) {
    return Allow("published public data is readable by anyone");
  }
  if (principal == nullptr) {
    return Deny(action == Action::kRead
                    ? "anonymous callers may only read published public data"
                    : "anonymous callers may not " + std::string(ActionName(action)));
  }
  const std::string role(RoleName(principal->role));
  if (principal->role == Role::kNationalAdmin) {
    if (action == Action::kRead) return Allow("national_admin may read data of every province");
    if (!resource.province.empty()) {
      return Deny("national_admin may not " + std::string(ActionName(action)) + " " +
                  DataOf(resource));
    }
    return Allow("national_admin may " + std::string(ActionName(action)) + " national data");
  }
  // A provincial principal without a province (hand-built, never from a
  // verified token) must not match data whose province is empty.
  if (principal->province.empty()) {
    return Deny("role " + role + " without a province may only read published public data");
  }
  switch (principal->role) {
    case Role::kProvinceAdmin:
    case Role::kInspector:
      return AuthorizeProvinceStaff(*principal, action, resource);
    case Role::kInstitution:
    case Role::kEmployer:
    case Role::kWorker:
      return AuthorizeOrganisation(*principal, action, resource);
    case Role::kEditor:
      return Deny("role editor may only work on editorial content");
    case Role::kNationalAdmin:
      break;
  }
  return Deny("role " + role + " is not covered by the access policy");
}

Decision AuthorizeEditorial(const Principal* principal, Action action, const Resource& resource) {
  if (action == Action::kRead && resource.published_public) {
    return Allow("published public content is readable by anyone");
  }
  if (principal == nullptr) {
    return Deny(action == Action::kRead ? "anonymous callers may only read published content"
                                        : "anonymous callers may not " + std::string(ActionName(action)) + " content");
  }
  const std::string verb(ActionName(action));
  if (principal->role == Role::kNationalAdmin) {
    if (action == Action::kRead || resource.province.empty()) return Allow("national_admin may " + verb + " this content");
    return Deny("national_admin may not " + verb + " content of province " + resource.province);
  }
  if (principal->role != Role::kEditor && principal->role != Role::kProvinceAdmin) {
    return Deny("role " + std::string(RoleName(principal->role)) + " may only read published content");
  }
  if (principal->province.empty() || principal->province != resource.province) {
    return Deny("province " + principal->province + " editors cannot " + verb + " " +
                (resource.province.empty() ? std::string("national content")
                                           : "content of province " + resource.province));
  }
  return Allow("province " + principal->province + " editors may " + verb + " its content");
}

}  // namespace osh::auth
