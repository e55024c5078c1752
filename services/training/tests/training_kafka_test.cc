// osh-training against the real Kafka broker of the ctest fixture: an
// EnterpriseRegistered event published through a registry-style outbox and
// relay assigns the mandatory courses once, even when the broker carries the
// event twice and when a new consumer takes over the group.
#include <random>

#include "osh/events/consumer.h"
#include "osh/events/relay.h"
#include "training_fixture.h"

namespace osh::training::testing {
namespace {

std::string Brokers() {
  const char* b = std::getenv("OSH_TEST_KAFKA_BOOTSTRAP");
  return b == nullptr ? "127.0.0.1:19092" : b;
}

class TrainingKafkaTest : public TrainingFixture {
 protected:
  void SetUp() override {
    TrainingFixture::SetUp();
    topic_ = "osh.registry.events.training-test-" + std::to_string(std::random_device{}());
    group_ = "training-test-" + std::to_string(std::random_device{}());
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
    TrainingFixture::TearDown();
  }

  void StartConsumer() {
    events::EventConsumer::Options o;
    o.brokers = Brokers();
    o.group_id = group_;
    o.topics = {topic_};
    consumer_ = std::make_unique<events::EventConsumer>(
        *db_, o, [this](store::Tx& tx, const events::Event& e) { training_->Route(tx, e); }, nullptr);
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

  int Assignments(const std::string& token) {
    v1::ListAssignmentsResponse out;
    EXPECT_TRUE(stub_->ListAssignments(Ctx(token).get(), v1::ListAssignmentsRequest(), &out).ok());
    return out.assignments_size();
  }

  std::string topic_;
  std::string group_;
  std::vector<std::unique_ptr<store::Database>> producer_dbs_;
  std::vector<std::unique_ptr<events::OutboxRelay>> relays_;
  std::unique_ptr<events::EventConsumer> consumer_;
};

TEST_F(TrainingKafkaTest, RegistrationsOnTheBrokerAssignMandatoryCoursesOnce) {
  auto mandatory = SampleCourse("粉尘必修");
  mandatory.set_mandatory(true);
  mandatory.clear_industry_sections();
  PublishedCourse(mandatory);  // principal and OSH manager among its roles: two assignments per employer
  StartConsumer();

  const auto first = Registered(kOrgA, {common::v1::HAZARD_CATEGORY_DUST});
  Publish(first, 0);
  Publish(first, 1);  // the same event twice on the broker (a producer retry, a replay)
  ASSERT_TRUE(WaitFor([&] { return Assignments(employer_) >= 2; }));

  // A new consumer in the same group (a restart) reads on from the committed offsets.
  consumer_.reset();
  StartConsumer();
  Publish(Registered(kOrgB, {common::v1::HAZARD_CATEGORY_DUST}));
  Publish(Registered(CreditCode('3'), {common::v1::HAZARD_CATEGORY_CHEMICAL}));  // does not match
  ASSERT_TRUE(WaitFor([&] { return Assignments(other_employer_) >= 2; }));
  std::this_thread::sleep_for(std::chrono::seconds(1));  // room for a wrong extra assignment to show
  EXPECT_EQ(Assignments(employer_), 2);
  EXPECT_EQ(Assignments(admin_), 4);
  EXPECT_EQ(consumer_->dead_lettered(), 0u);
}

}  // namespace
}  // namespace osh::training::testing
