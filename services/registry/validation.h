#pragma once

#include <string>

#include "osh/core/errors.h"
#include "osh/registry/v1/registry.pb.h"

namespace osh::registry {

namespace v1 = ::osh::registry::v1;

// Limits on free text, in Unicode code points.
inline constexpr size_t kMaxNameLength = 200;
inline constexpr size_t kMaxAddressLength = 500;
inline constexpr size_t kMaxShortTextLength = 100;
inline constexpr size_t kMaxLongTextLength = 2000;
inline constexpr int kMaxWorkers = 10'000'000;
inline constexpr int kMaxExposureRows = 1000;

// Checks the input fields of an employer (output-only fields are ignored).
// `field_prefix` is "employer." so messages name the request field.
void ValidateEmployer(const v1::Employer& employer, const std::string& deployment_province,
                      core::FieldErrors& errors, const std::string& field_prefix = "employer.");

// Checks a declaration against the employer it is for.
void ValidateDeclaration(const v1::Declaration& declaration, const v1::Employer& employer, int current_year,
                         core::FieldErrors& errors, const std::string& field_prefix = "declaration.");

// Fills output-only fields the registry derives: each exposure's category and
// the per-category totals.
void DeriveDeclarationTotals(v1::Declaration& declaration);


}  // namespace osh::registry
