#include "osh/auth/authorize.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace osh::auth {
namespace {

constexpr char kOwnProvince[] = "44";
constexpr char kOtherProvince[] = "32";
constexpr char kOwnOrg[] = "91440101MA59UQXX1A";
constexpr char kOtherOrg[] = "91320100MA1MXXXX2B";

// The resources every row is checked against, in the column order of the
// expectation strings: published_public {no, yes} x province {own 44, other 32,
// national ""} x org {own, other, none}.
std::vector<Resource> ResourceColumns() {
  std::vector<Resource> columns;
  for (const bool published : {false, true}) {
    for (const char* province : {kOwnProvince, kOtherProvince, ""}) {
      for (const char* org : {kOwnOrg, kOtherOrg, ""}) {
        columns.push_back(Resource{province, org, published});
      }
    }
  }
  return columns;
}

struct MatrixRow {
  const char* who;  // a role name, or "anonymous"
  Action action;
  // Y = allowed, N = denied; spaces only group the columns for the reader:
  //              private                      published public
  //   prov 44      prov 32      national    prov 44  prov 32  national
  //   own oth none ...
  const char* expected;
};

// Principals: national_admin has no province; every other role is of
// province 44; institution, employer and worker belong to kOwnOrg.
constexpr MatrixRow kMatrix[] = {
    // clang-format off
    //                                      private             public
    {"anonymous",      Action::kRead,   "NNN NNN NNN   YYY YYY YYY"},
    {"anonymous",      Action::kWrite,  "NNN NNN NNN   NNN NNN NNN"},
    {"anonymous",      Action::kReview, "NNN NNN NNN   NNN NNN NNN"},
    {"national_admin", Action::kRead,   "YYY YYY YYY   YYY YYY YYY"},
    {"national_admin", Action::kWrite,  "NNN NNN YYY   NNN NNN YYY"},
    {"national_admin", Action::kReview, "NNN NNN YYY   NNN NNN YYY"},
    {"province_admin", Action::kRead,   "YYY NNN NNN   YYY YYY YYY"},
    {"province_admin", Action::kWrite,  "YYY NNN NNN   YYY NNN NNN"},
    {"province_admin", Action::kReview, "YYY NNN NNN   YYY NNN NNN"},
    {"inspector",      Action::kRead,   "YYY NNN NNN   YYY YYY YYY"},
    {"inspector",      Action::kWrite,  "YYY NNN NNN   YYY NNN NNN"},
    {"inspector",      Action::kReview, "YYY NNN NNN   YYY NNN NNN"},
    {"institution",    Action::kRead,   "YNN NNN NNN   YYY YYY YYY"},
    {"institution",    Action::kWrite,  "YNN NNN NNN   YNN NNN NNN"},
    {"institution",    Action::kReview, "NNN NNN NNN   NNN NNN NNN"},
    {"employer",       Action::kRead,   "YNN NNN NNN   YYY YYY YYY"},
    {"employer",       Action::kWrite,  "YNN NNN NNN   YNN NNN NNN"},
    {"employer",       Action::kReview, "NNN NNN NNN   NNN NNN NNN"},
    {"worker",         Action::kRead,   "YNN NNN NNN   YYY YYY YYY"},
    {"worker",         Action::kWrite,  "NNN NNN NNN   NNN NNN NNN"},
    {"worker",         Action::kReview, "NNN NNN NNN   NNN NNN NNN"},
    // clang-format on
};

Principal PrincipalFor(Role role) {
  Principal principal{"user-1", role, kOwnProvince, ""};
  if (role == Role::kNationalAdmin) principal.province.clear();
  if (IsOrganisationRole(role)) principal.org = kOwnOrg;
  return principal;
}

TEST(Authorize, FullMatrix) {
  const std::vector<Resource> columns = ResourceColumns();
  ASSERT_EQ(columns.size(), 18u);
  int roles_seen = 0;
  for (const MatrixRow& row : kMatrix) {
    std::string expected;
    for (const char* c = row.expected; *c != '\0'; ++c) {
      if (*c != ' ') expected.push_back(*c);
    }
    ASSERT_EQ(expected.size(), columns.size()) << row.who;
    const std::string who = row.who;
    std::optional<Principal> principal;
    if (who != "anonymous") {
      const auto role = ParseRole(who);
      ASSERT_TRUE(role.has_value()) << who;
      principal = PrincipalFor(*role);
      ++roles_seen;
    }
    for (size_t i = 0; i < columns.size(); ++i) {
      const Resource& resource = columns[i];
      const Decision decision =
          Authorize(principal ? &*principal : nullptr, row.action, resource);
      EXPECT_EQ(decision.allowed, expected[i] == 'Y')
          << who << " " << ActionName(row.action) << " on province='" << resource.province
          << "' org='" << resource.org << "' public=" << resource.published_public << ": "
          << decision.reason;
      EXPECT_FALSE(decision.reason.empty());
    }
  }
  EXPECT_EQ(roles_seen, 6 * 3);
}

struct ReasonCase {
  std::string name;
  std::optional<Principal> principal;
  Action action;
  Resource resource;
  bool allowed;
  std::string reason;
};

// Failure messages name the case instead of dumping its bytes.
void PrintTo(const ReasonCase& c, std::ostream* os) { *os << c.name; }

class AuthorizeReasonTest : public ::testing::TestWithParam<ReasonCase> {};

TEST_P(AuthorizeReasonTest, ExplainsDecision) {
  const ReasonCase& c = GetParam();
  const Decision decision =
      Authorize(c.principal ? &*c.principal : nullptr, c.action, c.resource);
  EXPECT_EQ(decision.allowed, c.allowed);
  EXPECT_EQ(decision.reason, c.reason);
}

INSTANTIATE_TEST_SUITE_P(
    Authorize, AuthorizeReasonTest,
    ::testing::Values(
        ReasonCase{"EmployerOtherOrg", PrincipalFor(Role::kEmployer), Action::kWrite,
                   Resource{"44", kOtherOrg, false}, false,
                   "role employer may only act on its own organisation 91440101MA59UQXX1A; "
                   "resource belongs to 91320100MA1MXXXX2B"},
        ReasonCase{"WorkerNoOrgResource", PrincipalFor(Role::kWorker), Action::kRead,
                   Resource{"44", "", false}, false,
                   "role worker may only act on its own organisation 91440101MA59UQXX1A; "
                   "resource belongs to no organisation"},
        ReasonCase{"EmployerOwnOrgOtherProvince", PrincipalFor(Role::kEmployer), Action::kRead,
                   Resource{"32", kOwnOrg, false}, false,
                   "role employer of province 44 cannot read data of province 32"},
        ReasonCase{"ProvinceStaffOtherProvince", PrincipalFor(Role::kInspector), Action::kWrite,
                   Resource{"32", "", false}, false,
                   "province 44 staff cannot write data of province 32"},
        ReasonCase{"ProvinceStaffNationalData", PrincipalFor(Role::kProvinceAdmin),
                   Action::kReview, Resource{"", "", false}, false,
                   "province 44 staff cannot review national data"},
        ReasonCase{"ProvinceStaffAllowed", PrincipalFor(Role::kProvinceAdmin), Action::kReview,
                   Resource{"44", kOtherOrg, false}, true,
                   "province 44 staff may review data of province 44"},
        ReasonCase{"NationalWrite", PrincipalFor(Role::kNationalAdmin), Action::kWrite,
                   Resource{"44", "", true}, false,
                   "national_admin may not write data of province 44"},
        ReasonCase{"EmployerReview", PrincipalFor(Role::kEmployer), Action::kReview,
                   Resource{"44", kOwnOrg, false}, false, "role employer may not review records"},
        ReasonCase{"WorkerWrite", PrincipalFor(Role::kWorker), Action::kWrite,
                   Resource{"44", kOwnOrg, false}, false, "role worker may not write"},
        ReasonCase{"AnonymousPrivateRead", std::nullopt, Action::kRead, Resource{"44", "", false},
                   false, "anonymous callers may only read published public data"},
        ReasonCase{"AnonymousWrite", std::nullopt, Action::kWrite, Resource{"44", "", true}, false,
                   "anonymous callers may not write"},
        // Hand-built principals lacking a province or organisation must not
        // match resources whose province or organisation is empty.
        ReasonCase{"ProvinceAdminWithoutProvince",
                   Principal{"u", Role::kProvinceAdmin, "", ""}, Action::kWrite,
                   Resource{"", "", false}, false,
                   "role province_admin without a province may only read published public data"},
        ReasonCase{"EmployerWithoutOrg", Principal{"u", Role::kEmployer, "44", ""}, Action::kWrite,
                   Resource{"44", "", false}, false,
                   "role employer without an organisation may only read published public data"},
        ReasonCase{"WorkerWithoutOrgPublic", Principal{"u", Role::kWorker, "44", ""},
                   Action::kRead, Resource{"44", "", true}, true,
                   "published public data is readable by anyone"}),
    [](const ::testing::TestParamInfo<ReasonCase>& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace osh::auth

namespace osh::auth {
namespace {

struct EditorialCase {
  std::optional<Principal> principal;
  Action action;
  Resource resource;
  bool allowed;
};

TEST(AuthorizeEditorialTest, EditorsOfTheProvinceOnly) {
  const Principal editor{"e", Role::kEditor, "44", ""};
  const Principal admin{"a", Role::kProvinceAdmin, "44", ""};
  const Principal inspector{"i", Role::kInspector, "44", ""};
  const Principal other_editor{"o", Role::kEditor, "32", ""};
  const Principal national{"n", Role::kNationalAdmin, "", ""};
  const Resource draft{"44", "", false};
  const Resource published{"44", "", true};
  const std::vector<EditorialCase> cases = {
      {editor, Action::kWrite, draft, true},          {editor, Action::kReview, draft, true},
      {admin, Action::kWrite, draft, true},           {inspector, Action::kWrite, draft, false},
      {inspector, Action::kRead, draft, false},       {inspector, Action::kRead, published, true},
      {other_editor, Action::kWrite, draft, false},   {other_editor, Action::kRead, draft, false},
      {national, Action::kRead, draft, true},         {national, Action::kWrite, draft, false},
      {national, Action::kWrite, {"", "", false}, true}, {std::nullopt, Action::kRead, published, true},
      {std::nullopt, Action::kRead, draft, false},    {std::nullopt, Action::kWrite, published, false},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    const auto decision = AuthorizeEditorial(c.principal ? &*c.principal : nullptr, c.action, c.resource);
    EXPECT_EQ(decision.allowed, c.allowed) << "case " << i << ": " << decision.reason;
    EXPECT_FALSE(decision.reason.empty());
  }
}

TEST(AuthorizeEditorialTest, EditorsGetNothingOutsideContent) {
  const Principal editor{"e", Role::kEditor, "44", ""};
  EXPECT_FALSE(Authorize(&editor, Action::kRead, {"44", "", false}).allowed);
  EXPECT_FALSE(Authorize(&editor, Action::kWrite, {"44", "", false}).allowed);
  EXPECT_TRUE(Authorize(&editor, Action::kRead, {"44", "", true}).allowed);
  EXPECT_EQ(ParseRole("editor"), Role::kEditor);
  EXPECT_EQ(RoleName(Role::kEditor), "editor");
}

}  // namespace
}  // namespace osh::auth
