#include "osh/tabular/csv_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace osh::tabular {
namespace {

using Rows = std::vector<std::vector<std::string>>;

Rows ReadAll(std::string_view text, CsvLimits limits = {}, std::string* error = nullptr) {
  CsvReader reader(text, limits);
  Rows rows;
  CsvRecord record;
  std::string why;
  while (true) {
    const auto result = reader.Next(&record, &why);
    if (result == CsvReader::Result::kEnd) break;
    if (result == CsvReader::Result::kError) {
      if (error != nullptr) *error = why;
      break;
    }
    rows.push_back(record.fields);
  }
  return rows;
}

TEST(CsvReader, ReadsPlainRecordsEndedByLfCrlfOrNothing) {
  EXPECT_EQ(ReadAll("a,b\n1,2\r\n3,4"), (Rows{{"a", "b"}, {"1", "2"}, {"3", "4"}}));
}

TEST(CsvReader, SkipsAUtf8ByteOrderMarkAtTheStartOnly) {
  EXPECT_EQ(ReadAll("\xEF\xBB\xBF名称,代码\n"), (Rows{{"名称", "代码"}}));
}

TEST(CsvReader, QuotedFieldsHoldCommasLineBreaksAndDoubledQuotes) {
  EXPECT_EQ(ReadAll("\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\"\nx,\"\"\n"),
            (Rows{{"a,b", "say \"hi\"", "two\r\nlines"}, {"x", ""}}));
}

TEST(CsvReader, EmptyFieldsAndATrailingCommaAreKept) {
  EXPECT_EQ(ReadAll(",a,\n"), (Rows{{"", "a", ""}}));
}

TEST(CsvReader, BlankLinesAreSkippedAndLineNumbersCountThem) {
  CsvReader reader("h\n\n\"x\ny\"\r\n\r\nlast");
  CsvRecord r;
  std::string error;
  ASSERT_EQ(reader.Next(&r, &error), CsvReader::Result::kRecord);
  EXPECT_EQ(r.line, 1u);
  ASSERT_EQ(reader.Next(&r, &error), CsvReader::Result::kRecord);
  EXPECT_EQ(r.line, 3u);
  ASSERT_EQ(reader.Next(&r, &error), CsvReader::Result::kRecord);
  EXPECT_EQ(r.line, 6u);
  EXPECT_EQ(r.fields, std::vector<std::string>{"last"});
  EXPECT_EQ(reader.Next(&r, &error), CsvReader::Result::kEnd);
}

TEST(CsvReader, AnUnclosedQuoteIsAnErrorNamingTheLineWhereTheRecordStarts) {
  std::string error;
  const auto rows = ReadAll("a\nb\n\"open,\nmore\n", {}, &error);
  EXPECT_EQ(rows.size(), 2u);
  EXPECT_EQ(error, "line 3: a quoted field is not closed");
}

TEST(CsvReader, TextAfterAClosingQuoteAndQuotesInsideBareFieldsAreErrors) {
  std::string error;
  ReadAll("\"a\"b\n", {}, &error);
  EXPECT_NE(error.find("line 1: a closing quote is followed by 'b'"), std::string::npos) << error;
  ReadAll("ok\nab\"c\n", {}, &error);
  EXPECT_NE(error.find("line 2: a quote inside an unquoted field"), std::string::npos) << error;
}

TEST(CsvReader, ARecordOverTheByteLimitIsRefusedWithoutReadingOn) {
  std::string error;
  const std::string big(100, 'x');
  const auto rows = ReadAll("short\n" + big + "\nafter\n", {.max_record_bytes = 50}, &error);
  EXPECT_EQ(rows.size(), 1u);
  EXPECT_EQ(error, "line 2: the record is longer than 50 bytes");
  ReadAll("\"" + big + "\"\n", {.max_record_bytes = 50}, &error);
  EXPECT_EQ(error, "line 1: the record is longer than 50 bytes");
}

TEST(CsvReader, ARecordOverTheFieldLimitIsRefused) {
  std::string error;
  ReadAll("a,b,c,d\n", {.max_record_bytes = 100, .max_fields = 3}, &error);
  EXPECT_EQ(error, "line 1: the record has more than 3 fields");
}

TEST(CsvReader, SeekingToAReportedEndOffsetResumesWithTheSameRecordsAndLines) {
  const std::string text = "h1,h2\n\"a\nb\",1\nc,2\nd,3\n";
  CsvReader first(text);
  CsvRecord r;
  std::string error;
  ASSERT_EQ(first.Next(&r, &error), CsvReader::Result::kRecord);
  ASSERT_EQ(first.Next(&r, &error), CsvReader::Result::kRecord);
  const auto offset = r.end_offset;
  const auto line = first.line();
  CsvReader resumed(text);
  resumed.Seek(offset, line);
  ASSERT_EQ(resumed.Next(&r, &error), CsvReader::Result::kRecord);
  EXPECT_EQ(r.fields, (std::vector<std::string>{"c", "2"}));
  EXPECT_EQ(r.line, 4u);
}

}  // namespace
}  // namespace osh::tabular
