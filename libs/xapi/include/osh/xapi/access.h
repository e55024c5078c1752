#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "osh/auth/principal.h"
#include "osh/xapi/statement_store.h"

namespace osh::xapi {

// What one signed-in client may do in the LRS, always inside its province.
//
// Platform principals (JWT Bearer):
// - learners (worker, employer, institution, editor: anyone who is not
//   province staff) are the agent
//     {"objectType": "Agent", "account": {"homePage": kPrincipalHomePage, "name": <sub>}}
//   (PrincipalAuthority), which is also the authority of what they write. They
//   read and write only statements whose actor is that agent (another actor
//   is a 403), void only statements whose actor is that agent, keep State
//   and Agent Profile documents only about that agent, and read Activity
//   Profiles;
// - province staff (province_admin, inspector) read and write every
//   statement and document of their province and void any statement of it;
// - national_admin reads everything of the province this LRS serves and
//   writes nothing (DESIGN.md "Identity and access").
// HTTP Basic clients (ClientCredentials) get what their scopes grant; see
// ParseScopes.
struct LrsAccess {
  std::optional<StatementScope> read;   // statements it may read; none: 403
  std::optional<StatementScope> write;  // by actor: each statement's actor must be that agent; none: 403
  std::optional<StatementScope> voids;  // statements it may void
  bool read_state = false;
  bool write_state = false;
  bool read_profiles = false;  // Agent and Activity Profiles
  bool write_agent_profiles = false;
  bool write_activity_profiles = false;
  // When set, State and Agent Profile documents only about this agent (AgentKey).
  std::string only_agent_key;
};

// The access of a verified platform principal (see LrsAccess).
LrsAccess PrincipalAccess(const auth::Principal& principal);

// The scopes of xAPI 1.0.3 (Communication 4.1) a Basic client may hold, as a
// bit set. "statements/write": store statements (any actor) and void those
// it stored; "statements/read/mine": read the statements it stored (whose
// authority is the client); "statements/read": read every statement of the
// province; "state": read and write State documents; "profile": read and
// write Agent and Activity Profiles; "define": accepted, changes nothing (this
// LRS learns Activity definitions from statements); "all/read": read
// everything of the province; "all": everything of the province, voiding
// any statement included.
enum Scope : unsigned {
  kStatementsWrite = 1u << 0,
  kStatementsReadMine = 1u << 1,
  kStatementsRead = 1u << 2,
  kState = 1u << 3,
  kProfile = 1u << 4,
  kDefine = 1u << 5,
  kAllRead = 1u << 6,
  kAll = 1u << 7,
};

// What a credentials line without scopes grants (lines written before scopes
// existed): a courseware client that writes statements, reads back its own
// and keeps State and profiles.
inline constexpr unsigned kDefaultScopes = kStatementsWrite | kStatementsReadMine | kState | kProfile;

// "statements/write,statements/read/mine" → bits; nullopt with *error naming
// the unknown scope.
std::optional<unsigned> ParseScopes(std::string_view text, std::string* error);

// The access that `scopes` give a Basic client whose statements carry
// `authority`.
LrsAccess ScopedAccess(unsigned scopes, const nlohmann::json& authority);

}  // namespace osh::xapi
