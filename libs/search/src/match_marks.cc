#include "match_marks.h"

#include <algorithm>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "marks.h"

namespace osh::search {
namespace {

// The byte range of the token at each position of one column's text. A
// colocated token (the bigram tokenizer's unigram at the end of a run) shares
// its position and lies inside that position's token, so it adds nothing.
int TokenRanges(const Fts5ExtensionApi* api, Fts5Context* fts, const char* text, int length,
                std::vector<ByteRange>* ranges) {
  return api->xTokenize(fts, text, length, ranges, [](void* out, int flags, const char*, int, int begin, int end) {
    if ((flags & FTS5_TOKEN_COLOCATED) == 0) static_cast<std::vector<ByteRange>*>(out)->push_back({begin, end});
    return SQLITE_OK;
  });
}

// Positions of `column` that some phrase match covers (a phrase of n tokens
// covers n positions), sorted and unique.
int MatchedPositions(const Fts5ExtensionApi* api, Fts5Context* fts, int column, std::vector<int>* positions) {
  int count = 0;
  int rc = api->xInstCount(fts, &count);
  for (int i = 0; rc == SQLITE_OK && i < count; ++i) {
    int phrase = 0;
    int inst_column = 0;
    int offset = 0;
    rc = api->xInst(fts, i, &phrase, &inst_column, &offset);
    if (rc != SQLITE_OK || inst_column != column) continue;
    const int size = api->xPhraseSize(fts, phrase);
    for (int p = offset; p < offset + size; ++p) positions->push_back(p);
  }
  std::sort(positions->begin(), positions->end());
  positions->erase(std::unique(positions->begin(), positions->end()), positions->end());
  return rc;
}

std::string_view TextArg(sqlite3_value* value) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(value));
  return text == nullptr ? std::string_view() : std::string_view(text, static_cast<size_t>(sqlite3_value_bytes(value)));
}

struct Column {
  std::string_view text;
  std::vector<ByteRange> tokens;
  std::vector<int> positions;
};

// Reads column `index` of the current row with its tokens and merged matches;
// false with the result set (NULL or an error) when there is nothing to mark.
bool ReadColumn(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* result, int index, Column* column) {
  const char* text = nullptr;
  int length = 0;
  int rc = api->xColumnText(fts, index, &text, &length);
  if (rc == SQLITE_OK && text == nullptr) {
    sqlite3_result_null(result);
    return false;
  }
  if (rc == SQLITE_OK) rc = TokenRanges(api, fts, text, length, &column->tokens);
  if (rc == SQLITE_OK) rc = MatchedPositions(api, fts, index, &column->positions);
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(result, rc);
    return false;
  }
  column->text = std::string_view(text, static_cast<size_t>(length));
  return true;
}

void SetText(sqlite3_context* result, const std::string& text) {
  sqlite3_result_text64(result, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

// osh_highlight(table, column, open, close): the whole text, matches marked.
void Highlight(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* result, int argc,
               sqlite3_value** argv) {
  if (argc != 3) return sqlite3_result_error(result, "osh_highlight: wrong number of arguments", -1);
  try {
    Column column;
    if (!ReadColumn(api, fts, result, sqlite3_value_int(argv[0]), &column)) return;
    SetText(result, MarkAll(column.text, column.tokens, column.positions, TextArg(argv[1]), TextArg(argv[2])));
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(result);
  }
}

// osh_snippet(table, column, open, close, ellipsis, tokens): the window of
// `tokens` consecutive tokens holding the most matched positions (the first
// such, starting a few tokens before a hit so it reads in context), matches
// marked, with the ellipsis where text was left out.
void Snippet(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* result, int argc, sqlite3_value** argv) {
  if (argc != 5) return sqlite3_result_error(result, "osh_snippet: wrong number of arguments", -1);
  try {
    Column column;
    if (!ReadColumn(api, fts, result, sqlite3_value_int(argv[0]), &column)) return;
    SetText(result, MarkWindow(column.text, column.tokens, column.positions, TextArg(argv[1]), TextArg(argv[2]),
                               TextArg(argv[3]), sqlite3_value_int(argv[4])));
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(result);
  }
}

}  // namespace

int RegisterMatchMarks(fts5_api* api) {
  int rc = api->xCreateFunction(api, "osh_highlight", nullptr, &Highlight, nullptr);
  if (rc == SQLITE_OK) rc = api->xCreateFunction(api, "osh_snippet", nullptr, &Snippet, nullptr);
  return rc;
}

}  // namespace osh::search
