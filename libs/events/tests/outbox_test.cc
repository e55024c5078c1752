#include "osh/events/outbox.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "osh/events/consumer.h"
#include "osh/events/relay.h"
#include "osh/store/testing/scratch_dir.h"
#include "osh/events/v1/registry_events.pb.h"

namespace osh::events {
namespace {

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = store::Database::Open({.path = dir_.File("events.db")},
                                {{1, "state", "CREATE TABLE state (k TEXT PRIMARY KEY, v INTEGER)"},
                                 Outbox::Migration(2), EventConsumer::Migration(3)});
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

TEST_F(OutboxTest, TheRelayStopsPromptlyWhenNoBrokerAnswersAndKeepsTheRowsPending) {
  // Nothing listens on port 1: every delivery would wait for the 30 s message timeout.
  OutboxRelay relay(*db_, {.brokers = "127.0.0.1:1"}, nullptr);
  std::string error;
  ASSERT_TRUE(relay.Start(&error)) << error;
  db_->Write([&](store::Tx& tx) {
    for (int i = 0; i < 3; ++i) Outbox::Append(tx, Sample(i));
  });
  relay.Notify();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the rows are in flight
  const auto before = std::chrono::steady_clock::now();
  relay.Stop();
  const auto took = std::chrono::steady_clock::now() - before;
  // Bounded by the stop grace, not by the delivery timeout (a Kubernetes pod has 30 s).
  EXPECT_LT(took, OutboxRelay::kStopGrace + std::chrono::seconds(3));
  EXPECT_EQ(relay.published(), 0u);
  EXPECT_EQ(db_->Read([](store::Tx& tx) { return Outbox::CountPending(tx); }), 3);
}

}  // namespace
}  // namespace osh::events
