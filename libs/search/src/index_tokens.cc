#include "index_tokens.h"

#include <sqlite3.h>

#include <new>
#include <stdexcept>

#include "osh/search/cjk_tokenizer.h"
#include "unicode_classes.h"

namespace osh::search {
namespace {

// FTS5's porter stemmer wrapped around osh_cjk on an in-memory connection, one
// per thread (a tokenizer instance keeps a working buffer, so threads cannot
// share one). FTS5 exposes its tokenizers only through a connection; the
// stemmer is not otherwise available.
class PorterCjk {
 public:
  PorterCjk() {
    RegisterCjkTokenizer();  // osh_cjk on every connection from now on
    if (sqlite3_open(":memory:", &db_) != SQLITE_OK) {
      sqlite3_close(db_);
      throw std::runtime_error("index tokens: cannot open SQLite");
    }
    fts5_api* api = nullptr;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT fts5(?1)", -1, &stmt, nullptr) == SQLITE_OK) {
      sqlite3_bind_pointer(stmt, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
      sqlite3_step(stmt);
    }
    sqlite3_finalize(stmt);
    void* porter_context = nullptr;
    const char* parent[] = {kCjkTokenizerName};
    if (api == nullptr || api->xFindTokenizer(api, "porter", &porter_context, &porter_) != SQLITE_OK ||
        porter_.xCreate(porter_context, parent, 1, &instance_) != SQLITE_OK) {
      sqlite3_close(db_);  // no destructor for a constructor that throws
      throw std::runtime_error("index tokens: cannot create FTS5's porter tokenizer around osh_cjk");
    }
  }

  ~PorterCjk() {
    if (instance_ != nullptr) porter_.xDelete(instance_);
    sqlite3_close(db_);
  }
  PorterCjk(const PorterCjk&) = delete;
  PorterCjk& operator=(const PorterCjk&) = delete;

  std::vector<IndexToken> Tokens(std::string_view text, bool query) {
    std::vector<IndexToken> out;
    const int rc = porter_.xTokenize(
        instance_, &out, query ? FTS5_TOKENIZE_QUERY : FTS5_TOKENIZE_DOCUMENT, text.data(),
        static_cast<int>(text.size()), [](void* context, int flags, const char* token, int length, int begin, int end) {
          try {
            static_cast<std::vector<IndexToken>*>(context)->push_back(
                {std::string(token, static_cast<size_t>(length)), begin, end, (flags & FTS5_TOKEN_COLOCATED) != 0});
          } catch (const std::bad_alloc&) {
            return SQLITE_NOMEM;
          }
          return SQLITE_OK;
        });
    if (rc == SQLITE_NOMEM) throw std::bad_alloc();
    if (rc != SQLITE_OK) throw std::runtime_error("index tokens: the tokenizer failed");
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
  fts5_tokenizer porter_{};
  Fts5Tokenizer* instance_ = nullptr;
};

}  // namespace

std::vector<IndexToken> IndexTokens(std::string_view text, bool query) {
  thread_local PorterCjk tokenizer;
  return tokenizer.Tokens(text, query);
}

size_t TrailingCjkRun(std::string_view text) {
  size_t run = 0;
  for (size_t pos = 0; pos < text.size();) {
    const char32_t cp = DecodeUtf8(text, pos);
    if (IsCjk(cp)) {
      ++run;
    } else if (FoldWordChar(cp) != 0) {
      run = 0;
    }
  }
  return run;
}

Phrase PhraseOf(std::string_view term) {
  Phrase phrase;
  for (auto& token : IndexTokens(term, true)) phrase.tokens.push_back(std::move(token.text));
  phrase.prefix = TrailingCjkRun(term) == 1;
  return phrase;
}

void PhrasePositions(const Phrase& phrase, const std::vector<IndexToken>& tokens, std::vector<int>* positions) {
  if (phrase.tokens.empty()) return;
  // The tokens at each position (a colocated token shares the one before it).
  std::vector<std::vector<const std::string*>> at;
  for (const auto& t : tokens) {
    if (!t.colocated || at.empty()) at.emplace_back();
    at.back().push_back(&t.text);
  }
  const size_t n = phrase.tokens.size();
  const auto matches = [&](size_t position, size_t i) {
    const std::string& wanted = phrase.tokens[i];
    const bool prefix = phrase.prefix && i + 1 == n;
    for (const std::string* token : at[position]) {
      if (prefix ? token->starts_with(wanted) : *token == wanted) return true;
    }
    return false;
  };
  for (size_t start = 0; start + n <= at.size(); ++start) {
    size_t i = 0;
    while (i < n && matches(start + i, i)) ++i;
    if (i < n) continue;
    for (size_t p = start; p < start + n; ++p) positions->push_back(static_cast<int>(p));
  }
}

}  // namespace osh::search
