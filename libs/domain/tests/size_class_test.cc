#include "osh/domain/size_class.h"

#include <string_view>

#include <gtest/gtest.h>

namespace osh::domain {
namespace {

// Mirrors osh.common.v1.SizeClass; the services cast between the two.
static_assert(static_cast<int>(SizeClass::kUnspecified) == 0);
static_assert(static_cast<int>(SizeClass::kLarge) == 1);
static_assert(static_cast<int>(SizeClass::kMedium) == 2);
static_assert(static_cast<int>(SizeClass::kSmall) == 3);
static_assert(static_cast<int>(SizeClass::kMicro) == 4);

TEST(SizeClassTest, FourClassesLargestFirst) {
  const auto classes = AllSizeClasses();
  ASSERT_EQ(classes.size(), 4u);
  for (std::size_t i = 0; i < classes.size(); ++i) {
    EXPECT_EQ(static_cast<int>(classes[i].size_class), static_cast<int>(i) + 1);
    EXPECT_EQ(FindSizeClass(classes[i].size_class), &classes[i]);
  }
  EXPECT_EQ(FindSizeClass(SizeClass::kMicro)->name_zh, "微型");
  EXPECT_EQ(FindSizeClass(SizeClass::kUnspecified), nullptr);
}

TEST(SizeClassTest, NamesRoundTrip) {
  struct Case {
    SizeClass size_class;
    std::string_view name;
  };
  const Case cases[] = {{SizeClass::kLarge, "large"},
                        {SizeClass::kMedium, "medium"},
                        {SizeClass::kSmall, "small"},
                        {SizeClass::kMicro, "micro"}};
  for (const Case& c : cases) {
    EXPECT_EQ(SizeClassName(c.size_class), c.name);
    EXPECT_EQ(ParseSizeClass(c.name), c.size_class);
  }
}

TEST(SizeClassTest, UnspecifiedAndUnknown) {
  EXPECT_EQ(SizeClassName(SizeClass::kUnspecified), "unspecified");
  EXPECT_EQ(SizeClassName(static_cast<SizeClass>(9)), "unknown");
  for (std::string_view bad : {"", "Large", "LARGE", "unspecified", "unknown", "大型", "tiny"}) {
    EXPECT_EQ(ParseSizeClass(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace osh::domain
