#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace osh::search {

// Markers FTS5's highlight() and snippet() put around matches. Control
// characters, so stored text (which services keep free of them) never holds one,
// and clients get spans instead of markup they would have to escape.
inline constexpr char kMatchBegin = '\x02';
inline constexpr char kMatchEnd = '\x03';

struct Span {
  std::string text;
  bool match = false;
};

// Splits marked text into plain and matched spans; adjacent matches merge
// (overlapping bigrams highlight as one run), empty spans are dropped.
std::vector<Span> SplitMarked(std::string_view marked);

}  // namespace osh::search
