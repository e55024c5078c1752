#pragma once

// For tests against the real Kafka broker that the ctest fixture `kafka`
// (tests/kafka) starts once per run: its address, a wait that polls, and the
// producing side of a service (an outbox in SQLite and its relay).

#include <chrono>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

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

// What a producing service has: an outbox in its own SQLite file and the
// relay publishing it to the test broker. Two of them publishing the same
// event is how tests show a broker carrying an event twice.
class TestPublisher {
 public:
  explicit TestPublisher(const std::string& db_path)
      : db_(store::Database::Open({.path = db_path}, {Outbox::Migration(1)})),
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
