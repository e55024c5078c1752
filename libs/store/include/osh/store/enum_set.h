#pragma once

#include <cstdint>

namespace osh::store {

// A set of enum values stored as one INTEGER column, one bit per value, so
// that a query filters by membership with `(column & ?) != 0` and a bound
// EnumBit. Enum values must be below 63 (hazard categories, roles and
// audiences are far below).
constexpr int64_t EnumBit(int value) { return int64_t{1} << value; }

template <typename Values>
int64_t EnumSet(const Values& values) {
  int64_t set = 0;
  for (int v : values) set |= EnumBit(v);
  return set;
}

}  // namespace osh::store
