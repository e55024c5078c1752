#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "osh/content/v1/content.pb.h"

namespace osh::content {

namespace v1 = ::osh::content::v1;

// One source text (a newsletter, a news item, a speech) made into an article.
struct SeedArticle {
  v1::ArticleContent content;
  std::string file_name;
  std::string sha256_hex;  // of `text` exactly as given: names the import for idempotent retries
};

inline constexpr size_t kMaxSeedTitleLength = 200;  // code points
inline constexpr size_t kSeedSummaryLength = 120;   // code points, roughly

// Reads an article out of plain text with generic heuristics (the same rules
// for every file, tuned on the newsletters, news items and speeches the
// platform starts with):
//
//  - body: the text normalised (BOM dropped, CRLF and CR to LF, control
//    characters other than \n and \t dropped, trailing blanks and
//    whitespace-only lines emptied, at most 2 blank lines in a row, trimmed).
//    Lines hard-wrapped by a PDF layout are left as they are: reflowing them
//    would guess wrong on headings and tables.
//  - title: what follows a 标题: / 标题： marker (to the line end or a '|');
//    else the first paragraph, its lines joined (no space next to Chinese, one
//    space between Latin words). A first paragraph of at most 8 characters
//    followed within 3 lines by an issue number 第N期 is a newsletter
//    masthead: the title is "<masthead> <that line up to its first 第N期>",
//    e.g. "职业安全健康 2022年11月11日 第24期". Capped at 200 characters.
//  - source_date: see the comment in seed_import.cc; YYYY-MM-DD, YYYY-MM,
//    --MM-DD, YYYY, or empty.
//  - locale "zh-CN" when CJK ideographs are at least 20% of the letters,
//    else "en"; category, audiences, hazard categories and tags from keyword
//    tables; summary from the first sentences after the title.
//
// Nullopt, and `error` set, when the text is empty (after normalisation) or
// not valid UTF-8.
std::optional<SeedArticle> ParseSeed(std::string_view file_name, std::string_view text, std::string* error);

// 64 lowercase hex digits.
std::string Sha256Hex(std::string_view bytes);

}  // namespace osh::content
