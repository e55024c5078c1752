#pragma once

// For tests that must show something did NOT happen (no second delivery, no
// extra assignment): instead of sleeping and hoping a wrong effect would have
// shown by then, wait until the consumer group has committed offsets up to the
// end of the topic. A consumer stores an offset only after the event's effect
// committed (or it was dead-lettered), so a caught-up group has applied
// everything that was on the topic when the wait began.

#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "osh/events/outbox.h"
#include "osh/events/testing/test_broker.h"

namespace osh::events::testing {

// Offsets the group still has to consume on `topic` (sum over partitions), or
// -1 when the broker could not say.
inline int64_t ConsumerGroupLag(const std::string& brokers, const std::string& group, const std::string& topic) {
  std::string why;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", brokers, why);
  // Same group id only to read its committed offsets: this consumer never subscribes, so it never joins.
  conf->set("group.id", group, why);
  conf->set("enable.auto.commit", "false", why);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), why));
  if (!consumer) return -1;
  std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(consumer.get(), topic, nullptr, why));
  RdKafka::Metadata* raw = nullptr;
  if (!handle || consumer->metadata(false, handle.get(), &raw, 5000) != RdKafka::ERR_NO_ERROR) return -1;
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  if (metadata->topics()->empty() || metadata->topics()->front()->err() != RdKafka::ERR_NO_ERROR) return -1;
  std::vector<RdKafka::TopicPartition*> partitions;
  for (const auto* p : *metadata->topics()->front()->partitions()) {
    partitions.push_back(RdKafka::TopicPartition::create(topic, p->id()));
  }
  int64_t lag = 0;
  if (consumer->committed(partitions, 5000) != RdKafka::ERR_NO_ERROR) lag = -1;
  for (auto* p : partitions) {
    int64_t low = 0, high = 0;
    if (lag < 0 || consumer->query_watermark_offsets(topic, p->partition(), &low, &high, 5000) != RdKafka::ERR_NO_ERROR) {
      lag = -1;
      break;
    }
    // No commit yet on a partition: everything from its start is still to do.
    const int64_t committed = p->offset() >= 0 ? p->offset() : low;
    lag += high - committed;
  }
  RdKafka::TopicPartition::destroy(partitions);
  consumer->close();
  return lag;
}

// True when every event committed to `db`'s outbox has been confirmed by the
// broker: what a caught-up consumer group is then measured against.
inline bool OutboxDrained(store::Database& db) {
  return db.Read([](store::Tx& tx) { return Outbox::CountPending(tx); }) == 0;
}

// Waits until `group` has consumed `topic` to its current end; false after `limit`.
inline bool WaitForConsumerGroupCaughtUp(const std::string& group, const std::string& topic,
                                         std::chrono::milliseconds limit = std::chrono::seconds(60),
                                         const std::string& brokers = TestBrokers()) {
  return WaitFor([&] { return ConsumerGroupLag(brokers, group, topic) == 0; }, limit,
                 std::chrono::milliseconds(200));
}

}  // namespace osh::events::testing
