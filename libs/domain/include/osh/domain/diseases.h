#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

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

// One disease of an edition. Its code is "<category number, 2 digits>.<position
// in the category, 2 digits>" — the catalogue's own numbering (一、(一) 1. …
// flattened per category), e.g. "01.01" 矽肺, "04.01" 噪声聋. A code is only
// meaningful with its edition: the 2024 edition renumbers the categories
// after 9. Every position 01..disease_count of every category is a code; the
// names of the headline diseases are encoded (categories 1, 4, 6 and 8 and
// the categories the 2024 edition added or changed at the end); the others
// have an empty name.
struct OccupationalDisease {
  std::string code;              // "01.01"
  const DiseaseCategory* category;
  std::string_view name_zh;      // empty when not encoded
};

// Oldest first.
std::span<const DiseaseCatalogueEdition> AllDiseaseCatalogueEditions();
// Nullptr for an unknown id.
const DiseaseCatalogueEdition* FindDiseaseCatalogueEdition(std::string_view id);
// The edition in force on `yyyy_mm_dd`: the latest one whose effective date is not
// after it. Nullptr before the oldest edition or for a malformed date.
const DiseaseCatalogueEdition* EditionInForce(std::string_view yyyy_mm_dd);

// The disease `code` names in `edition`; nullopt for a code of another shape or
// outside the edition (a category or position it does not have).
std::optional<OccupationalDisease> FindDisease(const DiseaseCatalogueEdition& edition, std::string_view code);
// Every disease of `edition` in code order (disease_count of them).
std::vector<OccupationalDisease> AllDiseases(const DiseaseCatalogueEdition& edition);

}  // namespace osh::domain
