#include "osh/xapi/formats.h"

#include <gtest/gtest.h>

#include <string>

namespace osh::xapi {
namespace {

TEST(UuidTest, AcceptsRfc4122VersionsAndVariant) {
  EXPECT_TRUE(IsUuid("fd41c918-b88b-4b20-a0a5-a4c32391aaa0"));
  EXPECT_TRUE(IsUuid("FD41C918-B88B-4B20-A0A5-A4C32391AAA0"));
  EXPECT_FALSE(IsUuid("AA97B177-9383-4934-8543-0F91A7A028368"));  // a digit too many
  EXPECT_FALSE(IsUuid("MA97B177-9383-4934-8543-0F91A7A02836"));   // not hex
  EXPECT_FALSE(IsUuid("fd41c918-b88b-0b20-a0a5-a4c32391aaa0"));   // version 0
  EXPECT_FALSE(IsUuid("fd41c918-b88b-4b20-c0a5-a4c32391aaa0"));   // variant c
  EXPECT_FALSE(IsUuid("fd41c918b88b4b20a0a5a4c32391aaa0"));
}

TEST(TimestampTest, ParsesOffsetsToOneInstant) {
  const auto utc = ParseTimestamp("2013-05-18T05:32:34.804Z");
  ASSERT_TRUE(utc);
  EXPECT_EQ(ParseTimestamp("2013-05-18T13:32:34.804+08:00"), utc);
  EXPECT_EQ(ParseTimestamp("2013-05-18T13:32:34.804+0800"), utc);
  EXPECT_EQ(ParseTimestamp("2013-05-18T05:32:34.804"), utc);
  EXPECT_EQ(FormatTimestamp(*utc), "2013-05-18T05:32:34.804Z");
  EXPECT_EQ(*ParseTimestamp("1970-01-01T00:00:01Z"), 1'000'000);
}

TEST(TimestampTest, RefusesNegativeZeroOffsetsAndNonsense) {
  EXPECT_FALSE(ParseTimestamp("2013-05-18T05:32:34.804-00"));
  EXPECT_FALSE(ParseTimestamp("2013-05-18T05:32:34.804-0000"));
  EXPECT_FALSE(ParseTimestamp("2013-05-18T05:32:34.804-00:00"));
  EXPECT_TRUE(ParseTimestamp("2013-05-18T05:32:34.804+00:00"));
  EXPECT_FALSE(ParseTimestamp("2013-02-30T05:32:34Z"));
  EXPECT_FALSE(ParseTimestamp("not a time"));
  EXPECT_FALSE(ParseTimestamp("2013-05-18"));
  EXPECT_FALSE(ParseTimestamp("2013-05-18T25:00:00Z"));
}

// Found by fuzzing: libstdc++'s std::regex recurses once per character, so a
// statement (bodies may be 16 MiB) whose timestamp had a fraction of a million
// digits overflowed the stack and took the training service down.
TEST(TimestampTest, RefusesAMillionDigitFractionWithoutExhaustingTheStack) {
  EXPECT_FALSE(ParseTimestamp("2013-05-18T05:32:34." + std::string(1'000'000, '1') + "Z"));
  EXPECT_EQ(ParseTimestamp("2013-05-18T05:32:34.804123456Z"), ParseTimestamp("2013-05-18T05:32:34.804123Z"));
}

TEST(HttpDateTest, FormatsImfFixdate) {
  EXPECT_EQ(FormatHttpDate(int64_t{784'111'777} * 1'000'000 + 500), "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST(DurationTest, FollowsIso8601) {
  EXPECT_TRUE(IsDuration("PT1H0M0S"));
  EXPECT_TRUE(IsDuration("P1Y2M3DT4H5M6.7S"));
  EXPECT_TRUE(IsDuration("P4W"));
  EXPECT_FALSE(IsDuration("P"));
  EXPECT_FALSE(IsDuration("PT"));
  EXPECT_FALSE(IsDuration("1H"));
  EXPECT_FALSE(IsDuration("P1H"));
}

TEST(DurationTest, RefusesAMillionDigitDurationWithoutExhaustingTheStack) {
  EXPECT_FALSE(IsDuration("PT" + std::string(1'000'000, '1') + "S"));
  EXPECT_TRUE(IsDuration("PT" + std::string(20, '1') + "." + std::string(20, '5') + "S"));
}

TEST(IriTest, NeedsASchemeAndNoSpaces) {
  EXPECT_TRUE(IsIri("http://adlnet.gov/expapi/verbs/completed"));
  EXPECT_TRUE(IsIri("urn:uuid:1"));
  EXPECT_FALSE(IsIri("adlnet.gov/expapi/verbs/completed"));
  EXPECT_FALSE(IsIri("http://a b"));
  EXPECT_FALSE(IsIri(""));
  EXPECT_FALSE(IsIri("1http://x"));
}

TEST(LanguageTagTest, ChecksShape) {
  EXPECT_TRUE(IsLanguageTag("en-US"));
  EXPECT_TRUE(IsLanguageTag("zh-Hans-CN"));
  EXPECT_TRUE(IsLanguageTag("de"));
  EXPECT_FALSE(IsLanguageTag(""));
  EXPECT_FALSE(IsLanguageTag("e"));
  EXPECT_FALSE(IsLanguageTag("en_US"));
  EXPECT_FALSE(IsLanguageTag("en--US"));
}

TEST(MailtoTest, NeedsSchemeAndAddress) {
  EXPECT_TRUE(IsMailtoIri("mailto:learner@example.com"));
  EXPECT_FALSE(IsMailtoIri("learner@example.com"));
  EXPECT_FALSE(IsMailtoIri("mailto:learner"));
  EXPECT_FALSE(IsMailtoIri("mailto:@example.com"));
}

}  // namespace
}  // namespace osh::xapi
