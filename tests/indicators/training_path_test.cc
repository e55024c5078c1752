// Training completions over the real path: an employer's principal and its
// OSH manager complete a mandatory course in the real training service (SQLite
// file, EnrollmentCompleted in its outbox in the same transaction), its outbox
// relay publishes to the ctest fixture's broker, and reporting's EventConsumer
// and RollupProjector turn the completions into the training rate.
//
// osh.training.events outlives this run and other suites write to it, so
// reporting here applies only the completions of this run's course (a filter
// in front of the real projector).
#include <mutex>
#include <random>

#include "indicators.h"
#include "osh/events/consumer.h"
#include "osh/events/relay.h"
#include "osh/events/testing/test_broker.h"
#include "osh/events/v1/training_events.pb.h"
#include "rollup_metrics.h"
#include "rollup_projector.h"
#include "rollup_store.h"
#include "simulated_registry.h"
#include "training_fixture.h"

namespace osh::training::testing {
namespace {

namespace rep = ::osh::reporting;

class TrainingPathTest : public TrainingFixture {
 protected:
  void SetUp() override {
    TrainingFixture::SetUp();
    relay_ = std::make_unique<events::OutboxRelay>(
        *db_, events::OutboxRelay::Options{.brokers = events::testing::TestBrokers()}, nullptr);
    std::string error;
    ASSERT_TRUE(relay_->Start(&error)) << error;
    reporting_db_ = store::Database::Open({.path = (dir_.path() / "reporting.db").string()},
                                          rep::RollupStore::Migrations());
  }

  void StartReporting(const std::string& course_id) {
    events::EventConsumer::Options o;
    o.brokers = events::testing::TestBrokers();
    o.group_id = "training-path-" + std::to_string(std::random_device{}());
    o.topics = {events::TopicFor("training")};
    const auto handler = projector_.AsHandler();
    consumer_ = std::make_unique<events::EventConsumer>(
        *reporting_db_, o,
        [this, handler, course_id](store::Tx& tx, const events::Event& e) {
          events::v1::EnrollmentCompleted m;
          if (!events::Unpack(e, &m) || m.course_id() != course_id) return;
          handler(tx, e);
          std::lock_guard lock(mu_);
          ++applied_;
        },
        nullptr);
    std::string error;
    ASSERT_TRUE(consumer_->Start(&error)) << error;
  }

  void TearDown() override {
    consumer_.reset();
    relay_.reset();
    reporting_db_.reset();
    TrainingFixture::TearDown();
  }

  int64_t Total(rep::v1::Metric metric, int year) {
    return reporting_db_->Read([&](store::Tx& tx) {
      return rep::TotalsOf(tx, "44", {rep::MakeMonthKey(year, 1), rep::MakeMonthKey(year, 12)})[rep::MetricIndex(metric)];
    });
  }

  rep::RollupProjector projector_;
  std::unique_ptr<events::OutboxRelay> relay_;
  std::unique_ptr<store::Database> reporting_db_;
  std::unique_ptr<events::EventConsumer> consumer_;
  std::mutex mu_;
  size_t applied_ = 0;
};

TEST_F(TrainingPathTest, CompletionsOfTheRealTrainingServiceThroughKafkaGiveTheTrainingRate) {
  // Reporting knows employer A (Guangzhou 440101) with an approved declaration:
  // its principal and its OSH manager must be trained (2 places).
  rep::testing::SimulatedRegistry gd("44");
  const auto apply = [&](const events::Event& e) {
    ASSERT_TRUE(events::EventConsumer::ApplyOnce(*reporting_db_, projector_.AsHandler(), e));
  };
  apply(gd.Register(kOrgA, "440101", "C", 60, "2026-01-01"));
  apply(gd.Submit(kOrgA, "A1", {{common::v1::HAZARD_CATEGORY_DUST, 12}}, 12, "2026-01-01"));
  apply(gd.Approve("A1", "2026-01-01"));

  auto content = SampleCourse();
  content.set_mandatory(true);
  const auto course = PublishedCourse(content);
  StartReporting(course.id());
  // The principal (the employer account) and the OSH manager (a worker the
  // employer appointed) complete it.
  const auto principal = CompletedEnrollment(course.id(), employer_, v1::TARGET_ROLE_EMPLOYER_PRINCIPAL);
  const auto manager = CompletedEnrollment(course.id(), worker_, v1::TARGET_ROLE_OSH_MANAGER);
  ASSERT_EQ(principal.status(), v1::ENROLLMENT_STATUS_COMPLETED);
  ASSERT_EQ(manager.status(), v1::ENROLLMENT_STATUS_COMPLETED);
  relay_->Notify();
  // Waits on what reporting committed (the handler's count runs inside the
  // transaction, before its commit, so it alone would race the reads below).
  const int year = 2026;
  ASSERT_TRUE(events::testing::WaitFor(
      [&] {
        std::lock_guard lock(mu_);
        return applied_ >= 2 && Total(rep::v1::METRIC_COMPLETIONS_PRINCIPAL, year) +
                                        Total(rep::v1::METRIC_COMPLETIONS_OSH_MANAGER, year) >= 2;
      },
      std::chrono::seconds(60), std::chrono::milliseconds(100)))
      << "reporting never committed both completions";

  EXPECT_EQ(Total(rep::v1::METRIC_COMPLETIONS_PRINCIPAL, year), 1);
  EXPECT_EQ(Total(rep::v1::METRIC_COMPLETIONS_OSH_MANAGER, year), 1);
  EXPECT_EQ(Total(rep::v1::METRIC_PRINCIPALS_TRAINED, year), 1);
  EXPECT_EQ(Total(rep::v1::METRIC_OSH_MANAGERS_TRAINED, year), 1);
  rep::IndicatorQuery q;
  q.region_prefix = "44";
  q.first_year = q.last_year = year;
  const auto rows = reporting_db_->Read([&](store::Tx& tx) { return rep::RunIndicatorQuery(tx, q, {}, 10); });
  ASSERT_EQ(rows.size(), 1u);
  const auto& training_rate = rows[0].indicators(4);
  EXPECT_EQ(training_rate.indicator(), rep::v1::INDICATOR_TRAINING_RATE);
  EXPECT_EQ(training_rate.numerator(), 2);
  EXPECT_EQ(training_rate.denominator(), 2);
}

}  // namespace
}  // namespace osh::training::testing
