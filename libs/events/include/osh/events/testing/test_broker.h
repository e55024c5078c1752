#pragma once

// For tests against the real Kafka broker that the ctest fixture `kafka`
// (tests/kafka) starts once per run: its address, a wait that polls, and the
// producing side of a service (an outbox in SQLite and its relay).

#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "osh/core/ids.h"
#include "osh/events/event.h"
#include "osh/events/outbox.h"
#include "osh/events/relay.h"
#include "osh/store/database.h"

namespace osh::events::testing {

inline std::string TestBrokers() {
  const char* b = std::getenv("OSH_TEST_KAFKA_BOOTSTRAP");
  return b != nullptr ? b : "127.0.0.1:19092";
}

// Polls `pred` until it holds or `limit` has passed; its last answer.
template <typename Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(30),
             std::chrono::milliseconds every = std::chrono::milliseconds(50)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(every);
  }
  return pred();
}

// The headers named in `names` (absent ones empty) and the key ("key") of the first
// `n` messages of a topic, read from its beginning with a throwaway group,
// waiting up to `limit`. (Messages are copied out: librdkafka waits for every
// message object to be gone before a consumer can be destroyed.)
using Headers = std::map<std::string, std::string>;
// Only messages `keep` accepts (all, when empty) are counted and returned.
inline std::vector<Headers> ReadTopicHeaders(const std::string& topic, size_t n, const std::vector<std::string>& names,
                                             std::chrono::milliseconds limit = std::chrono::seconds(60),
                                             const std::function<bool(const Headers&)>& keep = {}) {
  std::string why;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", TestBrokers(), why);
  conf->set("group.id", "osh-test-reader-" + core::NewRequestId(), why);
  conf->set("auto.offset.reset", "earliest", why);
  conf->set("topic.metadata.refresh.interval.ms", "1000", why);
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), why));
  c->subscribe({topic});
  std::vector<Headers> out;
  const auto until = std::chrono::steady_clock::now() + limit;
  while (out.size() < n && std::chrono::steady_clock::now() < until) {
    std::unique_ptr<RdKafka::Message> m(c->consume(200));
    if (m->err() != RdKafka::ERR_NO_ERROR) continue;
    Headers h;
    for (const auto& name : names) {
      auto* all = m->headers();
      auto last = all != nullptr ? all->get_last(name) : RdKafka::Headers::Header(name, nullptr, 0);
      h[name] = last.value() != nullptr ? std::string(static_cast<const char*>(last.value()), last.value_size()) : "";
    }
    h["key"] = m->key() != nullptr ? *m->key() : "";
    if (!keep || keep(h)) out.push_back(std::move(h));
  }
  c->close();
  return out;
}

// What a producing service has: an outbox in its own SQLite file and the
// relay publishing it to the test broker. Two of them publishing the same
// event is how tests show a broker carrying an event twice.
class TestPublisher {
 public:
  explicit TestPublisher(const std::string& db_path)
      : db_(store::Database::Open({.path = db_path}, {Outbox::Migration(1), Outbox::ParkingMigration(2), Outbox::TraceMigration(3)})),
        relay_(std::make_unique<OutboxRelay>(*db_, OutboxRelay::Options{.brokers = TestBrokers()}, nullptr)) {
    std::string error;
    if (!relay_->Start(&error)) throw std::runtime_error("test relay: " + error);
  }

  // Commits `event` to the outbox (on `topic`) and wakes the relay.
  void Publish(Event event, const std::string& topic) {
    event.topic = topic;
    db_->Write([&](store::Tx& tx) { Outbox::Append(tx, event); });
    relay_->Notify();
  }

  store::Database& db() { return *db_; }

 private:
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<OutboxRelay> relay_;
};

}  // namespace osh::events::testing
