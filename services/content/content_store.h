#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "osh/content/v1/content.pb.h"
#include "osh/search/text_index.h"
#include "osh/store/database.h"

namespace osh::content {

namespace v1 = ::osh::content::v1;

// The indexed text of a published revision, in the index's column order.
search::IndexSpec ArticleIndexSpec(search::Tokenizer tokenizer);

struct PublishedFilter {
  int category = 0;
  int audience = 0;
  int hazard_category = 0;
  std::string locale;
  std::string province;
  std::string published_from;  // YYYY-MM-DD, inclusive; empty: open
  std::string published_to;
};

struct SearchRow {
  v1::Article article;  // published view without its body
  double score = 0;     // higher is better
  std::string marked_title;
  std::string marked_snippet;
};

// The content service's tables. An article row holds the working copy's
// listing view (no body); every revision keeps its whole content; the
// `published` table holds the public view of articles with a public revision,
// which lists and search read, and whose rowid keys the full-text index.
class ContentStore {
 public:
  explicit ContentStore(search::Tokenizer tokenizer = search::Tokenizer::kCjkBigram);

  std::vector<store::Migration> Migrations() const;

  static std::optional<v1::Article> FindArticle(store::Tx& tx, const std::string& id);
  static void PutArticle(store::Tx& tx, const v1::Article& listing_view, bool insert);

  static void InsertRevision(store::Tx& tx, const v1::ArticleRevision& revision);
  static std::optional<v1::ArticleRevision> FindRevision(store::Tx& tx, const std::string& article_id,
                                                         int64_t revision);
  // Newest first, below `before_revision` (0: from the newest).
  static std::vector<v1::ArticleRevision> ListRevisions(store::Tx& tx, const std::string& article_id,
                                                        int64_t before_revision, int limit);

  // Makes `public_view` (with its body) the public revision of its article and indexes it.
  void Publish(store::Tx& tx, const v1::Article& public_view, const std::string& publish_day) const;
  void Unpublish(store::Tx& tx, const std::string& article_id) const;

  // Working copies of one province, most recently changed first, after the
  // keyset position (update seconds, id).
  static std::vector<v1::Article> ListWorking(store::Tx& tx, const std::string& province, int status,
                                              int category, const std::string& locale, int64_t after_time,
                                              const std::string& after_id, int limit);
  // Published articles, newest first, after the keyset position.
  static std::vector<v1::Article> ListPublished(store::Tx& tx, const PublishedFilter& filter, int64_t after_time,
                                                const std::string& after_id, int limit);

  std::vector<SearchRow> Search(store::Tx& tx, const search::Query& query, const PublishedFilter& filter, int offset,
                                int limit) const;
  // Matches, counted up to `cap` + 1 (so a caller can tell "more than cap").
  int64_t CountMatches(store::Tx& tx, const search::Query& query, const PublishedFilter& filter, int64_t cap) const;

  const search::FullTextIndex& index() const { return index_; }

 private:
  std::vector<SearchRow> SearchPostgres(store::Tx& tx, const search::Query& query, const PublishedFilter& filter,
                                        int offset, int limit) const;

  search::FullTextIndex index_;
};

}  // namespace osh::content
