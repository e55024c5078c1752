// The approval events leave through reporting's outbox and its relay to the
// real broker of the ctest fixture `kafka`, on topic osh.reporting.events, and
// a consumer reads them back as the province's.
#include <gtest/gtest.h>

#include <mutex>

#include "osh/core/ids.h"
#include "osh/events/consumer.h"
#include "osh/events/outbox.h"
#include "osh/events/relay.h"
#include "osh/events/testing/test_broker.h"
#include "osh/events/v1/reporting_events.pb.h"
#include "osh/store/testing/postgres.h"
#include "osh/store/testing/scratch_dir.h"
#include "reporting.h"
#include "rollup_projector.h"
#include "rollup_store.h"
#include "simulated_registry.h"

namespace osh::reporting::testing {
namespace {

TEST(ApprovalKafka, SubmissionAndAcceptanceReachTheBrokerAsTheProvincesEvents) {
  store::testing::ScratchDir dir{"reporting-approval-kafka"};
  core::MetricsRegistry metrics;
  store::testing::TestDatabase database(dir.File("reporting.db"));  // PostgreSQL under the label postgres
  auto db = store::Database::Open(database.Options(), RollupStore::Migrations());
  RollupProjector projector;
  ThreeProvinces world;
  world.PlayTheYear([&](const events::Event& e) { events::EventConsumer::ApplyOnce(*db, projector.AsHandler(), e); });

  events::OutboxRelay relay(*db, {.brokers = events::testing::TestBrokers()}, &metrics);
  std::string error;
  ASSERT_TRUE(relay.Start(&error)) << error;
  Reporting::Options options;
  options.clock = [] { return TimeAt("2024-12-01"); };
  options.after_commit = [&relay] { relay.Notify(); };
  Reporting reporting(*db, options);

  const auth::Principal admin{"admin44", auth::Role::kProvinceAdmin, "44", ""};
  const auth::Principal national{"nat", auth::Role::kNationalAdmin, "", ""};
  v1::GenerateAnnualReportRequest generate;
  generate.set_province("44");
  generate.set_year(2024);
  v1::AnnualReport draft, submitted, accepted;
  ASSERT_TRUE(reporting.GenerateAnnualReport({&admin, "r1"}, generate, &draft).ok());
  v1::SubmitAnnualReportRequest submit;
  submit.set_id(draft.id());
  ASSERT_TRUE(reporting.SubmitAnnualReport({&admin, "r2"}, submit, &submitted).ok());
  v1::ApproveAnnualReportRequest approve;
  approve.set_id(draft.id());
  approve.set_version(submitted.version());
  ASSERT_TRUE(reporting.ApproveAnnualReport({&national, "r3"}, approve, &accepted).ok());
  ASSERT_TRUE(events::testing::WaitFor([&] { return relay.published() >= 2; })) << relay.published();
  relay.Stop();

  // Read the topic back from its start (other runs' reports are on it too:
  // this report's events are told by their key).
  auto consumer_db = store::Database::Open({.path = (dir.path() / "consumer.db").string()},
                                           {events::EventConsumer::Migration(1)});
  std::mutex mu;
  std::vector<events::Event> mine;
  events::EventConsumer::Options o;
  o.brokers = events::testing::TestBrokers();
  o.group_id = "osh-test-approval-" + core::NewRequestId();
  o.topics = {"osh.reporting.events"};
  events::EventConsumer consumer(*consumer_db, o, [&](store::Tx&, const events::Event& e) {
    std::lock_guard lock(mu);
    if (e.key == draft.id()) mine.push_back(e);
  }, &metrics);
  ASSERT_TRUE(consumer.Start(&error)) << error;
  ASSERT_TRUE(events::testing::WaitFor([&] {
    std::lock_guard lock(mu);
    return mine.size() >= 2;
  }, std::chrono::seconds(90)));
  consumer.Stop();
  std::lock_guard lock(mu);
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].type, "osh.events.v1.ProvincialReportSubmitted");
  EXPECT_EQ(mine[1].type, "osh.events.v1.ProvincialReportAccepted");
  EXPECT_EQ(mine[0].source, "osh://44/reporting");
  events::v1::ProvincialReportAccepted m;
  ASSERT_TRUE(events::Unpack(mine[1], &m));
  EXPECT_EQ(m.report().report_id(), draft.id());
  EXPECT_EQ(m.report().version(), accepted.version());
  EXPECT_EQ(db->Read([](store::Tx& tx) { return events::Outbox::CountPending(tx); }), 0);
}

}  // namespace
}  // namespace osh::reporting::testing
