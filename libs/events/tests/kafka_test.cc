// The relay and the consumer against the real single-node Kafka broker that the
// ctest fixture `kafka` starts (address in OSH_TEST_KAFKA_BOOTSTRAP).
#include "osh/events/testing/test_broker.h"
#include <librdkafka/rdkafkacpp.h>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "osh/core/ids.h"
#include "osh/events/consumer.h"
#include "osh/events/outbox.h"
#include "osh/events/relay.h"
#include "osh/events/v1/registry_events.pb.h"
#include "osh/store/testing/scratch_dir.h"

namespace osh::events {
namespace {

std::string Brokers() { return events::testing::TestBrokers(); }

std::string Unique(const std::string& what) { return "osh-test-" + what + "-" + core::NewRequestId(); }

template <typename Pred>
bool WaitFor(Pred pred) {
  return events::testing::WaitFor(pred, std::chrono::seconds(60), std::chrono::milliseconds(50));
}

class KafkaEventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = Open(dir_.File("events.db"));
    topic_ = Unique("topic");
  }
  static std::unique_ptr<store::Database> Open(const std::string& path) {
    return store::Database::Open(
        {.path = path},
        {{1, "applied", "CREATE TABLE applied (event_id TEXT PRIMARY KEY, event_key TEXT, type TEXT, source TEXT)"},
         Outbox::Migration(2), EventConsumer::Migration(3)});
  }
  Event Sample(const std::string& key) const {
    osh::events::v1::EnterpriseRegistered p;
    p.mutable_employer()->set_credit_code(key);
    Event e = MakeEvent(p, "44", "registry", key);
    e.topic = topic_;
    return e;
  }
  void AppendEvents(int n, std::vector<Event>* out = nullptr) {
    db_->Write([&](store::Tx& tx) {
      for (int i = 0; i < n; ++i) {
        Event e = Sample("key-" + std::to_string(i % 17));
        Outbox::Append(tx, e);
        if (out) out->push_back(e);
      }
    });
  }
  static EventConsumer::Handler Recorder() {
    return [](store::Tx& tx, const Event& e) {
      tx.Prepare("INSERT INTO applied VALUES (?, ?, ?, ?)").BindAll(e.id, e.key, e.type, e.source).Run();
    };
  }
  int64_t AppliedRows() {
    return db_->Read([](store::Tx& tx) {
      auto s = tx.Prepare("SELECT COUNT(*) FROM applied");
      s.Step();
      return s.Int(0);
    });
  }
  EventConsumer::Options ConsumerOptions(const std::string& group) const {
    EventConsumer::Options o;
    o.brokers = Brokers();
    o.group_id = group;
    o.topics = {topic_};
    o.max_attempts = 3;
    o.initial_backoff = std::chrono::milliseconds(10);
    return o;
  }

  store::testing::ScratchDir dir_{"events-kafka"};
  std::unique_ptr<store::Database> db_;
  std::string topic_;
  core::MetricsRegistry metrics_;
};

TEST_F(KafkaEventsTest, RelayPublishesEveryRowAndConsumerAppliesEachOnceWithHeaders) {
  std::vector<Event> sent;
  AppendEvents(300, &sent);
  OutboxRelay relay(*db_, {.brokers = Brokers()}, &metrics_);
  std::string error;
  ASSERT_TRUE(relay.Start(&error)) << error;
  relay.Notify();
  ASSERT_TRUE(WaitFor([&] { return relay.published() == 300; })) << relay.published();
  relay.Stop();
  EXPECT_EQ(db_->Read([](store::Tx& tx) { return Outbox::CountPending(tx); }), 0);

  EventConsumer consumer(*db_, ConsumerOptions(Unique("group")), Recorder(), &metrics_);
  ASSERT_TRUE(consumer.Start(&error)) << error;
  ASSERT_TRUE(WaitFor([&] { return consumer.applied() == 300; })) << consumer.applied();
  consumer.Stop();
  EXPECT_EQ(AppliedRows(), 300);
  // Every id arrived with its CloudEvents attributes intact.
  auto ids = db_->Read([](store::Tx& tx) {
    std::set<std::string> out;
    auto s = tx.Prepare("SELECT event_id, type, source FROM applied");
    while (s.Step()) {
      EXPECT_EQ(s.Text(1), "osh.events.v1.EnterpriseRegistered");
      EXPECT_EQ(s.Text(2), "osh://44/registry");
      out.insert(s.Text(0));
    }
    return out;
  });
  for (const auto& e : sent) EXPECT_TRUE(ids.count(e.id)) << e.id;
}

TEST_F(KafkaEventsTest, RedeliveryToANewGroupChangesNothing) {
  AppendEvents(50);
  OutboxRelay relay(*db_, {.brokers = Brokers()}, &metrics_);
  std::string error;
  ASSERT_TRUE(relay.Start(&error)) << error;
  relay.Notify();
  ASSERT_TRUE(WaitFor([&] { return relay.published() == 50; }));
  relay.Stop();
  {
    EventConsumer first(*db_, ConsumerOptions(Unique("group")), Recorder(), &metrics_);
    ASSERT_TRUE(first.Start(&error)) << error;
    ASSERT_TRUE(WaitFor([&] { return first.applied() == 50; }));
  }
  // A consumer restarted from the beginning (a new group reads everything again).
  EventConsumer second(*db_, ConsumerOptions(Unique("group")), Recorder(), &metrics_);
  ASSERT_TRUE(second.Start(&error)) << error;
  ASSERT_TRUE(WaitFor([&] { return second.duplicates() == 50; })) << second.duplicates();
  EXPECT_EQ(second.applied(), 0u);
  EXPECT_EQ(AppliedRows(), 50);
}

std::string HeaderOf(RdKafka::Message& m, const char* name) {
  auto* h = m.headers();
  if (h == nullptr) return "";
  auto last = h->get_last(name);
  return last.value() ? std::string(static_cast<const char*>(last.value()), last.value_size()) : "";
}

using Headers = std::map<std::string, std::string>;

// Reads the headers of `n` messages of a topic from its beginning with a
// throwaway group. (Messages are copied out: librdkafka waits for every message
// object to be gone before a consumer can be destroyed.)
std::vector<Headers> ReadTopic(const std::string& topic, size_t n) {
  std::string why;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", Brokers(), why);
  conf->set("group.id", Unique("reader"), why);
  conf->set("auto.offset.reset", "earliest", why);
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), why));
  c->subscribe({topic});
  std::vector<Headers> out;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (out.size() < n && std::chrono::steady_clock::now() < until) {
    std::unique_ptr<RdKafka::Message> m(c->consume(200));
    if (m->err() != RdKafka::ERR_NO_ERROR) continue;
    Headers h;
    for (const char* name : {"ce_id", "osh_error", "osh_original_topic"}) h[name] = HeaderOf(*m, name);
    out.push_back(std::move(h));
  }
  c->close();
  return out;
}

TEST_F(KafkaEventsTest, PoisonAndMalformedEventsAreDeadLetteredAndTheConsumerGoesOn) {
  // A malformed message (no CloudEvents headers), then a poison event, then a good one.
  std::string why;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", Brokers(), why);
  std::unique_ptr<RdKafka::Producer> raw(RdKafka::Producer::create(conf.get(), why));
  std::string garbage = "not a protobuf";
  std::string key = "same-key";  // one partition, so the order below is the order consumed
  ASSERT_EQ(raw->produce(topic_, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY, garbage.data(),
                         garbage.size(), key.data(), key.size(), 0, nullptr),
            RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(raw->flush(10000), RdKafka::ERR_NO_ERROR);
  Event poison = Sample("same-key");
  poison.key = "same-key";
  Event good = Sample("same-key");
  db_->Write([&](store::Tx& tx) {
    Outbox::Append(tx, poison);
    Outbox::Append(tx, good);
  });
  OutboxRelay relay(*db_, {.brokers = Brokers()}, &metrics_);
  std::string error;
  ASSERT_TRUE(relay.Start(&error)) << error;
  relay.Notify();
  ASSERT_TRUE(WaitFor([&] { return relay.published() == 2; }));
  relay.Stop();

  std::atomic<int> poison_attempts{0};
  auto handler = [&](store::Tx& tx, const Event& e) {
    if (e.id == poison.id) {
      ++poison_attempts;
      throw std::runtime_error("cannot apply this one");
    }
    Recorder()(tx, e);
  };
  EventConsumer consumer(*db_, ConsumerOptions(Unique("group")), handler, &metrics_);
  ASSERT_TRUE(consumer.Start(&error)) << error;
  ASSERT_TRUE(WaitFor([&] { return consumer.applied() == 1 && consumer.dead_lettered() == 2; }))
      << consumer.applied() << " " << consumer.dead_lettered();
  consumer.Stop();
  EXPECT_EQ(poison_attempts.load(), 3);

  auto dead = ReadTopic(topic_ + ".dlt", 2);
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_NE(dead[0]["osh_error"].find("ce_id"), std::string::npos) << dead[0]["osh_error"];
  EXPECT_EQ(dead[1]["osh_error"], "cannot apply this one");
  EXPECT_EQ(dead[1]["ce_id"], poison.id);
  EXPECT_EQ(dead[1]["osh_original_topic"], topic_);
}

TEST_F(KafkaEventsTest, AStoreThatCannotWriteIsWaitedForAndItsEventsAreNeverDeadLettered) {
  AppendEvents(3);
  OutboxRelay relay(*db_, {.brokers = Brokers()}, &metrics_);
  std::string error;
  ASSERT_TRUE(relay.Start(&error)) << error;
  relay.Notify();
  ASSERT_TRUE(WaitFor([&] { return relay.published() == 3; }));
  relay.Stop();

  // The store fails as a full disk does, more often than max_attempts (3), then recovers.
  std::atomic<int> failures_left{8};
  auto handler = [&](store::Tx& tx, const Event& e) {
    if (failures_left.load() > 0) {
      --failures_left;
      throw store::StoreError(13 /* SQLITE_FULL */, "database or disk is full");
    }
    Recorder()(tx, e);
  };
  auto options = ConsumerOptions(Unique("group"));
  options.max_backoff = std::chrono::milliseconds(20);
  EventConsumer consumer(*db_, options, handler, &metrics_);
  ASSERT_TRUE(consumer.Start(&error)) << error;
  ASSERT_TRUE(WaitFor([&] { return consumer.applied() == 3; })) << consumer.applied();
  consumer.Stop();
  EXPECT_EQ(failures_left.load(), 0);
  EXPECT_EQ(consumer.dead_lettered(), 0u);
  EXPECT_EQ(AppliedRows(), 3);
}

}  // namespace
}  // namespace osh::events
