#include "text_diff.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <unordered_map>

namespace osh::content {
namespace {

enum class Op { kEqual, kRemove, kAdd };

// One step of an edit script; `from` and `to` are 0-based line indexes, and
// only the one(s) the step touches are meaningful.
struct Edit {
  Op op;
  int from;
  int to;
};

using Script = std::vector<Edit>;

// Lines as small integers, so the search compares ints instead of strings.
void Intern(const std::vector<std::string_view>& from_lines, const std::vector<std::string_view>& to_lines,
            std::vector<int>& from_ids, std::vector<int>& to_ids) {
  std::unordered_map<std::string_view, int> ids;
  auto id_of = [&ids](std::string_view line) { return ids.emplace(line, static_cast<int>(ids.size())).first->second; };
  from_ids.reserve(from_lines.size());
  to_ids.reserve(to_lines.size());
  for (auto line : from_lines) from_ids.push_back(id_of(line));
  for (auto line : to_lines) to_ids.push_back(id_of(line));
}

constexpr int kUnreached = -1;

// Myers' greedy search over the edit graph of a[0..n) against b[0..m): after
// round d, the furthest x reached on every diagonal k = x - y with d edits
// (only diagonals of d's parity can be reached, so a round holds d + 1 ints).
// Every round is kept so the path can be walked back: memory grows with the
// square of the edit distance (8 MB at the default limit of 2,000), which is
// why the caller bounds it.
class MyersSearch {
 public:
  MyersSearch(const int* a, int n, const int* b, int m) : a_(a), n_(n), b_(b), m_(m) {}

  // The script turning a into b, minimal when it needs at most `limit` edits.
  Script Run(int limit) {
    rounds_.push_back({Slide(0, 0)});
    if (rounds_[0][0] == n_ && n_ == m_) return WalkBack(0, 0);
    const int last_round = std::min(limit, n_ + m_);
    for (int d = 1; d <= last_round; ++d) {
      if (auto k = Round(d)) return WalkBack(d, *k);
    }
    return GiveUp(static_cast<int>(rounds_.size()) - 1);
  }

 private:
  int At(int d, int k) const { return k < -d || k > d ? kUnreached : rounds_[d][(k + d) / 2]; }

  int Slide(int x, int y) const {
    while (x < n_ && y < m_ && a_[x] == b_[y]) ++x, ++y;
    return x;
  }

  // The diagonal of round d - 1 the best path to diagonal k in round d comes
  // from: k + 1 (a line added, a step down) or k - 1 (a line removed, a step
  // right). Like Myers, the one that lands further along; unlike the textbook
  // version, never a step off the edge of the graph, so unequal lengths and
  // the early stop need no special cases.
  std::optional<int> Predecessor(int d, int k) const {
    const int down_x = At(d - 1, k + 1);
    const int right_x = At(d - 1, k - 1);
    const bool down_ok = down_x != kUnreached && down_x - k <= m_;
    const bool right_ok = right_x != kUnreached && right_x + 1 <= n_;
    if (down_ok && (!right_ok || right_x < down_x)) return k + 1;
    if (right_ok) return k - 1;
    return std::nullopt;
  }

  int LandingX(int d, int k, int from_k) const { return from_k == k + 1 ? At(d - 1, k + 1) : At(d - 1, k - 1) + 1; }

  // Fills round d; the diagonal that reached (n, m), if one did.
  std::optional<int> Round(int d) {
    rounds_.emplace_back(d + 1, kUnreached);
    for (int k = -d; k <= d; k += 2) {
      const auto from_k = Predecessor(d, k);
      if (!from_k) continue;
      const int landing_x = LandingX(d, k, *from_k);
      const int x = Slide(landing_x, landing_x - k);
      rounds_[d][(k + d) / 2] = x;
      if (x == n_ && x - k == m_) return k;
    }
    return std::nullopt;
  }

  // The path that ends on diagonal k in round d, from (0, 0).
  Script WalkBack(int d, int k) const {
    Script reversed;
    int x = At(d, k);
    int y = x - k;
    for (; d > 0; --d) {
      const int from_k = *Predecessor(d, x - y);
      const int landing_x = LandingX(d, x - y, from_k);
      for (; x > landing_x; --x, --y) reversed.push_back({Op::kEqual, x - 1, y - 1});
      const int prev_x = At(d - 1, from_k);
      const int prev_y = prev_x - from_k;
      reversed.push_back(from_k == x - y + 1 ? Edit{Op::kAdd, 0, prev_y} : Edit{Op::kRemove, prev_x, 0});
      x = prev_x;
      y = prev_y;
    }
    for (; x > 0; --x, --y) reversed.push_back({Op::kEqual, x - 1, y - 1});
    return {reversed.rbegin(), reversed.rend()};
  }

  // The search ran out of edits: keep the path that got furthest and report
  // everything after it as removed and then added.
  Script GiveUp(int d) const {
    int best_k = 0;
    int best_progress = -1;
    for (int k = -d; k <= d; k += 2) {
      const int x = At(d, k);
      if (x != kUnreached && 2 * x - k > best_progress) best_progress = 2 * x - k, best_k = k;
    }
    Script script = WalkBack(d, best_k);
    const int x = At(d, best_k);
    for (int i = x; i < n_; ++i) script.push_back({Op::kRemove, i, 0});
    for (int j = x - best_k; j < m_; ++j) script.push_back({Op::kAdd, 0, j});
    return script;
  }

  const int* a_;
  int n_;
  const int* b_;
  int m_;
  std::vector<std::vector<int>> rounds_;
};

// The whole script: the common head and tail are matched directly (the usual
// case for revisions, and what keeps 30,000-line bodies cheap), the middle by
// the search.
Script EditScript(const std::vector<int>& a, const std::vector<int>& b, int max_edit_distance) {
  const int n = static_cast<int>(a.size());
  const int m = static_cast<int>(b.size());
  int head = 0;
  while (head < n && head < m && a[head] == b[head]) ++head;
  int tail = 0;
  while (tail < n - head && tail < m - head && a[n - 1 - tail] == b[m - 1 - tail]) ++tail;

  Script script;
  for (int i = 0; i < head; ++i) script.push_back({Op::kEqual, i, i});
  if (head < n - tail || head < m - tail) {
    MyersSearch search(a.data() + head, n - head - tail, b.data() + head, m - head - tail);
    for (Edit e : search.Run(std::max(max_edit_distance, 0))) {
      script.push_back({e.op, e.from + head, e.to + head});
    }
  }
  for (int i = tail; i > 0; --i) script.push_back({Op::kEqual, n - i, m - i});
  return script;
}

// For each step, how far (in steps) the nearest change is; steps are lines,
// so this is the number of unchanged lines to the next change, plus one.
// Steps with no change on one side count as infinitely far on that side.
std::vector<int> DistanceToChange(const Script& script) {
  constexpr int kFar = std::numeric_limits<int>::max();
  const int size = static_cast<int>(script.size());
  std::vector<int> distance(script.size(), kFar);
  std::optional<int> last;
  for (int i = 0; i < size; ++i) {
    if (script[i].op != Op::kEqual) last = i;
    if (last) distance[i] = i - *last;
  }
  last.reset();
  for (int i = size - 1; i >= 0; --i) {
    if (script[i].op != Op::kEqual) last = i;
    if (last) distance[i] = std::min(distance[i], *last - i);
  }
  return distance;
}

}  // namespace

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::vector<DiffLineOut> DiffLines(std::string_view from, std::string_view to, int context, int max_edit_distance) {
  const auto from_lines = SplitLines(from);
  const auto to_lines = SplitLines(to);
  std::vector<int> from_ids;
  std::vector<int> to_ids;
  Intern(from_lines, to_lines, from_ids, to_ids);
  const Script script = EditScript(from_ids, to_ids, max_edit_distance);
  const auto distance = DistanceToChange(script);
  context = std::max(context, 0);

  std::vector<DiffLineOut> out;
  std::vector<DiffLineOut> added;  // held back so a change lists its removals first
  auto flush_added = [&] {
    for (auto& line : added) out.push_back(std::move(line));
    added.clear();
  };
  for (size_t i = 0; i < script.size(); ++i) {
    const Edit& e = script[i];
    switch (e.op) {
      case Op::kEqual:
        flush_added();
        if (distance[i] <= context) {
          out.push_back({DiffLineOut::Kind::kContext, std::string(from_lines[e.from]), e.from + 1, e.to + 1});
        }
        break;
      case Op::kRemove:
        out.push_back({DiffLineOut::Kind::kRemoved, std::string(from_lines[e.from]), e.from + 1, 0});
        break;
      case Op::kAdd:
        added.push_back({DiffLineOut::Kind::kAdded, std::string(to_lines[e.to]), 0, e.to + 1});
        break;
    }
  }
  flush_added();
  return out;
}

}  // namespace osh::content
