// Search relevance on the real source texts (../shared/seeds): each query of
// a fixed set must rank the document that is about it first — Chinese,
// English, mixed, phrases, and one- and two-character queries.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "content_fixture.h"
#include "seed_import.h"

namespace osh::content::testing {
namespace {

class SearchRelevanceTest : public ContentFixture {
 protected:
  void SetUp() override {
    ContentFixture::SetUp();
    const char* dir = std::getenv("OSH_SEEDS_DIR");
#ifdef OSH_SEEDS_DIR_BUILT_IN
    if (dir == nullptr) dir = OSH_SEEDS_DIR_BUILT_IN;
#endif
    ASSERT_NE(dir, nullptr) << "OSH_SEEDS_DIR must name the seed texts (ctest sets it)";
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().extension() == ".txt") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    ASSERT_EQ(files.size(), 5u) << "expected the five seed texts in " << dir;
    for (const auto& file : files) {
      std::ifstream in(file, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      std::string error;
      auto seed = ParseSeed(file.filename().string(), text.str(), &error);
      ASSERT_TRUE(seed) << file << ": " << error;
      const auto article = Publish(seed->content);
      // Files are named NNN_<hash>.txt; tests name them by NNN.
      seed_of_[article.id()] = file.filename().string().substr(0, 3);
    }
  }

  Content::Options MakeOptions() override {
    auto options = ContentFixture::MakeOptions();
    options.max_body_bytes = 1 << 20;
    return options;
  }

  // Seeds in rank order for `query`, searched anonymously as the public would.
  std::vector<std::string> Ranked(const std::string& query) {
    v1::SearchArticlesRequest req;
    req.set_query(query);
    v1::SearchArticlesResponse resp;
    auto status = stub_->SearchArticles(Ctx("").get(), req, &resp);
    EXPECT_TRUE(status.ok()) << query << ": " << status.error_message();
    std::vector<std::string> seeds;
    for (const auto& hit : resp.hits()) seeds.push_back(seed_of_[hit.article().id()]);
    return seeds;
  }

  std::map<std::string, std::string> seed_of_;
};

struct Expectation {
  const char* query;
  const char* first;  // seed number ranked first
  size_t found;       // how many seeds match at all (0: not checked)
};

TEST_F(SearchRelevanceTest, EachQueryRanksItsDocumentFirst) {
  const std::vector<Expectation> expectations = {
      {"尘肺病", "000", 1},               // the example: the 2022 newsletter discusses pneumoconiosis
      {"尘肺", "000", 1},                 // two characters
      {"肺", "000", 1},                   // one character
      {"三项行动", "004", 1},             // the district speech on the "three actions"
      {"帮扶", "004", 2},                 // assistance: mostly the speech, once in the 2024 newsletter
      {"职业病", "004", 3},               // most dense in the short speech
      {"噪声", "004", 1},
      {"HSE", "002", 1},                  // English letters inside Chinese text
      {"HSE管理体系", "002", 1},          // mixed, without a space
      {"\"HSE 管理体系\"", "002", 1},     // as a quoted phrase
      {"海口", "002", 1},
      {"农民工", "002", 1},
      {"高峰论坛", "000", 1},
      {"长春", "000", 1},
      {"Dongguan", "001", 1},
      {"dongguan forum", "001", 1},       // all terms must match, any case
      {"\"Yang Huanning\"", "003", 1},
      {"\"occupational health\"", "003", 2},
      {"\"safety production\"", "001", 2},
      {"supervision", "003", 2},          // stemmed: supervision/supervise
  };
  for (const auto& e : expectations) {
    const auto ranked = Ranked(e.query);
    ASSERT_FALSE(ranked.empty()) << e.query << " found nothing";
    EXPECT_EQ(ranked.front(), e.first) << "for " << e.query;
    if (e.found != 0) {
      EXPECT_EQ(ranked.size(), e.found) << "for " << e.query;
    }
  }
}

TEST_F(SearchRelevanceTest, WordsSplitByThePdfLayoutAreStillFound) {
  // The 2024 newsletter is hard-wrapped mid-word (…推广工 / 作委员会); a query
  // written as one word must still find it.
  const auto ranked = Ranked("推广工作委员会");
  ASSERT_FALSE(ranked.empty());
  EXPECT_EQ(ranked.front(), "002");
}

TEST_F(SearchRelevanceTest, ExclusionAndFiltersNarrow) {
  EXPECT_EQ(Ranked("职业病 -三项行动"), (std::vector<std::string>{"002", "000"}));
  v1::SearchArticlesRequest req;
  req.set_query("safety");
  req.set_locale("zh-CN");
  v1::SearchArticlesResponse resp;
  ASSERT_TRUE(stub_->SearchArticles(Ctx("").get(), req, &resp).ok());
  EXPECT_EQ(resp.hits_size(), 0) << "the English seeds are locale en";
}

}  // namespace
}  // namespace osh::content::testing
