#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "osh/tabular/csv_reader.h"

namespace osh::registry {

// A stored upload mapped read-only: the import reads it in place and gives
// back the pages it has passed, so the service's memory stays flat however
// large the file.
class MappedFile {
 public:
  // Throws std::runtime_error when the file cannot be opened or mapped.
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view text() const { return {data_, size_}; }
  // Drops the pages wholly before `offset` from memory (they are read again
  // from the file if touched).
  void Release(uint64_t offset);

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
};

// The rows of an upload, CSV (cells) or JSON lines (one object text per row),
// with the line each starts on and the offset after it.
class RowReader {
 public:
  struct Row {
    std::vector<std::string> cells;  // CSV
    std::string json;                // JSON lines
    uint64_t line = 0;
    uint64_t end_offset = 0;
  };

  RowReader(std::string_view text, bool csv, size_t max_row_bytes);
  tabular::CsvReader::Result Next(Row* row, std::string* error);
  void Seek(uint64_t offset, uint64_t line);
  uint64_t offset() const;
  uint64_t line() const;

 private:
  std::string_view text_;
  bool csv_;
  size_t max_row_bytes_;
  tabular::CsvReader csv_reader_;
  tabular::CsvRecord record_;
  size_t pos_ = 0;     // JSON lines
  uint64_t line_ = 1;  // JSON lines
};

}  // namespace osh::registry
