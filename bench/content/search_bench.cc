// Full-text search of the content library at province scale: the seed texts
// plus a synthetic corpus (bench/content/make_corpus.py, 100,000 articles by
// default) indexed once per tokenizer — the osh_cjk bigrams the service uses
// and SQLite's trigram tokenizer, the alternative the issue asked us to weigh —
// then a fixed query set timed through the same business layer the gRPC
// service calls (Content::SearchArticles, first page of 20 with the hit count).
// Prints JSON lines (bench/README.md): build time, size on disk (whole file
// and the index alone), per query p50/p99 and hits, and needle recall, and
// queries per second over the whole set (one caller).
// `postgres` among the tokenizers runs the bigram index on PostgreSQL too
// (tsvectors, src/postgres_index.cc) in the database OSH_BENCH_POSTGRES_URL
// names: bench/content_pg_bench.sh compares it with SQLite FTS5 in one run.
//
// Usage: osh-content-search-bench <dir> <corpus.jsonl> <seeds-dir> [repeats=20] [tokenizers=bigram,trigram[,postgres]]
#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "content.h"
#include "content_store.h"
#include "osh/auth/principal.h"
#include "seed_import.h"

namespace content = osh::content;
namespace v1 = osh::content::v1;
using Clock = std::chrono::steady_clock;

namespace {

double MillisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

void Print(nlohmann::json line) { std::cout << line.dump() << std::endl; }

std::vector<v1::ArticleContent> LoadCorpus(const std::string& corpus, const std::string& seeds) {
  std::vector<v1::ArticleContent> out;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(seeds)) {
    if (e.path().extension() == ".txt") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    std::string error;
    if (auto seed = content::ParseSeed(f.filename().string(), text.str(), &error)) out.push_back(seed->content);
  }
  std::ifstream in(corpus);
  std::string line;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    v1::ArticleContent c;
    c.set_title(j["title"].get<std::string>());
    c.set_summary(j["summary"].get<std::string>());
    c.set_body(j["body"].get<std::string>());
    c.set_body_format(v1::BODY_FORMAT_PLAIN_TEXT);
    c.set_category(static_cast<v1::ArticleCategory>(j["category"].get<int>()));
    c.set_locale(j["locale"].get<std::string>());
    for (int a : j["audiences"]) c.add_audiences(static_cast<v1::Audience>(a));
    for (int h : j["hazard_categories"]) c.add_hazard_categories(static_cast<osh::common::v1::HazardCategory>(h));
    c.set_source_date(j["publish_date"].get<std::string>());
    out.push_back(std::move(c));
  }
  return out;
}

// Published articles written straight through the store in batches: the
// workflow's per-article transactions are not what is measured here.
double Build(osh::store::Database& db, const content::ContentStore& store,
             const std::vector<v1::ArticleContent>& corpus) {
  const auto start = Clock::now();
  const size_t batch = 1000;
  for (size_t first = 0; first < corpus.size(); first += batch) {
    db.Write([&](osh::store::Tx& tx) {
      for (size_t i = first; i < std::min(corpus.size(), first + batch); ++i) {
        v1::Article a;
        a.set_id(fmt::format("a{:07d}", i));
        a.set_province("44");
        a.set_status(v1::ARTICLE_STATUS_PUBLISHED);
        a.set_revision(1);
        a.set_latest_revision(1);
        a.set_published_revision(1);
        a.set_version(1);
        // Spread publication over ten years so date filters and ordering have work to do.
        *a.mutable_publish_time() = google::protobuf::util::TimeUtil::SecondsToTimestamp(
            1420070400 + static_cast<int64_t>(i) * 3153);
        *a.mutable_update_time() = a.publish_time();
        *a.mutable_content() = corpus[i];
        v1::ArticleRevision r;
        r.set_article_id(a.id());
        r.set_revision(1);
        *r.mutable_content() = corpus[i];
        v1::Article listing = a;
        listing.mutable_content()->clear_body();
        content::ContentStore::PutArticle(tx, listing, true);
        content::ContentStore::InsertRevision(tx, r);
        store.Publish(tx, a, corpus[i].source_date().size() == 10 ? corpus[i].source_date() : "2020-01-01");
      }
    });
  }
  return MillisSince(start);
}

struct QueryCase {
  const char* kind;
  const char* query;
  const char* needle;  // counted in the corpus by make_corpus.py (recall check), or empty
};

const std::vector<QueryCase> kQueries = {
    {"zh_1char_rare", "砷", "砷"},
    {"zh_1char_common", "病", ""},
    {"zh_2char", "粉尘", ""},
    {"zh_2char_common", "健康", ""},
    {"zh_3char", "尘肺病", "尘肺病"},
    {"zh_3char_rare", "噪声聋", "噪声聋"},
    {"zh_long", "职业性肌肉骨骼疾病", "职业性肌肉骨骼疾病"},
    {"zh_two_terms", "职业病 防治", ""},
    {"en_word", "pneumoconiosis", "pneumoconiosis"},
    {"en_common", "safety", ""},
    {"en_phrase", "\"occupational health\"", ""},
    {"mixed", "HSE 管理体系", ""},
    {"mixed_phrase", "\"ISO 45001\" 职业", ""},
};

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

uintmax_t FileBytes(const std::filesystem::path& dir, const std::string& prefix) {
  uintmax_t bytes = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename().string().rfind(prefix, 0) == 0) bytes += e.file_size();
  }
  return bytes;
}

double Mib(uintmax_t bytes) { return std::round(static_cast<double>(bytes) / 1048576.0 * 10) / 10; }

// `url` empty: the SQLite file <dir>/<name>.db; else that PostgreSQL database.
void Run(const std::filesystem::path& dir, osh::search::Tokenizer tokenizer, const std::string& url,
         const std::vector<v1::ArticleContent>& corpus, const nlohmann::json& needles, int repeats) {
  const std::string name = url.empty() ? std::string(osh::search::TokenizerName(tokenizer)) : "postgres_bigram";
  const auto path = dir / (name + ".db");
  content::ContentStore store(tokenizer);
  const osh::store::Database::Options options{.path = path.string(), .url = url};
  auto db = osh::store::Database::Open(options, store.Migrations());
  const double build_ms = Build(*db, store, corpus);
  // The statistics autovacuum gathers soon after a bulk load: queries are
  // planned on them in a database that has been running for a while.
  if (!url.empty()) db->Write([](osh::store::Tx& tx) { tx.Exec("ANALYZE"); });
  db.reset();  // closing checkpoints the WAL into the file, so the size is the file's own
  db = osh::store::Database::Open(options, store.Migrations());
  const auto sizes = db->Read([&](osh::store::Tx& tx) {
    auto s = tx.Prepare(url.empty() ? "SELECT SUM(pgsize), 0 FROM dbstat WHERE name LIKE 'article_fts%'"
                                    : "SELECT pg_total_relation_size('article_fts') + "
                                      "pg_total_relation_size('article_fts_parts'), pg_database_size(current_database())");
    s.Step();
    return std::pair{s.Int(0), s.Int(1)};
  });
  const auto index_bytes = sizes.first;
  const auto file_bytes = url.empty() ? FileBytes(dir, name + ".db") : static_cast<uintmax_t>(sizes.second);
  Print({{"bench", "content.index"},
         {"tokenizer", name},
         {"articles", corpus.size()},
         {"build_s", std::round(build_ms / 100) / 10},
         {"file_mib", Mib(file_bytes)},
         {"index_mib", Mib(static_cast<uintmax_t>(index_bytes))}});

  content::Content service(*db, store, {.province = "44", .max_page_size = 100});
  const osh::service::Caller anonymous{nullptr, "bench"};
  std::vector<double> all;
  const auto run_start = Clock::now();
  for (const auto& q : kQueries) {
    v1::SearchArticlesRequest req;
    req.set_query(q.query);
    req.set_page_size(20);
    std::vector<double> times;
    v1::SearchArticlesResponse resp;
    for (int i = 0; i < repeats; ++i) {
      resp.Clear();
      const auto start = Clock::now();
      const auto status = service.SearchArticles(anonymous, req, &resp);
      times.push_back(MillisSince(start));
      if (!status.ok()) {
        std::cerr << q.query << ": " << status.error_message() << std::endl;
        std::exit(1);
      }
    }
    all.insert(all.end(), times.begin(), times.end());
    nlohmann::json line = {{"bench", "content.search"},
                           {"tokenizer", name},
                           {"kind", q.kind},
                           {"query", q.query},
                           {"p50_ms", std::round(Percentile(times, 0.5) * 100) / 100},
                           {"p99_ms", std::round(Percentile(times, 0.99) * 100) / 100},
                           {"hits", resp.total_hits()}};
    if (resp.total_hits_capped()) line["hits_capped"] = true;
    if (*q.needle != 0 && needles.contains(q.needle)) line["planted"] = needles[q.needle];
    Print(line);
  }
  const double run_ms = MillisSince(run_start);
  Print({{"bench", "content.search.all"},
         {"tokenizer", name},
         {"queries", all.size()},
         {"queries_per_s", std::round(static_cast<double>(all.size()) / (run_ms / 1000) * 10) / 10},
         {"p50_ms", std::round(Percentile(all, 0.5) * 100) / 100},
         {"p99_ms", std::round(Percentile(all, 0.99) * 100) / 100}});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: osh-content-search-bench <dir> <corpus.jsonl> <seeds-dir> [repeats=20] "
                 "[tokenizers=bigram,trigram]\n";
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  const int repeats = argc > 4 ? std::stoi(argv[4]) : 20;
  const auto load_start = Clock::now();
  const auto corpus = LoadCorpus(argv[2], argv[3]);
  nlohmann::json needles = nlohmann::json::object();
  if (std::ifstream n(std::string(argv[2]) + ".needles.json"); n) needles = nlohmann::json::parse(n);
  std::cerr << "loaded " << corpus.size() << " articles in " << MillisSince(load_start) / 1000 << " s\n";
  const std::string wanted = argc > 5 ? argv[5] : "bigram,trigram";
  for (auto tokenizer : {osh::search::Tokenizer::kCjkBigram, osh::search::Tokenizer::kTrigram}) {
    if (wanted.find(osh::search::TokenizerName(tokenizer)) != std::string::npos) {
      Run(dir, tokenizer, "", corpus, needles, repeats);
    }
  }
  if (wanted.find("postgres") != std::string::npos) {
    const char* url = std::getenv("OSH_BENCH_POSTGRES_URL");
    if (url == nullptr || *url == '\0') {
      std::cerr << "postgres: set OSH_BENCH_POSTGRES_URL to an empty database (bench/content_pg_bench.sh does)\n";
      return 2;
    }
    Run(dir, osh::search::Tokenizer::kCjkBigram, url, corpus, needles, repeats);
  }
  return 0;
}
