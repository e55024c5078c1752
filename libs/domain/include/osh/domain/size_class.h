#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace osh::domain {

// Enterprise size class, declared by employers; small and micro enterprises get
// targeted assistance, so reporting splits by it.

// Numbers equal the proto enum osh.common.v1.SizeClass; never renumber.
enum class SizeClass : int {
  kUnspecified = 0,
  kLarge = 1,
  kMedium = 2,
  kSmall = 3,
  kMicro = 4,
};

struct SizeClassInfo {
  SizeClass size_class;
  std::string_view key;  // stable lower-case name for logs, filters and metrics
  std::string_view name_zh;
  std::string_view name_en;
};

// The four real classes, largest first.
std::span<const SizeClassInfo> AllSizeClasses();
// Nullptr for kUnspecified and values outside the enum.
const SizeClassInfo* FindSizeClass(SizeClass size_class);
// "large", "medium", "small", "micro"; "unspecified" for kUnspecified and
// "unknown" for values outside the enum.
std::string_view SizeClassName(SizeClass size_class);
// Inverse of SizeClassName for the four real classes; nullopt otherwise.
std::optional<SizeClass> ParseSizeClass(std::string_view name);

}  // namespace osh::domain
