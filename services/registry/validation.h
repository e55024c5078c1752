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
inline constexpr size_t kMaxRequestIdLength = 64;
inline constexpr int kMaxWorkers = 10'000'000;
inline constexpr int kMaxExposureRows = 1000;

// Checks the input fields of an employer (output-only fields are ignored).
// `field_prefix` is "employer." so messages name the request field.
void ValidateEmployer(const v1::Employer& employer, const std::string& deployment_province,
                      core::FieldErrors& errors, const std::string& field_prefix = "employer.");

// Checks a declaration against the employer it is for.
void ValidateDeclaration(const v1::Declaration& declaration, const v1::Employer& employer, int current_year,
                         core::FieldErrors& errors, const std::string& field_prefix = "declaration.");

void ValidateRequestId(const std::string& request_id, core::FieldErrors& errors);

// Fills output-only fields the registry derives: each exposure's category and
// the per-category totals.
void DeriveDeclarationTotals(v1::Declaration& declaration);

// Checks a free-text field: valid UTF-8, at most `max_length` code points, and
// present when `required`.
void CheckText(const std::string& value, const std::string& field, size_t max_length, bool required,
               core::FieldErrors& errors);

}  // namespace osh::registry
