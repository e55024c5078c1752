// Fuzzes the administrative division code checks (GB/T 2260) and checks that
// they agree with one another for every input:
// - DivisionCodeError accepts exactly the codes DivisionLevelOf gives a level;
// - a valid code names a known province, is a list-filter prefix, and so are
//   its province part and, below province level, its city part;
// - the level follows the digits: xx0000 province, xxyy00 city, else county;
// - every refusal is valid UTF-8 (it reaches clients in JSON).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "osh/domain/regions.h"
#include "osh/domain/text.h"

#include "fuzz_require.h"

namespace {

using namespace osh::domain;

void Check(std::string_view code) {
  const auto error = DivisionCodeError(code);
  const auto level = DivisionLevelOf(code);
  FUZZ_REQUIRE(error.has_value() != level.has_value());
  if (error) {
    FUZZ_REQUIRE(!error->empty() && !Utf8Error(*error));
    return;
  }
  FUZZ_REQUIRE(code.size() == 6);
  const Province* province = FindProvince(ProvinceOfDivision(code));
  FUZZ_REQUIRE(province != nullptr && province->code == code.substr(0, 2));
  FUZZ_REQUIRE(IsDivisionPrefix(code) && IsDivisionPrefix(code.substr(0, 2)));
  if (code.substr(2) == "0000") {
    FUZZ_REQUIRE(*level == DivisionLevel::kProvince);
    return;
  }
  FUZZ_REQUIRE(province->mainland);  // Taiwan, Hong Kong and Macao have only the province code
  FUZZ_REQUIRE(IsDivisionPrefix(code.substr(0, 4)));
  FUZZ_REQUIRE(*level == (code.substr(4) == "00" ? DivisionLevel::kCity : DivisionLevel::kCounty));
  // The province-level code of any valid code is valid too.
  FUZZ_REQUIRE(!DivisionCodeError(std::string(code.substr(0, 2)) + "0000"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Check(input);
  // Six digits made from the input reach the interesting branches far more
  // often than raw bytes do.
  if (size >= 6) {
    std::string digits;
    for (std::size_t i = 0; i < 6; ++i) digits += static_cast<char>('0' + data[i] % 10);
    Check(digits);
  }
  const bool prefix = IsDivisionPrefix(input);
  if (prefix) FUZZ_REQUIRE(FindProvince(input.substr(0, 2)) != nullptr);
  return 0;
}
