#include "osh/search/cjk_tokenizer.h"

#include <sqlite3.h>

#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "match_marks.h"
#include "unicode_classes.h"

namespace osh::search {
namespace {

// Tokens longer than this are cut: nobody searches for them, and FTS5 would
// keep every one in its term dictionary.
constexpr size_t kMaxTokenBytes = 128;

struct Char {
  char32_t cp;
  int begin;
  int end;
};

// Walks `text` and reports tokens as (token, begin, end, colocated). Returning
// non-zero from `emit` stops the walk (FTS5 asks for that on errors).
template <typename Emit>
int Tokenize(std::string_view text, bool query, Emit&& emit) {
  std::vector<Char> run;  // pending CJK characters
  std::string word;       // pending normalised Latin word
  int word_begin = -1;
  int word_end = -1;

  auto flush_word = [&]() -> int {
    if (word.empty()) return 0;
    if (word.size() > kMaxTokenBytes) word.resize(TruncateUtf8(word, kMaxTokenBytes));
    int rc = emit(std::string_view(word), word_begin, word_end, false);
    word.clear();
    word_begin = -1;
    return rc;
  };
  auto flush_run = [&]() -> int {
    int rc = 0;
    const size_t n = run.size();
    if (n == 1) {
      rc = emit(text.substr(run[0].begin, run[0].end - run[0].begin), run[0].begin, run[0].end, false);
    } else if (n > 1) {
      std::string bigram;  // built from the two characters: white space may lie between them
      for (size_t i = 0; i + 1 < n && rc == 0; ++i) {
        bigram.assign(text.substr(run[i].begin, run[i].end - run[i].begin));
        bigram.append(text.substr(run[i + 1].begin, run[i + 1].end - run[i + 1].begin));
        rc = emit(std::string_view(bigram), run[i].begin, run[i + 1].end, false);
      }
      if (rc == 0 && !query) {
        const Char& last = run[n - 1];
        rc = emit(text.substr(last.begin, last.end - last.begin), last.begin, last.end, true);
      }
    }
    run.clear();
    return rc;
  };

  size_t pos = 0;
  while (pos < text.size()) {
    const int begin = static_cast<int>(pos);
    const char32_t cp = DecodeUtf8(text, pos);  // advances pos; U+FFFD on bad bytes
    const int end = static_cast<int>(pos);
    if (IsCjk(cp)) {
      if (int rc = flush_word()) return rc;
      run.push_back({cp, begin, end});
      continue;
    }
    if (!run.empty() && IsQuerySpace(cp)) {
      // White space between Chinese characters is layout (a line wrapped by a
      // PDF or a typesetter), not a word boundary: the run goes on across it.
      size_t ahead = pos;
      while (ahead < text.size()) {
        size_t next = ahead;
        const char32_t c = DecodeUtf8(text, next);
        if (!IsQuerySpace(c)) break;
        ahead = next;
      }
      if (ahead < text.size()) {
        size_t next = ahead;
        if (IsCjk(DecodeUtf8(text, next))) {
          pos = ahead;
          continue;
        }
      }
    }
    if (int rc = flush_run()) return rc;
    const char32_t folded = FoldWordChar(cp);  // 0 when not a word character
    if (folded == 0) {
      if (int rc = flush_word()) return rc;
      continue;
    }
    if (word.empty()) word_begin = begin;
    AppendUtf8(word, folded);
    word_end = end;
  }
  if (int rc = flush_run()) return rc;
  return flush_word();
}

// --- FTS5 glue ------------------------------------------------------------

struct TokenizerInstance {};

int CreateTokenizer(void*, const char**, int, Fts5Tokenizer** out) {
  *out = reinterpret_cast<Fts5Tokenizer*>(new TokenizerInstance);
  return SQLITE_OK;
}

void DeleteTokenizer(Fts5Tokenizer* t) { delete reinterpret_cast<TokenizerInstance*>(t); }

int RunTokenizer(Fts5Tokenizer*, void* ctx, int flags, const char* text, int length,
                 int (*token)(void*, int, const char*, int, int, int)) {
  const bool query = (flags & FTS5_TOKENIZE_QUERY) != 0;
  try {
    return Tokenize(std::string_view(text, static_cast<size_t>(length)), query,
                    [&](std::string_view t, int begin, int end, bool colocated) {
                      return token(ctx, colocated ? FTS5_TOKEN_COLOCATED : 0, t.data(), static_cast<int>(t.size()),
                                   begin, end);
                    });
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  }
}

int RegisterOnConnection(sqlite3* db, char** error, const sqlite3_api_routines*) {
  fts5_api* api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr) != SQLITE_OK) {
    *error = sqlite3_mprintf("this SQLite has no FTS5");
    return SQLITE_ERROR;
  }
  sqlite3_bind_pointer(stmt, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
  sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if (api == nullptr) {
    *error = sqlite3_mprintf("this SQLite has no FTS5");
    return SQLITE_ERROR;
  }
  static fts5_tokenizer tokenizer = {CreateTokenizer, DeleteTokenizer, RunTokenizer};
  const int rc = api->xCreateTokenizer(api, kCjkTokenizerName, nullptr, &tokenizer, nullptr);
  return rc == SQLITE_OK ? RegisterMatchMarks(api) : rc;
}

}  // namespace

void RegisterCjkTokenizer() {
  static std::once_flag once;
  std::call_once(once, [] {
    // void(*)(void) is the generic function pointer type SQLite's API takes.
    if (sqlite3_auto_extension(reinterpret_cast<void (*)()>(&RegisterOnConnection)) != SQLITE_OK) {
      throw std::runtime_error("cannot register the osh_cjk FTS5 tokenizer");
    }
  });
}

void TokenizeForTest(std::string_view text, bool query,
                     const std::function<void(std::string_view, int, int, bool)>& fn) {
  Tokenize(text, query, [&](std::string_view t, int begin, int end, bool colocated) {
    fn(t, begin, end, colocated);
    return 0;
  });
}

}  // namespace osh::search
