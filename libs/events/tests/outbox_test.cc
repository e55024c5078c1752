#include "osh/events/outbox.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "osh/events/consumer.h"
#include "osh/events/relay.h"
#include "osh/events/testing/test_broker.h"
#include "osh/store/testing/scratch_dir.h"
#include "osh/events/v1/registry_events.pb.h"

namespace osh::events {
namespace {

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = store::Database::Open({.path = dir_.File("events.db")},
                                {{1, "state", "CREATE TABLE state (k TEXT PRIMARY KEY, v INTEGER)"},
                                 Outbox::Migration(2), EventConsumer::Migration(3), Outbox::ParkingMigration(4),
                                 EventConsumer::RetentionMigration(5), Outbox::TraceMigration(6)});
  }
  static Event Sample(int i) {
    osh::events::v1::EnterpriseRegistered p;
    p.mutable_employer()->set_credit_code("code" + std::to_string(i));
    return MakeEvent(p, "44", "registry", "code" + std::to_string(i));
  }
  store::testing::ScratchDir dir_{"outbox"};
  std::unique_ptr<store::Database> db_;
};

TEST_F(OutboxTest, EventExistsOnlyIfItsChangeCommitted) {
  db_->Write([](store::Tx& tx) {
    tx.Prepare("INSERT INTO state VALUES ('a', 1)").Run();
    Outbox::Append(tx, Sample(1));
  });
  EXPECT_THROW(db_->Write([](store::Tx& tx) {
    Outbox::Append(tx, Sample(2));
    tx.Prepare("INSERT INTO state VALUES ('a', 2)").Run();  // duplicate key: the whole write fails
  }),
               store::StoreError);
  auto pending = db_->Read([](store::Tx& tx) { return Outbox::Pending(tx, 0, 10); });
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].event.key, "code1");
}

TEST_F(OutboxTest, PendingInCommitOrderAndMarkSent) {
  db_->Write([](store::Tx& tx) {
    for (int i = 0; i < 5; ++i) Outbox::Append(tx, Sample(i));
  });
  auto first = db_->Read([](store::Tx& tx) { return Outbox::Pending(tx, 0, 3); });
  ASSERT_EQ(first.size(), 3u);
  EXPECT_LT(first[0].seq, first[1].seq);
  EXPECT_EQ(first[2].event.key, "code2");
  db_->Write([&](store::Tx& tx) { Outbox::MarkSent(tx, {first[0].seq, first[1].seq}); });
  EXPECT_EQ(db_->Read([](store::Tx& tx) { return Outbox::CountPending(tx); }), 3);
  auto rest = db_->Read([](store::Tx& tx) { return Outbox::Pending(tx, 0, 10); });
  ASSERT_EQ(rest.size(), 3u);
  EXPECT_EQ(rest[0].event.key, "code2");
  // Sent rows younger than the retention are kept.
  EXPECT_EQ(db_->Write([](store::Tx& tx) { return Outbox::PruneSent(tx, 3600); }), 0);
  EXPECT_EQ(db_->Write([](store::Tx& tx) { return Outbox::PruneSent(tx, -10); }), 2);
}

TEST_F(OutboxTest, ApplyOnceIgnoresARedeliveredEvent) {
  int applied = 0;
  EventConsumer::Handler handler = [&](store::Tx& tx, const Event&) {
    ++applied;
    tx.Prepare("INSERT INTO state VALUES ('n', 1) ON CONFLICT(k) DO UPDATE SET v = v + 1").Run();
  };
  const Event e = Sample(1);
  EXPECT_TRUE(EventConsumer::ApplyOnce(*db_, handler, e));
  EXPECT_FALSE(EventConsumer::ApplyOnce(*db_, handler, e));
  EXPECT_EQ(applied, 1);
  // Same id from another province's service is a different event.
  Event elsewhere = e;
  elsewhere.source = "osh://32/registry";
  EXPECT_TRUE(EventConsumer::ApplyOnce(*db_, handler, elsewhere));
}

TEST_F(OutboxTest, FailingHandlerLeavesNoTrace) {
  EventConsumer::Handler failing = [](store::Tx& tx, const Event&) {
    tx.Prepare("INSERT INTO state VALUES ('x', 1)").Run();
    throw std::runtime_error("cannot apply");
  };
  const Event e = Sample(1);
  EXPECT_THROW(EventConsumer::ApplyOnce(*db_, failing, e), std::runtime_error);
  // Neither the effect nor the processed mark was kept, so a retry runs it again.
  int calls = 0;
  EXPECT_TRUE(EventConsumer::ApplyOnce(*db_, [&](store::Tx&, const Event&) { ++calls; }, e));
  EXPECT_EQ(calls, 1);
  auto count = db_->Read([](store::Tx& tx) {
    auto s = tx.Prepare("SELECT COUNT(*) FROM state");
    s.Step();
    return s.Int(0);
  });
  EXPECT_EQ(count, 0);
}

TEST_F(OutboxTest, TheRelayStopsWhenNoBrokerAnswersWithoutWaitingForTheDeliveryTimeoutAndKeepsTheRowsPending) {
  // Nothing listens on port 1, and deliveries would wait an hour for their
  // timeout: if Stop() waited for them this test would hit ctest's timeout.
  OutboxRelay relay(*db_, {.brokers = "127.0.0.1:1", .delivery_timeout = std::chrono::hours(1)}, nullptr);
  std::string error;
  ASSERT_TRUE(relay.Start(&error)) << error;
  db_->Write([&](store::Tx& tx) {
    for (int i = 0; i < 3; ++i) Outbox::Append(tx, Sample(i));
  });
  relay.Notify();
  ASSERT_TRUE(testing::WaitFor([&] { return relay.produced() == 3; }));  // the rows are in flight
  relay.Stop();
  EXPECT_EQ(relay.published(), 0u);
  EXPECT_EQ(db_->Read([](store::Tx& tx) { return Outbox::CountPending(tx); }), 3);
}

TEST_F(OutboxTest, AppendRefusesAnEventAboveTheSizeLimitAndTheWholeWriteRollsBack) {
  osh::events::v1::EnterpriseRegistered p;
  p.mutable_employer()->set_credit_code("big");
  p.set_name(std::string(Outbox::kDefaultMaxEventBytes, 'x'));
  const Event big = MakeEvent(p, "44", "registry", "big");
  EXPECT_GT(Outbox::EncodedSize(big), Outbox::MaxEventBytes());
  try {
    db_->Write([&](store::Tx& tx) {
      tx.Prepare("INSERT INTO state VALUES ('a', 1)").Run();
      Outbox::Append(tx, big);
    });
    FAIL() << "an oversized event was accepted";
  } catch (const EventTooLarge& e) {
    EXPECT_NE(std::string(e.what()).find("EnterpriseRegistered"), std::string::npos) << e.what();
  }
  EXPECT_EQ(db_->Read([](store::Tx& tx) { return Outbox::CountPending(tx); }), 0);
  EXPECT_EQ(db_->Read([](store::Tx& tx) {
    auto s = tx.Prepare("SELECT COUNT(*) FROM state");
    s.Step();
    return s.Int(0);
  }), 0);
  // Just below the limit is accepted.
  p.set_name(std::string(Outbox::kDefaultMaxEventBytes - 1024, 'x'));
  const Event fits = MakeEvent(p, "44", "registry", "big");
  ASSERT_LE(Outbox::EncodedSize(fits), Outbox::MaxEventBytes());
  db_->Write([&](store::Tx& tx) { Outbox::Append(tx, fits); });
  EXPECT_EQ(db_->Read([](store::Tx& tx) { return Outbox::CountPending(tx); }), 1);
}

TEST_F(OutboxTest, AParkedRowIsNoLongerPendingIsListedWithItsErrorAndOutlivesPruning) {
  db_->Write([](store::Tx& tx) {
    for (int i = 0; i < 3; ++i) Outbox::Append(tx, Sample(i));
  });
  auto rows = db_->Read([](store::Tx& tx) { return Outbox::Pending(tx, 0, 10); });
  ASSERT_EQ(rows.size(), 3u);
  db_->Write([&](store::Tx& tx) {
    Outbox::Park(tx, rows[1].seq, "Broker: Message size too large");
    Outbox::MarkSent(tx, {rows[0].seq, rows[2].seq});
  });
  EXPECT_EQ(db_->Read([](store::Tx& tx) { return Outbox::CountPending(tx); }), 0);
  EXPECT_TRUE(db_->Read([](store::Tx& tx) { return Outbox::Pending(tx, 0, 10); }).empty());
  EXPECT_EQ(db_->Write([](store::Tx& tx) { return Outbox::PruneSent(tx, -10); }), 2);
  auto parked = db_->Read([](store::Tx& tx) { return Outbox::ListParked(tx, 0, 10); });
  ASSERT_EQ(parked.size(), 1u);
  EXPECT_EQ(parked[0].event_id, rows[1].event.id);
  EXPECT_EQ(parked[0].key, "code1");
  EXPECT_EQ(parked[0].error, "Broker: Message size too large");
  EXPECT_GT(parked[0].parked_at, 0);
  EXPECT_EQ(db_->Read([](store::Tx& tx) { return Outbox::CountParked(tx); }), 1);
}

TEST_F(OutboxTest, AHandlerThatCannotDecodeItsEventSaysSoWithUndecodableEvent) {
  Event e = Sample(1);
  e.payload = std::string("\xff\xff\xff", 3);
  osh::events::v1::EnterpriseRegistered m;
  EXPECT_THROW(UnpackOrThrow(e, &m), UndecodableEvent);
  EXPECT_NO_THROW(UnpackOrThrow(Sample(2), &m));
  EXPECT_EQ(m.employer().credit_code(), "code2");
}

}  // namespace
}  // namespace osh::events
