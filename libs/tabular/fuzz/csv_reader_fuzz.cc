// Fuzzes the CSV reader with arbitrary bytes and checks what must hold for
// every input, not only that nothing crashes:
// - records advance: each ends after the previous one and inside the text, and
//   no record spans more than the byte limit;
// - a text read without error, written back with every field quoted, reads
//   back as the same records (RFC 4180 round trip);
// - seeking to any record end the reader reported resumes with the same
//   records and line numbers (what an interrupted import relies on);
// - every error names a line ("line N: ...").
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "osh/tabular/csv_reader.h"

#include "fuzz_require.h"

namespace {

using osh::tabular::CsvLimits;
using osh::tabular::CsvReader;
using osh::tabular::CsvRecord;

struct Read {
  std::vector<CsvRecord> records;
  bool failed = false;
  std::string error;
};

Read ReadAll(std::string_view text, const CsvLimits& limits, std::uint64_t offset = 0, std::uint64_t line = 1) {
  CsvReader reader(text, limits);
  if (offset > 0) reader.Seek(offset, line);
  Read read;
  CsvRecord record;
  std::uint64_t previous_end = offset;
  while (true) {
    const auto result = reader.Next(&record, &read.error);
    if (result == CsvReader::Result::kEnd) break;
    if (result == CsvReader::Result::kError) {
      read.failed = true;
      FUZZ_REQUIRE(read.error.rfind("line ", 0) == 0);
      break;
    }
    FUZZ_REQUIRE(record.end_offset > previous_end && record.end_offset <= text.size());
    FUZZ_REQUIRE(!record.fields.empty() && record.fields.size() <= limits.max_fields);
    previous_end = record.end_offset;
    read.records.push_back(record);
  }
  return read;
}

std::string Quoted(const std::vector<CsvRecord>& records) {
  std::string out;
  for (const auto& r : records) {
    for (std::size_t i = 0; i < r.fields.size(); ++i) {
      if (i > 0) out += ',';
      out += '"';
      for (char c : r.fields[i]) out += c == '"' ? std::string("\"\"") : std::string(1, c);
      out += '"';
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const CsvLimits limits{.max_record_bytes = 256, .max_fields = 32};
  const Read read = ReadAll(text, limits);

  if (!read.failed) {
    const std::string again = Quoted(read.records);
    // Quoting adds two quotes and a comma per field: allow for it in the limit.
    const Read back = ReadAll(again, {.max_record_bytes = 4 * 256 + 64, .max_fields = 32});
    FUZZ_REQUIRE(!back.failed && back.records.size() == read.records.size());
    for (std::size_t i = 0; i < back.records.size(); ++i) {
      FUZZ_REQUIRE(back.records[i].fields == read.records[i].fields);
    }
  }
  for (std::size_t i = 0; i + 1 < read.records.size() && i < 4; ++i) {
    const auto& at = read.records[i];
    const auto next_line = read.records[i + 1].line;
    // The line a record end starts: the next record's line minus the blank
    // lines between them, which the reader counts itself; seek with the line
    // the reader had and compare the records after it.
    CsvReader reader(text, limits);
    CsvRecord r;
    std::string error;
    for (std::size_t k = 0; k <= i; ++k) reader.Next(&r, &error);
    const Read resumed = ReadAll(text, limits, at.end_offset, reader.line());
    FUZZ_REQUIRE(resumed.failed == read.failed);
    FUZZ_REQUIRE(resumed.records.size() == read.records.size() - i - 1);
    FUZZ_REQUIRE(resumed.records.front().line == next_line);
    for (std::size_t k = 0; k < resumed.records.size(); ++k) {
      FUZZ_REQUIRE(resumed.records[k].fields == read.records[i + 1 + k].fields);
    }
  }
  return 0;
}
