#include "osh/search/highlight.h"

namespace osh::search {

std::vector<Span> SplitMarked(std::string_view marked) {
  std::vector<Span> spans;
  auto add = [&](std::string_view text, bool match) {
    if (text.empty()) return;
    if (!spans.empty() && spans.back().match == match) {
      spans.back().text.append(text);
    } else {
      spans.push_back({std::string(text), match});
    }
  };
  bool match = false;
  size_t start = 0;
  for (size_t i = 0; i < marked.size(); ++i) {
    if (marked[i] == kMatchBegin || marked[i] == kMatchEnd) {
      add(marked.substr(start, i - start), match);
      match = marked[i] == kMatchBegin;
      start = i + 1;
    }
  }
  add(marked.substr(start), match);
  return spans;
}

}  // namespace osh::search
