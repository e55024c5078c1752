#include "osh/domain/size_class.h"

#include <array>

namespace osh::domain {
namespace {

constexpr std::array<SizeClassInfo, 4> kSizeClasses = {{
    {SizeClass::kLarge, "large", "大型", "Large"},
    {SizeClass::kMedium, "medium", "中型", "Medium"},
    {SizeClass::kSmall, "small", "小型", "Small"},
    {SizeClass::kMicro, "micro", "微型", "Micro"},
}};

}  // namespace

std::span<const SizeClassInfo> AllSizeClasses() { return kSizeClasses; }

const SizeClassInfo* FindSizeClass(SizeClass size_class) {
  for (const SizeClassInfo& info : kSizeClasses) {
    if (info.size_class == size_class) return &info;
  }
  return nullptr;
}

std::string_view SizeClassName(SizeClass size_class) {
  if (size_class == SizeClass::kUnspecified) return "unspecified";
  const SizeClassInfo* info = FindSizeClass(size_class);
  return info == nullptr ? "unknown" : info->key;
}

std::optional<SizeClass> ParseSizeClass(std::string_view name) {
  for (const SizeClassInfo& info : kSizeClasses) {
    if (info.key == name) return info.size_class;
  }
  return std::nullopt;
}

}  // namespace osh::domain
