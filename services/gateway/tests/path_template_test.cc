#include "path_template.h"

#include <gtest/gtest.h>

namespace osh::gateway {
namespace {

PathTemplate MustParse(std::string_view text) {
  std::string error;
  auto t = PathTemplate::Parse(text, &error);
  EXPECT_TRUE(t.has_value()) << text << ": " << error;
  return t ? *t : *PathTemplate::Parse("/x", &error);
}

TEST(PathTemplate, BindsSingleSegmentVariables) {
  auto t = MustParse("/v1/employers/{employer_id}/declarations");
  auto b = t.Match("/v1/employers/0192-abc/declarations");
  ASSERT_TRUE(b);
  ASSERT_EQ(b->size(), 1u);
  EXPECT_EQ((*b)[0].first, "employer_id");
  EXPECT_EQ((*b)[0].second, "0192-abc");
  EXPECT_FALSE(t.Match("/v1/employers/x/declarations/extra"));
  EXPECT_FALSE(t.Match("/v1/employers//declarations"));  // empty segment binds nothing
  EXPECT_FALSE(t.Match("/v1/employers/x/declarations/"));
  EXPECT_FALSE(t.Match("/v1/employer/x/declarations"));
}

TEST(PathTemplate, VerbIsMatchedAndStripped) {
  auto t = MustParse("/v1/employers/{id}:transfer");
  EXPECT_EQ(t.verb(), "transfer");
  auto b = t.Match("/v1/employers/e1:transfer");
  ASSERT_TRUE(b);
  EXPECT_EQ((*b)[0].second, "e1");
  EXPECT_FALSE(t.Match("/v1/employers/e1"));
  EXPECT_FALSE(t.Match("/v1/employers/e1:review"));
  // A template without a verb does not swallow one into its last variable.
  auto get = MustParse("/v1/employers/{id}");
  EXPECT_FALSE(get.Match("/v1/employers/e1:transfer"));
  EXPECT_TRUE(get.Match("/v1/employers/e1"));
}

TEST(PathTemplate, ColonInsideAnEarlierLiteralIsNotAVerb) {
  auto t = MustParse("/v1/employers:byCreditCode/{credit_code}");
  EXPECT_EQ(t.verb(), "");
  auto b = t.Match("/v1/employers:byCreditCode/91440300MA5FXXXX1X");
  ASSERT_TRUE(b);
  EXPECT_EQ((*b)[0].first, "credit_code");
  EXPECT_EQ((*b)[0].second, "91440300MA5FXXXX1X");
}

// Found by fuzzing: a request's verb starts at the first ':' of its last
// segment, so a template with another ':' there parsed but never matched its
// own path; such a template is refused when the route table is built.
TEST(PathTemplate, TemplatesWhoseLastSegmentHoldsASecondColonAreRefused) {
  std::string error;
  EXPECT_FALSE(PathTemplate::Parse("/v1/a:b:c", &error));
  EXPECT_NE(error.find("':'"), std::string::npos) << error;
  EXPECT_FALSE(PathTemplate::Parse("/v1/{id}:x:y", &error));
  EXPECT_FALSE(PathTemplate::Parse("/v1/{name=shelves/b:c}", &error));
  EXPECT_NE(error.find("':'"), std::string::npos) << error;
  EXPECT_TRUE(PathTemplate::Parse("/v1/a:b/{id}:c", &error)) << error;
}

TEST(PathTemplate, NestedFieldPathsAndMultiSegmentVariables) {
  auto t = MustParse("/v1/{name=shelves/*/books/*}");
  auto b = t.Match("/v1/shelves/s1/books/b2");
  ASSERT_TRUE(b);
  EXPECT_EQ((*b)[0].first, "name");
  EXPECT_EQ((*b)[0].second, "shelves/s1/books/b2");
  EXPECT_FALSE(t.Match("/v1/shelves/s1/records/b2"));

  auto rest = MustParse("/v1/files/{path=**}");
  auto r = rest.Match("/v1/files/a/b/c.txt");
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].second, "a/b/c.txt");
  EXPECT_FALSE(rest.Match("/v1/files"));

  auto nested = MustParse("/v1/employers/{employer.id}");
  EXPECT_EQ(nested.VariableFields(), std::vector<std::string>{"employer.id"});
  EXPECT_EQ(nested.OpenApiPath(), "/v1/employers/{employer_id}");
  EXPECT_EQ(t.OpenApiPath(), "/v1/{name}");
}

TEST(PathTemplate, PercentDecodesValues) {
  auto t = MustParse("/v1/articles/{id}");
  auto b = t.Match("/v1/articles/%E8%81%8C%E4%B8%9A%20x");
  ASSERT_TRUE(b);
  EXPECT_EQ((*b)[0].second, "职业 x");
  EXPECT_FALSE(t.Match("/v1/articles/%E8%8"));  // truncated escape
  EXPECT_FALSE(t.Match("/v1/articles/%zz"));
  EXPECT_FALSE(t.Match("/v1/articles/a%00b"));  // NUL never reaches a backend
}

TEST(PathTemplate, RejectsMalformedTemplates) {
  std::string error;
  for (const char* bad : {"", "v1/x", "/v1/{id", "/v1/{}", "/v1/{a..b}", "/v1/**/x", "/v1/{id=a/**/b}", "/v1/x:",
                          "/v1/a{b}c"}) {
    EXPECT_FALSE(PathTemplate::Parse(bad, &error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(PercentDecode, PlusIsSpaceOnlyInQueries) {
  EXPECT_EQ(*PercentDecode("a+b", true), "a b");
  EXPECT_EQ(*PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(*PercentDecode("%2B", true), "+");
}

}  // namespace
}  // namespace osh::gateway
