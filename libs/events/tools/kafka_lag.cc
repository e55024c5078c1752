// osh-kafka-lag: how many offsets a consumer group still has to consume on a
// topic, for shell tests that must wait until a service has applied what is on
// the topic (instead of sleeping and hoping).
//
//   osh-kafka-lag --brokers HOST:PORT --group G --topic T [--wait-zero SECONDS]
//
// Prints the lag (sum over partitions; "unknown" when the broker cannot say,
// e.g. before the group's first commit). With --wait-zero, polls until the lag
// is 0 and exits 0, or exits 1 after SECONDS.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "osh/events/testing/consumer_lag.h"

int main(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  for (int i = 1; i + 1 < argc; i += 2) flags[argv[i]] = argv[i + 1];
  if (argc % 2 == 0 || !flags.count("--brokers") || !flags.count("--group") || !flags.count("--topic")) {
    std::fprintf(stderr, "usage: osh-kafka-lag --brokers HOST:PORT --group G --topic T [--wait-zero SECONDS]\n");
    return 2;
  }
  const auto& brokers = flags["--brokers"];
  const auto& group = flags["--group"];
  const auto& topic = flags["--topic"];
  if (flags.count("--wait-zero")) {
    const auto limit = std::chrono::seconds(std::atoi(flags["--wait-zero"].c_str()));
    const bool zero = osh::events::testing::WaitForConsumerGroupCaughtUp(group, topic, limit, brokers);
    std::printf("%s\n", zero ? "0" : "not caught up");
    return zero ? 0 : 1;
  }
  const int64_t lag = osh::events::testing::ConsumerGroupLag(brokers, group, topic);
  if (lag < 0) {
    std::printf("unknown\n");
  } else {
    std::printf("%lld\n", static_cast<long long>(lag));
  }
  return 0;
}
