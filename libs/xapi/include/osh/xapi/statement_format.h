#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace osh::xapi {

// The `format` parameter of GET /statements (Communication 2.1.3).

// "ids": Agents and identified Groups reduced to objectType and their one
// identifier (anonymous Groups keep their members, each reduced), Activities
// and Verbs to their id. Applies inside SubStatements and context too.
nlohmann::json IdsFormat(const nlohmann::json& statement);

// "canonical": every language map keeps one entry, the first of `languages`
// (from Accept-Language, most preferred first) it has, else its first entry.
nlohmann::json CanonicalFormat(const nlohmann::json& statement, const std::vector<std::string>& languages);

// Language tags of an Accept-Language header, most preferred first
// (q-values honoured, "*" dropped).
std::vector<std::string> AcceptedLanguages(const std::string& header);

}  // namespace osh::xapi
