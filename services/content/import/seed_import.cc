#include "seed_import.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <regex>
#include <vector>

#include <fmt/format.h>

#include "osh/domain/text.h"

namespace osh::content {
namespace {

// ---------------------------------------------------------------------------
// Code points. Everything below runs on text that passed domain::Utf8Error.

char32_t Decode(std::string_view text, size_t& i) {
  const auto lead = static_cast<unsigned char>(text[i++]);
  if (lead < 0x80U) return lead;
  const int extra = lead < 0xE0U ? 1 : lead < 0xF0U ? 2 : 3;
  char32_t code_point = lead & (0x3FU >> extra);
  for (int n = 0; n < extra && i < text.size(); ++n, ++i) {
    code_point = (code_point << 6) | (static_cast<unsigned char>(text[i]) & 0x3FU);
  }
  return code_point;
}

char32_t FirstCodePoint(std::string_view text) {
  size_t i = 0;
  return text.empty() ? 0 : Decode(text, i);
}

char32_t LastCodePoint(std::string_view text) {
  if (text.empty()) return 0;
  size_t start = text.size() - 1;
  while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0U) == 0x80U) --start;
  return Decode(text, start);
}

bool IsIdeograph(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0x20000 && c <= 0x3134F);
}

bool IsKanaOrHangul(char32_t c) { return (c >= 0x3040 && c <= 0x30FF) || (c >= 0xAC00 && c <= 0xD7AF); }

// Scripts written without spaces between words, and their punctuation: no
// space goes next to them when lines are joined.
bool IsWide(char32_t c) {
  return IsIdeograph(c) || IsKanaOrHangul(c) || (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF00 && c <= 0xFFEF);
}

bool IsLetter(char32_t c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) ||
         (c >= 0x370 && c <= 0x52F) || IsIdeograph(c) || IsKanaOrHangul(c);
}

bool IsBlank(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == 0xA0 || c == 0x3000 || (c >= 0x2000 && c <= 0x200B) ||
         c == 0xFEFF;
}

bool IsBlankOrPipe(char32_t c) { return IsBlank(c) || c == '|' || c == 0xFF5C; }

// `text` without the leading and trailing code points `drop` selects.
template <typename Drop>
std::string_view TrimWith(std::string_view text, Drop drop) {
  while (!text.empty() && drop(FirstCodePoint(text))) {
    size_t next = 0;
    Decode(text, next);
    text.remove_prefix(next);
  }
  while (!text.empty() && drop(LastCodePoint(text))) {
    size_t start = text.size() - 1;
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0U) == 0x80U) --start;
    text.remove_suffix(text.size() - start);
  }
  return text;
}

std::string_view TrimBlanks(std::string_view text) { return TrimWith(text, IsBlank); }

// Table borders of text copied out of a web page count as blank too.
std::string_view TrimDecoration(std::string_view text) { return TrimWith(text, IsBlankOrPipe); }

bool IsBlankLine(std::string_view line) { return TrimBlanks(line).empty(); }

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find('\n', start), text.size());
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// Appends `piece` as the next line of a paragraph: Chinese lines run on, Latin
// words get a space between them.
void AppendJoined(std::string& out, std::string_view piece) {
  piece = TrimDecoration(piece);
  if (piece.empty()) return;
  if (!out.empty() && !IsWide(LastCodePoint(out)) && !IsWide(FirstCodePoint(piece))) out += ' ';
  out.append(piece);
}

// ---------------------------------------------------------------------------
// Body

bool IsDroppedControl(char32_t c) { return (c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7F && c <= 0x9F); }

// Line breaks to LF (CRLF and old Mac CR alike); other control characters go,
// as a stray one would break JSON consumers and terminals.
std::string UnifyLineBreaks(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t start = i;
    const char32_t c = Decode(text, i);
    if (c == '\r') {
      if (i >= text.size() || text[i] != '\n') out += '\n';
    } else if (!IsDroppedControl(c)) {
      out.append(text.substr(start, i - start));
    }
  }
  return out;
}

std::string NormaliseBody(std::string_view text) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (text.starts_with(kBom)) text.remove_prefix(kBom.size());
  const std::string unified = UnifyLineBreaks(text);
  std::string body;
  body.reserve(unified.size());
  int blank_run = 0;
  for (std::string_view line : Lines(unified)) {
    if (IsBlankLine(line)) {
      // Two blank lines still mark a section break; more carry nothing.
      if (++blank_run <= 2) body += '\n';
      continue;
    }
    blank_run = 0;
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    body.append(line);
    body += '\n';
  }
  return std::string(TrimBlanks(body));
}

// ---------------------------------------------------------------------------
// Title

struct Paragraph {
  size_t first_line;
  size_t end_line;  // one past the last line
};

std::vector<Paragraph> Paragraphs(const std::vector<std::string_view>& lines) {
  std::vector<Paragraph> paragraphs;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (IsBlankLine(lines[i])) continue;
    size_t end = i;
    while (end < lines.size() && !IsBlankLine(lines[end])) ++end;
    paragraphs.push_back({i, end});
    i = end;
  }
  return paragraphs;
}

// The title and where the text after it starts (the summary begins there).
struct TitleFound {
  std::string title;
  size_t rest_line = 0;
  size_t rest_offset = 0;  // bytes into rest_line
};

// Markers, dates and the like are looked for near the top only: deep in a
// newsletter they belong to some other story.
constexpr size_t kHeadLines = 40;  // non-blank lines

size_t HeadEnd(const std::vector<std::string_view>& lines) {
  size_t seen = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!IsBlankLine(lines[i]) && ++seen > kHeadLines) return i;
  }
  return lines.size();
}

std::optional<TitleFound> MarkedTitle(const std::vector<std::string_view>& lines) {
  const size_t head_end = HeadEnd(lines);
  for (size_t i = 0; i < head_end; ++i) {
    for (std::string_view marker : {"标题:", "标题："}) {
      const size_t at = lines[i].find(marker);
      if (at == std::string_view::npos) continue;
      const size_t start = at + marker.size();
      const size_t end = std::min(lines[i].find('|', start), lines[i].size());
      const auto title = TrimDecoration(lines[i].substr(start, end - start));
      if (!title.empty()) return TitleFound{std::string(title), i, std::min(end + 1, lines[i].size())};
    }
  }
  return std::nullopt;
}

constexpr size_t kMaxMastheadLength = 8;
constexpr size_t kMastheadIssueLines = 3;

// The end of the first issue number (第24期) in `line`, if it has one.
std::optional<size_t> IssueNumberEnd(std::string_view line) {
  static const std::regex kIssue(
      "第[ \t]*(?:[0-9]+|(?:一|二|三|四|五|六|七|八|九|十|百|零|〇)+)[ \t]*期");
  std::match_results<std::string_view::const_iterator> match;
  if (!std::regex_search(line.begin(), line.end(), match, kIssue)) return std::nullopt;
  return static_cast<size_t>(match.position(0) + match.length(0));
}

TitleFound ParagraphTitle(const std::vector<std::string_view>& lines) {
  const auto paragraphs = Paragraphs(lines);
  if (paragraphs.empty()) return {};
  TitleFound found;
  std::string joined;
  for (size_t i = paragraphs[0].first_line; i < paragraphs[0].end_line; ++i) AppendJoined(joined, lines[i]);
  found.title = std::string(TrimDecoration(joined));
  found.rest_line = paragraphs[0].end_line;
  if (domain::Utf8Length(found.title) > kMaxMastheadLength) return found;
  // A newsletter's masthead alone names the series, not the issue.
  size_t looked = 0;
  for (size_t i = found.rest_line; i < lines.size() && looked < kMastheadIssueLines; ++i) {
    if (IsBlankLine(lines[i])) continue;
    ++looked;
    if (auto end = IssueNumberEnd(lines[i])) {
      found.title += ' ';
      found.title += TrimDecoration(lines[i].substr(0, *end));
      found.rest_line = i + 1;
      break;
    }
  }
  return found;
}

TitleFound FindTitle(const std::vector<std::string_view>& lines) {
  TitleFound found = MarkedTitle(lines).value_or(ParagraphTitle(lines));
  found.title = std::string(TrimBlanks(domain::Utf8Prefix(found.title, kMaxSeedTitleLength)));
  return found;
}

// ---------------------------------------------------------------------------
// Source date
//
// The date the original carries, tried in this order, each within the first
// 40 non-blank lines (the head) unless said otherwise:
//  1. the first full date: 2022年11月11日, 2024-02-23 (also / or .),
//     "November 10, 2015", "10 November 2015";
//  2. a full date in the last 5 non-blank lines (official documents are
//     dated under their signature);
//  3. the first month and day (2月23日, "October 19") with the year printed
//     nearest after it in the head (19xx/20xx followed by 年; in English text
//     a bare 19xx/20xx), else the last one before it, else none: --MM-DD.
//     After rather than before: a dateline opens its story ("2月23日，…召开
//     2024年工作会议"), while a year above it belongs to a headline of
//     another story, as in a newsletter's front page;
//  4. the first year and month (2023年11月): YYYY-MM;
//  5. the first year: YYYY.
// Ranges keep their start (2月23日-25日 is 02-23); impossible dates are
// skipped. Years outside 1900..2099 are not dates.

using Match = std::smatch;

constexpr size_t kTailLines = 5;

std::optional<int> MonthNumber(const std::string& name) {
  static constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  std::string key = name.substr(0, 3);
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (int i = 0; i < 12; ++i) {
    if (kMonths[i] == key) return i + 1;
  }
  return std::nullopt;
}

bool IsRealDate(int year, int month, int day) {
  return year >= 1900 && year <= 2099 &&
         std::chrono::year_month_day(std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                     std::chrono::day(static_cast<unsigned>(day)))
             .ok();
}

// A month and day that exist in some year (02-29 included).
bool IsRealMonthDay(int month, int day) { return IsRealDate(2000, month, day); }

struct DateHit {
  size_t position = 0;
  int year = 0;
  int month = 0;
  int day = 0;
};

int ToInt(const std::ssub_match& group) { return std::stoi(group.str()); }

// The first match of `pattern` that `read` turns into a date.
template <typename Read>
std::optional<DateHit> FirstHit(const std::string& text, const std::regex& pattern, Read read) {
  for (auto it = std::sregex_iterator(text.begin(), text.end(), pattern); it != std::sregex_iterator(); ++it) {
    if (auto hit = read(*it)) return hit;
  }
  return std::nullopt;
}

std::optional<DateHit> Earliest(std::initializer_list<std::optional<DateHit>> hits) {
  std::optional<DateHit> best;
  for (const auto& hit : hits) {
    if (hit && (!best || hit->position < best->position)) best = hit;
  }
  return best;
}

// Full names first: the regex takes the first alternative that fits.
constexpr std::string_view kMonthNames =
    "(January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)";

std::optional<DateHit> FullDate(const std::string& text) {
  static const std::regex kChinese(
      "(^|[^0-9])([0-9]{4})[ \t]*年[ \t]*([0-9]{1,2})[ \t]*月[ \t]*([0-9]{1,2})[ \t]*(?:日|号)");
  static const std::regex kNumeric("(^|[^0-9])([0-9]{4})([-/.])([0-9]{1,2})\\3([0-9]{1,2})(?![0-9])");
  static const std::regex kMonthFirst(
      "\\b" + std::string(kMonthNames) + "\\.?[ \t]+([0-9]{1,2})(?:st|nd|rd|th)?,?[ \t]+([0-9]{4})\\b",
      std::regex::icase);
  static const std::regex kDayFirst("\\b([0-9]{1,2})[ \t]+" + std::string(kMonthNames) + "\\.?,?[ \t]+([0-9]{4})\\b",
                                    std::regex::icase);
  auto ymd = [](size_t y, size_t m, size_t d) {
    return [=](const Match& match) -> std::optional<DateHit> {
      const int year = ToInt(match[y]);
      const int month = ToInt(match[m]);
      const int day = ToInt(match[d]);
      if (!IsRealDate(year, month, day)) return std::nullopt;
      return DateHit{static_cast<size_t>(match.position(y)), year, month, day};
    };
  };
  auto named = [](size_t name, size_t d, size_t y) {
    return [=](const Match& match) -> std::optional<DateHit> {
      const auto month = MonthNumber(match[name].str());
      const int year = ToInt(match[y]);
      const int day = ToInt(match[d]);
      if (!month || !IsRealDate(year, *month, day)) return std::nullopt;
      return DateHit{static_cast<size_t>(match.position(0)), year, *month, day};
    };
  };
  return Earliest({FirstHit(text, kChinese, ymd(2, 3, 4)), FirstHit(text, kNumeric, ymd(2, 4, 5)),
                   FirstHit(text, kMonthFirst, named(1, 2, 3)), FirstHit(text, kDayFirst, named(2, 1, 3))});
}

std::optional<DateHit> MonthDay(const std::string& text) {
  static const std::regex kChinese("(^|[^0-9])([0-9]{1,2})[ \t]*月[ \t]*([0-9]{1,2})[ \t]*(?:日|号)");
  // Case matters here: "may 10" is more often a verb than a date.
  static const std::regex kEnglish("\\b" + std::string(kMonthNames) +
                                   "\\.?[ \t]+([0-9]{1,2})(?:st|nd|rd|th)?(?![0-9])");
  auto chinese = [](const Match& match) -> std::optional<DateHit> {
    const int month = ToInt(match[2]);
    const int day = ToInt(match[3]);
    if (!IsRealMonthDay(month, day)) return std::nullopt;
    return DateHit{static_cast<size_t>(match.position(2)), 0, month, day};
  };
  auto english = [](const Match& match) -> std::optional<DateHit> {
    const auto month = MonthNumber(match[1].str());
    const int day = ToInt(match[2]);
    if (!month || !IsRealMonthDay(*month, day)) return std::nullopt;
    return DateHit{static_cast<size_t>(match.position(0)), 0, *month, day};
  };
  return Earliest({FirstHit(text, kChinese, chinese), FirstHit(text, kEnglish, english)});
}

std::optional<DateHit> YearMonth(const std::string& text) {
  static const std::regex kChinese("(^|[^0-9])([0-9]{4})[ \t]*年[ \t]*([0-9]{1,2})[ \t]*月");
  return FirstHit(text, kChinese, [](const Match& match) -> std::optional<DateHit> {
    const int year = ToInt(match[2]);
    const int month = ToInt(match[3]);
    if (!IsRealDate(year, month, 1)) return std::nullopt;
    return DateHit{static_cast<size_t>(match.position(2)), year, month, 0};
  });
}

// Every year printed in `text`, in order. The end of a range (2024-2026年)
// is not a year of its own.
std::vector<DateHit> Years(const std::string& text, bool english) {
  static const std::regex kChinese("(^|[^0-9~-])((?:19|20)[0-9]{2})[ \t]*年");
  static const std::regex kBare("(^|[^0-9A-Za-z~-])((?:19|20)[0-9]{2})(?![0-9A-Za-z-])");
  std::vector<DateHit> years;
  for (const auto* pattern : {&kChinese, &kBare}) {
    if (pattern == &kBare && !english) continue;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), *pattern); it != std::sregex_iterator(); ++it) {
      years.push_back({static_cast<size_t>(it->position(2)), ToInt((*it)[2]), 0, 0});
    }
  }
  std::sort(years.begin(), years.end(), [](const DateHit& a, const DateHit& b) { return a.position < b.position; });
  return years;
}

std::optional<int> YearNear(const std::vector<DateHit>& years, size_t position) {
  std::optional<int> before;
  for (const auto& year : years) {
    if (year.position > position) return year.year;
    before = year.year;
  }
  return before;
}

std::string JoinLines(const std::vector<std::string_view>& lines, size_t first, size_t end) {
  std::string text;
  for (size_t i = first; i < end; ++i) {
    text.append(lines[i]);
    text += '\n';
  }
  return text;
}

size_t TailStart(const std::vector<std::string_view>& lines) {
  size_t seen = 0;
  for (size_t i = lines.size(); i > 0; --i) {
    if (!IsBlankLine(lines[i - 1]) && ++seen == kTailLines) return i - 1;
  }
  return 0;
}

std::string FindSourceDate(const std::vector<std::string_view>& lines, bool english) {
  const std::string head = JoinLines(lines, 0, HeadEnd(lines));
  auto iso = [](int year, int month, int day) { return fmt::format("{:04}-{:02}-{:02}", year, month, day); };
  if (auto date = FullDate(head)) return iso(date->year, date->month, date->day);
  if (auto date = FullDate(JoinLines(lines, TailStart(lines), lines.size()))) {
    return iso(date->year, date->month, date->day);
  }
  const auto years = Years(head, english);
  if (auto date = MonthDay(head)) {
    const auto year = YearNear(years, date->position);
    if (year && IsRealDate(*year, date->month, date->day)) return iso(*year, date->month, date->day);
    return fmt::format("--{:02}-{:02}", date->month, date->day);
  }
  if (auto date = YearMonth(head)) return fmt::format("{:04}-{:02}", date->year, date->month);
  if (!years.empty()) return fmt::format("{:04}", years.front().year);
  return "";
}

// ---------------------------------------------------------------------------
// Classification by keywords

std::string AsciiLower(std::string_view text) {
  std::string lowered(text);
  for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lowered;
}

bool IsAsciiWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

bool IsAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80U; });
}

// The text a keyword table looks at: as written (Chinese terms) and ASCII
// lower-cased (English terms), byte for byte the same positions.
struct Haystack {
  explicit Haystack(std::string_view t) : text(t), lowered(AsciiLower(t)) {}
  std::string_view text;
  std::string lowered;
};

// Occurrences of `term`. An English term must be a whole word, optionally
// plural ("workers"), so "dust" is not found in "industry"; a Chinese term is
// any occurrence, since Chinese has no word breaks to check.
int CountTerm(const Haystack& haystack, std::string_view term) {
  const bool english = IsAscii(term);
  const std::string key = english ? AsciiLower(term) : std::string(term);
  std::string_view text = english ? std::string_view(haystack.lowered) : haystack.text;
  int count = 0;
  for (size_t at = text.find(key); at != std::string_view::npos; at = text.find(key, at + key.size())) {
    if (english) {
      size_t end = at + key.size();
      if (end < text.size() && text[end] == 's') ++end;
      if ((at > 0 && IsAsciiWordChar(text[at - 1])) || (end < text.size() && IsAsciiWordChar(text[end]))) continue;
    }
    ++count;
  }
  return count;
}

int CountTerms(const Haystack& haystack, const std::vector<std::string_view>& terms) {
  int count = 0;
  for (auto term : terms) count += CountTerm(haystack, term);
  return count;
}

struct KeywordRule {
  int value;
  std::vector<std::string_view> terms;
};

// One mention may be a passing remark; a subject comes up again.
constexpr int kMinMentions = 2;

std::vector<int> Matching(const Haystack& haystack, const std::vector<KeywordRule>& rules) {
  std::vector<int> values;
  for (const auto& rule : rules) {
    if (CountTerms(haystack, rule.terms) >= kMinMentions) values.push_back(rule.value);
  }
  return values;
}

const std::vector<KeywordRule>& HazardRules() {
  static const std::vector<KeywordRule> rules = {
      {common::v1::HAZARD_CATEGORY_DUST, {"粉尘", "尘肺", "矽肺", "dust", "pneumoconiosis", "silicosis"}},
      {common::v1::HAZARD_CATEGORY_CHEMICAL,
       {"化学", "毒物", "中毒", "防毒", "有毒", "危化品", "chemical", "toxic", "poisoning"}},
      {common::v1::HAZARD_CATEGORY_PHYSICAL, {"噪声", "噪音", "高温", "振动", "noise", "heat stress", "vibration"}},
      {common::v1::HAZARD_CATEGORY_RADIOACTIVE, {"放射", "电离辐射", "radiation", "radioactive", "ionizing"}},
      {common::v1::HAZARD_CATEGORY_BIOLOGICAL, {"生物因素", "布鲁氏菌", "炭疽", "biological"}},
  };
  return rules;
}

const std::vector<KeywordRule>& AudienceRules() {
  static const std::vector<KeywordRule> rules = {
      {v1::AUDIENCE_PUBLIC, {"社会公众", "公众", "the public"}},
      {v1::AUDIENCE_EMPLOYERS, {"用人单位", "企业", "employer", "enterprise"}},
      {v1::AUDIENCE_WORKERS, {"劳动者", "职工", "工人", "worker", "employee"}},
      {v1::AUDIENCE_MIGRANT_WORKERS, {"农民工", "务工人员", "migrant"}},
      {v1::AUDIENCE_TEACHERS, {"教师", "teacher"}},
      {v1::AUDIENCE_MEDICAL_STAFF, {"医务", "医疗卫生人员", "医护人员", "medical staff", "medical worker"}},
      {v1::AUDIENCE_INDUSTRIAL_WORKERS, {"工业企业工人", "产业工人", "industrial worker"}},
      {v1::AUDIENCE_CONSTRUCTION_WORKERS, {"建筑工人", "建筑工地", "建筑施工", "construction worker", "construction site"}},
      {v1::AUDIENCE_SANITATION_WORKERS, {"环卫", "下水道", "sanitation", "sewer"}},
      {v1::AUDIENCE_PLATFORM_WORKERS, {"新就业形态", "外卖", "快递员", "网约车", "platform worker", "gig worker", "courier"}},
      {v1::AUDIENCE_OSH_PROFESSIONALS,
       {"技术服务机构", "职业卫生专家", "专家库", "监管人员", "执法人员", "inspector", "safety supervision"}},
  };
  return rules;
}

// Field terms worth a tag, as they are shown.
constexpr std::string_view kTagTerms[] = {
    "职业病",       "职业健康",     "职业卫生",     "职业病防治",   "三项行动",     "尘肺病",
    "职业病危害",   "安全生产",     "应急管理",     "健康企业",     "职业健康素养", "中小微企业",
    "分级分类监管", "科普",         "HSE",          "occupational health", "occupational disease",
    "work safety",  "safety production", "pneumoconiosis", "emergency management", "safety supervision",
};
constexpr size_t kMaxTags = 8;

// The most mentioned field terms first; ties in the order of the list.
std::vector<std::string_view> Tags(const Haystack& haystack) {
  std::vector<std::pair<int, std::string_view>> found;
  for (auto term : kTagTerms) {
    if (int count = CountTerm(haystack, term); count > 0) found.emplace_back(count, term);
  }
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string_view> tags;
  for (size_t i = 0; i < found.size() && i < kMaxTags; ++i) tags.push_back(found[i].second);
  return tags;
}

bool Mentions(const Haystack& haystack, std::initializer_list<std::string_view> terms) {
  return std::any_of(terms.begin(), terms.end(), [&](std::string_view t) { return CountTerm(haystack, t) > 0; });
}

// A title ending in 法 names a law, unless the 法 is part of a common word.
bool EndsWithLaw(std::string_view title) {
  if (!title.ends_with("法")) return false;
  for (std::string_view word : {"方法", "做法", "看法", "想法", "说法", "手法"}) {
    if (title.ends_with(word)) return false;
  }
  return true;
}

// From the title alone: what a text is is in its name. 法 by itself is too
// common a character (执法, 方法), so a law is a title ending in 法 or naming
// one in 《…法》.
v1::ArticleCategory CategoryOf(std::string_view title) {
  const Haystack haystack(title);
  if (Mentions(haystack, {"讲话", "意见", "通知", "方案", "规划", "policy", "speech"})) {
    return v1::ARTICLE_CATEGORY_POLICY;
  }
  if (Mentions(haystack, {"法律", "法规", "办法", "条例", "标准", "法》", "regulation", "standard", "law"}) ||
      EndsWithLaw(title)) {
    return v1::ARTICLE_CATEGORY_REGULATION;
  }
  if (Mentions(haystack, {"科普", "popular science"})) return v1::ARTICLE_CATEGORY_SCIENCE;
  return v1::ARTICLE_CATEGORY_NEWS;
}

constexpr int kChineseShareDivisor = 5;  // CJK ideographs >= 1/5 of the letters

std::string LocaleOf(std::string_view body) {
  size_t letters = 0;
  size_t ideographs = 0;
  for (size_t i = 0; i < body.size();) {
    const char32_t c = Decode(body, i);
    letters += IsLetter(c);
    ideographs += IsIdeograph(c);
  }
  return letters > 0 && ideographs * kChineseShareDivisor >= letters ? "zh-CN" : "en";
}

// ---------------------------------------------------------------------------
// Summary

bool IsSentenceEnd(char32_t c) { return c == U'。' || c == U'！' || c == U'？' || c == '!' || c == '?'; }

bool IsClauseBreak(char32_t c) {
  return c == U'，' || c == U'；' || c == U'、' || c == U'：' || c == ',' || c == ';' || c == ':' || c == ' ';
}

bool IsClosingQuote(char32_t c) {
  return c == U'”' || c == U'’' || c == U'」' || c == U'』' || c == U'）' || c == ')' || c == '"';
}

// Headlines, captions and mastheads have no punctuation inside; the summary
// starts at the first line that reads as prose.
bool ReadsAsProse(std::string_view line) {
  for (size_t i = 0; i < line.size();) {
    const char32_t c = Decode(line, i);
    if (IsSentenceEnd(c) || (IsClauseBreak(c) && c != ' ' && c != ':' && c != U'：')) return true;
    if (c == '.' && (i == line.size() || line[i] == ' ')) return true;
  }
  return false;
}

// Up to `limit` code points of `text`: whole sentences when the first
// sentences fit, else cut at a clause break (or anywhere) and marked with "…".
std::string CutSummary(std::string_view text, size_t limit) {
  size_t count = 0;
  size_t sentence_end = 0;
  size_t sentence_count = 0;
  size_t clause_break = 0;
  for (size_t i = 0; i < text.size() && count < limit;) {
    const size_t start = i;
    const char32_t c = Decode(text, i);
    ++count;
    // A full stop ends a sentence before a space, not inside 3.5 or a URL.
    const bool latin_stop =
        c == '.' && (i == text.size() || text[i] == ' ' || IsClosingQuote(FirstCodePoint(text.substr(i))));
    if (IsSentenceEnd(c) || latin_stop) {
      while (i < text.size() && count < limit && IsClosingQuote(FirstCodePoint(text.substr(i)))) {
        Decode(text, i);
        ++count;
      }
      sentence_end = i;
      sentence_count = count;
    } else if (IsClauseBreak(c)) {
      clause_break = start;
    }
  }
  if (domain::Utf8Length(text) <= limit) return std::string(text);
  if (sentence_end > 0 && sentence_count * 4 >= limit) return std::string(TrimBlanks(text.substr(0, sentence_end)));
  if (clause_break > 0) return std::string(TrimBlanks(text.substr(0, clause_break))) + "…";
  return std::string(domain::Utf8Prefix(text, limit)) + "…";
}

std::string SummaryOf(const std::vector<std::string_view>& lines, const TitleFound& title) {
  std::string flat;
  bool started = false;
  const size_t enough = 4 * kSeedSummaryLength;  // code points, before cutting
  for (size_t i = title.rest_line; i < lines.size() && domain::Utf8Length(flat) < enough; ++i) {
    std::string_view line = lines[i];
    if (i == title.rest_line) line.remove_prefix(std::min(title.rest_offset, line.size()));
    if (!started && !ReadsAsProse(line)) continue;
    started = true;
    AppendJoined(flat, line);
  }
  std::string_view text = TrimDecoration(flat);
  // Web pages repeat the title as the first line of the text.
  if (!title.title.empty() && text.starts_with(title.title)) text = TrimDecoration(text.substr(title.title.size()));
  return CutSummary(text, kSeedSummaryLength);
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr) != 1) return "";
  std::string hex;
  hex.reserve(2 * size);
  for (unsigned int i = 0; i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::optional<SeedArticle> ParseSeed(std::string_view file_name, std::string_view text, std::string* error) {
  auto fail = [&](std::string message) -> std::optional<SeedArticle> {
    if (error) *error = fmt::format("{}: {}", file_name, message);
    return std::nullopt;
  };
  if (auto bad = domain::Utf8Error(text)) return fail(*bad);
  std::string body = NormaliseBody(text);
  if (body.empty()) return fail("no text");

  const auto lines = Lines(body);
  const TitleFound title = FindTitle(lines);
  const Haystack haystack(body);
  SeedArticle seed;
  seed.file_name = std::string(file_name);
  seed.sha256_hex = Sha256Hex(text);
  v1::ArticleContent& c = seed.content;
  c.set_title(title.title);
  c.set_summary(SummaryOf(lines, title));
  c.set_locale(LocaleOf(body));
  c.set_source_date(FindSourceDate(lines, c.locale() == "en"));
  c.set_category(CategoryOf(title.title));
  for (int value : Matching(haystack, AudienceRules())) c.add_audiences(static_cast<v1::Audience>(value));
  for (int value : Matching(haystack, HazardRules())) {
    c.add_hazard_categories(static_cast<common::v1::HazardCategory>(value));
  }
  for (auto tag : Tags(haystack)) c.add_tags(std::string(tag));
  c.set_source(fmt::format("seed:{}", file_name));
  c.set_body_format(v1::BODY_FORMAT_PLAIN_TEXT);
  c.set_body(std::move(body));
  return seed;
}

}  // namespace osh::content
