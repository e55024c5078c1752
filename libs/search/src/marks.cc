#include "marks.h"

#include <algorithm>

namespace osh::search {
namespace {

// The matched byte ranges, merged where they overlap or touch.
std::vector<ByteRange> MergedMatches(const std::vector<ByteRange>& tokens, const std::vector<int>& positions) {
  std::vector<ByteRange> matches;
  for (int p : positions) {
    if (p < 0 || static_cast<size_t>(p) >= tokens.size()) continue;
    matches.push_back(tokens[static_cast<size_t>(p)]);
  }
  std::sort(matches.begin(), matches.end(), [](ByteRange a, ByteRange b) { return a.begin < b.begin; });
  std::vector<ByteRange> merged;
  for (const auto& m : matches) {
    if (!merged.empty() && m.begin <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, m.end);
    } else {
      merged.push_back(m);
    }
  }
  return merged;
}

// text[begin, end) with each match (clipped to it) between open and close.
std::string Mark(std::string_view text, int begin, int end, const std::vector<ByteRange>& matches,
                 std::string_view open, std::string_view close) {
  std::string out;
  int at = begin;
  for (const auto& m : matches) {
    const int from = std::max(m.begin, at);
    const int to = std::min(m.end, end);
    if (from >= to) continue;
    out.append(text.substr(static_cast<size_t>(at), static_cast<size_t>(from - at)));
    out.append(open);
    out.append(text.substr(static_cast<size_t>(from), static_cast<size_t>(to - from)));
    out.append(close);
    at = to;
  }
  out.append(text.substr(static_cast<size_t>(at), static_cast<size_t>(end - at)));
  return out;
}

}  // namespace

std::string MarkAll(std::string_view text, const std::vector<ByteRange>& tokens, const std::vector<int>& positions,
                    std::string_view open, std::string_view close) {
  return Mark(text, 0, static_cast<int>(text.size()), MergedMatches(tokens, positions), open, close);
}

std::string MarkWindow(std::string_view text, const std::vector<ByteRange>& tokens, const std::vector<int>& positions,
                       std::string_view open, std::string_view close, std::string_view ellipsis, int width) {
  width = std::clamp(width, 1, 64);
  const int count = static_cast<int>(tokens.size());
  int start = 0;
  if (count > width) {
    const int lead = width / 4;
    int best = -1;
    for (int hit : positions) {
      const int candidate = std::clamp(hit - lead, 0, count - width);
      const auto first = std::lower_bound(positions.begin(), positions.end(), candidate);
      const auto last = std::lower_bound(positions.begin(), positions.end(), candidate + width);
      const int score = static_cast<int>(last - first);
      if (score > best) {
        best = score;
        start = candidate;
      }
    }
  }
  const int stop = std::min(count, start + width);  // one past the window's last token
  const int begin = start == 0 ? 0 : tokens[static_cast<size_t>(start)].begin;
  const int end = stop == count ? static_cast<int>(text.size()) : tokens[static_cast<size_t>(stop - 1)].end;
  std::string out;
  if (begin > 0) out.append(ellipsis);
  out += Mark(text, begin, end, MergedMatches(tokens, positions), open, close);
  if (end < static_cast<int>(text.size())) out.append(ellipsis);
  return out;
}

}  // namespace osh::search
