#include "osh/core/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace osh::core {
namespace {

std::string EscapeLabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string FormatValue(double v) {
  if (v == static_cast<double>(static_cast<int64_t>(v))) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{}", v);
}

// Adds one label to an already-rendered label set: `{a="x"}` + le → `{a="x",le="0.5"}`.
std::string WithLabel(const std::string& rendered, std::string_view name, std::string_view value) {
  std::string extra = fmt::format("{}=\"{}\"", name, value);
  if (rendered.empty()) return "{" + extra + "}";
  return rendered.substr(0, rendered.size() - 1) + "," + extra + "}";
}

}  // namespace

void Counter::Inc(double by) {
  double cur = value_.load();
  while (!value_.compare_exchange_weak(cur, cur + by)) {
  }
}

void Gauge::Add(double by) {
  double cur = value_.load();
  while (!value_.compare_exchange_weak(cur, cur + by)) {
  }
}

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {
  std::sort(bounds_.begin(), bounds_.end());
}

void Histogram::Observe(double v) {
  auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  size_t idx = static_cast<size_t>(it - bounds_.begin());
  std::lock_guard lock(mu_);
  ++counts_[idx];
  sum_ += v;
  ++count_;
}

Histogram::Snapshot Histogram::Read() const {
  std::lock_guard lock(mu_);
  Snapshot s{bounds_, {}, sum_, count_};
  uint64_t running = 0;
  for (uint64_t c : counts_) {
    running += c;
    s.cumulative.push_back(running);
  }
  return s;
}

std::vector<double> DefaultLatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::string RenderLabels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ",";
    first = false;
    out += k + "=\"" + EscapeLabelValue(v) + "\"";
  }
  return out + "}";
}

MetricsRegistry::Family& MetricsRegistry::GetFamily(std::string_view name, std::string_view help, Kind kind) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{kind, std::string(help), {}, {}, {}}).first;
  } else if (it->second.kind != kind) {
    throw std::logic_error("metric '" + std::string(name) + "' registered with two kinds");
  }
  return it->second;
}

Counter& MetricsRegistry::GetCounter(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& fam = GetFamily(name, help, Kind::kCounter);
  auto& slot = fam.counters[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& MetricsRegistry::GetGauge(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& fam = GetFamily(name, help, Kind::kGauge);
  auto& slot = fam.gauges[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& MetricsRegistry::GetHistogram(std::string_view name, std::string_view help, const Labels& labels,
                                         const std::vector<double>& bounds) {
  std::lock_guard lock(mu_);
  auto& fam = GetFamily(name, help, Kind::kHistogram);
  auto& slot = fam.histograms[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Histogram>(bounds);
  return *slot;
}

std::string MetricsRegistry::RenderText() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, fam] : families_) {
    const char* type = fam.kind == Kind::kCounter ? "counter" : fam.kind == Kind::kGauge ? "gauge" : "histogram";
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, fam.help, name, type);
    for (const auto& [labels, c] : fam.counters) out += fmt::format("{}{} {}\n", name, labels, FormatValue(c->Value()));
    for (const auto& [labels, g] : fam.gauges) out += fmt::format("{}{} {}\n", name, labels, FormatValue(g->Value()));
    for (const auto& [labels, h] : fam.histograms) {
      auto s = h->Read();
      for (size_t i = 0; i < s.bounds.size(); ++i) {
        out += fmt::format("{}_bucket{} {}\n", name, WithLabel(labels, "le", FormatValue(s.bounds[i])),
                           s.cumulative[i]);
      }
      out += fmt::format("{}_bucket{} {}\n", name, WithLabel(labels, "le", "+Inf"), s.cumulative.back());
      out += fmt::format("{}_sum{} {}\n", name, labels, FormatValue(s.sum));
      out += fmt::format("{}_count{} {}\n", name, labels, s.count);
    }
  }
  return out;
}

}  // namespace osh::core
