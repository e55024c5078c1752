// How long DiffLines takes on the large cases of services/content/tests/
// text_diff_test.cc (which assert only what the diffs say). One JSON line per
// case: {"bench": "content.diff.<case>", "lines", "changed", "p50_ms", "max_ms"}.
// Usage: osh-text-diff-bench [repeats=5]
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "text_diff.h"

namespace {

std::string Numbered(int count, const std::string& prefix) {
  std::string text;
  for (int i = 1; i <= count; ++i) text += prefix + std::to_string(i) + "\n";
  return text;
}

void Measure(const std::string& name, const std::string& from, const std::string& to, int repeats, int lines,
             int max_edits) {
  std::vector<double> ms;
  size_t changed = 0;
  for (int i = 0; i < repeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const auto diff = max_edits > 0 ? osh::content::DiffLines(from, to, 1000000, max_edits)
                                    : osh::content::DiffLines(from, to);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    changed = static_cast<size_t>(std::count_if(diff.begin(), diff.end(), [](const auto& line) {
      return line.kind != osh::content::DiffLineOut::Kind::kContext;
    }));
  }
  std::sort(ms.begin(), ms.end());
  std::cout << fmt::format(R"({{"bench": "content.diff.{}", "lines": {}, "changed": {}, "p50_ms": {:.1f}, "max_ms": {:.1f}}})",
                           name, lines, changed, ms[ms.size() / 2], ms.back())
            << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  const std::string numbered = Numbered(30000, "line ");
  std::string two_edits = numbered;
  two_edits.replace(two_edits.find("line 7000\n"), 10, "seven thousand\n");
  two_edits.erase(two_edits.find("line 23000\n"), 11);
  Measure("two_edits_in_30000_lines", numbered, two_edits, repeats, 30000, 0);

  std::string alternating_from;
  std::string alternating_to;
  for (int i = 0; i < 1500; ++i) {
    alternating_from += "same " + std::to_string(i) + "\nold " + std::to_string(i) + "\n";
    alternating_to += "same " + std::to_string(i) + "\nnew " + std::to_string(i) + "\n";
  }
  Measure("every_other_line_over_the_edit_limit", alternating_from, alternating_to, repeats, 3000, 100);

  Measure("nothing_shared_30000_lines", Numbered(30000, "old "), Numbered(30000, "new "), repeats, 30000, 0);
  return 0;
}
