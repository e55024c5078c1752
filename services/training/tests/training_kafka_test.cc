// osh-training against the real Kafka broker of the ctest fixture: an
// EnterpriseRegistered event published through a registry-style outbox and
// relay assigns the mandatory courses once, even when the broker carries the
// event twice and when a new consumer takes over the group.
#include <random>

#include "osh/events/consumer.h"
#include "osh/events/testing/consumer_lag.h"
#include "osh/events/testing/test_broker.h"
#include "training_fixture.h"

namespace osh::training::testing {
namespace {

using events::testing::TestBrokers;
using events::testing::TestPublisher;
using events::testing::WaitFor;

class TrainingKafkaTest : public TrainingFixture {
 protected:
  void SetUp() override {
    TrainingFixture::SetUp();
    topic_ = "osh.registry.events.training-test-" + std::to_string(std::random_device{}());
    group_ = "training-test-" + std::to_string(std::random_device{}());
    // Two producers: an outbox holds an event once, a broker may still see it twice.
    for (int i = 0; i < 2; ++i) publishers_.push_back(std::make_unique<TestPublisher>(dir_.File("producer" + std::to_string(i) + ".db")));
  }

  void TearDown() override {
    consumer_.reset();
    publishers_.clear();
    TrainingFixture::TearDown();
  }

  void StartConsumer() {
    events::EventConsumer::Options o;
    o.brokers = TestBrokers();
    o.group_id = group_;
    o.topics = {topic_};
    consumer_ = std::make_unique<events::EventConsumer>(
        *db_, o, [this](store::Tx& tx, const events::Event& e) { training_->Route(tx, e); }, nullptr);
    std::string error;
    ASSERT_TRUE(consumer_->Start(&error)) << error;
  }

  void Publish(events::Event e, size_t producer = 0) { publishers_[producer]->Publish(std::move(e), topic_); }

  int Assignments(const std::string& token) {
    v1::ListAssignmentsResponse out;
    EXPECT_TRUE(stub_->ListAssignments(Ctx(token).get(), v1::ListAssignmentsRequest(), &out).ok());
    return out.assignments_size();
  }

  std::string topic_;
  std::string group_;
  std::vector<std::unique_ptr<TestPublisher>> publishers_;
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
  // Once both publishers' outboxes are on the topic and the group has consumed it to its end,
  // every event (the copy and the non-matching one included) has been applied: a wrong extra
  // assignment would be there now.
  for (auto& p : publishers_) ASSERT_TRUE(WaitFor([&] { return events::testing::OutboxDrained(p->db()); }));
  ASSERT_TRUE(events::testing::WaitForConsumerGroupCaughtUp(group_, topic_));
  EXPECT_EQ(Assignments(employer_), 2);
  EXPECT_EQ(Assignments(admin_), 4);
  EXPECT_EQ(consumer_->dead_lettered(), 0u);
}

}  // namespace
}  // namespace osh::training::testing
