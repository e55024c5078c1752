// Three provinces' registries publish through their outboxes and relays to the
// real broker of the ctest fixture `kafka`; reporting consumes them with the
// EventConsumer and must arrive at the exact rollups, and a second consumer
// group re-reading everything (a redelivery of every event) changes nothing.
// Under the label postgres (postgres:<case>) reporting's store is PostgreSQL.
#include "osh/events/testing/test_broker.h"
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "osh/core/ids.h"
#include "osh/events/consumer.h"
#include "osh/events/outbox.h"
#include "osh/events/relay.h"
#include "osh/store/testing/postgres.h"
#include "osh/store/testing/scratch_dir.h"
#include "rollup_projector.h"
#include "rollup_query.h"
#include "rollup_store.h"
#include "indicators.h"
#include "simulated_registry.h"
#include "simulated_supervision.h"

namespace osh::reporting::testing {
namespace {

std::string Brokers() { return events::testing::TestBrokers(); }

std::string Unique(const std::string& what) { return "osh-test-reporting-" + what + "-" + core::NewRequestId(); }

template <typename Pred>
bool WaitFor(Pred pred) {
  return events::testing::WaitFor(pred, std::chrono::seconds(90), std::chrono::milliseconds(50));
}

class ReportingKafkaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    topic_ = Unique("registry-events");
  }

  // Publishes one province's events as its registry does: appended to its
  // outbox, sent by its relay with the idempotent producer.
  void PublishAs(const std::string& province, const std::vector<events::Event>& province_events) {
    auto db = store::Database::Open({.path = (dir_.path() / ("registry-" + province + ".db")).string()},
                                    {events::Outbox::Migration(1), events::Outbox::ParkingMigration(2),
                                     events::Outbox::TraceMigration(3)});
    db->Write([&](store::Tx& tx) {
      for (const auto& e : province_events) events::Outbox::Append(tx, e);
    });
    events::OutboxRelay relay(*db, {.brokers = Brokers()}, &metrics_);
    std::string error;
    ASSERT_TRUE(relay.Start(&error)) << error;
    relay.Notify();
    ASSERT_TRUE(WaitFor([&] { return relay.published() == province_events.size(); })) << relay.published();
    relay.Stop();
  }

  events::EventConsumer::Options ConsumerOptions() const {
    events::EventConsumer::Options o;
    o.brokers = Brokers();
    o.group_id = Unique("group");
    o.topics = {topic_};
    return o;
  }

  int64_t Value(store::Database& db, v1::Metric metric, const std::string& region_prefix = "") {
    ResolvedQuery q;
    q.region_prefix = region_prefix;
    q.metrics = {metric};
    auto rows = db.Read([&](store::Tx& tx) { return RunRollup(tx, q, 10); });
    return rows.empty() ? 0 : rows.begin()->second.at(0);
  }

  // Reporting's store: a SQLite file, or under the label postgres a PostgreSQL
  // database (the registries publishing stay on SQLite files).
  std::unique_ptr<store::Database> OpenReporting() {
    if (!reporting_database_) {
      reporting_database_ = std::make_unique<store::testing::TestDatabase>(dir_.File("reporting.db"));
    }
    return store::Database::Open(reporting_database_->Options(), RollupStore::Migrations());
  }

  store::testing::ScratchDir dir_{"reporting-kafka"};
  std::unique_ptr<store::testing::TestDatabase> reporting_database_;
  std::string topic_;
  core::MetricsRegistry metrics_;
};

TEST_F(ReportingKafkaTest, ThreeProvincesThroughKafkaGiveExactRollupsAndRedeliveryChangesNothing) {
  ThreeProvinces world;
  std::map<std::string, std::vector<events::Event>> by_province;
  size_t total = 0;
  world.PlayTheYear([&](events::Event e) {
    e.topic = topic_;
    by_province[e.Province()].push_back(std::move(e));
    ++total;
  });
  // Guangdong last: its import of the transferred employer follows Jiangsu's
  // transfer, as it does in the field (the import is a reaction to it).
  for (const char* province : {"32", "11", "44"}) PublishAs(province, by_province[province]);

  auto db = OpenReporting();
  RollupProjector projector(ReportingCalendar(), &metrics_);
  {
    events::EventConsumer consumer(*db, ConsumerOptions(), projector.AsHandler(), &metrics_);
    std::string error;
    ASSERT_TRUE(consumer.Start(&error)) << error;
    ASSERT_TRUE(WaitFor([&] { return consumer.applied() == total; })) << consumer.applied() << " of " << total;
    consumer.Stop();
    EXPECT_EQ(consumer.dead_lettered(), 0u);
  }
  const auto figures = [&] {
    return std::vector<int64_t>{Value(*db, v1::METRIC_REGISTERED_EMPLOYERS),
                                Value(*db, v1::METRIC_REGISTERED_EMPLOYERS, "44"),
                                Value(*db, v1::METRIC_REGISTERED_EMPLOYERS, "32"),
                                Value(*db, v1::METRIC_REGISTERED_EMPLOYERS, "11"),
                                Value(*db, v1::METRIC_EXPOSED_WORKERS),
                                Value(*db, v1::METRIC_WORKERS),
                                Value(*db, v1::METRIC_REGISTRATIONS),
                                Value(*db, v1::METRIC_TRANSFERS_IN, "44"),
                                Value(*db, v1::METRIC_DECLARATIONS_SUBMITTED)};
  };
  const std::vector<int64_t> expected = {6, 4, 1, 1, 102, 535, 6, 1, 6};
  EXPECT_EQ(figures(), expected);

  // Another group reads the topic from the start: every event arrives again.
  events::EventConsumer again(*db, ConsumerOptions(), projector.AsHandler(), &metrics_);
  std::string error;
  ASSERT_TRUE(again.Start(&error)) << error;
  ASSERT_TRUE(WaitFor([&] { return again.duplicates() == total; })) << again.duplicates() << " of " << total;
  again.Stop();
  EXPECT_EQ(again.applied(), 0u);
  EXPECT_EQ(figures(), expected);
}

// An event reporting can never apply (here a county code outside the sending
// province) is dead-lettered at its first attempt, counted as undecodable,
// rather than retried as if a later attempt could succeed; the events after
// it are applied.
TEST_F(ReportingKafkaTest, AnUnusableEventIsDeadLetteredAtOnceAndLaterEventsApply) {
  SimulatedRegistry gd("44");
  auto bad_division = gd.Register(MakeCreditCode("440305", 7), "449900", "C", 80, "2024-02-01");
  auto good = gd.Register(MakeCreditCode("441900", 8), "441900", "C", 120, "2024-01-15");
  bad_division.topic = good.topic = topic_;
  PublishAs("44", {bad_division, good});

  auto db = OpenReporting();
  RollupProjector projector(ReportingCalendar(), &metrics_);
  events::EventConsumer consumer(*db, ConsumerOptions(), projector.AsHandler(), &metrics_);
  std::string error;
  ASSERT_TRUE(consumer.Start(&error)) << error;
  ASSERT_TRUE(WaitFor([&] { return consumer.applied() == 1u && consumer.dead_lettered() == 1u; }))
      << consumer.applied() << " applied, " << consumer.dead_lettered() << " dead-lettered";
  consumer.Stop();
  EXPECT_EQ(consumer.undecodable(), 1u);
  EXPECT_EQ(Value(*db, v1::METRIC_REGISTERED_EMPLOYERS), 1);
}

// The supervision, training and disease facts built from their event protos
// (not yet emitted by the registry service itself here), published through
// outboxes and relays on the registry and training topics of the real
// broker: the indicators come out as worked out by hand, and a second
// consumer group re-reading both topics changes nothing.
TEST_F(ReportingKafkaTest, SupervisionAndTrainingFactsThroughKafkaGiveTheHandComputedIndicatorsOnce) {
  const std::string training_topic = Unique("training-events");
  ThreeProvinces world;
  std::map<std::string, std::vector<events::Event>> by_province;
  size_t total = 0;
  const auto route = [&](events::Event e) {
    e.topic = e.source.find("/training") != std::string::npos ? training_topic : topic_;
    by_province[e.Province()].push_back(std::move(e));
    ++total;
  };
  world.PlayTheYear(route);
  PlayGuangdongSupervision(world, route);
  for (const char* province : {"32", "11", "44"}) PublishAs(province, by_province[province]);

  auto db = OpenReporting();
  RollupProjector projector(ReportingCalendar(), &metrics_);
  auto options = ConsumerOptions();
  options.topics = {topic_, training_topic};
  {
    events::EventConsumer consumer(*db, options, projector.AsHandler(), &metrics_);
    std::string error;
    ASSERT_TRUE(consumer.Start(&error)) << error;
    ASSERT_TRUE(WaitFor([&] { return consumer.applied() == total; })) << consumer.applied() << " of " << total;
    consumer.Stop();
    EXPECT_EQ(consumer.dead_lettered(), 0u);
  }
  const auto fractions = [&] {
    IndicatorQuery q;
    q.region_prefix = "44";
    q.first_year = q.last_year = 2024;
    const auto rows = db->Read([&](store::Tx& tx) { return RunIndicatorQuery(tx, q, {}, 100); });
    std::vector<std::pair<int64_t, int64_t>> out;
    if (rows.size() != 1) return out;
    for (const auto& v : rows[0].indicators()) out.emplace_back(v.numerator(), v.denominator());
    out.emplace_back(rows[0].disease_cases(0).value(), rows[0].disease_cases(0).previous_value());
    return out;
  };
  const std::vector<std::pair<int64_t, int64_t>> expected = {{3, 4},   {17, 20},   {82, 92}, {80, 92},
                                                             {2, 6},   {2, 4},     {526, 1000}, {4, 5}};
  EXPECT_EQ(fractions(), expected);

  options.group_id = Unique("group");
  events::EventConsumer again(*db, options, projector.AsHandler(), &metrics_);
  std::string error;
  ASSERT_TRUE(again.Start(&error)) << error;
  ASSERT_TRUE(WaitFor([&] { return again.duplicates() == total; })) << again.duplicates() << " of " << total;
  again.Stop();
  EXPECT_EQ(again.applied(), 0u);
  EXPECT_EQ(fractions(), expected);
}

}  // namespace
}  // namespace osh::reporting::testing
