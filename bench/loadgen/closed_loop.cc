#include "closed_loop.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <memory>
#include <mutex>

namespace osh::bench {

double LoadResult::PercentileMs(double p) const {
  if (latencies_ms.empty()) return 0;
  std::vector<double> sorted = latencies_ms;
  std::sort(sorted.begin(), sorted.end());
  const size_t rank = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(rank, sorted.size() - 1)];
}

namespace {

struct LoopState {
  std::mutex mu;
  std::condition_variable idle;
  LoadResult result;
  int in_flight = 0;
  std::atomic<uint64_t> next{0};
  std::chrono::steady_clock::time_point deadline;
  uint64_t max_calls = 0;
  const IssueFn* issue = nullptr;
};

void IssueNext(const std::shared_ptr<LoopState>& st) {
  const uint64_t n = st->next.fetch_add(1);
  if (n >= st->max_calls || std::chrono::steady_clock::now() >= st->deadline) {
    std::lock_guard lock(st->mu);
    if (--st->in_flight == 0) st->idle.notify_all();
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  (*st->issue)(n, [st, start](bool ok, const std::string& error) {
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    {
      std::lock_guard lock(st->mu);
      if (ok) {
        ++st->result.ok;
        st->result.latencies_ms.push_back(ms);
      } else {
        ++st->result.failed;
        if (st->result.first_error.empty()) st->result.first_error = error;
      }
    }
    IssueNext(st);
  });
}

}  // namespace

LoadResult RunClosedLoop(int concurrency, std::chrono::milliseconds duration, uint64_t max_calls,
                         const IssueFn& issue) {
  auto st = std::make_shared<LoopState>();
  st->issue = &issue;
  st->max_calls = max_calls;
  const auto start = std::chrono::steady_clock::now();
  st->deadline = start + duration;
  st->in_flight = concurrency;
  for (int i = 0; i < concurrency; ++i) IssueNext(st);
  std::unique_lock lock(st->mu);
  st->idle.wait(lock, [&] { return st->in_flight == 0; });
  st->result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return std::move(st->result);
}

nlohmann::json Summary(const std::string& name, int concurrency, const LoadResult& r) {
  return {{"bench", name},
          {"concurrency", concurrency},
          {"ok", r.ok},
          {"failed", r.failed},
          {"seconds", std::round(r.seconds * 100) / 100},
          {"rate_per_s", std::round(r.Rate() * 10) / 10},
          {"p50_ms", std::round(r.PercentileMs(50) * 1000) / 1000},
          {"p99_ms", std::round(r.PercentileMs(99) * 1000) / 1000},
          {"first_error", r.first_error}};
}

}  // namespace osh::bench
