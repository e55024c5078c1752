#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace osh::content {

// One line of a line diff, shaped like the API's DiffLine so the service can
// copy it field by field.
struct DiffLineOut {
  enum class Kind { kContext, kAdded, kRemoved };
  Kind kind = Kind::kContext;
  std::string text;
  int from_line = 0;  // 1-based line in `from`, 0 for added lines
  int to_line = 0;    // 1-based line in `to`, 0 for removed lines
};

inline constexpr int kDefaultDiffContext = 3;
inline constexpr int kDefaultMaxEditDistance = 2000;

// The changed lines of `to` against `from`, grouped in hunks with up to
// `context` unchanged lines around each change, in order (a unified diff
// without its headers); hunks closer than 2 * `context` lines merge. Within a
// change, removed lines come before added ones. Empty when the texts have the
// same lines.
//
// Lines are split on '\n'; a final '\n' ends the last line instead of starting
// an empty one, and a '\r' before it stays part of the line.
//
// The diff is minimal (Myers) while at most `max_edit_distance` lines have to
// be added or removed. Beyond that the search stops and the rest of both texts
// is reported as removed and added: still a correct diff, just not a minimal
// one, so that a pathological pair of revisions cannot hold a request thread
// (time grows with lines × limit, memory with limit²: 8 MB at the default).
std::vector<DiffLineOut> DiffLines(std::string_view from, std::string_view to, int context = kDefaultDiffContext,
                                   int max_edit_distance = kDefaultMaxEditDistance);

// `text` cut into lines as DiffLines sees them.
std::vector<std::string_view> SplitLines(std::string_view text);

}  // namespace osh::content
