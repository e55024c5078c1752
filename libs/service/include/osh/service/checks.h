#pragma once

// Input checks shared by every service, so a field is judged the same way everywhere.

#include <string>

#include "osh/core/errors.h"

namespace osh::service {

inline constexpr size_t kMaxRequestIdLength = 64;

// A client request id: up to 64 printable ASCII characters without spaces.
void CheckRequestId(const std::string& request_id, core::FieldErrors& errors);

// Free text: valid UTF-8, at most `max_length` code points, present when `required`.
void CheckText(const std::string& value, const std::string& field, size_t max_length, bool required,
               core::FieldErrors& errors);

// page_size: negative is invalid, 0 means `default_size`, larger than `max_size` is clamped.
int PageSize(int requested, int default_size, int max_size, core::FieldErrors& errors);

}  // namespace osh::service
