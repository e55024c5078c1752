// Fuzzes xAPI statement validation with JSON from the input. What must hold:
// - ValidateStatement and ValidateAgent return a refusal or nothing; they
//   never throw (a thrown JSON type error would reach the client as a 400
//   that names no property) and never crash;
// - a refusal names a property path and a reason, both valid UTF-8;
// - validation depends on the JSON value only: the statement written out and
//   read back gets the same answer;
// - a valid statement stays valid in the "ids" and "canonical" formats the
//   LRS returns from GET /statements.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>

#include "osh/domain/text.h"
#include "osh/xapi/statement_format.h"
#include "osh/xapi/validation.h"

#include "fuzz_require.h"

namespace {

using nlohmann::json;
using osh::xapi::ValidationError;

std::optional<ValidationError> ValidateOrDie(const json& statement) {
  // The contract: a refusal as a value, never an exception.
  try {
    return osh::xapi::ValidateStatement(statement);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ValidateStatement threw: %s\n", e.what());
    std::abort();
  }
}

void RequireWellFormed(const std::optional<ValidationError>& error) {
  if (!error) return;
  FUZZ_REQUIRE(!error->path.empty() && !error->message.empty());
  FUZZ_REQUIRE(!osh::domain::Utf8Error(error->path) && !osh::domain::Utf8Error(error->message));
}

bool SameAnswer(const std::optional<ValidationError>& a, const std::optional<ValidationError>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->path == b->path && a->message == b->message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const json statement = json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (statement.is_discarded()) return 0;

  const auto error = ValidateOrDie(statement);
  RequireWellFormed(error);
  FUZZ_REQUIRE(SameAnswer(error, ValidateOrDie(json::parse(statement.dump()))));

  try {
    RequireWellFormed(osh::xapi::ValidateAgent(statement, "agent"));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ValidateAgent threw: %s\n", e.what());
    std::abort();
  }

  if (!error) {
    const auto ids = ValidateOrDie(osh::xapi::IdsFormat(statement));
    FUZZ_REQUIRE(!ids.has_value());
    const auto canonical = ValidateOrDie(osh::xapi::CanonicalFormat(statement, {"zh-CN", "en-US"}));
    FUZZ_REQUIRE(!canonical.has_value());
  }
  return 0;
}
