#include "osh/tabular/charset.h"

#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <stdexcept>

namespace osh::tabular {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Bytes a UTF-8 character starting with `lead` has (0 for a byte that cannot start one).
std::size_t Utf8SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

}  // namespace

std::optional<Charset> ParseCharset(std::string_view name) {
  const std::string n = Lower(name);
  if (n == "utf-8" || n == "utf8") return Charset::kUtf8;
  if (n == "gb18030" || n == "gbk" || n == "gb2312") return Charset::kGb18030;
  return std::nullopt;
}

std::string_view CharsetName(Charset charset) { return charset == Charset::kUtf8 ? "UTF-8" : "GB18030"; }

std::optional<std::string> BinaryError(std::string_view sample) {
  const auto nul = sample.find('\0');
  if (nul == std::string_view::npos) return std::nullopt;
  return "byte " + std::to_string(nul) + " is NUL: this is a binary file, not CSV or JSON lines text";
}

Charset DetectCharset(std::string_view sample) {
  if (sample.substr(0, 3) == "\xEF\xBB\xBF") return Charset::kUtf8;
  std::size_t i = 0;
  while (i < sample.size()) {
    const auto lead = static_cast<unsigned char>(sample[i]);
    const std::size_t length = Utf8SequenceLength(lead);
    if (length == 0) return Charset::kGb18030;
    if (i + length > sample.size()) break;  // cut at the sample's end
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(sample[i + k]) & 0xC0) != 0x80) return Charset::kGb18030;
    }
    i += length;
  }
  return Charset::kUtf8;
}

Utf8Converter::Utf8Converter(Charset from) : from_(from) {
  // UTF-8 to UTF-8 through iconv too: glibc's decoder refuses overlong forms,
  // surrogates and stray continuation bytes, so one path checks both.
  iconv_t cd = iconv_open("UTF-8", from == Charset::kUtf8 ? "UTF-8" : "GB18030");
  if (cd == reinterpret_cast<iconv_t>(-1)) throw std::runtime_error("iconv cannot convert from " +
                                                                    std::string(CharsetName(from)));
  iconv_ = cd;
}

Utf8Converter::~Utf8Converter() { iconv_close(static_cast<iconv_t>(iconv_)); }

bool Utf8Converter::Fail(std::size_t at, std::string* error) {
  *error = "line " + std::to_string(line_) + ", byte " + std::to_string(consumed_ + at) + ": not valid " +
           std::string(CharsetName(from_)) + " (name the file's charset with the charset parameter)";
  return false;
}

bool Utf8Converter::Feed(std::string_view piece, std::string* out, std::string* error) {
  std::string input = carry_;
  input.append(piece);
  carry_.clear();
  char* in = input.data();
  std::size_t in_left = input.size();
  const auto count_lines = [&](const char* from, const char* to) {
    line_ += static_cast<std::uint64_t>(std::count(from, to, '\n'));
  };
  while (in_left > 0) {
    const std::size_t base = out->size();
    out->resize(base + in_left * 2 + 16);  // UTF-8 of GB18030 is at most 1.5 times longer, plus margin
    char* dst = out->data() + base;
    std::size_t dst_left = out->size() - base;
    char* before = in;
    const std::size_t rc = iconv(static_cast<iconv_t>(iconv_), &in, &in_left, &dst, &dst_left);
    out->resize(static_cast<std::size_t>(dst - out->data()));
    count_lines(before, in);
    if (rc != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG) continue;
    if (errno == EINVAL) {  // a character cut at the end of the piece
      carry_.assign(in, in_left);
      break;
    }
    return Fail(static_cast<std::size_t>(in - input.data()), error);
  }
  consumed_ += input.size() - carry_.size();
  return true;
}

bool Utf8Converter::Finish(std::string* error) {
  if (carry_.empty()) return true;
  return Fail(0, error);
}

}  // namespace osh::tabular
