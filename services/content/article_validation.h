#pragma once

#include <string>

#include "osh/content/v1/content.pb.h"
#include "osh/core/errors.h"

namespace osh::content {

namespace v1 = ::osh::content::v1;

struct ContentLimits {
  size_t max_body_bytes = 1 << 20;
};

// Everything a revision may hold, with each error naming its field under
// `prefix` (e.g. "content.title"). Text must be valid UTF-8 without control
// characters (line breaks and tabs allowed in summary and body): search
// highlighting relies on stored text never holding its markers.
void ValidateContent(const v1::ArticleContent& content, const std::string& prefix, const ContentLimits& limits,
                     core::FieldErrors& errors);

// What review and publication need beyond a valid draft: a body to read.
void CheckPublishable(const v1::ArticleContent& content, core::FieldErrors& errors);

// "YYYY-MM-DD", "YYYY-MM", "YYYY" or "--MM-DD" (ISO 8601 without a year).
bool IsSourceDate(const std::string& text);

}  // namespace osh::content
