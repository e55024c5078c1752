// Two replicas of a service on one PostgreSQL database, each with its outbox
// relay, under write load from both: every event reaches the real Kafka topic
// exactly once (labels kafka and postgres).

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "osh/core/ids.h"
#include "osh/events/outbox.h"
#include "osh/events/relay.h"
#include "osh/events/testing/consumer_lag.h"
#include "osh/events/testing/test_broker.h"
#include "osh/store/database.h"
#include "osh/store/testing/postgres.h"

namespace osh::events {
namespace {

using testing::TestBrokers;
using testing::WaitFor;

const std::vector<store::Migration> kOutbox = {Outbox::Migration(1), Outbox::ParkingMigration(2),
                                               Outbox::TraceMigration(3)};

// Messages on `topic` over all partitions (high minus low watermark), -1 when unknown.
int64_t MessagesOnTopic(const std::string& topic) {
  std::string why;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", TestBrokers(), why);
  conf->set("group.id", "osh-test-watermarks-" + core::NewRequestId(), why);
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), why));
  RdKafka::Metadata* raw = nullptr;
  std::unique_ptr<RdKafka::Topic> t(RdKafka::Topic::create(c.get(), topic, nullptr, why));
  if (c->metadata(false, t.get(), &raw, 5000) != RdKafka::ERR_NO_ERROR) return -1;
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  int64_t total = 0;
  for (const auto* tm : *metadata->topics()) {
    for (const auto* p : *tm->partitions()) {
      int64_t low = 0, high = 0;
      if (c->query_watermark_offsets(topic, p->id(), &low, &high, 5000) != RdKafka::ERR_NO_ERROR) return -1;
      total += high - low;
    }
  }
  c->close();
  return total;
}

TEST(RelayReplicasTest, TwoRelaysOnOnePostgresDatabasePublishEveryEventExactlyOnce) {
  store::testing::ScratchPostgres pg;
  const std::string topic = "osh.test.replicas." + core::NewRequestId();
  auto db_a = store::Database::Open({.url = pg.url()}, kOutbox);
  auto db_b = store::Database::Open({.url = pg.url()}, kOutbox);
  OutboxRelay::Options options{.brokers = TestBrokers(), .batch_size = 50, .idle_poll = std::chrono::milliseconds(50)};
  OutboxRelay relay_a(*db_a, options, nullptr);
  OutboxRelay relay_b(*db_b, options, nullptr);
  std::string error;
  ASSERT_TRUE(relay_a.Start(&error)) << error;
  ASSERT_TRUE(relay_b.Start(&error)) << error;

  constexpr int kPerWriter = 300;
  std::set<std::string> written;
  std::mutex mu;
  auto writer = [&](store::Database& db, OutboxRelay& relay, const std::string& name) {
    for (int i = 0; i < kPerWriter; ++i) {
      Event e;
      e.id = name + "-" + std::to_string(i) + "-" + core::NewRequestId();
      e.source = "/osh/test/" + name;
      e.type = "osh.test.replica.v1";
      e.time = "2026-12-03T00:00:00Z";
      e.topic = topic;
      e.key = "employer-" + std::to_string(i % 17);  // several events per key: order matters
      e.payload = "payload " + e.id;
      db.Write([&](store::Tx& tx) { Outbox::Append(tx, e); });
      relay.Notify();
      std::lock_guard lock(mu);
      written.insert(e.id);
    }
  };
  std::thread a(writer, std::ref(*db_a), std::ref(relay_a), "a");
  std::thread b(writer, std::ref(*db_b), std::ref(relay_b), "b");
  a.join();
  b.join();

  // Every row confirmed by the broker and marked sent (by whichever relay leads).
  ASSERT_TRUE(WaitFor([&] { return testing::OutboxDrained(*db_a); }, std::chrono::seconds(120)));
  EXPECT_EQ(relay_a.published() + relay_b.published(), 2u * kPerWriter);
  // One relay led throughout: the other stood by.
  EXPECT_TRUE(relay_a.published() == 0 || relay_b.published() == 0)
      << relay_a.published() << " and " << relay_b.published();

  // The topic holds exactly one copy of each: as many messages as events, each id once.
  EXPECT_EQ(MessagesOnTopic(topic), 2 * kPerWriter);
  const auto seen = testing::ReadTopicHeaders(topic, 2 * kPerWriter, {header::kId});
  std::multiset<std::string> ids;
  for (const auto& h : seen) ids.insert(h.at(header::kId));
  EXPECT_EQ(ids.size(), written.size());
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), written);
  relay_a.Stop();
  relay_b.Stop();
}

}  // namespace
}  // namespace osh::events
