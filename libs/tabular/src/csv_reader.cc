#include "osh/tabular/csv_reader.h"

namespace osh::tabular {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

}  // namespace

CsvReader::CsvReader(std::string_view text, CsvLimits limits) : text_(text), limits_(limits) {
  if (text_.substr(0, kBom.size()) == kBom) pos_ = kBom.size();
}

void CsvReader::Seek(std::uint64_t offset, std::uint64_t line) {
  pos_ = offset < text_.size() ? static_cast<std::size_t>(offset) : text_.size();
  if (pos_ < kBom.size() && text_.substr(0, kBom.size()) == kBom) pos_ = kBom.size();
  line_ = line;
}

CsvReader::Result CsvReader::Next(CsvRecord* record, std::string* error) {
  const auto fail = [&](std::uint64_t line, const std::string& why) {
    *error = "line " + std::to_string(line) + ": " + why;
    pos_ = text_.size();
    return Result::kError;
  };
  // Blank lines hold no record.
  while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }
  if (pos_ >= text_.size()) return Result::kEnd;

  record->fields.clear();
  record->line = line_;
  const std::size_t start = pos_;
  std::uint64_t line = line_;
  const auto too_long = [&] { return pos_ - start > limits_.max_record_bytes; };
  const std::string over = "the record is longer than " + std::to_string(limits_.max_record_bytes) + " bytes";

  while (true) {
    if (record->fields.size() >= limits_.max_fields) {
      return fail(record->line, "the record has more than " + std::to_string(limits_.max_fields) + " fields");
    }
    std::string& field = record->fields.emplace_back();
    if (pos_ < text_.size() && text_[pos_] == '"') {
      ++pos_;
      while (true) {
        const std::size_t quote = text_.find('"', pos_);
        if (quote == std::string_view::npos || quote - start > limits_.max_record_bytes) {
          if (quote != std::string_view::npos || text_.size() - start > limits_.max_record_bytes) {
            return fail(record->line, over);
          }
          return fail(record->line, "a quoted field is not closed");
        }
        for (std::size_t i = pos_; i < quote; ++i) {
          if (text_[i] == '\n' || (text_[i] == '\r' && (i + 1 >= text_.size() || text_[i + 1] != '\n'))) ++line;
        }
        field.append(text_.substr(pos_, quote - pos_));
        pos_ = quote + 1;
        if (pos_ < text_.size() && text_[pos_] == '"') {  // "" stands for one quote
          field += '"';
          ++pos_;
          continue;
        }
        break;
      }
      if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\r' && text_[pos_] != '\n') {
        return fail(line, "a closing quote is followed by '" + std::string(1, text_[pos_]) +
                              "' instead of a comma or the end of the line");
      }
    } else {
      std::size_t end = pos_;
      while (end < text_.size() && text_[end] != ',' && text_[end] != '\r' && text_[end] != '\n') {
        if (text_[end] == '"') return fail(line, "a quote inside an unquoted field (quote the whole field)");
        ++end;
        if (end - start > limits_.max_record_bytes) return fail(record->line, over);
      }
      field.assign(text_.substr(pos_, end - pos_));
      pos_ = end;
    }
    if (too_long()) return fail(record->line, over);
    if (pos_ >= text_.size()) break;
    if (text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    // A line break ends the record.
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line;
    break;
  }
  line_ = line;
  record->end_offset = pos_;
  return Result::kRecord;
}

}  // namespace osh::tabular
