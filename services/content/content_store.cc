#include "content_store.h"

#include <google/protobuf/util/time_util.h>

#include <variant>

#include "osh/events/outbox.h"
#include "osh/service/records.h"
#include "osh/store/enum_set.h"

namespace osh::content {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kIndexTable[] = "article_fts";

// Columns of the index: a hit in the title counts most, then tags and the
// summary, then the body.
enum IndexColumn { kTitle = 0, kTags = 1, kSummary = 2, kBody = 3 };
// Tokens of body text a hit's snippet shows.
constexpr int kSnippetTokens = 24;

using Param = std::variant<int64_t, std::string>;

void BindAll(store::Statement& s, const std::vector<Param>& params) {
  int i = 1;
  for (const auto& p : params) {
    if (std::holds_alternative<int64_t>(p)) {
      s.Bind(i++, std::get<int64_t>(p));
    } else {
      s.Bind(i++, std::get<std::string>(p));
    }
  }
}


std::string JoinTags(const v1::ArticleContent& c) {
  std::string out;
  for (const auto& t : c.tags()) {
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

// Conditions on the published table (alias p) for the filters that are set.
std::string FilterSql(const PublishedFilter& f, std::vector<Param>& params) {
  std::string sql;
  auto add = [&](const char* condition, Param value) {
    sql += sql.empty() ? "" : " AND ";
    sql += condition;
    params.push_back(std::move(value));
  };
  if (f.category != 0) add("p.category = ?", int64_t{f.category});
  if (f.audience != 0) add("(p.audience_mask & ?) != 0", store::EnumBit(f.audience));
  if (f.hazard_category != 0) add("(p.hazard_mask & ?) != 0", store::EnumBit(f.hazard_category));
  if (!f.locale.empty()) add("p.locale = ?", f.locale);
  if (!f.province.empty()) add("p.province = ?", f.province);
  if (!f.published_from.empty()) add("p.publish_day >= ?", f.published_from);
  if (!f.published_to.empty()) add("p.publish_day <= ?", f.published_to);
  return sql.empty() ? "TRUE" : sql;
}

v1::Article ParseArticle(const std::string& bytes) { return store::ParseRecord<v1::Article>(bytes); }

// How PostgreSQL plans a search, for this transaction only
// (bench/content_pg_bench.sh measured both):
// - every execution planned for its own terms: one term matches 10 rows,
//   another 7,000, and a generic plan of the prepared statement (PostgreSQL's
//   choice after five runs) fits neither, scanning every tsvector for a rare term;
// - the GIN index, not a scan of every part: the planner prices `@@` as one
//   cheap operator and leaves out reading each tsvector from TOAST, so for a
//   term it expects in a few hundred parts it scanned all of them (130 ms
//   instead of 4 for a term in 17 articles of 10,000);
// - no LLVM compiling, which a search's estimated cost always triggers:
//   ~200 ms of compiling for a query that runs in a few.
void PlanForTheseTerms(store::Tx& tx) {
  tx.Exec("SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL enable_seqscan = off; SET LOCAL jit = off");
}

// The rows of a search page (record, score lower-is-better, then the title's
// and body's columns), the last two made into marked text by the functions.
template <typename MarkTitle, typename MarkBody>
std::vector<SearchRow> PageRows(store::Statement& s, MarkTitle&& mark_title, MarkBody&& mark_body) {
  std::vector<SearchRow> rows;
  while (s.Step()) {
    SearchRow row;
    row.article = ParseArticle(s.Blob(0));
    row.score = -s.Double(1);  // bm25() is lower for better matches; PostgreSQL's rank is negated to match
    row.marked_title = mark_title(s.Text(2));
    row.marked_snippet = mark_body(s.Text(3));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace


search::IndexSpec ArticleIndexSpec(search::Tokenizer tokenizer) {
  return {.table = kIndexTable,
          .columns = {"title", "tags", "summary", "body"},
          .weights = {10.0, 6.0, 4.0, 1.0},
          .tokenizer = tokenizer};
}

ContentStore::ContentStore(search::Tokenizer tokenizer) : index_(ArticleIndexSpec(tokenizer)) {}

std::vector<store::Migration> ContentStore::Migrations() const {
  return {
      {1, "articles", R"sql(
CREATE TABLE articles (
  id TEXT PRIMARY KEY,
  province TEXT NOT NULL,
  status INTEGER NOT NULL,
  category INTEGER NOT NULL,
  locale TEXT NOT NULL,
  update_seconds INTEGER NOT NULL,
  record BLOB NOT NULL
);
CREATE INDEX articles_by_update ON articles(province, update_seconds DESC, id);
CREATE TABLE article_revisions (
  article_id TEXT NOT NULL REFERENCES articles(id),
  revision INTEGER NOT NULL,
  record BLOB NOT NULL,
  PRIMARY KEY (article_id, revision)
) WITHOUT ROWID;
CREATE TABLE published (
  rowid INTEGER PRIMARY KEY,
  article_id TEXT NOT NULL UNIQUE REFERENCES articles(id),
  revision INTEGER NOT NULL,
  province TEXT NOT NULL,
  category INTEGER NOT NULL,
  locale TEXT NOT NULL,
  audience_mask INTEGER NOT NULL,
  hazard_mask INTEGER NOT NULL,
  publish_day TEXT NOT NULL,
  publish_seconds INTEGER NOT NULL,
  record BLOB NOT NULL
);
CREATE INDEX published_by_time ON published(publish_seconds DESC, article_id);
)sql"},
      service::RecordsMigration(2),
      events::Outbox::Migration(3),
      // PostgreSQL's text has been there from the start: no PostgreSQL database
      // ever applied this step before (the FTS5 text cannot run there).
      {4, "article_index", index_.CreateSql(), index_.CreatePostgresSql()},
      // Reliability (issue 23): parked outbox rows, indexes for retention.
      events::Outbox::ParkingMigration(5),
      service::RecordsRetentionMigration(6),
      // Request tracing (issue 22): each outbox row's traceparent.
      events::Outbox::TraceMigration(7),
  };
}

std::optional<v1::Article> ContentStore::FindArticle(store::Tx& tx, const std::string& id) {
  auto s = tx.Prepare("SELECT record FROM articles WHERE id = ?");
  s.Bind(1, id);
  if (!s.Step()) return std::nullopt;
  return ParseArticle(s.Blob(0));
}

void ContentStore::PutArticle(store::Tx& tx, const v1::Article& a, bool insert) {
  const std::string sql =
      insert ? "INSERT INTO articles(province, status, category, locale, update_seconds, record, id) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)"
             : "UPDATE articles SET province = ?, status = ?, category = ?, locale = ?, update_seconds = ?, "
               "record = ? WHERE id = ?";
  auto s = tx.Prepare(sql);
  s.Bind(1, a.province()).Bind(2, a.status()).Bind(3, a.content().category()).Bind(4, a.content().locale());
  s.Bind(5, a.update_time().seconds()).BindBlob(6, a.SerializeAsString()).Bind(7, a.id());
  if (s.Run() != 1) throw store::StoreError(0, "article " + a.id() + " was not written");
}

void ContentStore::InsertRevision(store::Tx& tx, const v1::ArticleRevision& r) {
  auto s = tx.Prepare("INSERT INTO article_revisions(article_id, revision, record) VALUES (?, ?, ?)");
  s.Bind(1, r.article_id()).Bind(2, r.revision()).BindBlob(3, r.SerializeAsString());
  s.Run();
}

std::optional<v1::ArticleRevision> ContentStore::FindRevision(store::Tx& tx, const std::string& article_id,
                                                              int64_t revision) {
  auto s = tx.Prepare("SELECT record FROM article_revisions WHERE article_id = ? AND revision = ?");
  s.Bind(1, article_id).Bind(2, revision);
  if (!s.Step()) return std::nullopt;
  return store::ParseRecord<v1::ArticleRevision>(s.Blob(0));
}

std::vector<v1::ArticleRevision> ContentStore::ListRevisions(store::Tx& tx, const std::string& article_id,
                                                             int64_t before_revision, int limit) {
  auto s = tx.Prepare(
      "SELECT record FROM article_revisions WHERE article_id = ? AND (? = 0 OR revision < ?) "
      "ORDER BY revision DESC LIMIT ?");
  s.Bind(1, article_id).Bind(2, before_revision).Bind(3, before_revision).Bind(4, limit);
  std::vector<v1::ArticleRevision> out;
  while (s.Step()) out.push_back(store::ParseRecord<v1::ArticleRevision>(s.Blob(0)));
  return out;
}

void ContentStore::Publish(store::Tx& tx, const v1::Article& a, const std::string& publish_day) const {
  const auto& c = a.content();
  v1::Article listing = a;
  listing.mutable_content()->clear_body();
  auto s = tx.Prepare(
      "INSERT INTO published(article_id, revision, province, category, locale, audience_mask, hazard_mask, "
      "publish_day, publish_seconds, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT(article_id) DO UPDATE SET revision = excluded.revision, province = excluded.province, "
      "category = excluded.category, locale = excluded.locale, audience_mask = excluded.audience_mask, "
      "hazard_mask = excluded.hazard_mask, publish_day = excluded.publish_day, "
      "publish_seconds = excluded.publish_seconds, record = excluded.record "
      "RETURNING rowid");
  s.Bind(1, a.id()).Bind(2, a.revision()).Bind(3, a.province()).Bind(4, c.category()).Bind(5, c.locale());
  s.Bind(6, store::EnumSet(c.audiences())).Bind(7, store::EnumSet(c.hazard_categories()));
  s.Bind(8, publish_day).Bind(9, a.publish_time().seconds()).BindBlob(10, listing.SerializeAsString());
  if (!s.Step()) throw store::StoreError(0, "published row of " + a.id() + " has no rowid");
  const int64_t rowid = s.Int(0);
  while (s.Step()) {
  }
  index_.Put(tx, rowid, {c.title(), JoinTags(c), c.summary(), c.body()});
}

void ContentStore::Unpublish(store::Tx& tx, const std::string& article_id) const {
  auto s = tx.Prepare("DELETE FROM published WHERE article_id = ? RETURNING rowid");
  s.Bind(1, article_id);
  std::vector<int64_t> rowids;
  while (s.Step()) rowids.push_back(s.Int(0));
  for (int64_t rowid : rowids) index_.Remove(tx, rowid);
}

std::vector<v1::Article> ContentStore::ListWorking(store::Tx& tx, const std::string& province, int status,
                                                   int category, const std::string& locale, int64_t after_time,
                                                   const std::string& after_id, int limit) {
  auto s = tx.Prepare(
      "SELECT record FROM articles WHERE province = ? AND (? = 0 OR status = ?) AND (? = 0 OR category = ?) "
      "AND (? = '' OR locale = ?) AND (? = '' OR update_seconds < ? OR (update_seconds = ? AND id > ?)) "
      "ORDER BY update_seconds DESC, id LIMIT ?");
  s.Bind(1, province).Bind(2, status).Bind(3, status).Bind(4, category).Bind(5, category);
  s.Bind(6, locale).Bind(7, locale).Bind(8, after_id).Bind(9, after_time).Bind(10, after_time).Bind(11, after_id);
  s.Bind(12, limit);
  std::vector<v1::Article> out;
  while (s.Step()) out.push_back(ParseArticle(s.Blob(0)));
  return out;
}

std::vector<v1::Article> ContentStore::ListPublished(store::Tx& tx, const PublishedFilter& filter,
                                                     int64_t after_time, const std::string& after_id, int limit) {
  std::vector<Param> params;
  std::string sql = "SELECT p.record FROM published p WHERE " + FilterSql(filter, params);
  if (!after_id.empty()) {
    sql += " AND (p.publish_seconds < ? OR (p.publish_seconds = ? AND p.article_id > ?))";
    params.insert(params.end(), {after_time, after_time, after_id});
  }
  sql += " ORDER BY p.publish_seconds DESC, p.article_id LIMIT ?";
  params.emplace_back(int64_t{limit});
  auto s = tx.Prepare(sql);
  BindAll(s, params);
  std::vector<v1::Article> out;
  while (s.Step()) out.push_back(ParseArticle(s.Blob(0)));
  return out;
}

std::vector<SearchRow> ContentStore::Search(store::Tx& tx, const search::Query& query, const PublishedFilter& filter,
                                            int offset, int limit) const {
  if (tx.dialect() == store::Dialect::kPostgres) return SearchPostgres(tx, query, filter, offset, limit);
  const auto plan = index_.Plan(query);
  std::vector<Param> params(plan.params.begin(), plan.params.end());
  const std::string filters = FilterSql(filter, params);
  const std::string rank = plan.ranked ? index_.RankExpression() : "0.0";
  params.emplace_back(int64_t{limit});
  params.emplace_back(int64_t{offset});
  // Two steps: rank every match but keep only the page (rowid and score), then
  // highlight and cut snippets for that page alone. In one SELECT, SQLite would
  // compute highlight() and snippet() for every match before sorting.
  std::string outer_match = "1";
  if (plan.ranked) {
    outer_match = std::string(kIndexTable) + " MATCH ?";
    params.emplace_back(plan.params.front());
  }
  const std::string sql = std::string("WITH page AS (SELECT ") + kIndexTable + ".rowid AS id, " + rank +
                          " AS score, p.publish_seconds AS seconds, p.article_id AS article_id FROM " + kIndexTable +
                          " JOIN published p ON p.rowid = " + kIndexTable + ".rowid WHERE " + plan.where + " AND " +
                          filters + " ORDER BY score, seconds DESC, article_id LIMIT ? OFFSET ?) " +
                          "SELECT p.record, page.score, " + index_.HighlightExpression(kTitle) + ", " +
                          index_.SnippetExpression(kBody, kSnippetTokens) + " FROM page JOIN " + kIndexTable + " ON " +
                          kIndexTable + ".rowid = page.id JOIN published p ON p.rowid = page.id WHERE " + outer_match +
                          " ORDER BY page.score, page.seconds DESC, page.article_id";
  auto s = tx.Prepare(sql);
  BindAll(s, params);
  return PageRows(s, [](std::string text) { return text; }, [](std::string text) { return text; });
}

// The same two steps on PostgreSQL: the page from the tsvector index, then
// the page's title and body, marked here as osh_highlight/osh_snippet mark them.
std::vector<SearchRow> ContentStore::SearchPostgres(store::Tx& tx, const search::Query& query,
                                                    const PublishedFilter& filter, int offset, int limit) const {
  PlanForTheseTerms(tx);
  const auto plan = index_.Plan(query, store::Dialect::kPostgres, "p.rowid");
  std::vector<Param> params(plan.rank_params.begin(), plan.rank_params.end());
  params.insert(params.end(), plan.params.begin(), plan.params.end());
  const std::string filters = FilterSql(filter, params);
  params.emplace_back(int64_t{limit});
  params.emplace_back(int64_t{offset});
  const std::string sql = "WITH page AS (SELECT p.rowid AS id, " + plan.order_by +
                          " AS score, p.publish_seconds AS seconds, p.article_id AS article_id FROM published p WHERE " +
                          plan.where + " AND " + filters +
                          " ORDER BY score, seconds DESC, article_id LIMIT ? OFFSET ?) "
                          "SELECT p.record, page.score, f.title, f.body FROM page JOIN " +
                          kIndexTable + " f ON f.rowid = page.id JOIN published p ON p.rowid = page.id " +
                          "ORDER BY page.score, page.seconds DESC, page.article_id";
  auto s = tx.Prepare(sql);
  BindAll(s, params);
  return PageRows(
      s, [&](const std::string& title) { return index_.Highlight(query, title); },
      [&](const std::string& body) { return index_.Snippet(query, body, kSnippetTokens); });
}

int64_t ContentStore::CountMatches(store::Tx& tx, const search::Query& query, const PublishedFilter& filter,
                                   int64_t cap) const {
  const bool postgres = tx.dialect() == store::Dialect::kPostgres;
  if (postgres) PlanForTheseTerms(tx);
  const auto plan = index_.Plan(query, tx.dialect(), "p.rowid");
  std::vector<Param> params(plan.params.begin(), plan.params.end());
  const std::string filters = FilterSql(filter, params);
  params.emplace_back(cap + 1);
  const std::string from = postgres ? std::string("published p")
                                    : std::string(kIndexTable) + " JOIN published p ON p.rowid = " + kIndexTable + ".rowid";
  auto s = tx.Prepare("SELECT COUNT(*) FROM (SELECT 1 FROM " + from + " WHERE " + plan.where + " AND " + filters +
                      " LIMIT ?) AS matches");
  BindAll(s, params);
  s.Step();
  return s.Int(0);
}

}  // namespace osh::content
