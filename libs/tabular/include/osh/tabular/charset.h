#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace osh::tabular {

// The encodings provincial systems export in: UTF-8 (with or without byte
// order mark) and GB18030, which most Chinese systems write by default (and
// which contains GBK and GB2312).
enum class Charset { kUtf8, kGb18030 };

// "utf-8" / "utf8" and "gb18030" / "gbk" / "gb2312" in any case; nullopt for
// anything else.
std::optional<Charset> ParseCharset(std::string_view name);
std::string_view CharsetName(Charset charset);

// Why `sample` (the first bytes of a file) cannot be text at all: a NUL byte,
// as every binary format has and no CSV does. Nullopt when it may be text.
std::optional<std::string> BinaryError(std::string_view sample);

// The charset of `sample` when the caller named none: UTF-8 when it starts
// with the UTF-8 byte order mark or is well-formed UTF-8 (a character cut at
// the sample's end is allowed), otherwise GB18030.
Charset DetectCharset(std::string_view sample);

// Converts a stream of bytes in `from` to UTF-8, piece by piece: a character
// split between two pieces is completed by the next one. Built on glibc's
// iconv. A UTF-8 stream is checked, not converted, and keeps its BOM (the CSV
// reader skips it).
class Utf8Converter {
 public:
  explicit Utf8Converter(Charset from);
  ~Utf8Converter();
  Utf8Converter(const Utf8Converter&) = delete;
  Utf8Converter& operator=(const Utf8Converter&) = delete;

  // Appends the UTF-8 of `piece` to *out. False with *error naming the line
  // and byte of the first byte that is not valid in the charset
  // ("line 3, byte 41: not valid GB18030").
  bool Feed(std::string_view piece, std::string* out, std::string* error);
  // False with *error when the stream ended inside a character.
  bool Finish(std::string* error);

 private:
  bool Fail(std::size_t at, std::string* error);

  Charset from_;
  void* iconv_ = nullptr;  // iconv_t
  std::string carry_;      // the start of a character cut at the end of a piece
  std::uint64_t consumed_ = 0;
  std::uint64_t line_ = 1;
};

}  // namespace osh::tabular
