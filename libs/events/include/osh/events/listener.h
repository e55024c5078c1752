#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "osh/core/metrics.h"
#include "osh/events/event.h"

namespace osh::events {

// Reacts to events without a store, for reactions that are harmless to repeat
// or to miss while not running — dropping cached answers is the example.
// Anything that changes state uses EventConsumer (exactly once in effect).
// Offsets are committed automatically; a new group starts at the end of each
// topic, because nothing that happened before it started concerns it.
class EventListener {
 public:
  struct Options {
    std::string brokers;
    std::string group_id;
    std::vector<std::string> topics;
    std::chrono::milliseconds close_timeout{3000};
    std::map<std::string, std::string> consumer_properties;
  };
  // Runs on the listener's thread; exceptions are logged and the event dropped.
  using Handler = std::function<void(const Event& event)>;

  EventListener(Options options, Handler handler, core::MetricsRegistry* metrics);
  ~EventListener();
  EventListener(const EventListener&) = delete;
  EventListener& operator=(const EventListener&) = delete;

  bool Start(std::string* error);
  void Stop();

  uint64_t received() const { return received_.load(); }

 private:
  struct Kafka;
  void Run();

  Options options_;
  Handler handler_;
  core::MetricsRegistry* metrics_;
  std::unique_ptr<Kafka> kafka_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> received_{0};
};

}  // namespace osh::events
