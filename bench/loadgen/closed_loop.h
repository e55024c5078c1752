#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace osh::bench {

struct LoadResult {
  uint64_t ok = 0;
  uint64_t failed = 0;
  double seconds = 0;
  std::vector<double> latencies_ms;  // of successful calls
  std::string first_error;

  double Rate() const { return seconds > 0 ? static_cast<double>(ok) / seconds : 0; }
  double PercentileMs(double p) const;
};

// Keeps `concurrency` calls in flight for `duration` (or until `max_calls`):
// each completion starts the next call at once (a closed loop, as a pool of
// clients would). `issue(n, done)` starts call number n asynchronously and must
// invoke done(ok, error) exactly once, from any thread.
using IssueFn = std::function<void(uint64_t n, std::function<void(bool ok, const std::string& error)> done)>;
LoadResult RunClosedLoop(int concurrency, std::chrono::milliseconds duration, uint64_t max_calls, const IssueFn& issue);

// The JSON line a scenario prints (bench/README.md): `name` is <service>.<scenario>.
nlohmann::json Summary(const std::string& name, int concurrency, const LoadResult& result);

}  // namespace osh::bench
