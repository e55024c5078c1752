#include "osh/tabular/charset.h"

#include <gtest/gtest.h>

#include <string>

namespace osh::tabular {
namespace {

// "职业病" in GB18030 (GBK range) and in UTF-8.
const std::string kGbText = "\xD6\xB0\xD2\xB5\xB2\xA1";
const std::string kUtf8Text = "职业病";

TEST(Charset, NamesAreParsedInAnyCaseAndGbkMeansGb18030) {
  EXPECT_EQ(ParseCharset("UTF-8"), Charset::kUtf8);
  EXPECT_EQ(ParseCharset("utf8"), Charset::kUtf8);
  EXPECT_EQ(ParseCharset("GBK"), Charset::kGb18030);
  EXPECT_EQ(ParseCharset("gb18030"), Charset::kGb18030);
  EXPECT_FALSE(ParseCharset("latin1"));
}

TEST(Charset, DetectionTellsUtf8FromGb18030) {
  EXPECT_EQ(DetectCharset("\xEF\xBB\xBF" + kUtf8Text), Charset::kUtf8);
  EXPECT_EQ(DetectCharset("name," + kUtf8Text), Charset::kUtf8);
  EXPECT_EQ(DetectCharset("name," + kGbText), Charset::kGb18030);
  // A UTF-8 character cut by the end of the sample is still UTF-8.
  EXPECT_EQ(DetectCharset(kUtf8Text.substr(0, 4)), Charset::kUtf8);
}

TEST(Charset, ANulByteMakesAFileBinary) {
  EXPECT_FALSE(BinaryError("a,b\n1,2\n"));
  const auto why = BinaryError(std::string("PK\x03\x04\0\0", 6));
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("binary"), std::string::npos);
}

TEST(Charset, Gb18030ConvertsToUtf8EvenWhenACharacterIsSplitBetweenPieces) {
  Utf8Converter converter(Charset::kGb18030);
  std::string out, error;
  const std::string text = "a," + kGbText + "\n";
  ASSERT_TRUE(converter.Feed(text.substr(0, 3), &out, &error)) << error;  // cuts 职 in two
  ASSERT_TRUE(converter.Feed(text.substr(3), &out, &error)) << error;
  ASSERT_TRUE(converter.Finish(&error)) << error;
  EXPECT_EQ(out, "a," + kUtf8Text + "\n");
}

TEST(Charset, InvalidBytesAreAnErrorNamingLineAndByte) {
  Utf8Converter utf8(Charset::kUtf8);
  std::string out, error;
  EXPECT_FALSE(utf8.Feed("ok\nbad\xFF\n", &out, &error));
  EXPECT_EQ(error, "line 2, byte 6: not valid UTF-8 (name the file's charset with the charset parameter)");
  Utf8Converter gb(Charset::kGb18030);
  EXPECT_FALSE(gb.Feed("x\x81\x20", &out, &error));
  EXPECT_NE(error.find("line 1, byte 1: not valid GB18030"), std::string::npos) << error;
}

TEST(Charset, AStreamEndingInsideACharacterIsAnError) {
  Utf8Converter converter(Charset::kUtf8);
  std::string out, error;
  ASSERT_TRUE(converter.Feed(kUtf8Text.substr(0, 2), &out, &error));
  EXPECT_FALSE(converter.Finish(&error));
}

}  // namespace
}  // namespace osh::tabular
