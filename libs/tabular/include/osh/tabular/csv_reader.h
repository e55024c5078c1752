#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace osh::tabular {

// Bounds a reader holds every record to, so a hostile or broken file (a quote
// never closed, a line of a gigabyte) ends in an error naming its line instead
// of exhausting memory.
struct CsvLimits {
  std::size_t max_record_bytes = 1 << 20;  // bytes of one record, quotes and line break included
  std::size_t max_fields = 512;            // fields of one record
};

// One record: its fields (quotes removed, "" made "), the 1-based line it
// starts on, and the byte offset just past it (where the next one starts).
struct CsvRecord {
  std::vector<std::string> fields;
  std::uint64_t line = 0;
  std::uint64_t end_offset = 0;
};

// Reads RFC 4180 CSV from UTF-8 text held in memory (or mapped from a file):
// fields separated by commas, records by CRLF or LF (a lone CR too), fields
// optionally in double quotes that may hold commas, line breaks and doubled
// quotes. A UTF-8 byte order mark at offset 0 is skipped. Blank lines are
// skipped (they hold no record); the last record needs no line break.
// The reader never copies the whole text and can start at any record boundary
// it reported before (Seek), which is how an interrupted import resumes.
class CsvReader {
 public:
  enum class Result { kRecord, kEnd, kError };

  explicit CsvReader(std::string_view text, CsvLimits limits = {});

  // The next record into *record; kEnd after the last; kError with *error
  // ("line 7: a quoted field is not closed") when the text is not CSV or a
  // record exceeds the limits. After kError the reader stays at the end.
  Result Next(CsvRecord* record, std::string* error);

  // Continues at `offset` (a CsvRecord::end_offset this reader gave for the
  // same text), counting lines from `line` (the line that offset starts).
  void Seek(std::uint64_t offset, std::uint64_t line);

  std::uint64_t offset() const { return pos_; }
  std::uint64_t line() const { return line_; }
  std::uint64_t size() const { return text_.size(); }

 private:
  std::string_view text_;
  CsvLimits limits_;
  std::size_t pos_ = 0;
  std::uint64_t line_ = 1;
};

}  // namespace osh::tabular
