// Seed texts made into articles: the real seed files the platform starts with
// (read at run time from OSH_SEEDS_DIR), and the rules one by one on small
// inline texts.
#include "seed_import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "osh/domain/text.h"

namespace osh::content {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// OSH_SEEDS_DIR (set by the build for ctest); else the directory the build
// compiled in (the postgres: instances get no OSH_SEEDS_DIR); else
// ../shared/seeds beside the checkout this file is in.
fs::path SeedsDir() {
  if (const char* dir = std::getenv("OSH_SEEDS_DIR"); dir != nullptr && *dir != '\0') return dir;
#ifdef OSH_SEEDS_DIR_BUILT_IN
  return OSH_SEEDS_DIR_BUILT_IN;
#endif
  return fs::path(__FILE__).parent_path() / "../../../../shared/seeds";
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class SeedFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = SeedsDir();
    ASSERT_TRUE(fs::is_directory(dir_)) << "seed directory " << dir_
                                        << " is missing: set OSH_SEEDS_DIR to the folder of seed *.txt files";
  }

  SeedArticle Parse(const std::string& name) {
    const fs::path path = dir_ / name;
    EXPECT_TRUE(fs::is_regular_file(path)) << path << " is missing";
    raw_ = ReadFile(path);
    std::string error;
    auto seed = ParseSeed(name, raw_, &error);
    EXPECT_TRUE(seed.has_value()) << error;
    return seed.value_or(SeedArticle{});
  }

  fs::path dir_;
  std::string raw_;
};

TEST_F(SeedFileTest, EveryFileParsesWithTheCommonFields) {
  std::set<std::string> hashes;
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    if (entry.path().extension() != ".txt") continue;
    ++files;
    const std::string name = entry.path().filename().string();
    const SeedArticle seed = Parse(name);
    const auto& c = seed.content;
    EXPECT_EQ(seed.file_name, name);
    EXPECT_EQ(seed.sha256_hex, Sha256Hex(raw_)) << name;
    EXPECT_TRUE(hashes.insert(seed.sha256_hex).second) << name << " has the hash of another file";
    EXPECT_EQ(c.source(), "seed:" + name);
    EXPECT_EQ(c.body_format(), v1::BODY_FORMAT_PLAIN_TEXT);
    EXPECT_FALSE(c.title().empty()) << name;
    EXPECT_LE(domain::Utf8Length(c.title()), kMaxSeedTitleLength) << name;
    EXPECT_FALSE(c.summary().empty()) << name;
    EXPECT_LE(domain::Utf8Length(c.summary()), kSeedSummaryLength + 1) << name;  // + the "…"
    EXPECT_FALSE(domain::Utf8Error(c.summary()).has_value()) << name;
    EXPECT_LE(c.tags_size(), 8) << name;
    EXPECT_GT(c.tags_size(), 0) << name;
    EXPECT_THAT(c.body(), Not(HasSubstr("\r"))) << name;
    EXPECT_THAT(c.body(), Not(HasSubstr("\n\n\n\n"))) << name;
  }
  EXPECT_GE(files, 5) << "expected the five seed files in " << dir_;
}

TEST_F(SeedFileTest, NewsletterWithMastheadAndIssueNumber) {
  const auto seed = Parse("000_798a39937ac4c71d.txt");
  const auto& c = seed.content;
  EXPECT_EQ(c.title(), "职业安全健康 2022年11月11日 第24期");
  EXPECT_EQ(c.source_date(), "2022-11-11");
  EXPECT_EQ(c.locale(), "zh-CN");
  EXPECT_EQ(c.category(), v1::ARTICLE_CATEGORY_NEWS);
  // The summary skips the masthead block and captions and opens with prose.
  EXPECT_THAT(c.summary(), StartsWith("具有伟大历史意义的中国共产党第二十次全国代表大会刚刚闭幕"));
  EXPECT_THAT(c.summary(), testing::EndsWith("。"));
  EXPECT_THAT(c.hazard_categories(), Contains(common::v1::HAZARD_CATEGORY_DUST));
  EXPECT_THAT(c.tags(), Contains("安全生产"));
  // Three blank lines between stories become two; the text is kept.
  EXPECT_THAT(raw_, HasSubstr("\n\n\n\n"));
  EXPECT_THAT(c.body(), StartsWith("职业安全健康\n\n2022年11月11日 第24期"));
  EXPECT_THAT(c.body(), HasSubstr("王德学在开幕式上讲话"));
}

TEST_F(SeedFileTest, EnglishNewsWithMonthAndDayOnly) {
  const auto& c = Parse("001_082ae7f4832705c3.txt").content;
  EXPECT_EQ(c.title(), "Dongguan security development high level forum successfully held");
  EXPECT_EQ(c.source_date(), "--10-19");  // the text never prints a year
  EXPECT_EQ(c.locale(), "en");
  EXPECT_EQ(c.category(), v1::ARTICLE_CATEGORY_NEWS);
  EXPECT_THAT(c.summary(), StartsWith("on October 19, the first Dongguan high level Forum"));
  EXPECT_THAT(c.tags(), Contains("work safety"));
  EXPECT_THAT(c.audiences(), Contains(v1::AUDIENCE_EMPLOYERS));
}

TEST_F(SeedFileTest, PdfNewsletterKeepsItsLineLayout) {
  const auto seed = Parse("002_534d50e48d29637c.txt");
  const auto& c = seed.content;
  // The first paragraph, three short lines, run together.
  EXPECT_EQ(c.title(), "应急管理部按时高效办结2023年全国人大代表建议和全国政协委员提案共288件");
  // 2月23日 takes the year printed after it (2024年工作会议), not the 2023 of
  // the headline above it.
  EXPECT_EQ(c.source_date(), "2024-02-23");
  EXPECT_EQ(c.locale(), "zh-CN");
  EXPECT_EQ(c.category(), v1::ARTICLE_CATEGORY_NEWS);
  EXPECT_EQ(c.summary(),
            "2月23日-25日，中国职业安全健康协会HSE管理体系推广工作委员会2024年工作会议暨创建中国特色HSE管理体系研讨会在海"
            "南海口召开。");
  EXPECT_THAT(c.body(), HasSubstr("2月23日-25日，中国职业安\n\n全健康协会HSE管理体系推广工\n"));
  EXPECT_THAT(c.tags(), Contains("HSE"));
  EXPECT_THAT(c.audiences(), Contains(v1::AUDIENCE_MIGRANT_WORKERS));
  EXPECT_THAT(c.audiences(), Contains(v1::AUDIENCE_TEACHERS));
}

TEST_F(SeedFileTest, EnglishSpeechReport) {
  const auto& c = Parse("003_9f16f1ae89852552.txt").content;
  EXPECT_THAT(c.title(), StartsWith("Yang Huanning: recognize the situation, raise awareness"));
  EXPECT_THAT(c.title(), testing::EndsWith("occupational health rights and interests"));
  EXPECT_EQ(c.source_date(), "--11-10");
  EXPECT_EQ(c.locale(), "en");
  EXPECT_EQ(c.category(), v1::ARTICLE_CATEGORY_NEWS);
  EXPECT_EQ(c.summary(),
            "On November 10, the National Symposium on occupational health supervision was held in Wuhan, Hubei "
            "Province.");
  EXPECT_THAT(c.tags(), Contains("occupational health"));
}

TEST_F(SeedFileTest, WebPageSpeechWithTitleMarker) {
  const auto& c = Parse("004_1e7c439cd33950d5.txt").content;
  EXPECT_EQ(c.title(), "在全区职业病防治三项行动工作推进会议上的讲话");
  EXPECT_EQ(c.source_date(), "2024");  // only 2024年上半年 and the like
  EXPECT_EQ(c.locale(), "zh-CN");
  EXPECT_EQ(c.category(), v1::ARTICLE_CATEGORY_POLICY);
  // The page repeats the title as its first words; the summary does not.
  EXPECT_THAT(c.summary(), StartsWith("同志们: 今天,我们在这里召开全区职业病防治"));
  EXPECT_THAT(c.tags(), Contains("三项行动"));
  EXPECT_THAT(c.hazard_categories(),
              ElementsAre(common::v1::HAZARD_CATEGORY_DUST, common::v1::HAZARD_CATEGORY_CHEMICAL,
                          common::v1::HAZARD_CATEGORY_PHYSICAL));
}

// ---------------------------------------------------------------------------
// The rules on small texts.

v1::ArticleContent Content(std::string_view text) {
  std::string error;
  auto seed = ParseSeed("inline.txt", text, &error);
  EXPECT_TRUE(seed.has_value()) << error;
  return seed ? seed->content : v1::ArticleContent{};
}

TEST(ParseSeedTest, InvalidUtf8IsAnError) {
  std::string error;
  EXPECT_FALSE(ParseSeed("bad.txt", "职业\xff健康", &error).has_value());
  EXPECT_THAT(error, HasSubstr("bad.txt"));
  EXPECT_THAT(error, HasSubstr("UTF-8"));
}

TEST(ParseSeedTest, EmptyOrBlankTextIsAnError) {
  std::string error;
  EXPECT_FALSE(ParseSeed("empty.txt", "", &error).has_value());
  EXPECT_THAT(error, HasSubstr("empty.txt"));
  error.clear();
  EXPECT_FALSE(ParseSeed("blank.txt", "\xEF\xBB\xBF \r\n\t\n\xE3\x80\x80\n", &error).has_value());
  EXPECT_THAT(error, HasSubstr("blank.txt"));
  EXPECT_FALSE(ParseSeed("empty.txt", "", nullptr).has_value());  // no error wanted
}

TEST(ParseSeedTest, BomAndCrlfAreNormalised) {
  const auto c = Content("\xEF\xBB\xBF标题：测试文章\r\n\r\n第一段，内容。\r\n第二行\rthird\r\n");
  EXPECT_EQ(c.title(), "测试文章");
  EXPECT_EQ(c.body(), "标题：测试文章\n\n第一段，内容。\n第二行\nthird");
}

TEST(ParseSeedTest, ControlCharactersGoTabsStay) {
  const auto c = Content("Title\n\na\x01" "b\tc\x7f" "d\xC2\x85" "e");
  EXPECT_EQ(c.body(), "Title\n\nab\tcde");
}

TEST(ParseSeedTest, BlankRunsCollapseToTwoAndWhitespaceLinesAreBlank) {
  const auto c = Content("  Title  \n \n\t\n\xE3\x80\x80\n\n\nbody, text.   \n\n\n");
  EXPECT_EQ(c.body(), "Title\n\n\nbody, text.");
}

TEST(ParseSeedTest, TitleJoinsLinesByScript) {
  EXPECT_EQ(Content("职业健康\n保护行动\n\n正文，内容。").title(), "职业健康保护行动");
  EXPECT_EQ(Content("Workers' health\nmatters\n\nBody, text.").title(), "Workers' health matters");
  EXPECT_EQ(Content("| 表格标题 |\n\n正文，内容。").title(), "表格标题");
}

TEST(ParseSeedTest, TitleMarkerEndsAtPipeOrLineEnd) {
  EXPECT_EQ(Content("首页\n| 标题:关于开展检查的通知 | 来源\n正文，内容。").title(), "关于开展检查的通知");
  EXPECT_EQ(Content("首页\n标题： 尘肺病防治知识\n正文，内容。").title(), "尘肺病防治知识");
  // Without the colon it is just a word in a sentence.
  EXPECT_EQ(Content("一线快讯\n\n（本文标题为编者所加）").title(), "一线快讯");
}

TEST(ParseSeedTest, ShortMastheadTakesTheIssueLine) {
  EXPECT_EQ(Content("安全简报\n\n2024年3月1日 第3期 总第9期\n\n正文，内容。").title(), "安全简报 2024年3月1日 第3期");
  EXPECT_EQ(Content("安全简报\n\n第十二期\n\n正文，内容。").title(), "安全简报 第十二期");
  // A short first paragraph without an issue number close below stays as it is.
  EXPECT_EQ(Content("安全简报\n\n正文，内容。\n更多，内容。\n再多，内容。\n第3期").title(), "安全简报");
}

TEST(ParseSeedTest, TitleIsCappedAt200Characters) {
  std::string long_line;
  for (int i = 0; i < 300; ++i) long_line += "职";
  const auto c = Content(long_line + "\n\n正文，内容。");
  EXPECT_EQ(domain::Utf8Length(c.title()), 200u);
}

TEST(ParseSeedTest, DatesInTheirForms) {
  EXPECT_EQ(Content("标题\n\n2024年2月23日，会议召开。").source_date(), "2024-02-23");
  EXPECT_EQ(Content("标题\n\n2024 年 2 月 3 日，会议召开。").source_date(), "2024-02-03");
  EXPECT_EQ(Content("Title\n\nPublished 2024-02-23.").source_date(), "2024-02-23");
  EXPECT_EQ(Content("Title\n\nOn November 10, 2015, the meeting was held.").source_date(), "2015-11-10");
  EXPECT_EQ(Content("Title\n\nOn 10 November 2015 the meeting was held.").source_date(), "2015-11-10");
  EXPECT_EQ(Content("Title\n\nOn Oct. 9 the meeting was held.").source_date(), "--10-09");
}

TEST(ParseSeedTest, MonthDayTakesTheYearPrintedNearestAfterIt) {
  EXPECT_EQ(Content("2023年总结\n\n2月23日，协会召开2024年工作会议。").source_date(), "2024-02-23");
  EXPECT_EQ(Content("2023年总结\n\n3月5日，协会召开会议。").source_date(), "2023-03-05");
  EXPECT_EQ(Content("简讯\n\n3月5日，协会召开会议。").source_date(), "--03-05");
  EXPECT_EQ(Content("Title\n\nOn October 19, in 2015, the forum opened.").source_date(), "2015-10-19");
}

TEST(ParseSeedTest, LessPreciseDates) {
  EXPECT_EQ(Content("简讯\n\n2023年11月，标准修订实施。").source_date(), "2023-11");
  EXPECT_EQ(Content("简讯\n\n2024年上半年，帮扶企业80余家。").source_date(), "2024");
  EXPECT_EQ(Content("Safety first\n\nWorkers should wear helmets.").source_date(), "");
  // Not dates: a plan period, an impossible day, a bare number in Chinese text.
  EXPECT_EQ(Content("方案\n\n行动方案（2024-2026年）发布。").source_date(), "");
  EXPECT_EQ(Content("简讯\n\n2月30日，会议召开。").source_date(), "");
  EXPECT_EQ(Content("简讯\n\n编号2024，会议召开。").source_date(), "");
}

TEST(ParseSeedTest, SignatureDateAtTheEndBeatsAMonthDayAtTheTop) {
  std::string text = "关于做好检查工作的通知\n\n3月5日起，各单位开展自查。\n";
  for (int i = 0; i < 60; ++i) text += "第" + std::to_string(i) + "条，内容。\n";
  text += "\n某某卫生健康委\n2024年3月8日\n";
  EXPECT_EQ(Content(text).source_date(), "2024-03-08");
  // The same date deep in the middle of a long text is someone else's date.
  std::string middle = "简讯\n\n";
  for (int i = 0; i < 60; ++i) middle += "第" + std::to_string(i) + "条，内容。\n";
  middle += "2020年1月1日，旧标准废止。\n";
  for (int i = 0; i < 10; ++i) middle += "附" + std::to_string(i) + "，内容。\n";
  EXPECT_EQ(Content(middle).source_date(), "");
}

TEST(ParseSeedTest, LocaleByShareOfIdeographs) {
  EXPECT_EQ(Content("职业健康保护行动\n\n正文，内容。").locale(), "zh-CN");
  EXPECT_EQ(Content("Occupational health week\n\nThe week starts today.").locale(), "en");
  // 2 ideographs among 9 letters (22%) is Chinese; 2 among 13 (15%) is not.
  EXPECT_EQ(Content("HSE 职业\n\nabcd").locale(), "zh-CN");
  EXPECT_EQ(Content("HSE 职业\n\nabcdefgh").locale(), "en");
}

TEST(ParseSeedTest, CategoryFromTheTitle) {
  EXPECT_EQ(Content("关于加强职业健康工作的意见\n\n正文，内容。").category(), v1::ARTICLE_CATEGORY_POLICY);
  EXPECT_EQ(Content("Keynote speech at the forum\n\nText, here.").category(), v1::ARTICLE_CATEGORY_POLICY);
  EXPECT_EQ(Content("中华人民共和国职业病防治法\n\n正文，内容。").category(), v1::ARTICLE_CATEGORY_REGULATION);
  EXPECT_EQ(Content("工作场所有害因素职业接触限值标准\n\n正文，内容。").category(),
            v1::ARTICLE_CATEGORY_REGULATION);
  EXPECT_EQ(Content("New dust regulation adopted\n\nText, here.").category(), v1::ARTICLE_CATEGORY_REGULATION);
  EXPECT_EQ(Content("尘肺病科普知识\n\n正文，内容。").category(), v1::ARTICLE_CATEGORY_SCIENCE);
  // 法 inside a common word is not a law.
  EXPECT_EQ(Content("执法检查发现问题\n\n正文，内容。").category(), v1::ARTICLE_CATEGORY_NEWS);
  EXPECT_EQ(Content("帮扶企业的好做法\n\n正文，内容。").category(), v1::ARTICLE_CATEGORY_NEWS);
}

TEST(ParseSeedTest, HazardsAndAudiencesNeedTwoMentions) {
  auto hazards = [](std::string_view text) {
    const auto c = Content(text);
    return std::vector<int>(c.hazard_categories().begin(), c.hazard_categories().end());
  };
  EXPECT_TRUE(hazards("简讯\n\n车间有粉尘。").empty());
  EXPECT_THAT(hazards("简讯\n\n车间有粉尘，工人患尘肺病。"), ElementsAre(common::v1::HAZARD_CATEGORY_DUST));
  EXPECT_THAT(hazards("News\n\nDust, dust and noise; more noise."),
              ElementsAre(common::v1::HAZARD_CATEGORY_DUST, common::v1::HAZARD_CATEGORY_PHYSICAL));
  // English terms are whole words: "industry" holds no dust.
  EXPECT_TRUE(hazards("News\n\nThe industry and its industries.").empty());

  const auto c = Content("简讯\n\n农民工培训。农民工体检。教师一名。");
  EXPECT_THAT(c.audiences(), ElementsAre(v1::AUDIENCE_MIGRANT_WORKERS));
  EXPECT_THAT(Content("News\n\nTeachers and a teacher.").audiences(), ElementsAre(v1::AUDIENCE_TEACHERS));
}

TEST(ParseSeedTest, TagsMostMentionedFirstAtMostEight) {
  const auto few = Content("简讯\n\n安全生产。职业病，职业病，职业病。HSE体系。");
  EXPECT_THAT(few.tags(), ElementsAre("职业病", "安全生产", "HSE"));
  const auto many = Content(
      "简讯\n\n职业病 职业健康 职业卫生 三项行动 尘肺病 安全生产 应急管理 健康企业 中小微企业 科普 "
      "occupational health");
  EXPECT_EQ(many.tags_size(), 8);
  EXPECT_TRUE(Content("Nothing here\n\nAt all, really.").tags().empty());
}

TEST(ParseSeedTest, SummaryStartsAtProseAndEndsAtASentence) {
  const auto c = Content("标题\n\n图片说明\n\n第一句话，很短。第二句话。");
  EXPECT_EQ(c.summary(), "第一句话，很短。第二句话。");
  std::string long_sentence = "简讯\n\n开头，";
  for (int i = 0; i < 200; ++i) long_sentence += "长";
  const auto cut = Content(long_sentence + "。");
  EXPECT_THAT(cut.summary(), testing::EndsWith("…"));
  EXPECT_EQ(cut.summary(), "开头…");
  std::string sentences = "Title\n\n";
  for (int i = 0; i < 20; ++i) sentences += "This is sentence " + std::to_string(i) + ". ";
  EXPECT_EQ(Content(sentences).summary(),
            "This is sentence 0. This is sentence 1. This is sentence 2. This is sentence 3. This is sentence 4. "
            "This is sentence 5.");
}

TEST(Sha256HexTest, KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace osh::content
