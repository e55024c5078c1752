#include "import_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace osh::registry {

MappedFile::MappedFile(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot stat " + path.string());
  }
  size_ = static_cast<size_t>(st.st_size);
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      ::close(fd);
      throw std::runtime_error("cannot map " + path.string() + ": " + std::strerror(errno));
    }
    data_ = static_cast<char*>(p);
    ::madvise(data_, size_, MADV_SEQUENTIAL);
  }
  ::close(fd);
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(data_, size_);
}

void MappedFile::Release(uint64_t offset) {
  const auto page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t end = std::min<uint64_t>(offset, size_) / page * page;
  if (data_ != nullptr && end > 0) ::madvise(data_, end, MADV_DONTNEED);
}

RowReader::RowReader(std::string_view text, bool csv, size_t max_row_bytes)
    : text_(text), csv_(csv), max_row_bytes_(max_row_bytes),
      csv_reader_(text, {.max_record_bytes = max_row_bytes, .max_fields = 512}) {}

void RowReader::Seek(uint64_t offset, uint64_t line) {
  if (csv_) {
    csv_reader_.Seek(offset, line);
  } else {
    pos_ = static_cast<size_t>(std::min<uint64_t>(offset, text_.size()));
    line_ = line;
  }
}

uint64_t RowReader::offset() const { return csv_ ? csv_reader_.offset() : pos_; }
uint64_t RowReader::line() const { return csv_ ? csv_reader_.line() : line_; }

tabular::CsvReader::Result RowReader::Next(Row* row, std::string* error) {
  using Result = tabular::CsvReader::Result;
  if (csv_) {
    const auto result = csv_reader_.Next(&record_, error);
    if (result == Result::kRecord) {
      row->cells.swap(record_.fields);
      row->line = record_.line;
      row->end_offset = record_.end_offset;
    }
    return result;
  }
  if (pos_ == 0 && text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  while (pos_ < text_.size()) {
    const size_t newline = text_.find('\n', pos_);
    const size_t end = newline == std::string_view::npos ? text_.size() : newline;
    std::string_view line = text_.substr(pos_, end - pos_);
    if (line.size() > max_row_bytes_) {
      *error = "line " + std::to_string(line_) + ": the record is longer than " + std::to_string(max_row_bytes_) +
               " bytes";
      pos_ = text_.size();
      return Result::kError;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const uint64_t at = line_;
    pos_ = newline == std::string_view::npos ? text_.size() : newline + 1;
    ++line_;
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank lines hold no row
    row->json.assign(line);
    row->line = at;
    row->end_offset = pos_;
    return Result::kRecord;
  }
  return Result::kEnd;
}

}  // namespace osh::registry
