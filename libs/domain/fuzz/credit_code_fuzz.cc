// Fuzzes the unified social credit code checks (GB 32100-2015) with arbitrary
// bytes and checks what must hold for every input, not only that nothing crashes:
// - a code that passes re-encodes identically: its first 17 characters give
//   back its check character, and its division is positions 3-8;
// - changing any one character of a valid code makes it invalid (the check
//   character catches every single substitution, which is its purpose);
// - any 17 characters of the alphabet, with digits at 3-8, plus their check
//   character form a valid code;
// - every refusal is a message that is valid UTF-8 (it reaches clients in JSON).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "osh/domain/credit_code.h"
#include "osh/domain/text.h"

#include "fuzz_require.h"

namespace {

using osh::domain::CreditCodeCheckCharacter;
using osh::domain::CreditCodeDivision;
using osh::domain::CreditCodeError;
using osh::domain::kCreditCodeAlphabet;

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

void CheckValidCode(std::string_view code) {
  FUZZ_REQUIRE(code.size() == 18);
  const auto check = CreditCodeCheckCharacter(code.substr(0, 17));
  FUZZ_REQUIRE(check.has_value() && *check == code[17]);
  FUZZ_REQUIRE(std::string(code.substr(0, 17)) + *check == code);
  FUZZ_REQUIRE(CreditCodeDivision(code) == code.substr(2, 6));
  FUZZ_REQUIRE(AllDigits(CreditCodeDivision(code)));
  for (std::size_t i = 0; i < code.size(); ++i) {
    std::string altered(code);
    // The next symbol of the alphabet: a substitution that stays inside it.
    const std::size_t value = kCreditCodeAlphabet.find(code[i]);
    FUZZ_REQUIRE(value != std::string_view::npos);
    altered[i] = kCreditCodeAlphabet[(value + 1) % kCreditCodeAlphabet.size()];
    FUZZ_REQUIRE(CreditCodeError(altered).has_value());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const auto error = CreditCodeError(input);
  if (error) {
    FUZZ_REQUIRE(!error->empty() && !osh::domain::Utf8Error(*error));
  } else {
    CheckValidCode(input);
  }

  // The input mapped onto the alphabet and completed with its check character
  // must pass whenever its division part is digits.
  if (size >= 17) {
    std::string first17;
    for (std::size_t i = 0; i < 17; ++i) first17 += kCreditCodeAlphabet[data[i] % kCreditCodeAlphabet.size()];
    const auto check = CreditCodeCheckCharacter(first17);
    FUZZ_REQUIRE(check.has_value());
    const std::string code = first17 + *check;
    FUZZ_REQUIRE(CreditCodeError(code).has_value() == !AllDigits(code.substr(2, 6)));
    if (!CreditCodeError(code)) CheckValidCode(code);
  }
  // Anything but 17 alphabet characters has no check character.
  const auto check = CreditCodeCheckCharacter(input);
  if (check) {
    FUZZ_REQUIRE(size == 17 && input.find_first_not_of(kCreditCodeAlphabet) == std::string_view::npos);
  }
  return 0;
}
