#include "osh/core/trace.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <thread>

#include "osh/core/log.h"

namespace osh::core {
namespace {

constexpr char kExample[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";  // the specification's

TEST(TraceTest, TheSpecificationsExampleParsesAndFormatsBack) {
  auto t = ParseTraceparent(kExample);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(t->span_id, "00f067aa0ba902b7");
  EXPECT_EQ(t->flags, "01");
  EXPECT_EQ(t->Traceparent(), kExample);
}

TEST(TraceTest, MalformedHeadersAreRefused) {
  for (const char* bad : {"", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",           // no flags
                          "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",           // upper case
                          "00-00000000000000000000000000000000-00f067aa0ba902b7-01",           // zero trace id
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",           // zero parent id
                          "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",           // version ff
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",     // 00 has 4 fields
                          "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01"}) {
    EXPECT_FALSE(ParseTraceparent(bad)) << bad;
  }
  // A later version is read by its first four fields.
  EXPECT_TRUE(ParseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-more"));
}

TEST(TraceTest, AChildKeepsTheTraceWithANewSpanAndAMalformedParentStartsANewTrace) {
  const auto child = ContinueOrStartTrace(kExample);
  EXPECT_EQ(child.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_NE(child.span_id, "00f067aa0ba902b7");
  EXPECT_TRUE(ParseTraceparent(child.Traceparent()));
  const auto fresh = ContinueOrStartTrace("garbage");
  EXPECT_NE(fresh.trace_id, child.trace_id);
  EXPECT_TRUE(ParseTraceparent(fresh.Traceparent())) << fresh.Traceparent();
  EXPECT_NE(NewTrace().trace_id, NewTrace().trace_id);
}

TEST(TraceTest, LogLinesCarryTheCurrentTraceOfTheirThreadOnly) {
  log::Init("registry", "44");
  const TraceContext trace = NewTrace();
  {
    ScopedTrace scope(trace);
    auto line = nlohmann::json::parse(log::Render(log::Level::kInfo, "applied", {}));
    EXPECT_EQ(line["trace_id"], trace.trace_id);
    EXPECT_EQ(line["span_id"], trace.span_id);
    std::thread([] {
      EXPECT_FALSE(nlohmann::json::parse(log::Render(log::Level::kInfo, "other thread", {})).contains("trace_id"));
    }).join();
    {
      const TraceContext inner = ChildSpan(trace);
      ScopedTrace nested(inner);
      EXPECT_EQ(CurrentTrace()->span_id, inner.span_id);
    }
    EXPECT_EQ(CurrentTrace()->span_id, trace.span_id);
  }
  EXPECT_EQ(CurrentTrace(), nullptr);
  EXPECT_FALSE(nlohmann::json::parse(log::Render(log::Level::kInfo, "after", {})).contains("trace_id"));
}

}  // namespace
}  // namespace osh::core
