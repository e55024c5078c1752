// osh-notify against the real Kafka broker of the ctest fixture: events
// published through a registry-style outbox and relay are routed by the
// notify consumer into an inbox and a signed webhook — once, even when the
// same event is published twice and when a new consumer takes over the group.
#include <random>

#include "http_receiver.h"
#include "notify_fixture.h"
#include "osh/events/consumer.h"
#include "osh/events/testing/consumer_lag.h"
#include "osh/events/testing/test_broker.h"

namespace osh::notify::testing {
namespace {

using events::testing::TestBrokers;
using events::testing::TestPublisher;
using events::testing::WaitFor;

class NotifyKafkaTest : public NotifyFixture {
 protected:
  void SetUp() override {
    NotifyFixture::SetUp();
    topic_ = "osh.registry.events.notify-test-" + std::to_string(std::random_device{}());
    group_ = "notify-test-" + std::to_string(std::random_device{}());
    // Two producers: an outbox holds an event once, a broker may still see it twice.
    for (int i = 0; i < 2; ++i) publishers_.push_back(std::make_unique<TestPublisher>(dir_.File("producer" + std::to_string(i) + ".db")));
  }

  void TearDown() override {
    consumer_.reset();
    publishers_.clear();
    NotifyFixture::TearDown();
  }

  void StartConsumer() {
    events::EventConsumer::Options o;
    o.brokers = TestBrokers();
    o.group_id = group_;
    o.topics = {topic_};
    o.after_commit = [this] { dispatcher_->Notify(); };
    o.initial_backoff = std::chrono::milliseconds(10);
    consumer_ = std::make_unique<events::EventConsumer>(
        *db_, o, [this](store::Tx& tx, const events::Event& e) { notify_->Route(tx, e); }, &metrics_);
    std::string error;
    ASSERT_TRUE(consumer_->Start(&error)) << error;
  }

  void Publish(events::Event e, size_t producer = 0) { publishers_[producer]->Publish(std::move(e), topic_); }

  // Deliveries not yet sent (or retried) by the dispatcher.
  int PendingDeliveries() {
    v1::ListDeliveriesRequest req;
    req.set_status(v1::DELIVERY_STATUS_PENDING);
    v1::ListDeliveriesResponse out;
    EXPECT_TRUE(stub_->ListDeliveries(Ctx(admin_).get(), req, &out).ok());
    return out.deliveries_size();
  }

  int InboxSize(const std::string& token) {
    v1::ListInboxResponse out;
    EXPECT_TRUE(stub_->ListInbox(Ctx(token).get(), v1::ListInboxRequest(), &out).ok());
    return out.items_size();
  }

  std::string topic_;
  std::string group_;
  std::vector<std::unique_ptr<TestPublisher>> publishers_;
  std::unique_ptr<events::EventConsumer> consumer_;
};

TEST_F(NotifyKafkaTest, EventsOnTheBrokerAreDeliveredOnceToInboxAndWebhook) {
  HttpReceiver receiver;
  const auto inbox = MakeTemplate(v1::CHANNEL_INBOX, "{{name}} 已登记", "{{employer.credit_code}}");
  const auto hook = MakeTemplate(v1::CHANNEL_WEBHOOK, "", R"({"employer": "{{name}}"})");
  MakeRule({Organisation(), Webhook(receiver.url())}, inbox.id(), hook.id());
  StartConsumer();

  const auto first = Registered("第一家");
  Publish(first, 0);
  Publish(first, 1);  // the same event twice on the broker (a producer retry, a replay)
  ASSERT_TRUE(WaitFor([&] { return receiver.requests().size() >= 1 && InboxSize(employer_) >= 1; }));

  // A new consumer in the same group (a restart) reads on from the committed offsets.
  consumer_.reset();
  StartConsumer();
  const auto second = Registered("第二家");
  Publish(second);
  ASSERT_TRUE(WaitFor([&] { return receiver.requests().size() >= 2 && InboxSize(employer_) >= 2; }));
  // Every event on the topic, the copy included, has been applied once the group is caught up;
  // a wrong extra delivery row would exist by then, and its send follows the row's commit.
  for (auto& p : publishers_) ASSERT_TRUE(WaitFor([&] { return events::testing::OutboxDrained(p->db()); }));
  ASSERT_TRUE(events::testing::WaitForConsumerGroupCaughtUp(group_, topic_));
  ASSERT_TRUE(WaitFor([&] { return PendingDeliveries() == 0; }));
  EXPECT_EQ(receiver.requests().size(), 2u);
  EXPECT_EQ(InboxSize(employer_), 2);
}

TEST_F(NotifyKafkaTest, RectificationEventsOnTheBrokerScheduleRemindersThatSurviveARestart) {
  SetNow("2026-11-25T02:00:00Z");
  const auto t = MakeTemplate(v1::CHANNEL_INBOX, "还有{{days_left}}天", "{{item_id}}", "osh.events.v1.DeadlineReminder");
  v1::CreateRuleRequest req;
  auto* rule = req.mutable_rule();
  rule->set_name("rectification reminders");
  rule->set_event_type("osh.events.v1.DeadlineReminder");
  *rule->add_recipients() = Organisation();
  rule->set_inbox_template_id(t.id());
  rule->mutable_schedule()->set_deadline(v1::DEADLINE_KIND_RECTIFICATION);
  rule->mutable_schedule()->add_days_before(7);
  v1::Rule created;
  ASSERT_TRUE(stub_->CreateRule(Ctx(admin_).get(), req, &created).ok());
  StartConsumer();

  const auto opened = [](const std::string& item) {
    events::v1::RectificationOpened m;
    m.set_item_id(item);
    m.set_credit_code(kEmployerCode);
    m.set_province("44");
    m.set_deadline("2026-12-20");
    return events::MakeEvent(m, "44", "registry", kEmployerCode);
  };
  events::v1::RectificationClosed closed;
  closed.set_item_id("closed-item");
  closed.set_credit_code(kEmployerCode);
  Publish(opened("open-item"));
  Publish(opened("closed-item"));
  Publish(events::MakeEvent(closed, "44", "registry", kEmployerCode));
  const auto reminders = [&](v1::ReminderStatus status) {
    v1::ListRemindersRequest list;
    list.set_status(status);
    v1::ListRemindersResponse out;
    EXPECT_TRUE(stub_->ListReminders(Ctx(admin_).get(), list, &out).ok());
    return out.reminders_size();
  };
  ASSERT_TRUE(WaitFor([&] { return reminders(v1::REMINDER_STATUS_CANCELLED) == 1; }));
  EXPECT_EQ(reminders(v1::REMINDER_STATUS_SCHEDULED), 1);

  // The whole service goes down and comes back after the reminder fell due.
  consumer_.reset();
  Stop();
  SetNow("2026-12-13T02:00:00Z");
  Start();
  StartConsumer();
  EXPECT_EQ(scheduler_->RunOnce().sent, 1);
  EXPECT_EQ(scheduler_->RunOnce().sent, 0);
  const auto inbox = Inbox(employer_);
  ASSERT_EQ(inbox.items_size(), 1);
  EXPECT_EQ(inbox.items(0).subject(), "还有7天");
  EXPECT_EQ(inbox.items(0).body(), "open-item");
}

TEST_F(NotifyKafkaTest, AnUndecodableRectificationOpenedIsDeadLetteredAndCountedNotSilentlyProcessed) {
  StartConsumer();
  events::v1::RectificationOpened good;
  good.set_item_id("good-item");
  good.set_credit_code(kEmployerCode);
  good.set_province("44");
  good.set_deadline("2099-12-20");
  auto bad = events::MakeEvent(good, "44", "registry", kEmployerCode);
  bad.payload = std::string("\xff\xff\xff", 3);  // does not decode as its ce_type
  Publish(bad);
  Publish(events::MakeEvent(good, "44", "registry", kEmployerCode));

  // The good event after the bad one is applied; the bad one is dead-lettered.
  ASSERT_TRUE(WaitFor([&] { return consumer_->applied() == 1 && consumer_->dead_lettered() == 1; }))
      << consumer_->applied() << " applied, " << consumer_->dead_lettered() << " dead-lettered";
  EXPECT_EQ(consumer_->undecodable(), 1u);
  EXPECT_NE(metrics_.RenderText().find("osh_events_undecodable_total{topic=\"" + topic_ + "\"} 1"), std::string::npos)
      << metrics_.RenderText();
  // Not recorded as processed: a replay after a fix would apply it.
  const auto processed = db_->Read([&](store::Tx& tx) {
    auto s = tx.Prepare("SELECT COUNT(*) FROM events_processed WHERE event_id = ?");
    s.Bind(1, bad.id);
    s.Step();
    return s.Int(0);
  });
  EXPECT_EQ(processed, 0);
  const auto dead = events::testing::ReadTopicHeaders(topic_ + ".dlt", 1, {"ce_id", "ce_type", "osh_error"});
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].at("ce_id"), bad.id);
  EXPECT_EQ(dead[0].at("ce_type"), "osh.events.v1.RectificationOpened");
  EXPECT_NE(dead[0].at("osh_error").find("does not decode"), std::string::npos) << dead[0].at("osh_error");
}

}  // namespace
}  // namespace osh::notify::testing
