#pragma once

#include <span>
#include <string_view>

namespace osh::domain {

// Occupational disease catalogue (职业病分类和目录). Which diseases are legally
// occupational depends on the date of diagnosis, so the catalogue is versioned
// data and callers pick the edition in force on a date.

struct DiseaseCategory {
  int number;  // 1-based position in its edition
  std::string_view name_zh;
  std::string_view name_en;
  int disease_count;  // entries, open clauses included
};

struct DiseaseCatalogueEdition {
  std::string_view id;              // "2013", "2024"
  std::string_view effective_date;  // YYYY-MM-DD
  int disease_count;
  std::span<const DiseaseCategory> categories;
};

// Oldest first.
std::span<const DiseaseCatalogueEdition> AllDiseaseCatalogueEditions();
// Nullptr for an unknown id.
const DiseaseCatalogueEdition* FindDiseaseCatalogueEdition(std::string_view id);
// The edition in force on `yyyy_mm_dd`: the latest one whose effective date is not
// after it. Nullptr before the oldest edition or for a malformed date.
const DiseaseCatalogueEdition* EditionInForce(std::string_view yyyy_mm_dd);

}  // namespace osh::domain
