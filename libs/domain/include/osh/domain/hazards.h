#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace osh::domain {

// Classification Catalogue of Occupational-Disease Hazard Factors (职业病危害因素
// 分类目录, 2015): declarations, workplace tests and rollups name factors by it.

// Numbers equal the proto enum osh.common.v1.HazardCategory; never renumber.
enum class HazardCategory : int {
  kUnspecified = 0,
  kDust = 1,
  kChemical = 2,
  kPhysical = 3,
  kRadioactive = 4,
  kBiological = 5,
  kOther = 6,
};

struct HazardCategoryInfo {
  HazardCategory category;
  char letter;           // first character of the category's factor codes
  std::string_view key;  // stable lower-case name for logs, filters and metrics
  std::string_view name_zh;
  std::string_view name_en;
  int catalogue_factor_count;  // entries in the 2015 catalogue, open clause included
};

struct HazardFactor {
  // The platform's own stable code, <category letter><3 digits>; never reused or
  // renumbered. <letter>999 is the catalogue's open clause for the category
  // ("以上未提及的可导致职业病的其他…"), so a declaration can name any factor.
  std::string_view code;
  HazardCategory category;
  std::string_view name_zh;
  std::string_view name_en;
  // The catalogue limits some factors to certain workers; empty when it does not.
  std::string_view limited_to_zh;
  std::string_view limited_to_en;
};

// The six categories in enum order.
std::span<const HazardCategoryInfo> AllHazardCategories();
// Nullptr for kUnspecified and values outside the enum.
const HazardCategoryInfo* FindHazardCategory(HazardCategory category);

// A curated subset of the catalogue: the physical, radioactive, biological and
// other categories in full, the most common dusts and chemicals, and the open
// clauses. Ordered by category, then code.
std::span<const HazardFactor> AllHazardFactors();
// Exact, case-sensitive code ("C001"); nullptr when unknown. Category letters
// alone ("D") are not factors.
const HazardFactor* FindHazardFactor(std::string_view code);

// "dust", "chemical", "physical", "radioactive", "biological", "other";
// "unspecified" for kUnspecified and "unknown" for values outside the enum.
std::string_view HazardCategoryName(HazardCategory category);
// Inverse of HazardCategoryName for the six real categories; nullopt otherwise.
std::optional<HazardCategory> ParseHazardCategory(std::string_view name);

}  // namespace osh::domain
