#include "osh/xapi/credentials.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <fstream>
#include <sstream>

namespace osh::xapi {
namespace {

// Accounts of the LRS's own clients and of platform principals live under
// these home pages, so they can never be confused with a learner's account.
constexpr const char* kClientHomePage = "urn:osh-platform:xapi-client";
constexpr const char* kPrincipalHomePage = "urn:osh-platform:principal";

std::string Sha256(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

std::optional<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int value = 0;
    for (char c : hex.substr(i, 2)) {
      value <<= 4;
      if (c >= '0' && c <= '9') {
        value |= c - '0';
      } else if (c >= 'a' && c <= 'f') {
        value |= c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        value |= c - 'A' + 10;
      } else {
        return std::nullopt;
      }
    }
    out += static_cast<char>(value);
  }
  return out;
}

bool IsProvinceCode(std::string_view s) {
  return s.size() == 2 && std::isdigit(static_cast<unsigned char>(s[0])) &&
         std::isdigit(static_cast<unsigned char>(s[1]));
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : Sha256(data)) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::optional<ClientCredentials> ClientCredentials::Load(const std::string& path, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read xapi credentials file " + path;
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), error);
}

std::optional<ClientCredentials> ClientCredentials::Parse(std::string_view text, std::string* error) {
  ClientCredentials credentials;
  std::istringstream lines{std::string(text)};
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream fields(line);
    std::string key, digest_hex, province, scopes_text, extra;
    if (!(fields >> key)) continue;
    const auto digest = (fields >> digest_hex) ? FromHex(digest_hex) : std::nullopt;
    if (!digest || digest->size() != SHA256_DIGEST_LENGTH || !(fields >> province) || !IsProvinceCode(province) ||
        ((fields >> scopes_text) && (fields >> extra))) {
      *error = "xapi credentials line " + std::to_string(number) +
               ": expected \"<key> <sha256 hex of secret> <2-digit province> [<scope>,...]\"";
      return std::nullopt;
    }
    unsigned scopes = kDefaultScopes;
    if (!scopes_text.empty()) {
      std::string scope_error;
      const auto parsed = ParseScopes(scopes_text, &scope_error);
      if (!parsed) {
        *error = "xapi credentials line " + std::to_string(number) + ": " + scope_error;
        return std::nullopt;
      }
      scopes = *parsed;
    }
    credentials.entries_.push_back({key, *digest, province, scopes});
  }
  return credentials;
}

std::optional<LrsClient> ClientCredentials::Check(std::string_view key, std::string_view secret) const {
  const std::string digest = Sha256(secret);
  const Entry* match = nullptr;
  // Every entry is compared in full so that timing does not tell which keys exist.
  for (const auto& entry : entries_) {
    const bool key_equal = entry.key.size() == key.size() && CRYPTO_memcmp(entry.key.data(), key.data(), key.size()) == 0;
    const bool secret_equal = CRYPTO_memcmp(entry.secret_sha256.data(), digest.data(), digest.size()) == 0;
    if (key_equal && secret_equal && match == nullptr) match = &entry;
  }
  if (match == nullptr) return std::nullopt;
  auto authority = ClientAuthority(match->key);
  auto access = ScopedAccess(match->scopes, authority);
  return LrsClient{match->key, match->province, std::move(authority), std::move(access)};
}

nlohmann::json ClientAuthority(std::string_view client_key) {
  return {{"objectType", "Agent"},
          {"name", std::string(client_key)},
          {"account", {{"homePage", kClientHomePage}, {"name", std::string(client_key)}}}};
}

nlohmann::json PrincipalAuthority(std::string_view subject) {
  return {{"objectType", "Agent"}, {"account", {{"homePage", kPrincipalHomePage}, {"name", std::string(subject)}}}};
}

}  // namespace osh::xapi
