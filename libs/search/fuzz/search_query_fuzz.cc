// Fuzzes the search query parser and runs what it accepts against real FTS5
// indexes (both tokenizers) holding a document from the input. What must hold:
// - ParseQuery accepts 1..max_terms terms, each with something to index and
//   valid UTF-8, at least one not excluded; refusals are valid UTF-8;
// - no query makes the index fail ("FTS5 syntax is plain text here"): the
//   plan runs without an SQLite error, whatever the user typed;
// - with the bigram tokenizer a Chinese term found verbatim in the document
//   finds the document (any substring of CJK characters is searchable);
// - highlighting a found document marks spans whose text, joined, is the
//   document again, so overlapping hits never repeat text;
// - the tokenizer's offsets lie inside any bytes, valid UTF-8 or not.
#include <fuzzer/FuzzedDataProvider.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "osh/domain/text.h"
#include "osh/search/cjk_tokenizer.h"
#include "osh/search/highlight.h"
#include "osh/search/query.h"
#include "osh/search/text_index.h"
#include "osh/store/database.h"

#include "fuzz_require.h"

namespace {

using namespace osh::search;
using osh::store::Database;
using osh::store::Tx;

constexpr std::int64_t kFuzzedDocument = 1;

// The highlight must give back the document unchanged around its marks. FTS5's
// own highlight() failed this (text repeated where hits overlap, "尘尘" in
// "尘尘尘"); osh_highlight merges overlapping byte ranges.
constexpr bool kCheckHighlights = true;

struct Index {
  std::unique_ptr<FullTextIndex> index;
  std::unique_ptr<Database> db;
};

// A scratch directory on tmpfs where there is one (each write is synced).
const std::filesystem::path& ScratchDir() {
  // Never destroyed: the atexit handler that removes it runs after statics are.
  static const auto* dir = [] {
    const std::filesystem::path base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : "/tmp";
    std::string pattern = (base / "osh-search-fuzz-XXXXXX").string();
    FUZZ_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    return new std::filesystem::path(pattern);
  }();
  static const bool removed_at_exit = [] {
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(*dir, ignored);
    });
    return true;
  }();
  (void)removed_at_exit;
  return *dir;
}

std::vector<Index>& Indexes() {
  static std::vector<Index> indexes = [] {
    RegisterCjkTokenizer();
    std::vector<Index> out;
    for (const Tokenizer tokenizer : {Tokenizer::kCjkBigram, Tokenizer::kTrigram}) {
      Index i;
      i.index = std::make_unique<FullTextIndex>(
          IndexSpec{.table = "docs_fts", .columns = {"body"}, .weights = {1.0}, .tokenizer = tokenizer});
      const std::string path = (ScratchDir() / (std::string(TokenizerName(tokenizer)) + ".db")).string();
      i.db = Database::Open({.path = path, .read_connections = 1}, {{1, "docs", i.index->CreateSql()}});
      i.db->Write([&](Tx& tx) {
        i.index->Put(tx, 2, {"预防尘肺病，从粉尘治理做起。"});
        i.index->Put(tx, 3, {"Dust control prevents pneumoconiosis; workers wear respirators."});
        i.index->Put(tx, 4, {"推广HSE管理体系，提升职业健康水平。"});
      });
      out.push_back(std::move(i));
    }
    return out;
  }();
  return indexes;
}

std::vector<std::int64_t> Run(Index& i, const MatchPlan& plan, const std::string& extra_condition) {
  return i.db->Read([&](Tx& tx) {
    auto s = tx.Prepare("SELECT rowid FROM docs_fts WHERE " + plan.where + extra_condition);
    for (std::size_t p = 0; p < plan.params.size(); ++p) s.Bind(static_cast<int>(p) + 1, plan.params[p]);
    std::vector<std::int64_t> rows;
    while (s.Step()) rows.push_back(s.Int(0));
    return rows;
  });
}

std::string Highlighted(Index& i, const MatchPlan& plan) {
  return i.db->Read([&](Tx& tx) {
    auto s = tx.Prepare("SELECT " + i.index->HighlightExpression(0) + " FROM docs_fts WHERE " + plan.where +
                        " AND docs_fts.rowid = " + std::to_string(kFuzzedDocument));
    for (std::size_t p = 0; p < plan.params.size(); ++p) s.Bind(static_cast<int>(p) + 1, plan.params[p]);
    FUZZ_REQUIRE(s.Step());
    return s.Text(0);
  });
}

bool OnlyCjk(const std::string& term) { return IsAllCjk(term) && IndexedLength(term) == osh::domain::Utf8Length(term); }

void CheckTokenizer(const std::string& text) {
  for (const bool query : {false, true}) {
    int last_begin = 0;
    TokenizeForTest(text, query, [&](std::string_view token, int begin, int end, bool) {
      FUZZ_REQUIRE(!token.empty());
      FUZZ_REQUIRE(begin >= 0 && begin < end && static_cast<std::size_t>(end) <= text.size());
      FUZZ_REQUIRE(begin >= last_begin);
      last_begin = begin;
    });
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const std::string text = in.ConsumeRandomLengthString(1100);
  const std::string document = in.ConsumeRemainingBytesAsString();
  CheckTokenizer(text);
  CheckTokenizer(document);

  const QueryLimits limits;
  std::string error;
  const auto query = ParseQuery(text, limits, &error);
  if (!query) {
    FUZZ_REQUIRE(!error.empty() && !osh::domain::Utf8Error(error));
    return 0;
  }
  FUZZ_REQUIRE(!query->terms.empty() && query->terms.size() <= limits.max_terms);
  bool any_included = false;
  for (const auto& term : query->terms) {
    FUZZ_REQUIRE(IndexedLength(term.text) > 0 && !osh::domain::Utf8Error(term.text));
    any_included = any_included || !term.excluded;
  }
  FUZZ_REQUIRE(any_included);

  // Stored text is valid UTF-8 free of control characters (services check it);
  // the index must still survive anything.
  const bool clean_document = !osh::domain::Utf8Error(document) && !osh::domain::HasControlCharacters(document, true);
  for (Index& i : Indexes()) {
    i.db->Write([&](Tx& tx) { i.index->Put(tx, kFuzzedDocument, {document}); });
    const MatchPlan plan = i.index->Plan(*query);
    std::vector<std::int64_t> rows;
    try {
      rows = Run(i, plan, "");
    } catch (const osh::store::StoreError& e) {
      std::fprintf(stderr, "the index failed: %s\nMATCH %s\n", e.what(),
                   plan.params.empty() ? "" : plan.params.front().c_str());
      std::abort();  // user input reached FTS5 as syntax
    }
    const bool found = std::find(rows.begin(), rows.end(), kFuzzedDocument) != rows.end();
    const auto& only = query->terms.front();
    if (i.index->spec().tokenizer == Tokenizer::kCjkBigram && clean_document && query->terms.size() == 1 &&
        OnlyCjk(only.text) && document.find(only.text) != std::string::npos) {
      FUZZ_REQUIRE(found);
    }
    if (kCheckHighlights && found && plan.ranked && clean_document) {
      const std::string marked = Highlighted(i, plan);
      std::string joined;
      for (const auto& span : SplitMarked(marked)) joined += span.text;
      if (joined != document) {
        std::fprintf(stderr, "tokenizer %s\nquery %s\ndocument %s\nhighlighted %s\n",
                     std::string(TokenizerName(i.index->spec().tokenizer)).c_str(), text.c_str(), document.c_str(),
                     marked.c_str());
      }
      FUZZ_REQUIRE(joined == document);
    }
  }
  return 0;
}
