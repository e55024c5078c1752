#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace osh::auth {

// The roles of DESIGN.md "Identity and access", plus editor: the staff of a
// province's content library (news, policy, science popularisation), who write
// and publish articles and nothing else. The JWT `role` claim carries the
// snake_case name returned by RoleName.
enum class Role { kNationalAdmin, kProvinceAdmin, kInspector, kInstitution, kEmployer, kWorker, kEditor };

// Exact, case-sensitive match of a name such as "province_admin".
std::optional<Role> ParseRole(std::string_view name);
std::string_view RoleName(Role role);

// True for every role but national_admin: such principals carry a province.
bool IsProvincialRole(Role role);
// employer, institution and worker act for one organisation (unified social credit code).
bool IsOrganisationRole(Role role);

// Who is calling, as established from a verified token.
struct Principal {
  std::string subject;
  Role role = Role::kWorker;
  std::string province;  // 2-digit GB/T 2260 code; empty for national_admin
  std::string org;       // credit code; required for employer and institution
};

}  // namespace osh::auth
