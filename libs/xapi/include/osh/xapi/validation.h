#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace osh::xapi {

// Why a statement is refused: the JSON path of the offending property (e.g.
// "object.definition.name.en-US") and what is wrong with it. Both are safe to
// show the client who sent the statement.
struct ValidationError {
  std::string path;
  std::string message;
};

// Checks one statement as a client sends it against the xAPI 1.0.3 data model
// (Data 2.4 and 4.x): required and unknown properties, types, the formats of
// ids, IRIs, timestamps, durations and language maps, exactly one inverse
// functional identifier per Agent, and the cross-property rules (score ranges,
// revision/platform only with an Activity object, no nested SubStatement, a
// voiding statement's object a StatementRef). `stored` and `authority` may be
// present; the LRS replaces them.
std::optional<ValidationError> ValidateStatement(const nlohmann::json& statement);

// Checks an Agent or identified Group as used in the `agent` query parameter.
std::optional<ValidationError> ValidateAgent(const nlohmann::json& agent, const std::string& path);

// The verb id that voids its object statement.
inline constexpr const char* kVoidedVerbId = "http://adlnet.gov/expapi/verbs/voided";

}  // namespace osh::xapi
