// What a call costs while the Redis circuit breaker is open (the figure
// libs/cache/tests/redis_outage_test.cc no longer asserts): a client whose
// Redis refuses connections trips at once, then every call fails without
// touching the network until the retry interval. Prints one JSON line:
// {"bench": "cache.redis_fail_fast", "calls", "rejected", "p50_us", "p99_us", "max_us"}.
// Usage: osh-redis-fail-fast-bench <host:port where nothing listens> [calls=100000]
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "osh/cache/redis_client.h"
#include "osh/core/metrics.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: osh-redis-fail-fast-bench <host:port where nothing listens> [calls]\n";
    return 2;
  }
  const int calls = argc > 2 ? std::max(1, std::atoi(argv[2])) : 100000;
  osh::core::MetricsRegistry metrics;
  osh::cache::RedisClient client(
      osh::cache::RedisOptions{.address = argv[1], .retry_interval = std::chrono::hours(1)}, &metrics);
  if (client.up()) {
    std::cerr << "something answers at " << argv[1] << "; name a port where nothing listens\n";
    return 1;
  }
  std::vector<double> us;
  us.reserve(static_cast<size_t>(calls));
  for (int i = 0; i < calls; ++i) {
    const auto start = std::chrono::steady_clock::now();
    (void)client.Command({"GET", "k"});
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(us.begin(), us.end());
  const double rejected =
      metrics.GetCounter("osh_redis_rejected_total", "", {{"address", argv[1]}}).Value();
  std::cout << fmt::format(
                   R"({{"bench": "cache.redis_fail_fast", "calls": {}, "rejected": {}, "p50_us": {:.2f}, "p99_us": {:.2f}, "max_us": {:.1f}}})",
                   calls, rejected, us[us.size() / 2], us[us.size() * 99 / 100], us.back())
            << "\n";
  return 0;
}
