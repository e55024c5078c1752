#include "osh/xapi/access.h"

#include <array>
#include <utility>

#include "osh/xapi/credentials.h"

namespace osh::xapi {
namespace {

constexpr std::array<std::pair<std::string_view, Scope>, 8> kScopeNames = {{
    {"statements/write", kStatementsWrite},
    {"statements/read/mine", kStatementsReadMine},
    {"statements/read", kStatementsRead},
    {"state", kState},
    {"profile", kProfile},
    {"define", kDefine},
    {"all/read", kAllRead},
    {"all", kAll},
}};

bool IsProvinceStaff(auth::Role role) {
  return role == auth::Role::kProvinceAdmin || role == auth::Role::kInspector;
}

}  // namespace

LrsAccess PrincipalAccess(const auth::Principal& principal) {
  LrsAccess access;
  if (principal.role == auth::Role::kNationalAdmin) {
    access.read = StatementScope::Province();
    access.read_state = access.read_profiles = true;
    return access;
  }
  if (IsProvinceStaff(principal.role)) {
    access.read = access.write = access.voids = StatementScope::Province();
    access.read_state = access.write_state = access.read_profiles = true;
    access.write_agent_profiles = access.write_activity_profiles = true;
    return access;
  }
  // Anyone else takes courses: a learner, about itself only.
  const auto self = AgentKey(PrincipalAuthority(principal.subject));
  access.read = access.write = access.voids = StatementScope::Actor(self);
  access.read_state = access.write_state = access.read_profiles = access.write_agent_profiles = true;
  access.only_agent_key = self;
  return access;
}

std::optional<unsigned> ParseScopes(std::string_view text, std::string* error) {
  unsigned scopes = 0;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto name = text.substr(0, comma);
    unsigned bit = 0;
    for (const auto& [known, value] : kScopeNames) {
      if (known == name) bit = value;
    }
    if (bit == 0) {
      *error = "unknown xAPI scope \"" + std::string(name) +
               "\" (known: statements/write, statements/read/mine, statements/read, state, profile, define, "
               "all/read, all)";
      return std::nullopt;
    }
    scopes |= bit;
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  if (scopes == 0) {
    *error = "no xAPI scope given";
    return std::nullopt;
  }
  return scopes;
}

LrsAccess ScopedAccess(unsigned scopes, const nlohmann::json& authority) {
  const bool all = (scopes & kAll) != 0;
  const bool all_read = all || (scopes & kAllRead) != 0;
  const auto mine = StatementScope::Authority(AgentKey(authority));
  LrsAccess access;
  if (all_read || (scopes & kStatementsRead) != 0) {
    access.read = StatementScope::Province();
  } else if ((scopes & kStatementsReadMine) != 0) {
    access.read = mine;
  }
  if (all || (scopes & kStatementsWrite) != 0) {
    access.write = StatementScope::Province();
    access.voids = all ? StatementScope::Province() : mine;
  }
  access.read_state = all_read || (scopes & kState) != 0;
  access.write_state = all || (scopes & kState) != 0;
  access.read_profiles = all_read || (scopes & kProfile) != 0;
  access.write_agent_profiles = access.write_activity_profiles = all || (scopes & kProfile) != 0;
  return access;
}

}  // namespace osh::xapi
