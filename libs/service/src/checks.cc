#include "osh/service/checks.h"

#include <fmt/format.h>

#include <algorithm>

#include "osh/domain/text.h"

namespace osh::service {

void CheckRequestId(const std::string& request_id, core::FieldErrors& errors) {
  if (request_id.size() > kMaxRequestIdLength) {
    errors.Add("request_id", fmt::format("must be at most {} characters", kMaxRequestIdLength));
  } else if (!std::all_of(request_id.begin(), request_id.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
    errors.Add("request_id", "must be printable ASCII without spaces");
  }
}

void CheckText(const std::string& value, const std::string& field, size_t max_length, bool required,
               core::FieldErrors& errors) {
  if (auto bad = domain::Utf8Error(value)) {
    errors.Add(field, "is not valid UTF-8: " + *bad);
    return;
  }
  const size_t length = domain::Utf8Length(value);
  if (required && value.find_first_not_of(" \t\r\n") == std::string::npos) {
    errors.Add(field, "is required");
  } else if (length > max_length) {
    errors.Add(field, fmt::format("must be at most {} characters, got {}", max_length, length));
  }
}

int PageSize(int requested, int default_size, int max_size, core::FieldErrors& errors) {
  if (requested < 0) {
    errors.Add("page_size", fmt::format("must not be negative, got {}", requested));
    return 0;
  }
  if (requested == 0) return default_size;
  return std::min(requested, max_size);
}

}  // namespace osh::service
