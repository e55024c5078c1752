#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace osh::core {

using Labels = std::map<std::string, std::string>;

class Counter {
 public:
  void Inc(double by = 1.0);
  double Value() const { return value_.load(); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v); }
  void Add(double by);
  double Value() const { return value_.load(); }

 private:
  std::atomic<double> value_{0};
};

// Cumulative histogram in the Prometheus sense: bucket i counts observations <= bounds[i].
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf
    double sum;
    uint64_t count;
  };
  Snapshot Read() const;

 private:
  std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::vector<uint64_t> counts_;  // per bucket, non-cumulative, last = +Inf
  double sum_ = 0;
  uint64_t count_ = 0;
};

// Latency buckets in seconds, from 0.5 ms to 10 s.
std::vector<double> DefaultLatencyBuckets();

// Holds every metric of one process and renders the Prometheus text format.
// Lookups return references that stay valid for the registry's lifetime, so hot
// paths may cache them.
class MetricsRegistry {
 public:
  Counter& GetCounter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& GetHistogram(std::string_view name, std::string_view help, const Labels& labels = {},
                          const std::vector<double>& bounds = DefaultLatencyBuckets());
  std::string RenderText() const;

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Family {
    Kind kind;
    std::string help;
    std::map<std::string, std::unique_ptr<Counter>> counters;  // key: rendered labels
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
  };
  Family& GetFamily(std::string_view name, std::string_view help, Kind kind);

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
};

// Renders `{a="x",b="y"}` with Prometheus escaping; empty labels render as "".
std::string RenderLabels(const Labels& labels);

}  // namespace osh::core
