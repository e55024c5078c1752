#include "osh/auth/principal.h"

#include <array>
#include <utility>

namespace osh::auth {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 7> kRoleNames{{
    {Role::kNationalAdmin, "national_admin"},
    {Role::kProvinceAdmin, "province_admin"},
    {Role::kInspector, "inspector"},
    {Role::kInstitution, "institution"},
    {Role::kEmployer, "employer"},
    {Role::kWorker, "worker"},
    {Role::kEditor, "editor"},
}};

}  // namespace

std::optional<Role> ParseRole(std::string_view name) {
  for (const auto& [role, role_name] : kRoleNames) {
    if (role_name == name) return role;
  }
  return std::nullopt;
}

std::string_view RoleName(Role role) {
  for (const auto& [candidate, role_name] : kRoleNames) {
    if (candidate == role) return role_name;
  }
  return "unknown";
}

bool IsProvincialRole(Role role) { return role != Role::kNationalAdmin; }

bool IsOrganisationRole(Role role) {
  return role == Role::kInstitution || role == Role::kEmployer || role == Role::kWorker;
}

}  // namespace osh::auth
