// The relay and the consumer against the real single-node Kafka broker that the
// ctest fixture `kafka` starts (address in OSH_TEST_KAFKA_BOOTSTRAP).
#include "osh/events/testing/test_broker.h"
#include <librdkafka/rdkafkacpp.h>

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "osh/core/ids.h"
#include "osh/core/trace.h"
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
         Outbox::Migration(2), EventConsumer::Migration(3), Outbox::ParkingMigration(4),
         Outbox::TraceMigration(5)});
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
  // `n` events of one key (so one partition), their ids added to *ids.
  void AppendSameKey(int n, std::vector<std::string>* ids) {
    db_->Write([&](store::Tx& tx) {
      for (int i = 0; i < n; ++i) {
        const Event e = Sample("same-key");
        Outbox::Append(tx, e);
        ids->push_back(e.id);
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

TEST_F(KafkaEventsTest, AnEventCarriesTheTraceOfTheRequestThatMadeItToItsConsumersHandler) {
  const core::TraceContext request = core::NewTrace();
  Event traced, untraced;
  {
    core::ScopedTrace scope(request);  // as while a gRPC handler runs
    traced = Sample("traced");
  }
  untraced = Sample("untraced");
  EXPECT_EQ(traced.traceparent, request.Traceparent());
  EXPECT_TRUE(untraced.traceparent.empty());
  db_->Write([&](store::Tx& tx) {
    Outbox::Append(tx, traced);
    Outbox::Append(tx, untraced);
  });
  OutboxRelay relay(*db_, {.brokers = Brokers()}, &metrics_);
  std::string error;
  ASSERT_TRUE(relay.Start(&error)) << error;
  relay.Notify();
  ASSERT_TRUE(WaitFor([&] { return relay.published() == 2; }));
  relay.Stop();

  std::mutex mu;
  std::map<std::string, core::TraceContext> seen;  // event id -> the handler's current trace
  auto handler = [&](store::Tx&, const Event& e) {
    std::lock_guard lock(mu);
    seen[e.id] = *core::CurrentTrace();
  };
  EventConsumer consumer(*db_, ConsumerOptions(Unique("group")), handler, &metrics_);
  ASSERT_TRUE(consumer.Start(&error)) << error;
  ASSERT_TRUE(WaitFor([&] { return consumer.applied() == 2; }));
  consumer.Stop();
  std::lock_guard lock(mu);
  EXPECT_EQ(seen[traced.id].trace_id, request.trace_id);
  EXPECT_NE(seen[traced.id].span_id, request.span_id);  // the consumer's own span
  EXPECT_NE(seen[untraced.id].trace_id, request.trace_id);  // a trace of its own
  EXPECT_EQ(seen[untraced.id].trace_id.size(), 32u);
  auto headers = events::testing::ReadTopicHeaders(topic_, 2, {"ce_id", "ce_traceparent"});
  ASSERT_EQ(headers.size(), 2u);
  for (const auto& h : headers) {
    EXPECT_EQ(h.at("ce_traceparent"), h.at("ce_id") == traced.id ? request.Traceparent() : "") << h.at("ce_id");
  }
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

// GET http://127.0.0.1:<port><path> over a real socket; the response body.
std::string HttpGet(uint16_t port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size())) {
      char buf[4096];
      for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) response.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  const auto body = response.find("\r\n\r\n");
  return body == std::string::npos ? "" : response.substr(body + 4);
}

// An EnterpriseRegistered padded to `bytes`: too large for a default broker.
Event Oversized(const Event& base, size_t bytes) {
  osh::events::v1::EnterpriseRegistered p;
  p.mutable_employer()->set_credit_code(base.key);
  p.set_name(std::string(bytes, 'x'));
  Event e = MakeEvent(p, "44", "registry", base.key);
  e.topic = base.topic;
  return e;
}

// Appends, bypassing the outbox's size limit: rows committed before events were bounded.
void AppendUnbounded(store::Database& db, const Event& e) {
  Outbox::SetMaxEventBytes(64 * 1024 * 1024);
  try {
    db.Write([&](store::Tx& tx) { Outbox::Append(tx, e); });
  } catch (...) {
    Outbox::SetMaxEventBytes(Outbox::kDefaultMaxEventBytes);
    throw;
  }
  Outbox::SetMaxEventBytes(Outbox::kDefaultMaxEventBytes);
}

std::vector<std::string> Ids(const std::vector<events::testing::Headers>& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) out.push_back(m.at("ce_id"));
  return out;
}

TEST_F(KafkaEventsTest, AnOversizedRowIsParkedTheRowsAfterItArePublishedAndARestartDoesNotTryItAgain) {
  // One key, so one partition: the topic's order is the order published.
  std::vector<std::string> expected;
  const auto append_normal = [&](int n) { AppendSameKey(n, &expected); };
  append_normal(5);
  const Event big = Oversized(Sample("same-key"), 1'700'000);  // as the transfer event of issue 23
  AppendUnbounded(*db_, big);
  append_normal(5);

  core::AdminHttpServer admin;
  ServeParkedRows(admin, *db_);
  std::string error;
  ASSERT_TRUE(admin.Start("127.0.0.1", 0, &error)) << error;
  auto relay = std::make_unique<OutboxRelay>(*db_, OutboxRelay::Options{.brokers = Brokers()}, &metrics_);
  ASSERT_TRUE(relay->Start(&error)) << error;
  relay->Notify();
  ASSERT_TRUE(WaitFor([&] { return relay->published() == 10 && relay->parked() == 1; }))
      << relay->published() << " published, " << relay->parked() << " parked";
  EXPECT_EQ(db_->Read([](store::Tx& tx) { return Outbox::CountPending(tx); }), 0);
  EXPECT_EQ(Ids(events::testing::ReadTopicHeaders(topic_, 10, {"ce_id"})), expected)
      << "the rows around the parked one reach the topic, in order, without it";

  // Visible to an operator: metrics and the admin listing.
  ASSERT_TRUE(WaitFor([&] { return metrics_.RenderText().find("osh_outbox_parked 1") != std::string::npos; }))
      << metrics_.RenderText();
  EXPECT_NE(metrics_.RenderText().find("osh_outbox_parked_total 1"), std::string::npos);
  const auto listing = nlohmann::json::parse(HttpGet(admin.port(), "/outbox/parked"));
  EXPECT_EQ(listing["parked"], 1);
  ASSERT_EQ(listing["rows"].size(), 1u);
  EXPECT_EQ(listing["rows"][0]["event_id"], big.id);
  EXPECT_EQ(listing["rows"][0]["type"], "osh.events.v1.EnterpriseRegistered");
  EXPECT_GT(listing["rows"][0]["payload_bytes"].get<int64_t>(), 1'700'000);
  EXPECT_NE(listing["rows"][0]["error"].get<std::string>().find("too large"), std::string::npos) << listing.dump();

  // A restarted relay publishes new rows and never touches the parked one.
  relay.reset();
  relay = std::make_unique<OutboxRelay>(*db_, OutboxRelay::Options{.brokers = Brokers()}, &metrics_);
  ASSERT_TRUE(relay->Start(&error)) << error;
  append_normal(3);
  relay->Notify();
  ASSERT_TRUE(WaitFor([&] { return relay->published() == 3; })) << relay->published();
  EXPECT_EQ(relay->produced(), 3u);
  EXPECT_EQ(relay->parked(), 0u);
  EXPECT_EQ(db_->Read([](store::Tx& tx) { return Outbox::CountParked(tx); }), 1);
  EXPECT_EQ(Ids(events::testing::ReadTopicHeaders(topic_, 13, {"ce_id"})), expected);
  admin.Stop();
}

TEST_F(KafkaEventsTest, ARowTheBrokerRefusesAsTooLargeIsParkedAloneAndItsBatchMatesArePublished) {
  // The producer lets large messages through to the broker (whose limit is
  // the default), so the refusal comes in a delivery report, for a batch.
  std::vector<std::string> expected;
  const auto append_normal = [&](int n) { AppendSameKey(n, &expected); };
  append_normal(3);
  const Event big = Oversized(Sample("same-key"), 1'500'000);
  AppendUnbounded(*db_, big);
  append_normal(3);
  OutboxRelay::Options options{.brokers = Brokers()};
  options.producer_properties = {{"message.max.bytes", "5000000"}, {"linger.ms", "50"}};
  OutboxRelay relay(*db_, options, &metrics_);
  std::string error;
  ASSERT_TRUE(relay.Start(&error)) << error;
  relay.Notify();
  ASSERT_TRUE(WaitFor([&] { return relay.published() == 6 && relay.parked() == 1; }))
      << relay.published() << " published, " << relay.parked() << " parked";
  const auto parked = db_->Read([](store::Tx& tx) { return Outbox::ListParked(tx, 0, 10); });
  ASSERT_EQ(parked.size(), 1u);
  EXPECT_EQ(parked[0].event_id, big.id);
  EXPECT_NE(parked[0].error.find("too large"), std::string::npos) << parked[0].error;
  auto seen = Ids(events::testing::ReadTopicHeaders(topic_, 6, {"ce_id"}));
  std::sort(seen.begin(), seen.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(seen, expected);
}

// Rows the broker refuses are each sent again on their own before they are
// parked. Sent one after another, each waiting for its own report, a run of
// them held the rows after it for a wait per bad row (here a 5 s linger
// each: about two minutes for the 20, past the patience of WaitFor); sent
// together they cost about one wait.
TEST_F(KafkaEventsTest, ARunOfRowsTheBrokerRefusesIsJudgedTogetherAndTheRowsAfterItArrive) {
  constexpr int kBad = 20;
  std::vector<std::string> bad;
  for (int i = 0; i < kBad; ++i) {
    const Event big = Oversized(Sample("key-" + std::to_string(i)), 1'100'000);
    AppendUnbounded(*db_, big);
    bad.push_back(big.id);
  }
  std::vector<std::string> good;
  AppendSameKey(5, &good);
  OutboxRelay::Options options{.brokers = Brokers()};
  // The broker, not the producer, refuses them; a send waits 5 s to fill
  // its batch (batch.size above the rows, so a big row does not fill it).
  options.producer_properties = {{"message.max.bytes", "5000000"}, {"batch.size", "5000000"}, {"linger.ms", "5000"}};
  options.isolation_timeout = std::chrono::seconds(40);
  OutboxRelay relay(*db_, options, &metrics_);
  std::string error;
  ASSERT_TRUE(relay.Start(&error)) << error;
  relay.Notify();
  ASSERT_TRUE(WaitFor([&] { return relay.published() == good.size() && relay.parked() == kBad; }))
      << relay.published() << " published, " << relay.parked() << " parked";
  auto seen = Ids(events::testing::ReadTopicHeaders(topic_, good.size(), {"ce_id"}));
  std::sort(seen.begin(), seen.end());
  std::sort(good.begin(), good.end());
  EXPECT_EQ(seen, good);
  std::vector<std::string> parked;
  for (const auto& row : db_->Read([](store::Tx& tx) { return Outbox::ListParked(tx, 0, 100); })) {
    parked.push_back(row.event_id);
  }
  EXPECT_EQ(parked, bad);
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

  auto dead = events::testing::ReadTopicHeaders(topic_ + ".dlt", 2, {"ce_id", "osh_error", "osh_original_topic"});
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
