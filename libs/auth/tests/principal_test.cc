#include "osh/auth/principal.h"

#include <gtest/gtest.h>

namespace osh::auth {
namespace {

TEST(Principal, RoleNamesRoundTrip) {
  const std::pair<Role, std::string_view> expected[] = {
      {Role::kNationalAdmin, "national_admin"}, {Role::kProvinceAdmin, "province_admin"},
      {Role::kInspector, "inspector"},          {Role::kInstitution, "institution"},
      {Role::kEmployer, "employer"},            {Role::kWorker, "worker"},
  };
  for (const auto& [role, name] : expected) {
    EXPECT_EQ(RoleName(role), name);
    EXPECT_EQ(ParseRole(name), role) << name;
  }
}

TEST(Principal, ParseRoleRejectsNearMisses) {
  for (const std::string_view name :
       {"", "Worker", "WORKER", " worker", "worker ", "admin", "national-admin", "unknown"}) {
    EXPECT_FALSE(ParseRole(name).has_value()) << "'" << name << "'";
  }
}

TEST(Principal, RoleScopes) {
  EXPECT_FALSE(IsProvincialRole(Role::kNationalAdmin));
  EXPECT_TRUE(IsProvincialRole(Role::kInspector));
  EXPECT_TRUE(IsProvincialRole(Role::kWorker));
  EXPECT_FALSE(IsOrganisationRole(Role::kProvinceAdmin));
  EXPECT_FALSE(IsOrganisationRole(Role::kInspector));
  EXPECT_TRUE(IsOrganisationRole(Role::kInstitution));
  EXPECT_TRUE(IsOrganisationRole(Role::kEmployer));
  EXPECT_TRUE(IsOrganisationRole(Role::kWorker));
}

}  // namespace
}  // namespace osh::auth
