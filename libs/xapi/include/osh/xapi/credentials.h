#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "osh/xapi/access.h"

namespace osh::xapi {

// Who writes and reads statements: a province's courseware client or a
// platform principal. The LRS writes `authority` into every statement it
// stores from this client and lets it touch only its province's statements
// and documents, as far as `access` allows.
struct LrsClient {
  std::string name;
  std::string province;  // 2-digit GB/T 2260 code
  nlohmann::json authority;
  LrsAccess access;
};

// Client credentials for HTTP Basic, from a file of lines
// "<key> <sha256 hex of secret> <province> [<scopes>]" ('#' starts a
// comment), scopes comma separated as xAPI names them (see ParseScopes,
// e.g. "statements/write,statements/read"); a line without scopes has
// kDefaultScopes. Only the digests are kept, so the file can be read by
// operators without exposing secrets; comparison is in constant time.
class ClientCredentials {
 public:
  // Nullopt with *error naming the line when the file is unreadable or malformed.
  static std::optional<ClientCredentials> Load(const std::string& path, std::string* error);
  static std::optional<ClientCredentials> Parse(std::string_view text, std::string* error);

  // The client whose key and secret these are, or nullopt.
  std::optional<LrsClient> Check(std::string_view key, std::string_view secret) const;

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string key;
    std::string secret_sha256;  // 32 raw bytes
    std::string province;
    unsigned scopes;
  };
  std::vector<Entry> entries_;
};

// Lower-case hex SHA-256 of `data` (for writing credential files and tests).
std::string Sha256Hex(std::string_view data);

// The authority of statements written by a Basic client or a token subject.
nlohmann::json ClientAuthority(std::string_view client_key);
nlohmann::json PrincipalAuthority(std::string_view subject);

}  // namespace osh::xapi
