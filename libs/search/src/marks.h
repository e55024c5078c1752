#pragma once

// Marking matches in a text from its tokens' byte ranges and the matched token
// positions: the one implementation behind both the FTS5 functions
// osh_highlight/osh_snippet (SQLite) and FullTextIndex::Highlight/Snippet
// (PostgreSQL), so a hit reads the same on either backend.

#include <string>
#include <string_view>
#include <vector>

namespace osh::search {

struct ByteRange {
  int begin;
  int end;
};

// The whole text, every matched token's bytes between open and close; tokens
// are the non-colocated tokens in position order, positions sorted and unique.
std::string MarkAll(std::string_view text, const std::vector<ByteRange>& tokens, const std::vector<int>& positions,
                    std::string_view open, std::string_view close);

// The window of `width` consecutive tokens holding the most matched positions
// (the first such, starting a few tokens before a hit so it reads in context),
// matches marked, with the ellipsis where text was left out.
std::string MarkWindow(std::string_view text, const std::vector<ByteRange>& tokens, const std::vector<int>& positions,
                       std::string_view open, std::string_view close, std::string_view ellipsis, int width);

}  // namespace osh::search
