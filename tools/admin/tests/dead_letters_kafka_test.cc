// osh-admin's dead-letter listing and replay against the real broker of the
// ctest fixture `kafka`, with a real EventConsumer applying into SQLite.
#include "dead_letters.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "osh/core/ids.h"
#include "osh/core/trace.h"
#include "osh/events/consumer.h"
#include "osh/events/testing/consumer_lag.h"
#include "osh/events/testing/test_broker.h"
#include "osh/events/v1/registry_events.pb.h"
#include "osh/store/testing/scratch_dir.h"

namespace osh::admin {
namespace {

using events::Event;
using events::EventConsumer;

std::string Unique(const std::string& what) { return "osh-test-" + what + "-" + core::NewRequestId(); }

class DeadLetterReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    topic_ = Unique("dlq");
    group_ = Unique("group");
    db_ = store::Database::Open({.path = dir_.File("consumer.db")},
                                {{1, "applied", "CREATE TABLE applied (event_id TEXT PRIMARY KEY, event_key TEXT)"},
                                 EventConsumer::Migration(2)});
  }

  Event Sample(const std::string& code) const {
    events::v1::EnterpriseRegistered payload;
    payload.mutable_employer()->set_credit_code(code);
    Event e = events::MakeEvent(payload, "44", "registry", "same-key");  // one key: one partition, in order
    e.topic = topic_;
    return e;
  }

  int64_t AppliedRows() {
    return db_->Read([](store::Tx& tx) {
      auto s = tx.Prepare("SELECT COUNT(*) FROM applied");
      s.Step();
      return s.Int(0);
    });
  }

  std::unique_ptr<EventConsumer> StartConsumer(const std::atomic<bool>* data_corrected, const std::string& poison_id) {
    auto handler = [this, data_corrected, poison_id](store::Tx& tx, const Event& e) {
      if (e.id == poison_id && !data_corrected->load()) throw std::runtime_error("employer 91440300 has no division");
      if (e.id == poison_id) {
        std::lock_guard lock(mu_);
        poison_applied_in_trace_ = core::CurrentTrace()->trace_id;
      }
      tx.Prepare("INSERT INTO applied VALUES (?, ?)").BindAll(e.id, e.key).Run();
    };
    EventConsumer::Options options{.brokers = events::testing::TestBrokers(),
                                   .group_id = group_,
                                   .topics = {topic_},
                                   .max_attempts = 2,
                                   .initial_backoff = std::chrono::milliseconds(10)};
    auto consumer = std::make_unique<EventConsumer>(*db_, options, handler, nullptr);
    std::string error;
    EXPECT_TRUE(consumer->Start(&error)) << error;
    return consumer;
  }

  DeadLetterOptions Options() const { return {.brokers = events::testing::TestBrokers(), .topic = topic_}; }

  std::mutex mu_;
  std::string poison_applied_in_trace_;  // the trace the consumer applied the poison event in
  store::testing::ScratchDir dir_{"admin-dlq"};
  std::string topic_;
  std::string group_;
  std::unique_ptr<store::Database> db_;
};

TEST_F(DeadLetterReplayTest, APoisonEventIsListedWithItsOriginAndReplayedOnceAfterTheDataIsCorrected) {
  events::testing::TestPublisher publisher(dir_.File("publisher.db"));
  const Event before = Sample("before");
  const core::TraceContext request = core::NewTrace();
  Event poison;
  {
    core::ScopedTrace scope(request);  // made while a traced request was handled
    poison = Sample("poison");
  }
  const Event after = Sample("after");
  for (const Event& e : {before, poison, after}) publisher.Publish(e, topic_);

  std::atomic<bool> data_corrected{false};
  auto consumer = StartConsumer(&data_corrected, poison.id);
  ASSERT_TRUE(events::testing::WaitFor([&] { return consumer->applied() == 2 && consumer->dead_lettered() == 1; },
                                       std::chrono::seconds(60)))
      << consumer->applied() << " applied, " << consumer->dead_lettered() << " dead-lettered";

  std::string error;
  auto letters = ListDeadLetters(Options(), &error);
  ASSERT_TRUE(letters) << error;
  ASSERT_EQ(letters->size(), 1u);
  const DeadLetter& letter = letters->front();
  EXPECT_EQ(letter.event.id, poison.id);
  EXPECT_EQ(letter.event.source, poison.source);
  EXPECT_EQ(letter.event.type, poison.type);
  EXPECT_EQ(letter.event.payload, poison.payload);
  EXPECT_EQ(letter.event.traceparent, request.Traceparent());
  EXPECT_EQ(letter.original_topic, topic_);
  EXPECT_GE(letter.original_partition, 0);
  EXPECT_EQ(letter.original_offset, 1);  // the second event of the partition
  EXPECT_EQ(letter.error, "employer 91440300 has no division");
  EXPECT_GT(letter.dead_lettered_at_ms, 0);

  data_corrected = true;
  auto replay = ReplayDeadLetters(Options(), {poison.id}, /*dry_run=*/false, &error);
  ASSERT_TRUE(replay) << error;
  EXPECT_EQ(replay->replayed, std::vector<std::string>{poison.id});
  ASSERT_TRUE(events::testing::WaitFor([&] { return consumer->applied() == 3; }, std::chrono::seconds(60)));
  EXPECT_EQ(AppliedRows(), 3);
  EXPECT_EQ(consumer->dead_lettered(), 1u);
  {
    std::lock_guard lock(mu_);
    EXPECT_EQ(poison_applied_in_trace_, request.trace_id);  // the replay kept the request's trace
  }

  // Again, everything: the consumer knows the id and applies nothing more.
  replay = ReplayDeadLetters(Options(), {}, /*dry_run=*/false, &error);
  ASSERT_TRUE(replay) << error;
  EXPECT_EQ(replay->replayed, std::vector<std::string>{poison.id});
  ASSERT_TRUE(events::testing::WaitFor([&] { return consumer->duplicates() == 1; }, std::chrono::seconds(60)));
  ASSERT_TRUE(events::testing::WaitForConsumerGroupCaughtUp(group_, topic_));
  EXPECT_EQ(consumer->applied(), 3u);
  EXPECT_EQ(AppliedRows(), 3);
  consumer->Stop();
}

TEST_F(DeadLetterReplayTest, ADryRunAndAnUnknownIdPublishNothing) {
  events::testing::TestPublisher publisher(dir_.File("publisher.db"));
  const Event poison = Sample("poison");
  publisher.Publish(poison, topic_);
  std::atomic<bool> data_corrected{false};
  auto consumer = StartConsumer(&data_corrected, poison.id);
  ASSERT_TRUE(events::testing::WaitFor([&] { return consumer->dead_lettered() == 1; }, std::chrono::seconds(60)));
  data_corrected = true;

  std::string error;
  auto dry = ReplayDeadLetters(Options(), {}, /*dry_run=*/true, &error);
  ASSERT_TRUE(dry) << error;
  EXPECT_EQ(dry->replayed, std::vector<std::string>{poison.id});
  auto unknown = ReplayDeadLetters(Options(), {"no-such-event"}, /*dry_run=*/false, &error);
  ASSERT_TRUE(unknown) << error;
  EXPECT_TRUE(unknown->replayed.empty());
  EXPECT_EQ(unknown->not_found, std::vector<std::string>{"no-such-event"});

  // Nothing new on the topic: the group is at its end with only the original event behind it.
  ASSERT_TRUE(events::testing::WaitForConsumerGroupCaughtUp(group_, topic_));
  EXPECT_EQ(events::testing::ConsumerGroupLag(events::testing::TestBrokers(), group_, topic_), 0);
  EXPECT_EQ(consumer->applied(), 0u);
  EXPECT_EQ(AppliedRows(), 0);
  consumer->Stop();
}

TEST_F(DeadLetterReplayTest, ATopicThatNeverHadADeadLetterListsNone) {
  std::string error;
  auto letters = ListDeadLetters(Options(), &error);
  ASSERT_TRUE(letters) << error;
  EXPECT_TRUE(letters->empty());
}

}  // namespace
}  // namespace osh::admin
