#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace osh::domain {

// Unified social credit code (统一社会信用代码, GB 32100-2015): the employer's
// identity across the platform (registry key, Kafka key, JWT `org` claim).
//
// 18 characters; position 1 registration authority, 2 entity type, 3-8
// administrative division code, 9-17 organisation code, 18 check character.

// The 31 symbols, in value order. I, O, Z, S and V are left out because they are
// easily mistaken for 1, 0, 2, 5 and U.
inline constexpr std::string_view kCreditCodeAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

// The check character for the first 17 characters, or nullopt if `first17` is
// not 17 characters long or holds a character outside the alphabet.
std::optional<char> CreditCodeCheckCharacter(std::string_view first17);

// Nullopt for a valid code; otherwise the first problem found, worded for the
// person who typed it, e.g. "check character is 'X', expected 'Y'". Upper case
// only: codes are keys, so accepting lower case would allow two spellings.
// The division code is checked only for being digits: central registrations
// use 100000 (the national code), which no province owns.
std::optional<std::string> CreditCodeError(std::string_view code);

// Positions 3-8 (the administrative division code) of a code that passed
// CreditCodeError; empty if `valid_code` is too short.
std::string_view CreditCodeDivision(std::string_view valid_code);

}  // namespace osh::domain
