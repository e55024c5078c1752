// Line diffs of article bodies: hunks, line numbers, context, and the bounded
// fallback for texts that differ everywhere.
#include "text_diff.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <sstream>

namespace osh::content {
namespace {

using Kind = DiffLineOut::Kind;

std::string Numbered(int count, const std::string& prefix = "line ") {
  std::string text;
  for (int i = 1; i <= count; ++i) text += prefix + std::to_string(i) + "\n";
  return text;
}

std::string Show(const std::vector<DiffLineOut>& diff) {
  std::ostringstream out;
  for (const auto& line : diff) {
    const char mark = line.kind == Kind::kContext ? ' ' : line.kind == Kind::kAdded ? '+' : '-';
    out << mark << line.from_line << ',' << line.to_line << ' ' << line.text << '\n';
  }
  return out.str();
}

// Rebuilds `to` from `from` and a diff with any amount of context: lines the
// diff leaves out are copied from `from`. Fails the test when the diff does
// not fit `from` (wrong text or line numbers out of order).
std::string Apply(std::string_view from, const std::vector<DiffLineOut>& diff) {
  const auto from_lines = SplitLines(from);
  std::vector<std::string> to_lines;
  size_t next = 0;  // 0-based index of the next line of `from` not yet used
  auto copy_until = [&](size_t end) {
    for (; next < end && next < from_lines.size(); ++next) to_lines.emplace_back(from_lines[next]);
  };
  for (const auto& line : diff) {
    if (line.kind == Kind::kAdded) {
      EXPECT_EQ(line.from_line, 0);
      // Unchanged lines the diff left out come first.
      while (to_lines.size() + 1 < static_cast<size_t>(line.to_line) && next < from_lines.size()) {
        to_lines.emplace_back(from_lines[next++]);
      }
      EXPECT_EQ(static_cast<size_t>(line.to_line), to_lines.size() + 1) << line.text;
      to_lines.push_back(line.text);
      continue;
    }
    EXPECT_GE(static_cast<size_t>(line.from_line), next + 1) << line.text;
    copy_until(static_cast<size_t>(line.from_line) - 1);
    EXPECT_LT(next, from_lines.size());
    if (next >= from_lines.size()) break;
    EXPECT_EQ(line.text, from_lines[next]);
    if (line.kind == Kind::kContext) {
      EXPECT_EQ(static_cast<size_t>(line.to_line), to_lines.size() + 1) << line.text;
      to_lines.push_back(line.text);
    } else {
      EXPECT_EQ(line.to_line, 0);
    }
    ++next;
  }
  copy_until(from_lines.size());
  std::string text;
  for (const auto& line : to_lines) text += line + "\n";
  return text;
}

int CountChanged(const std::vector<DiffLineOut>& diff) {
  int changed = 0;
  for (const auto& line : diff) changed += line.kind != Kind::kContext;
  return changed;
}

// The fewest lines to add and remove, by dynamic programming on the longest
// common subsequence: the reference the search must match when unbounded.
int MinimalEdits(std::string_view from, std::string_view to) {
  const auto a = SplitLines(from);
  const auto b = SplitLines(to);
  std::vector<std::vector<int>> lcs(a.size() + 1, std::vector<int>(b.size() + 1, 0));
  for (size_t i = a.size(); i-- > 0;) {
    for (size_t j = b.size(); j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  return static_cast<int>(a.size() + b.size()) - 2 * lcs[0][0];
}

TEST(DiffLinesTest, EqualTextsHaveNoDiff) {
  EXPECT_TRUE(DiffLines("", "").empty());
  EXPECT_TRUE(DiffLines(Numbered(50), Numbered(50)).empty());
  // A final newline only ends the last line.
  EXPECT_TRUE(DiffLines("a\nb\n", "a\nb").empty());
}

TEST(DiffLinesTest, InsertionShowsThreeLinesOfContextEachSide) {
  std::string to = Numbered(5) + "inserted\n" + Numbered(10).substr(Numbered(5).size());
  EXPECT_EQ(Show(DiffLines(Numbered(10), to)),
            " 3,3 line 3\n"
            " 4,4 line 4\n"
            " 5,5 line 5\n"
            "+0,6 inserted\n"
            " 6,7 line 6\n"
            " 7,8 line 7\n"
            " 8,9 line 8\n");
}

TEST(DiffLinesTest, DeletionNumbersBothSides) {
  std::string from = Numbered(10);
  std::string to = Numbered(4) + from.substr(Numbered(6).size());  // drops lines 5 and 6
  EXPECT_EQ(Show(DiffLines(from, to)),
            " 2,2 line 2\n"
            " 3,3 line 3\n"
            " 4,4 line 4\n"
            "-5,0 line 5\n"
            "-6,0 line 6\n"
            " 7,5 line 7\n"
            " 8,6 line 8\n"
            " 9,7 line 9\n");
}

TEST(DiffLinesTest, ReplacementListsRemovedBeforeAdded) {
  EXPECT_EQ(Show(DiffLines("a\nb\nc\nd\ne\nf\ng\nh\n", "a\nb\nc\nd\nX\nY\nf\ng\nh\n")),
            " 2,2 b\n"
            " 3,3 c\n"
            " 4,4 d\n"
            "-5,0 e\n"
            "+0,5 X\n"
            "+0,6 Y\n"
            " 6,7 f\n"
            " 7,8 g\n"
            " 8,9 h\n");
}

TEST(DiffLinesTest, DistantChangesAreSeparateHunks) {
  std::string from = Numbered(30);
  std::string to = from;
  to.replace(to.find("line 5\n"), 7, "five\n");
  to.replace(to.find("line 25\n"), 8, "twenty-five\n");
  const auto diff = DiffLines(from, to);
  EXPECT_EQ(Show(diff),
            " 2,2 line 2\n"
            " 3,3 line 3\n"
            " 4,4 line 4\n"
            "-5,0 line 5\n"
            "+0,5 five\n"
            " 6,6 line 6\n"
            " 7,7 line 7\n"
            " 8,8 line 8\n"
            " 22,22 line 22\n"
            " 23,23 line 23\n"
            " 24,24 line 24\n"
            "-25,0 line 25\n"
            "+0,25 twenty-five\n"
            " 26,26 line 26\n"
            " 27,27 line 27\n"
            " 28,28 line 28\n");
}

TEST(DiffLinesTest, ChangesCloserThanTwiceTheContextShareOneHunk) {
  std::string from = Numbered(20);
  std::string to = from;
  to.replace(to.find("line 5\n"), 7, "five\n");
  to.replace(to.find("line 11\n"), 8, "eleven\n");  // 5 unchanged lines between
  const auto diff = DiffLines(from, to);
  ASSERT_EQ(diff.size(), 3u + 2 + 5 + 2 + 3) << Show(diff);
  for (int line = 6; line <= 10; ++line) {
    EXPECT_NE(Show(diff).find(" line " + std::to_string(line) + "\n"), std::string::npos) << line;
  }
}

TEST(DiffLinesTest, ContextIsClippedAtTheEdgesAndCanBeZero) {
  EXPECT_EQ(Show(DiffLines("a\nb\nc\n", "A\nb\nc\n")),
            "-1,0 a\n"
            "+0,1 A\n"
            " 2,2 b\n"
            " 3,3 c\n");
  EXPECT_EQ(Show(DiffLines("a\nb\nc\n", "a\nb\nC\n", 0)),
            "-3,0 c\n"
            "+0,3 C\n");
}

TEST(DiffLinesTest, EmptySideIsAllAddedOrAllRemoved) {
  EXPECT_EQ(Show(DiffLines("", "x\ny\n")), "+0,1 x\n+0,2 y\n");
  EXPECT_EQ(Show(DiffLines("x\ny", "")), "-1,0 x\n-2,0 y\n");
}

TEST(DiffLinesTest, CarriageReturnStaysPartOfTheLine) {
  EXPECT_EQ(Show(DiffLines("a\r\nb\r\n", "a\r\nc\r\n")),
            " 1,1 a\r\n"
            "-2,0 b\r\n"
            "+0,2 c\r\n");
}

TEST(DiffLinesTest, ChineseLines) {
  const std::string from = "职业病防治\n三项行动\n申报扩面\n中小微企业帮扶\n提质合规\n";
  const std::string to = "职业病防治\n三项行动\n申报扩面工作\n中小微企业帮扶\n提质合规\n科普资源库\n";
  EXPECT_EQ(Show(DiffLines(from, to)),
            " 1,1 职业病防治\n"
            " 2,2 三项行动\n"
            "-3,0 申报扩面\n"
            "+0,3 申报扩面工作\n"
            " 4,4 中小微企业帮扶\n"
            " 5,5 提质合规\n"
            "+0,6 科普资源库\n");
}

// How long these take is measured by bench/text_diff_bench.sh, not asserted here.
TEST(DiffLinesTest, LongTextWithTwoEditsIsExact) {
  const std::string from = Numbered(30000);
  std::string to = from;
  to.replace(to.find("line 7000\n"), 10, "seven thousand\n");
  to.erase(to.find("line 23000\n"), 11);
  const auto diff = DiffLines(from, to);
  ASSERT_EQ(diff.size(), 3u + 2 + 3 + 3 + 1 + 3) << Show(diff);
  EXPECT_EQ(diff[3].kind, Kind::kRemoved);
  EXPECT_EQ(diff[3].from_line, 7000);
  EXPECT_EQ(diff[4].kind, Kind::kAdded);
  EXPECT_EQ(diff[4].to_line, 7000);
  EXPECT_EQ(diff[11].kind, Kind::kRemoved);
  EXPECT_EQ(diff[11].text, "line 23000");
  EXPECT_EQ(diff[11].from_line, 23000);
  EXPECT_EQ(diff[12].to_line, 23000);  // the line after the deleted one moved up
  EXPECT_EQ(Apply(from, diff), to);
}

TEST(DiffLinesTest, OverTheLimitFallsBackToACorrectDiff) {
  // Every other line differs: the minimal diff needs 3,000 edits.
  std::string from;
  std::string to;
  for (int i = 0; i < 1500; ++i) {
    from += "same " + std::to_string(i) + "\nold " + std::to_string(i) + "\n";
    to += "same " + std::to_string(i) + "\nnew " + std::to_string(i) + "\n";
  }
  const auto diff = DiffLines(from, to, 1000000, 100);
  EXPECT_EQ(Apply(from, diff), to);
  EXPECT_GT(CountChanged(diff), 3000);  // not minimal, but complete
  // Up to the limit the search still pairs lines minimally.
  EXPECT_EQ(diff[0].kind, Kind::kContext);
  EXPECT_EQ(diff[0].text, "same 0");
  EXPECT_EQ(diff[1].kind, Kind::kRemoved);
  EXPECT_EQ(diff[2].kind, Kind::kAdded);
  EXPECT_EQ(diff[3].text, "same 1");
  EXPECT_EQ(diff[3].kind, Kind::kContext);
}

TEST(DiffLinesTest, TextsThatShareNothingAreAllChanged) {
  const std::string from = Numbered(30000, "old ");
  const std::string to = Numbered(30000, "new ");
  const auto diff = DiffLines(from, to);
  EXPECT_EQ(CountChanged(diff), 60000);
  EXPECT_EQ(Apply(from, diff), to);
}

TEST(DiffLinesTest, ZeroLimitStillGivesACorrectDiff) {
  const std::string from = "a\nb\nc\nd\n";
  const std::string to = "a\nx\nc\nd\ny\n";
  const auto diff = DiffLines(from, to, 100, 0);
  EXPECT_EQ(Apply(from, diff), to);
  EXPECT_EQ(diff.front().text, "a");  // the common head is never part of the fallback
}

// Random small texts: the diff always rebuilds `to`, and is minimal whenever
// the limit allows it.
TEST(DiffLinesTest, RandomTextsRoundTripAndAreMinimal) {
  std::mt19937 random(20240223);
  auto random_text = [&random] {
    std::string text;
    const int lines = std::uniform_int_distribution<int>(0, 25)(random);
    for (int i = 0; i < lines; ++i) text += std::string(1, static_cast<char>('a' + random() % 4)) + "\n";
    return text;
  };
  for (int round = 0; round < 400; ++round) {
    const std::string from = random_text();
    const std::string to = random_text();
    const int context = static_cast<int>(random() % 4);
    const auto diff = DiffLines(from, to, context);
    ASSERT_EQ(Apply(from, diff), to) << "from:\n" << from << "to:\n" << to << "diff:\n" << Show(diff);
    ASSERT_EQ(CountChanged(diff), MinimalEdits(from, to)) << "from:\n" << from << "to:\n" << to;
    const auto bounded = DiffLines(from, to, context, static_cast<int>(random() % 6));
    ASSERT_EQ(Apply(from, bounded), to) << "from:\n" << from << "to:\n" << to << "diff:\n" << Show(bounded);
  }
}

}  // namespace
}  // namespace osh::content
