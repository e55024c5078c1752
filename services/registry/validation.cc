#include "validation.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "osh/domain/credit_code.h"
#include "osh/domain/hazards.h"
#include "osh/domain/industries.h"
#include "osh/domain/regions.h"
#include "osh/domain/text.h"
#include "osh/domain/size_class.h"
#include "osh/service/checks.h"

namespace osh::registry {
namespace {

void CheckCount(int value, const std::string& field, core::FieldErrors& errors) {
  if (value < 0) {
    errors.Add(field, fmt::format("must not be negative, got {}", value));
  } else if (value > kMaxWorkers) {
    errors.Add(field, fmt::format("must be at most {}, got {}", kMaxWorkers, value));
  }
}

void CheckPhone(const std::string& phone, const std::string& field, core::FieldErrors& errors) {
  if (phone.empty()) return;
  // Only the shape is reported, never the number: error messages reach logs.
  const bool shape_ok = phone.size() <= 20 && std::all_of(phone.begin(), phone.end(), [](char c) {
                          return (c >= '0' && c <= '9') || c == '+' || c == '-' || c == ' ';
                        });
  if (!shape_ok) errors.Add(field, "must be up to 20 characters of digits, '+', '-' and spaces");
}

}  // namespace

using service::CheckText;

void ValidateEmployer(const v1::Employer& e, const std::string& deployment_province, core::FieldErrors& errors,
                      const std::string& p) {
  if (e.credit_code().empty()) {
    errors.Add(p + "credit_code", "is required");
  } else if (auto bad = domain::CreditCodeError(e.credit_code())) {
    errors.Add(p + "credit_code", *bad);
  }
  CheckText(e.name(), p + "name", kMaxNameLength, true, errors);
  if (e.division_code().empty()) {
    errors.Add(p + "division_code", "is required");
  } else if (auto bad = domain::DivisionCodeError(e.division_code())) {
    errors.Add(p + "division_code", *bad);
  } else if (domain::ProvinceOfDivision(e.division_code()) != deployment_province) {
    errors.Add(p + "division_code",
               fmt::format("{} is in province {}; this registry serves province {} (moving an employer between "
                           "provinces is a transfer)",
                           e.division_code(), domain::ProvinceOfDivision(e.division_code()), deployment_province));
  }
  CheckText(e.registered_address(), p + "registered_address", kMaxAddressLength, false, errors);
  CheckText(e.workplace_address(), p + "workplace_address", kMaxAddressLength, false, errors);
  if (e.industry_section().empty()) {
    errors.Add(p + "industry_section", "is required (GB/T 4754-2017 section letter A-T)");
  } else if (domain::FindIndustrySection(e.industry_section()) == nullptr) {
    errors.Add(p + "industry_section", "'" + std::string(domain::Utf8Prefix(e.industry_section(), 8)) +
                                           "' is not a GB/T 4754-2017 section letter A-T");
  } else if (!e.industry_code().empty()) {
    if (auto bad = domain::IndustryCodeError(e.industry_section(), e.industry_code())) {
      errors.Add(p + "industry_code", *bad);
    }
  }
  if (e.size_class() == 0) {
    errors.Add(p + "size_class", "is required (large, medium, small or micro)");
  } else if (domain::FindSizeClass(static_cast<domain::SizeClass>(e.size_class())) == nullptr) {
    errors.Add(p + "size_class", fmt::format("{} is not a size class", static_cast<int>(e.size_class())));
  }
  CheckText(e.registration_type(), p + "registration_type", kMaxShortTextLength, false, errors);
  CheckText(e.legal_representative(), p + "legal_representative", kMaxShortTextLength, false, errors);
  CheckPhone(e.legal_representative_phone(), p + "legal_representative_phone", errors);
  CheckCount(e.osh_staff_full_time(), p + "osh_staff_full_time", errors);
  CheckCount(e.osh_staff_part_time(), p + "osh_staff_part_time", errors);
  CheckCount(e.total_workers(), p + "total_workers", errors);
  CheckCount(e.cumulative_disease_cases(), p + "cumulative_disease_cases", errors);
  if (e.total_workers() >= 0 && e.osh_staff_full_time() > e.total_workers()) {
    errors.Add(p + "osh_staff_full_time",
               fmt::format("{} full-time OSH staff exceed total_workers {}", e.osh_staff_full_time(),
                           e.total_workers()));
  }
}

void ValidateDeclaration(const v1::Declaration& d, const v1::Employer& employer, int current_year,
                         core::FieldErrors& errors, const std::string& p) {
  switch (d.type()) {
    case v1::DECLARATION_TYPE_INITIAL:
      break;
    case v1::DECLARATION_TYPE_CHANGE:
      if (d.change_reason() == v1::CHANGE_REASON_UNSPECIFIED) {
        errors.Add(p + "change_reason", "is required for a change declaration");
      } else if (!v1::ChangeReason_IsValid(d.change_reason())) {
        errors.Add(p + "change_reason", fmt::format("{} is not a change reason", static_cast<int>(d.change_reason())));
      }
      break;
    case v1::DECLARATION_TYPE_ANNUAL:
      if (d.year() < 2000 || d.year() > current_year) {
        errors.Add(p + "year", fmt::format("must be between 2000 and {} for an annual declaration, got {}",
                                           current_year, d.year()));
      }
      break;
    default:
      errors.Add(p + "type", "is required (initial, change or annual)");
  }
  CheckText(d.change_description(), p + "change_description", kMaxLongTextLength,
            d.change_reason() == v1::CHANGE_REASON_OTHER, errors);

  const int total_workers = d.total_workers() > 0 ? d.total_workers() : employer.total_workers();
  CheckCount(d.total_workers(), p + "total_workers", errors);
  CheckCount(d.total_exposed_workers(), p + "total_exposed_workers", errors);

  if (d.exposures_size() == 0) {
    errors.Add(p + "exposures", "at least one hazard exposure is required");
  } else if (d.exposures_size() > kMaxExposureRows) {
    errors.Add(p + "exposures", fmt::format("at most {} rows, got {}", kMaxExposureRows, d.exposures_size()));
  }
  int64_t row_sum = 0;
  int largest_row = 0;
  std::map<std::tuple<std::string, std::string, std::string>, int> seen;
  for (int i = 0; i < d.exposures_size() && i < kMaxExposureRows; ++i) {
    const auto& x = d.exposures(i);
    const std::string f = fmt::format("{}exposures[{}].", p, i);
    if (x.factor_code().empty()) {
      errors.Add(f + "factor_code", "is required");
    } else if (domain::FindHazardFactor(x.factor_code()) == nullptr) {
      errors.Add(f + "factor_code", "'" + std::string(domain::Utf8Prefix(x.factor_code(), 16)) + "' is not a hazard factor code of the catalogue");
    }
    CheckText(x.workplace(), f + "workplace", kMaxNameLength, true, errors);
    CheckText(x.post(), f + "post", kMaxNameLength, false, errors);
    CheckText(x.protective_measures(), f + "protective_measures", kMaxLongTextLength, false, errors);
    CheckCount(x.exposed_workers(), f + "exposed_workers", errors);
    if (x.exposed_workers() > total_workers && total_workers > 0) {
      errors.Add(f + "exposed_workers",
                 fmt::format("{} exceeds the employer's {} workers", x.exposed_workers(), total_workers));
    }
    auto key = std::make_tuple(x.factor_code(), x.workplace(), x.post());
    if (auto [it, inserted] = seen.emplace(key, i); !inserted) {
      errors.Add(f + "factor_code", fmt::format("repeats row {} (same factor, workplace and post)", it->second));
    }
    row_sum += std::max(0, x.exposed_workers());
    largest_row = std::max(largest_row, x.exposed_workers());
  }
  // Distinct exposed workers can be no fewer than the largest row, no more than
  // the rows summed (each worker counted in every row) and no more than the workforce.
  if (d.total_exposed_workers() < largest_row) {
    errors.Add(p + "total_exposed_workers",
               fmt::format("{} is less than the largest single row ({})", d.total_exposed_workers(), largest_row));
  } else if (d.total_exposed_workers() > row_sum) {
    errors.Add(p + "total_exposed_workers",
               fmt::format("{} is more than the rows add up to ({})", d.total_exposed_workers(), row_sum));
  } else if (total_workers > 0 && d.total_exposed_workers() > total_workers) {
    errors.Add(p + "total_exposed_workers",
               fmt::format("{} exceeds the employer's {} workers", d.total_exposed_workers(), total_workers));
  }
}

void DeriveDeclarationTotals(v1::Declaration& d) {
  std::map<int, int> per_category;
  for (auto& x : *d.mutable_exposures()) {
    const auto* factor = domain::FindHazardFactor(x.factor_code());
    const int category = factor != nullptr ? static_cast<int>(factor->category) : 0;
    x.set_category(static_cast<common::v1::HazardCategory>(category));
    per_category[category] += x.exposed_workers();
  }
  d.clear_category_totals();
  for (const auto& [category, rows] : per_category) {
    auto* t = d.add_category_totals();
    t->set_category(static_cast<common::v1::HazardCategory>(category));
    t->set_exposed_worker_rows(rows);
  }
}

}  // namespace osh::registry
