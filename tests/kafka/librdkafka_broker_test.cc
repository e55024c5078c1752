// Proves that Debian 12's librdkafka (2.0) C++ client works against the broker version
// deploy/kafka.sh runs, with the settings the outbox relay depends on: an idempotent
// producer (enable.idempotence, acks=all) whose delivery reports all succeed, CloudEvents
// headers that survive the round trip, per-key order, and a consumer group that commits.
// The broker comes from the ctest fixture "kafka" through OSH_TEST_KAFKA_BOOTSTRAP.

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

constexpr int kMessages = 1000;
constexpr int kKeys = 10;
constexpr int kPartitions = 3;

std::string BootstrapServers() {
  const char* value = std::getenv("OSH_TEST_KAFKA_BOOTSTRAP");
  return value == nullptr ? std::string() : std::string(value);
}

// A name no earlier run of the same broker used, so reruns need no clean-up.
std::string UniqueName(std::string_view prefix) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::string(prefix) + "." + std::to_string(getpid()) + "." +
         std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(now).count());
}

std::unique_ptr<RdKafka::Conf> MakeConf(const std::map<std::string, std::string>& settings) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  for (const auto& [name, value] : settings) {
    std::string error;
    if (conf->set(name, value, error) != RdKafka::Conf::CONF_OK) {
      ADD_FAILURE() << "config " << name << "=" << value << ": " << error;
    }
  }
  return conf;
}

class DeliveryReports : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    if (message.err() != RdKafka::ERR_NO_ERROR) {
      ++failed;
      last_error = message.errstr();
      return;
    }
    ++delivered;
    if (message.status() == RdKafka::Message::MSG_STATUS_PERSISTED) ++persisted;
    // Offsets of one key must rise in the order the messages were produced.
    const std::string key = message.key() == nullptr ? std::string() : *message.key();
    const auto [last, first] =
        last_offset_by_key.try_emplace(key, message.partition(), message.offset());
    if (!first) {
      if (last->second.first != message.partition() || message.offset() <= last->second.second) {
        ++out_of_order;
      }
      last->second = {message.partition(), message.offset()};
    }
  }

  int delivered = 0;
  int persisted = 0;
  int failed = 0;
  int out_of_order = 0;
  std::string last_error;
  std::map<std::string, std::pair<int32_t, int64_t>> last_offset_by_key;
};

// Topic creation goes through the C admin API: the C++ wrapper of librdkafka 2.0 has none.
void CreateTopic(RdKafka::Handle& handle, const std::string& topic, int partitions) {
  rd_kafka_t* rk = handle.c_ptr();
  char error[512] = {};
  std::unique_ptr<rd_kafka_NewTopic_t, decltype(&rd_kafka_NewTopic_destroy)> new_topic(
      rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, error, sizeof error),
      &rd_kafka_NewTopic_destroy);
  ASSERT_NE(new_topic, nullptr) << error;
  std::unique_ptr<rd_kafka_AdminOptions_t, decltype(&rd_kafka_AdminOptions_destroy)> options(
      rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS),
      &rd_kafka_AdminOptions_destroy);
  ASSERT_EQ(rd_kafka_AdminOptions_set_operation_timeout(options.get(), 15000, error,
                                                        sizeof error),
            RD_KAFKA_RESP_ERR_NO_ERROR)
      << error;
  std::unique_ptr<rd_kafka_queue_t, decltype(&rd_kafka_queue_destroy)> queue(
      rd_kafka_queue_new(rk), &rd_kafka_queue_destroy);
  rd_kafka_NewTopic_t* topics[] = {new_topic.get()};
  rd_kafka_CreateTopics(rk, topics, 1, options.get(), queue.get());

  std::unique_ptr<rd_kafka_event_t, decltype(&rd_kafka_event_destroy)> event(
      rd_kafka_queue_poll(queue.get(), 30000), &rd_kafka_event_destroy);
  ASSERT_NE(event, nullptr) << "no CreateTopics result within 30 s";
  ASSERT_EQ(rd_kafka_event_error(event.get()), RD_KAFKA_RESP_ERR_NO_ERROR)
      << rd_kafka_event_error_string(event.get());
  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event.get());
  ASSERT_NE(result, nullptr);
  size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
  ASSERT_EQ(count, 1U);
  ASSERT_EQ(rd_kafka_topic_result_error(results[0]), RD_KAFKA_RESP_ERR_NO_ERROR)
      << rd_kafka_topic_result_error_string(results[0]);
}

bool WaitForPartitions(RdKafka::Producer& producer, const std::string& topic, int partitions) {
  std::string error;
  std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(&producer, topic, nullptr, error));
  for (int attempt = 0; attempt < 100 && handle; ++attempt) {
    RdKafka::Metadata* raw = nullptr;
    if (producer.metadata(false, handle.get(), &raw, 5000) == RdKafka::ERR_NO_ERROR) {
      std::unique_ptr<RdKafka::Metadata> metadata(raw);
      for (const auto* t : *metadata->topics()) {
        if (t->topic() == topic && t->err() == RdKafka::ERR_NO_ERROR &&
            static_cast<int>(t->partitions()->size()) == partitions) {
          return true;
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::string HeaderValue(const RdKafka::Headers* headers, const std::string& name) {
  if (headers == nullptr) return "<no headers>";
  const RdKafka::Headers::Header header = headers->get_last(name);
  if (header.err() != RdKafka::ERR_NO_ERROR || header.value() == nullptr) return "<missing>";
  return std::string(header.value_string(), header.value_size());
}

class KafkaBrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bootstrap_ = BootstrapServers();
    ASSERT_FALSE(bootstrap_.empty())
        << "OSH_TEST_KAFKA_BOOTSTRAP is not set: run through ctest (fixture 'kafka') or "
           "start a broker with deploy/kafka.sh start and export it";
  }

  std::string bootstrap_;
};

TEST_F(KafkaBrokerTest, MetadataListsTheSingleBroker) {
  std::string error;
  auto conf = MakeConf({{"bootstrap.servers", bootstrap_}});
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), error));
  ASSERT_NE(producer, nullptr) << error;

  RdKafka::Metadata* raw = nullptr;
  ASSERT_EQ(producer->metadata(true, nullptr, &raw, 15000), RdKafka::ERR_NO_ERROR);
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  ASSERT_EQ(metadata->brokers()->size(), 1U);
  const RdKafka::BrokerMetadata* broker = metadata->brokers()->front();
  EXPECT_EQ(broker->id(), 1);
  EXPECT_EQ(broker->host() + ":" + std::to_string(broker->port()), bootstrap_);
}

TEST_F(KafkaBrokerTest, IdempotentProducerRoundTripsHeadersInOrderPerKey) {
  const std::string topic = UniqueName("osh.test.librdkafka");
  std::string error;

  DeliveryReports reports;
  auto producer_conf = MakeConf({{"bootstrap.servers", bootstrap_},
                                 {"enable.idempotence", "true"},
                                 {"acks", "all"},
                                 {"linger.ms", "5"},
                                 {"message.timeout.ms", "30000"}});
  ASSERT_EQ(producer_conf->set("dr_cb", &reports, error), RdKafka::Conf::CONF_OK) << error;
  std::unique_ptr<RdKafka::Producer> producer(
      RdKafka::Producer::create(producer_conf.get(), error));
  ASSERT_NE(producer, nullptr) << error;

  ASSERT_NO_FATAL_FAILURE(CreateTopic(*producer, topic, kPartitions));
  // CreateTopics answers before every part of the broker serves the new topic's
  // metadata; a producer that saw fewer partitions would hash keys onto others
  // than later messages. Wait until metadata shows them all.
  ASSERT_TRUE(WaitForPartitions(*producer, topic, kPartitions)) << "metadata never showed " << kPartitions;

  for (int i = 0; i < kMessages; ++i) {
    const std::string key = "employer-" + std::to_string(i % kKeys);
    std::string value = key + "#" + std::to_string(i / kKeys);
    RdKafka::Headers* headers = RdKafka::Headers::create();
    headers->add("ce_specversion", "1.0");
    headers->add("ce_id", "evt-" + std::to_string(i));
    headers->add("ce_source", "osh://test/registry");
    headers->add("ce_type", "osh.registry.v1.EmployerRegistered");
    headers->add("ce_time", "2024-01-01T00:00:00Z");
    headers->add("content-type", "application/protobuf");
    RdKafka::ErrorCode err = RdKafka::ERR_NO_ERROR;
    do {
      err = producer->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                              value.data(), value.size(), key.data(),
                              key.size(), 0, headers, nullptr);
      if (err == RdKafka::ERR__QUEUE_FULL) producer->poll(100);
    } while (err == RdKafka::ERR__QUEUE_FULL);
    if (err != RdKafka::ERR_NO_ERROR) {
      delete headers;  // only a successful produce() takes ownership
      FAIL() << "produce #" << i << ": " << RdKafka::err2str(err);
    }
    producer->poll(0);
  }
  ASSERT_EQ(producer->flush(30000), RdKafka::ERR_NO_ERROR) << "delivery reports still pending";
  EXPECT_EQ(producer->outq_len(), 0);
  EXPECT_EQ(reports.failed, 0) << reports.last_error;
  EXPECT_EQ(reports.delivered, kMessages);
  EXPECT_EQ(reports.persisted, kMessages);
  EXPECT_EQ(reports.out_of_order, 0);
  std::string fatal;
  EXPECT_EQ(producer->fatal_error(fatal), RdKafka::ERR_NO_ERROR) << fatal;

  auto consumer_conf = MakeConf({{"bootstrap.servers", bootstrap_},
                                 {"group.id", UniqueName("osh.test.group")},
                                 {"auto.offset.reset", "earliest"},
                                 {"enable.auto.commit", "false"},
                                 {"enable.partition.eof", "false"}});
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(consumer_conf.get(), error));
  ASSERT_NE(consumer, nullptr) << error;
  ASSERT_EQ(consumer->subscribe({topic}), RdKafka::ERR_NO_ERROR);

  std::map<std::string, int> next_sequence_by_key;
  std::map<int32_t, int> count_by_partition;
  int received = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (received < kMessages && std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> message(consumer->consume(500));
    if (message->err() == RdKafka::ERR__TIMED_OUT) continue;
    ASSERT_EQ(message->err(), RdKafka::ERR_NO_ERROR) << message->errstr();
    ++received;
    ++count_by_partition[message->partition()];

    ASSERT_NE(message->key(), nullptr);
    const std::string& key = *message->key();
    const std::string value(static_cast<const char*>(message->payload()), message->len());
    int& expected = next_sequence_by_key[key];
    ASSERT_EQ(value, key + "#" + std::to_string(expected)) << "out of order for " << key;
    const int index = expected * kKeys + std::stoi(key.substr(key.find('-') + 1));
    ++expected;

    const RdKafka::Headers* headers = message->headers();
    EXPECT_EQ(HeaderValue(headers, "ce_specversion"), "1.0");
    EXPECT_EQ(HeaderValue(headers, "ce_id"), "evt-" + std::to_string(index));
    EXPECT_EQ(HeaderValue(headers, "ce_source"), "osh://test/registry");
    EXPECT_EQ(HeaderValue(headers, "ce_type"), "osh.registry.v1.EmployerRegistered");
    EXPECT_EQ(HeaderValue(headers, "ce_time"), "2024-01-01T00:00:00Z");
    EXPECT_EQ(HeaderValue(headers, "content-type"), "application/protobuf");
  }
  EXPECT_EQ(received, kMessages);
  ASSERT_EQ(next_sequence_by_key.size(), static_cast<size_t>(kKeys));
  for (const auto& [key, next] : next_sequence_by_key) {
    EXPECT_EQ(next, kMessages / kKeys) << key;
  }
  // Ten keys over three partitions: hashing spreads them over more than one.
  EXPECT_GT(count_by_partition.size(), 1U);

  // The group coordinator (the __consumer_offsets topic) works too.
  EXPECT_EQ(consumer->commitSync(), RdKafka::ERR_NO_ERROR);
  std::unique_ptr<RdKafka::Message> extra(consumer->consume(1000));
  EXPECT_EQ(extra->err(), RdKafka::ERR__TIMED_OUT) << "more messages than produced";
  EXPECT_EQ(consumer->close(), RdKafka::ERR_NO_ERROR);
}

}  // namespace
