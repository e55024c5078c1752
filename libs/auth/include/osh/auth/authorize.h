#pragma once

#include <string>

#include "osh/auth/principal.h"

namespace osh::auth {

// kReview approves, rejects or closes a supervised record (declaration,
// rectification item, institution quality finding).
enum class Action { kRead, kWrite, kReview };

std::string_view ActionName(Action action);

// What a request touches, as far as access is concerned.
struct Resource {
  std::string province;  // owning province; empty for national data
  std::string org;       // owning organisation; empty when none
  bool published_public = false;
};

struct Decision {
  bool allowed = false;
  std::string reason;  // precise enough for a PERMISSION_DENIED message or an audit line
};

// The one access policy every service and the gateway apply (DESIGN.md
// "Identity and access"). `principal` is null for anonymous callers.
Decision Authorize(const Principal* principal, Action action, const Resource& resource);

// The policy of editorial content (articles and their revisions): editors and
// province admins write, review and read unpublished work of their own
// province; national_admin does so for national content (empty province) and
// reads every province's. Published content is readable by anyone. Other
// roles read published content only.
Decision AuthorizeEditorial(const Principal* principal, Action action, const Resource& resource);

}  // namespace osh::auth
