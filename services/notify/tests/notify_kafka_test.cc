// osh-notify against the real Kafka broker of the ctest fixture: events
// published through a registry-style outbox and relay are routed by the
// notify consumer into an inbox and a signed webhook — once, even when the
// same event is published twice and when a new consumer takes over the group.
#include <random>

#include "http_receiver.h"
#include "notify_fixture.h"
#include "osh/events/consumer.h"
#include "osh/events/outbox.h"
#include "osh/events/relay.h"

namespace osh::notify::testing {
namespace {

std::string Brokers() {
  const char* b = std::getenv("OSH_TEST_KAFKA_BOOTSTRAP");
  return b == nullptr ? "127.0.0.1:19092" : b;
}

class NotifyKafkaTest : public NotifyFixture {
 protected:
  void SetUp() override {
    NotifyFixture::SetUp();
    topic_ = "osh.registry.events.notify-test-" + std::to_string(std::random_device{}());
    group_ = "notify-test-" + std::to_string(std::random_device{}());
    // Two producers: an outbox holds an event once, a broker may still see it twice.
    for (int i = 0; i < 2; ++i) {
      producer_dbs_.push_back(store::Database::Open({.path = dir_.File("producer" + std::to_string(i) + ".db")},
                                                    {events::Outbox::Migration(1)}));
      relays_.push_back(std::make_unique<events::OutboxRelay>(
          *producer_dbs_.back(), events::OutboxRelay::Options{.brokers = Brokers()}, nullptr));
      std::string error;
      ASSERT_TRUE(relays_.back()->Start(&error)) << error;
    }
  }

  void TearDown() override {
    consumer_.reset();
    relays_.clear();
    NotifyFixture::TearDown();
  }

  void StartConsumer() {
    events::EventConsumer::Options o;
    o.brokers = Brokers();
    o.group_id = group_;
    o.topics = {topic_};
    o.after_commit = [this] { dispatcher_->Notify(); };
    consumer_ = std::make_unique<events::EventConsumer>(
        *db_, o, [this](store::Tx& tx, const events::Event& e) { notify_->Route(tx, e); }, nullptr);
    std::string error;
    ASSERT_TRUE(consumer_->Start(&error)) << error;
  }

  void Publish(events::Event e, size_t producer = 0) {
    e.topic = topic_;
    producer_dbs_[producer]->Write([&](store::Tx& tx) { events::Outbox::Append(tx, e); });
    relays_[producer]->Notify();
  }

  template <typename Pred>
  bool WaitFor(Pred pred, std::chrono::seconds limit = std::chrono::seconds(30)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return pred();
  }

  int InboxSize(const std::string& token) {
    v1::ListInboxResponse out;
    EXPECT_TRUE(stub_->ListInbox(Ctx(token).get(), v1::ListInboxRequest(), &out).ok());
    return out.items_size();
  }

  std::string topic_;
  std::string group_;
  std::vector<std::unique_ptr<store::Database>> producer_dbs_;
  std::vector<std::unique_ptr<events::OutboxRelay>> relays_;
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
  std::this_thread::sleep_for(std::chrono::seconds(1));  // room for a wrong extra delivery to show
  EXPECT_EQ(receiver.requests().size(), 2u);
  EXPECT_EQ(InboxSize(employer_), 2);
}

}  // namespace
}  // namespace osh::notify::testing
