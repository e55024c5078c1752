#include "osh/core/metrics.h"

#include <gtest/gtest.h>

namespace osh::core {
namespace {

TEST(MetricsTest, CounterRendersWithLabels) {
  MetricsRegistry r;
  r.GetCounter("calls_total", "calls", {{"method", "/a"}, {"code", "OK"}}).Inc();
  r.GetCounter("calls_total", "calls", {{"method", "/a"}, {"code", "OK"}}).Inc(2);
  const auto text = r.RenderText();
  EXPECT_NE(text.find("# TYPE calls_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("calls_total{code=\"OK\",method=\"/a\"} 3\n"), std::string::npos) << text;
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  MetricsRegistry r;
  auto& h = r.GetHistogram("lat_seconds", "latency", {}, {0.1, 1.0});
  h.Observe(0.05);
  h.Observe(0.5);
  h.Observe(5);
  const auto text = r.RenderText();
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"0.1\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"1\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_count 3\n"), std::string::npos) << text;
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  EXPECT_EQ(RenderLabels({{"a", "x\"y\\z\n"}}), "{a=\"x\\\"y\\\\z\\n\"}");
}

TEST(MetricsTest, OneNameCannotBeTwoKinds) {
  MetricsRegistry r;
  r.GetCounter("m", "h");
  EXPECT_THROW(r.GetGauge("m", "h"), std::logic_error);
}

}  // namespace
}  // namespace osh::core
