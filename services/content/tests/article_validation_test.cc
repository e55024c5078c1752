#include "article_validation.h"

#include <gtest/gtest.h>

namespace osh::content {
namespace {

TEST(SourceDateTest, AcceptsTheFormsPrintedSourcesUse) {
  for (const char* ok : {"2022-11-11", "2024-02", "2015", "--10-19", "--02-29"}) EXPECT_TRUE(IsSourceDate(ok)) << ok;
  for (const char* bad : {"2022-11-31", "2024-13", "15", "--13-01", "10-19", "2022年11月11日", ""}) {
    EXPECT_FALSE(IsSourceDate(bad)) << bad;
  }
}

v1::ArticleContent Valid() {
  v1::ArticleContent c;
  c.set_title("标题");
  c.set_body("第一行\n第二行\t制表");
  c.set_category(v1::ARTICLE_CATEGORY_NEWS);
  c.set_locale("en");
  return c;
}

std::string Errors(const v1::ArticleContent& c, size_t max_body = 1000) {
  core::FieldErrors errors;
  ValidateContent(c, "content", {.max_body_bytes = max_body}, errors);
  std::string fields;
  for (const auto& [field, description] : core::FieldViolationsOf(errors.ToStatus())) {
    fields += field + ": " + description + "; ";
  }
  return fields;
}

TEST(ValidateContentTest, AValidDraftPasses) { EXPECT_EQ(Errors(Valid()), ""); }

TEST(ValidateContentTest, LineBreaksOnlyWhereTextFlows) {
  auto c = Valid();
  c.set_title("two\nlines");
  EXPECT_NE(Errors(c).find("content.title"), std::string::npos);
  c = Valid();
  c.set_body(std::string("marker \x02 inside"));
  EXPECT_NE(Errors(c).find("content.body"), std::string::npos) << "highlight markers must never be stored";
}

TEST(ValidateContentTest, BodySizeIsInBytes) {
  auto c = Valid();
  c.set_body(std::string(334, 'x') + "中");  // 337 bytes
  EXPECT_EQ(Errors(c, 337), "");
  EXPECT_NE(Errors(c, 336).find("337 bytes"), std::string::npos);
}

TEST(ValidateContentTest, AttachmentsAreChecked) {
  auto c = Valid();
  auto* a = c.add_attachments();
  a->set_name("防护指南.pdf");
  a->set_media_type("application/pdf");
  a->set_url("attachments/2024/guide.pdf");
  a->set_sha256(std::string(64, 'a'));
  EXPECT_EQ(Errors(c), "");
  a->set_sha256("ABC");
  a->set_media_type("pdf");
  a->set_url("/etc/passwd");
  const auto e = Errors(c);
  EXPECT_NE(e.find("attachments[0].sha256"), std::string::npos);
  EXPECT_NE(e.find("attachments[0].media_type"), std::string::npos);
  EXPECT_NE(e.find("attachments[0].url"), std::string::npos);
}

TEST(CheckPublishableTest, NeedsABody) {
  auto c = Valid();
  core::FieldErrors errors;
  CheckPublishable(c, errors);
  EXPECT_TRUE(errors.empty());
  c.set_body(" \n\t");
  CheckPublishable(c, errors);
  EXPECT_FALSE(errors.empty());
}

}  // namespace
}  // namespace osh::content
