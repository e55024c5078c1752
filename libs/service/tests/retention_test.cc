// Retention of the bookkeeping tables on real SQLite files, with the pruner's
// clock injected: what is older than a horizon goes, what is younger stays and
// keeps doing its job (a retry answered once, an event applied once).
#include "osh/service/retention.h"

#include <google/protobuf/util/time_util.h>
#include <google/protobuf/wrappers.pb.h>
#include <gtest/gtest.h>

#include "osh/events/consumer.h"
#include "osh/events/event.h"
#include "osh/events/v1/registry_events.pb.h"
#include "osh/service/records.h"
#include "osh/store/testing/scratch_dir.h"

namespace osh::service {
namespace {

using std::chrono::hours;
using Clock = std::chrono::system_clock;
constexpr auto kDay = hours(24);

Clock::time_point At(const std::string& rfc3339) {
  google::protobuf::Timestamp t;
  EXPECT_TRUE(google::protobuf::util::TimeUtil::FromString(rfc3339, &t)) << rfc3339;
  return Clock::from_time_t(t.seconds());
}

class RetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = store::Database::Open({.path = dir_.File("bookkeeping.db")},
                                {RecordsMigration(1), events::EventConsumer::Migration(2),
                                 RecordsRetentionMigration(3), events::EventConsumer::RetentionMigration(4),
                                 {5, "writes", "CREATE TABLE writes (n INTEGER)"}});
  }
  RetentionPruner Pruner(Clock::time_point now, int batch_size = 1000) {
    return RetentionPruner(*db_, tables_, {.batch_size = batch_size, .clock = [now] { return now; }}, &metrics_);
  }
  int64_t Count(const std::string& table) {
    return db_->Read([&](store::Tx& tx) {
      auto s = tx.Prepare("SELECT COUNT(*) FROM " + table);
      s.Step();
      return s.Int(0);
    });
  }
  // Runs `write` idempotently as request `id`; returns the answer given.
  int64_t CreateOnce(const std::string& id, int64_t answer_if_new) {
    google::protobuf::StringValue request;
    request.set_value("create");
    google::protobuf::Int64Value response;
    db_->Write([&](store::Tx& tx) {
      Idempotent(tx, caller_, "Create", id, request, &response, [&] {
        tx.Prepare("INSERT INTO writes VALUES (1)").Run();
        response.set_value(answer_if_new);
      });
    });
    return response.value();
  }
  void SetTime(const std::string& table, const std::string& column, const std::string& key_column,
               const std::string& key, const std::string& value) {
    db_->Write([&](store::Tx& tx) {
      tx.Prepare("UPDATE " + table + " SET " + column + " = ? WHERE " + key_column + " = ?").BindAll(value, key).Run();
    });
  }

  store::testing::ScratchDir dir_{"retention"};
  std::unique_ptr<store::Database> db_;
  core::MetricsRegistry metrics_;
  RetentionHorizons horizons_;  // the defaults: 7 days, 35 days, 3 years
  std::vector<RetainedTable> tables_ = [this] {
    auto t = RecordsTables(horizons_);
    t.push_back(ProcessedEventsTable(horizons_));
    return t;
  }();
  auth::Principal alice_{"alice", auth::Role::kProvinceAdmin, "44", ""};
  Caller caller_{&alice_, "req"};
};

TEST_F(RetentionTest, IdempotencyKeysOlderThanTheHorizonGoAndYoungerOnesStillAnswerTheirRetries) {
  EXPECT_EQ(CreateOnce("old", 1), 1);
  EXPECT_EQ(CreateOnce("young", 2), 2);
  SetTime("idempotency_keys", "created_at", "request_id", "old", "2026-06-01T00:00:00.000Z");
  SetTime("idempotency_keys", "created_at", "request_id", "young", "2026-06-05T12:00:00.000Z");

  auto pruner = Pruner(At("2026-06-10T00:00:00Z"));  // "old" is 9 days old, "young" 4.5
  EXPECT_EQ(pruner.PruneOnce()["idempotency_keys"], 1);
  EXPECT_EQ(Count("idempotency_keys"), 1);
  // Inside the horizon a retry is still answered with the first answer and writes nothing.
  EXPECT_EQ(CreateOnce("young", 99), 2);
  EXPECT_EQ(Count("writes"), 2);
  EXPECT_NE(metrics_.RenderText().find("osh_retention_pruned_total{table=\"idempotency_keys\"} 1"), std::string::npos)
      << metrics_.RenderText();
}

TEST_F(RetentionTest, AuditEntriesArePrunedInBatchesUntilNoneOlderIsLeft) {
  db_->Write([&](store::Tx& tx) {
    for (int i = 0; i < 2500; ++i) Audit(tx, caller_, "update", "employer", "old-" + std::to_string(i));
    for (int i = 0; i < 10; ++i) Audit(tx, caller_, "update", "employer", "young-" + std::to_string(i));
  });
  db_->Write([&](store::Tx& tx) {
    tx.Prepare("UPDATE audit_log SET at = '2022-01-01T00:00:00.000Z' WHERE entity_id LIKE 'old-%'").Run();
    tx.Prepare("UPDATE audit_log SET at = '2025-06-01T00:00:00.000Z' WHERE entity_id LIKE 'young-%'").Run();
  });
  auto pruner = Pruner(At("2026-06-10T00:00:00Z"), /*batch_size=*/1000);  // horizon 3 years
  EXPECT_EQ(pruner.PruneOnce()["audit_log"], 2500);
  EXPECT_EQ(Count("audit_log"), 10);
  EXPECT_EQ(pruner.PruneOnce()["audit_log"], 0);
}

TEST_F(RetentionTest, AHorizonOfZeroKeepsRowsForEver) {
  horizons_.audit = std::chrono::seconds(0);
  tables_ = RecordsTables(horizons_);
  db_->Write([&](store::Tx& tx) { Audit(tx, caller_, "create", "employer", "e1"); });
  auto pruner = Pruner(Clock::now() + kDay * 365 * 100);
  pruner.PruneOnce();
  EXPECT_EQ(Count("audit_log"), 1);
}

events::Event EventAt(Clock::time_point time) {
  events::v1::EnterpriseRegistered m;
  m.mutable_employer()->set_credit_code("91440300MA5EXAMPLE");
  return events::MakeEvent(m, "44", "registry", "91440300MA5EXAMPLE", time);
}

TEST_F(RetentionTest, AnEventYoungEnoughToBeAppliedStillFindsItsProcessedRecordAfterPruning) {
  const auto max_age = MaxEventAge(horizons_);
  EXPECT_EQ(max_age, horizons_.events_processed - kDedupHorizonMargin);
  int applied = 0;
  const events::EventConsumer::Handler count = [&](store::Tx&, const events::Event&) { ++applied; };
  const auto real_now = Clock::now();
  const auto event = EventAt(real_now);
  ASSERT_TRUE(events::EventConsumer::ApplyOnce(*db_, count, event));  // processed_at: now

  // The latest moment the consumer still accepts this event (its ce_time is
  // just inside max_event_age): pruning then must not have removed its record.
  const auto last_accepted = real_now + max_age - hours(1);
  EXPECT_EQ(events::EventConsumer::TooOld(event, last_accepted, max_age), "");
  Pruner(last_accepted).PruneOnce();
  EXPECT_EQ(Count("events_processed"), 1);
  EXPECT_FALSE(events::EventConsumer::ApplyOnce(*db_, count, event));
  EXPECT_EQ(applied, 1);

  // Once the record may be gone the consumer refuses the event instead.
  const auto after_horizon = real_now + horizons_.events_processed + hours(1);
  EXPECT_EQ(Pruner(after_horizon).PruneOnce()["events_processed"], 1);
  EXPECT_NE(events::EventConsumer::TooOld(event, after_horizon, max_age).find("older than"), std::string::npos);
  EXPECT_NE(events::EventConsumer::TooOld(event, real_now + max_age + hours(1), max_age), "");
}

TEST_F(RetentionTest, TheConsumerAgeCheckNeedsAReadableTimeAndZeroMeansAnyAge) {
  auto event = EventAt(At("2020-01-01T00:00:00Z"));
  EXPECT_EQ(events::EventConsumer::TooOld(event, Clock::now(), std::chrono::seconds(0)), "");
  EXPECT_NE(events::EventConsumer::TooOld(event, Clock::now(), hours(24)), "");
  event.time = "yesterday";
  EXPECT_NE(events::EventConsumer::TooOld(event, Clock::now(), hours(24)).find("RFC 3339"), std::string::npos);
  EXPECT_TRUE(events::ParseEventTime("2026-06-10T01:02:03.5Z").has_value());
  EXPECT_EQ(*events::ParseEventTime("2026-06-10T00:00:00Z"), At("2026-06-10T00:00:00Z"));
  EXPECT_FALSE(events::ParseEventTime("2026-06-10T00:00:00+08:00").has_value());
}

TEST(RetentionConfigTest, HorizonsComeFromConfigurationAndAreChecked) {
  const auto keys = BookkeepingConfigKeys();
  RetentionHorizons h;
  std::string error;
  ASSERT_TRUE(HorizonsFromConfig(core::Config::FromValues(keys, {}), &h, &error)) << error;
  EXPECT_EQ(h.idempotency, kDay * 7);
  EXPECT_EQ(h.events_processed, kDay * 35);
  EXPECT_EQ(h.audit, kDay * 1095);
  EXPECT_FALSE(HorizonsFromConfig(core::Config::FromValues(keys, {{"retention-events-processed-days", "1"}}), &h,
                                  &error));
  EXPECT_NE(error.find("retention-events-processed-days"), std::string::npos);
}

}  // namespace
}  // namespace osh::service
