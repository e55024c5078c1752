#pragma once

#include <sqlite3.h>

namespace osh::search {

// Registers the FTS5 auxiliary functions osh_highlight(table, column, open,
// close) and osh_snippet(table, column, open, close, ellipsis, tokens) on one
// connection. They replace FTS5's highlight() and snippet(), which copy the
// text between consecutive hits by assuming tokens never overlap: with
// overlapping bigrams or trigrams, two hits a position apart ("尘尘" in
// "尘尘尘", or "防" and "尘肺" in "预防尘肺") came back with text repeated.
// These mark the union of the matched tokens' byte ranges, so overlapping or
// adjacent hits are one run, the text is never repeated, and marks fall on
// token (hence character) boundaries only.
int RegisterMatchMarks(fts5_api* api);

}  // namespace osh::search
