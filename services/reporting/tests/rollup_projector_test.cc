// The rollup projector through EventConsumer::ApplyOnce (exactly once per
// event id, as the consumer applies it), with events of three provinces and
// hand-computed expected rollups.
#include <gtest/gtest.h>

#include <filesystem>

#include "osh/events/consumer.h"
#include "osh/store/testing/postgres.h"
#include "osh/store/testing/scratch_dir.h"
#include "rollup_projector.h"
#include "rollup_query.h"
#include "rollup_store.h"
#include "osh/events/v1/training_events.pb.h"
#include "simulated_registry.h"

namespace osh::reporting::testing {
namespace {

using osh::common::v1::HAZARD_CATEGORY_CHEMICAL;
using osh::common::v1::HAZARD_CATEGORY_DUST;
using osh::common::v1::HAZARD_CATEGORY_PHYSICAL;

v1::Period Year(int year) {
  v1::Period p;
  p.set_kind(v1::PERIOD_KIND_YEAR);
  p.set_year(year);
  return p;
}

v1::Period Month(int year, int month) {
  v1::Period p;
  p.set_kind(v1::PERIOD_KIND_MONTH);
  p.set_year(year);
  p.set_month(month);
  return p;
}

class RollupProjectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = std::make_unique<store::testing::TestDatabase>(dir_.File("reporting.db"));
    db_ = store::Database::Open(database_->Options(), RollupStore::Migrations());
  }

  bool Apply(const events::Event& e) {
    log_.push_back(e);
    return events::EventConsumer::ApplyOnce(*db_, projector_.AsHandler(), e);
  }

  // One metric summed over the filters (no grouping).
  int64_t Value(v1::Metric metric, const std::string& region_prefix = "", const v1::Period& period = {},
                int hazard_category = 0, const std::string& industry = "") {
    ResolvedQuery q;
    q.months = RangeOf(period);
    q.region_prefix = region_prefix;
    q.hazard_category = hazard_category;
    q.industry_section = industry;
    q.metrics = {metric};
    auto rows = db_->Read([&](store::Tx& tx) { return RunRollup(tx, q, 10); });
    return rows.empty() ? 0 : rows.begin()->second.at(0);
  }

  // One metric per region (2, 4 or 6 digits) under a prefix.
  std::map<std::string, int64_t> ByRegion(v1::Metric metric, int digits, const std::string& region_prefix = "",
                                          const v1::Period& period = {}) {
    ResolvedQuery q;
    q.months = RangeOf(period);
    q.region_prefix = region_prefix;
    q.region_digits = digits;
    q.metrics = {metric};
    std::map<std::string, int64_t> out;
    auto rows = db_->Read([&](store::Tx& tx) { return RunRollup(tx, q, 1000); });
    for (const auto& [key, values] : rows) out[key.region] = values.at(0);
    return out;
  }

  // One metric per quarter of a year, zero where no row.
  std::vector<int64_t> ByQuarter(v1::Metric metric, const std::string& region_prefix, int year,
                                 int hazard_category = 0) {
    ResolvedQuery q;
    q.months = RangeOf(Year(year));
    q.region_prefix = region_prefix;
    q.hazard_category = hazard_category;
    q.granularity = v1::PERIOD_KIND_QUARTER;
    q.metrics = {metric};
    std::vector<int64_t> out(4, 0);
    auto rows = db_->Read([&](store::Tx& tx) { return RunRollup(tx, q, 1000); });
    for (const auto& [key, values] : rows) out[(MonthOf(key.bucket) - 1) / 3] = values.at(0);
    return out;
  }

  std::map<int, int64_t> ByHazard(v1::Metric metric, const std::string& region_prefix = "",
                                  const v1::Period& period = {}) {
    ResolvedQuery q;
    q.months = RangeOf(period);
    q.region_prefix = region_prefix;
    q.by_hazard = true;
    q.metrics = {metric};
    std::map<int, int64_t> out;
    auto rows = db_->Read([&](store::Tx& tx) { return RunRollup(tx, q, 1000); });
    for (const auto& [key, values] : rows) out[key.hazard_category] = values.at(0);
    return out;
  }

  void PlayTheYear() {
    world_.PlayTheYear([this](const events::Event& e) { Apply(e); });
  }

  store::testing::ScratchDir dir_{"reporting"};

  // SQLite file, or under the label postgres a PostgreSQL database; outlives db_.

  std::unique_ptr<store::testing::TestDatabase> database_;
  std::unique_ptr<store::Database> db_;
  RollupProjector projector_;
  std::vector<events::Event> log_;
  ThreeProvinces world_;
  SimulatedRegistry& gd_ = world_.gd;
  const std::string &a_ = world_.a, &b_ = world_.b, &c_ = world_.c, &d_ = world_.d, &e_ = world_.e;
};

TEST_F(RollupProjectorTest, StocksAsOfNowCountEachEmployerOnceWhereItIsNow) {
  PlayTheYear();
  EXPECT_EQ(Value(v1::METRIC_REGISTERED_EMPLOYERS), 6);  // D moved, not duplicated
  EXPECT_EQ(Value(v1::METRIC_EMPLOYERS_WITH_APPROVED_DECLARATION), 3);  // A, B, D
  EXPECT_EQ(Value(v1::METRIC_EXPOSED_WORKERS), 40 + 12 + 50);  // A2, B2, D1
  EXPECT_EQ(Value(v1::METRIC_WORKERS), 120 + 90 + 35 + 200 + 50 + 40);

  EXPECT_EQ(ByRegion(v1::METRIC_REGISTERED_EMPLOYERS, 2),
            (std::map<std::string, int64_t>{{"11", 1}, {"32", 1}, {"44", 4}}));
  EXPECT_EQ(ByRegion(v1::METRIC_WORKERS, 2), (std::map<std::string, int64_t>{{"11", 40}, {"32", 50}, {"44", 445}}));
  EXPECT_EQ(ByRegion(v1::METRIC_EXPOSED_WORKERS, 2), (std::map<std::string, int64_t>{{"44", 102}}));

  // Drill-down into Guangdong by county: B left 440305, D arrived in 441900.
  EXPECT_EQ(ByRegion(v1::METRIC_REGISTERED_EMPLOYERS, 6, "44"),
            (std::map<std::string, int64_t>{{"440106", 1}, {"440306", 1}, {"441900", 2}}));
  EXPECT_EQ(ByRegion(v1::METRIC_EXPOSED_WORKERS, 6, "44"),
            (std::map<std::string, int64_t>{{"440306", 12}, {"441900", 90}}));
  EXPECT_EQ(ByRegion(v1::METRIC_WORKERS, 4, "44"),
            (std::map<std::string, int64_t>{{"4401", 35}, {"4403", 90}, {"4419", 320}}));
  EXPECT_EQ(Value(v1::METRIC_REGISTERED_EMPLOYERS, "440305"), 0);

  EXPECT_EQ(Value(v1::METRIC_REGISTERED_EMPLOYERS, "", {}, 0, "C"), 3);  // A, B, D
  EXPECT_EQ(Value(v1::METRIC_REGISTERED_EMPLOYERS, "", {}, 0, "B"), 1);
}

TEST_F(RollupProjectorTest, HazardCategoriesFollowTheLatestApprovedDeclaration) {
  PlayTheYear();
  // A2 dropped A's chemical exposure; E's declaration is still pending.
  EXPECT_EQ(ByHazard(v1::METRIC_REGISTERED_EMPLOYERS),
            (std::map<int, int64_t>{{HAZARD_CATEGORY_DUST, 2}, {HAZARD_CATEGORY_CHEMICAL, 1}, {HAZARD_CATEGORY_PHYSICAL, 1}}));
  EXPECT_EQ(ByHazard(v1::METRIC_EXPOSED_WORKERS),
            (std::map<int, int64_t>{{HAZARD_CATEGORY_DUST, 35 + 50}, {HAZARD_CATEGORY_CHEMICAL, 12},
                                    {HAZARD_CATEGORY_PHYSICAL, 35}}));
  EXPECT_EQ(Value(v1::METRIC_REGISTERED_EMPLOYERS, "44", {}, HAZARD_CATEGORY_DUST), 2);

  // Month by month: at the end of April A (A1) and B (B2) had chemical exposure,
  // at the end of May only B.
  EXPECT_EQ(Value(v1::METRIC_REGISTERED_EMPLOYERS, "", Month(2024, 4), HAZARD_CATEGORY_CHEMICAL), 2);
  EXPECT_EQ(Value(v1::METRIC_REGISTERED_EMPLOYERS, "", Month(2024, 5), HAZARD_CATEGORY_CHEMICAL), 1);
  EXPECT_EQ(Value(v1::METRIC_EXPOSED_WORKERS, "44", Month(2024, 4)), 38 + 12);
  EXPECT_EQ(Value(v1::METRIC_EXPOSED_WORKERS, "44", Month(2024, 5)), 40 + 12);
  // Declarations submitted per category: A1 and A2 physical, E1 physical.
  EXPECT_EQ(Value(v1::METRIC_DECLARATIONS_SUBMITTED, "", Year(2024), HAZARD_CATEGORY_PHYSICAL), 3);
}

TEST_F(RollupProjectorTest, StocksAtTheEndOfEachQuarterAndFlowsWithinIt) {
  PlayTheYear();
  EXPECT_EQ(ByQuarter(v1::METRIC_REGISTERED_EMPLOYERS, "44", 2024), (std::vector<int64_t>{3, 3, 4, 4}));
  EXPECT_EQ(ByQuarter(v1::METRIC_REGISTERED_EMPLOYERS, "32", 2024), (std::vector<int64_t>{2, 2, 1, 1}));
  EXPECT_EQ(ByQuarter(v1::METRIC_REGISTERED_EMPLOYERS, "", 2024), (std::vector<int64_t>{6, 6, 6, 6}));
  EXPECT_EQ(ByQuarter(v1::METRIC_EMPLOYERS_WITH_APPROVED_DECLARATION, "44", 2024),
            (std::vector<int64_t>{1, 2, 3, 3}));
  EXPECT_EQ(ByQuarter(v1::METRIC_EXPOSED_WORKERS, "44", 2024), (std::vector<int64_t>{38, 52, 102, 102}));
  EXPECT_EQ(ByQuarter(v1::METRIC_REGISTRATIONS, "", 2024), (std::vector<int64_t>{6, 0, 0, 0}));
  EXPECT_EQ(ByQuarter(v1::METRIC_DECLARATIONS_SUBMITTED, "", 2024), (std::vector<int64_t>{4, 2, 0, 0}));
  EXPECT_EQ(ByQuarter(v1::METRIC_DECLARATIONS_APPROVED, "44", 2024), (std::vector<int64_t>{1, 2, 0, 0}));
  // Stocks before the range carry in: 2025 starts where 2024 ended.
  EXPECT_EQ(ByQuarter(v1::METRIC_REGISTERED_EMPLOYERS, "44", 2025), (std::vector<int64_t>{4, 4, 4, 4}));
}

TEST_F(RollupProjectorTest, AnUpdateMovesAnEmployerBetweenCountiesInTheMonthOfTheUpdate) {
  PlayTheYear();
  EXPECT_EQ(Value(v1::METRIC_REGISTERED_EMPLOYERS, "440305", Month(2024, 5)), 1);
  EXPECT_EQ(Value(v1::METRIC_REGISTERED_EMPLOYERS, "440306", Month(2024, 5)), 0);
  EXPECT_EQ(Value(v1::METRIC_REGISTERED_EMPLOYERS, "440305", Month(2024, 6)), 0);
  EXPECT_EQ(Value(v1::METRIC_REGISTERED_EMPLOYERS, "440306", Month(2024, 6)), 1);
  // Its approval and exposure moved with it; Shenzhen (4403) as a whole kept it.
  EXPECT_EQ(Value(v1::METRIC_EXPOSED_WORKERS, "440306", Month(2024, 6)), 12);
  EXPECT_EQ(Value(v1::METRIC_WORKERS, "4403", Month(2024, 5)), 80);
  EXPECT_EQ(Value(v1::METRIC_WORKERS, "4403", Month(2024, 6)), 90);
  // Flows stay where they happened: B's declarations were counted in 440305.
  EXPECT_EQ(Value(v1::METRIC_DECLARATIONS_SUBMITTED, "440305", Year(2024)), 2);
  EXPECT_EQ(Value(v1::METRIC_DECLARATIONS_REJECTED, "440305", Year(2024)), 1);
}

TEST_F(RollupProjectorTest, ATransferMovesTheEmployerBetweenProvincesWithoutCountingItTwice) {
  PlayTheYear();
  EXPECT_EQ(Value(v1::METRIC_REGISTERED_EMPLOYERS, "32", Month(2024, 7)), 2);
  EXPECT_EQ(Value(v1::METRIC_REGISTERED_EMPLOYERS, "32", Month(2024, 8)), 1);
  EXPECT_EQ(Value(v1::METRIC_REGISTERED_EMPLOYERS, "441900", Month(2024, 8)), 2);
  EXPECT_EQ(Value(v1::METRIC_REGISTERED_EMPLOYERS, "", Month(2024, 8)), 6);
  EXPECT_EQ(Value(v1::METRIC_EMPLOYERS_WITH_APPROVED_DECLARATION, "32", Month(2024, 8)), 0);
  EXPECT_EQ(Value(v1::METRIC_EXPOSED_WORKERS, "441900"), 40 + 50);

  EXPECT_EQ(Value(v1::METRIC_TRANSFERS_OUT, "320505", Year(2024)), 1);
  EXPECT_EQ(Value(v1::METRIC_TRANSFERS_IN, "441900", Year(2024)), 1);
  EXPECT_EQ(Value(v1::METRIC_TRANSFERS_IN, "", Year(2024)), Value(v1::METRIC_TRANSFERS_OUT, "", Year(2024)));
  // The receiving registry's import is not a registration.
  EXPECT_EQ(ByRegion(v1::METRIC_REGISTRATIONS, 2, "", Year(2024)),
            (std::map<std::string, int64_t>{{"11", 1}, {"32", 2}, {"44", 3}}));
  EXPECT_EQ(ByRegion(v1::METRIC_DECLARATIONS_APPROVED, 2, "", Year(2024)),
            (std::map<std::string, int64_t>{{"32", 1}, {"44", 3}}));
}

TEST_F(RollupProjectorTest, RedeliveryChangesNothingAndReEmissionUnderNewIdsNeither) {
  PlayTheYear();
  const auto snapshot = [&] {
    return std::vector<int64_t>{
        Value(v1::METRIC_REGISTERED_EMPLOYERS), Value(v1::METRIC_EXPOSED_WORKERS), Value(v1::METRIC_WORKERS),
        Value(v1::METRIC_REGISTRATIONS), Value(v1::METRIC_TRANSFERS_IN), Value(v1::METRIC_DECLARATIONS_SUBMITTED),
        Value(v1::METRIC_DECLARATIONS_APPROVED), Value(v1::METRIC_DECLARATIONS_REJECTED),
        Value(v1::METRIC_REGISTERED_EMPLOYERS, "44", Month(2024, 6)),
        Value(v1::METRIC_EXPOSED_WORKERS, "", Month(2024, 4), HAZARD_CATEGORY_CHEMICAL)};
  };
  const auto before = snapshot();
  const auto played = log_;

  for (const auto& e : played) EXPECT_FALSE(events::EventConsumer::ApplyOnce(*db_, projector_.AsHandler(), e));
  EXPECT_EQ(snapshot(), before);

  // The same events published again under new ids (a replay tool, a
  // registry restoring its outbox): applied, yet every figure stays.
  for (auto e : played) {
    e.id = "replayed-" + e.id;
    EXPECT_TRUE(events::EventConsumer::ApplyOnce(*db_, projector_.AsHandler(), e));
  }
  EXPECT_EQ(snapshot(), before);
}

TEST_F(RollupProjectorTest, LateEventsDoNotResurrectOlderStates) {
  PlayTheYear();
  // Jiangsu's update of D from before the transfer arrives after it.
  SimulatedRegistry late_js("32");
  late_js.Register(d_, "320505", "C", 200, "2024-01-10");
  auto late_update = late_js.Update(d_, "320506", 210, "2024-07-25");
  EXPECT_TRUE(Apply(late_update));
  EXPECT_EQ(Value(v1::METRIC_REGISTERED_EMPLOYERS, "32"), 1);
  EXPECT_EQ(Value(v1::METRIC_WORKERS, "441900"), 320);

  // Within a province, a lower version than the one applied is older.
  SimulatedRegistry old_gd("44");
  old_gd.Register(c_, "440106", "F", 30, "2024-02-20");
  const auto version_2 = old_gd.Update(c_, "440106", 33, "2024-06-30");
  EXPECT_TRUE(Apply(gd_.Update(c_, "440106", 36, "2024-07-15")));  // version 3
  EXPECT_TRUE(Apply(version_2));
  EXPECT_EQ(Value(v1::METRIC_WORKERS, "440106"), 36);
}

TEST_F(RollupProjectorTest, EventsThatCannotBeAppliedAreRefusedWholeAndNotRecorded) {
  Apply(gd_.Register(a_, "441900", "C", 120, "2024-01-15"));
  // Guangdong's registry cannot speak for a Jiangsu employer.
  SimulatedRegistry impostor("44");
  auto foreign = impostor.Register(d_, "320505", "C", 200, "2024-01-10");
  EXPECT_THROW(Apply(foreign), events::UndecodableEvent);
  // Not recorded as processed: after a fix it could still be applied.
  foreign.source = events::SourceFor("32", "registry");
  EXPECT_TRUE(Apply(foreign));

  auto garbled = gd_.Register(b_, "440305", "C", 80, "2024-02-01");
  garbled.payload = "\xff\xff\xff";
  EXPECT_THROW(Apply(garbled), events::UndecodableEvent);
  auto bad_division = gd_.Register(c_, "449900", "C", 80, "2024-02-01");
  EXPECT_THROW(Apply(bad_division), events::UndecodableEvent);
  auto from_hong_kong = gd_.Register(e_, "441900", "C", 80, "2024-02-01");
  from_hong_kong.source = events::SourceFor("81", "registry");
  EXPECT_THROW(Apply(from_hong_kong), events::UndecodableEvent);

  EXPECT_EQ(Value(v1::METRIC_REGISTERED_EMPLOYERS), 2);
  EXPECT_EQ(Value(v1::METRIC_REGISTRATIONS), 2);
}

TEST_F(RollupProjectorTest, EventsOfOtherTypesAreRecordedAndIgnored) {
  ev::EmployerFacts unrelated;
  auto e = events::MakeEvent(unrelated, "44", "registry", "k", TimeAt("2024-03-01"));
  EXPECT_TRUE(Apply(e));
  EXPECT_FALSE(Apply(e));
  EXPECT_EQ(Value(v1::METRIC_REGISTERED_EMPLOYERS), 0);
}

TEST_F(RollupProjectorTest, PeriodsAreCutInChinaStandardTime) {
  // 20:00 UTC on 31 March is 04:00 on 1 April in Beijing.
  auto e = gd_.Register(a_, "441900", "C", 10, "2024-03-31");
  ev::EnterpriseRegistered m;
  ASSERT_TRUE(events::Unpack(e, &m));
  *m.mutable_registered_time() = *ParseRfc3339("2024-03-31T20:00:00Z");
  e.payload = m.SerializeAsString();
  Apply(e);
  EXPECT_EQ(Value(v1::METRIC_REGISTRATIONS, "", Month(2024, 3)), 0);
  EXPECT_EQ(Value(v1::METRIC_REGISTRATIONS, "", Month(2024, 4)), 1);

  // Without a business time in the payload, ce_time places the event:
  // 15:59:59 UTC is the last second of 31 March in Beijing.
  auto late = gd_.Register(b_, "440305", "C", 10, "2024-03-31");
  ASSERT_TRUE(events::Unpack(late, &m));
  m.clear_registered_time();
  late.payload = m.SerializeAsString();
  late.time = "2024-03-31T15:59:59Z";
  Apply(late);
  EXPECT_EQ(Value(v1::METRIC_REGISTRATIONS, "", Month(2024, 3)), 1);
}

events::Event Surveys(const std::string& province, const std::string& batch,
                     std::vector<std::tuple<std::string, int, int, int>> counts, int64_t record_seconds) {
  events::v1::LiteracySurveyRecorded m;
  m.set_batch_id(batch);
  m.set_province(province);
  m.set_threshold_percent(80);
  for (const auto& [division, year, questionnaires, reaching] : counts) {
    auto* c = m.add_counts();
    c->set_population(training::v1::POPULATION_CONSTRUCTION_WORKERS);
    c->set_division_code(division);
    c->set_year(year);
    c->set_questionnaires(questionnaires);
    c->set_reaching_threshold(reaching);
  }
  m.mutable_record_time()->set_seconds(record_seconds);
  return events::MakeEvent(m, province, "training", batch);
}

TEST_F(RollupProjectorTest, LiteracyQuestionnairesAddUpByRegionAndSurveyYearOncePerBatch) {
  constexpr int64_t kMay2026 = 1778457600;  // 2026-05-11 (UTC)
  constexpr int64_t kFeb2027 = 1801699200;  // 2027-02-03
  ASSERT_TRUE(Apply(Surveys("44", "b1", {{"440106", 2026, 100, 53}, {"440303", 2026, 50, 30}}, kMay2026)));
  ASSERT_TRUE(Apply(Surveys("32", "b2", {{"320102", 2026, 40, 10}}, kMay2026)));
  // The 2026 survey's late questionnaires, recorded in 2027, still count for 2026 (in its December).
  ASSERT_TRUE(Apply(Surveys("44", "b3", {{"440106", 2026, 10, 7}}, kFeb2027)));
  // The same batch again under another event id: counted once.
  auto again = Surveys("44", "b1", {{"440106", 2026, 100, 53}, {"440303", 2026, 50, 30}}, kMay2026);
  again.id = "another-event-id";
  ASSERT_TRUE(Apply(again));

  EXPECT_EQ(Value(v1::METRIC_LITERACY_QUESTIONNAIRES, "44", Year(2026)), 160);
  EXPECT_EQ(Value(v1::METRIC_LITERACY_REACHING_THRESHOLD, "44", Year(2026)), 90);
  EXPECT_EQ(Value(v1::METRIC_LITERACY_QUESTIONNAIRES, "", Year(2026)), 200);
  EXPECT_EQ(Value(v1::METRIC_LITERACY_QUESTIONNAIRES, "4401", Year(2026)), 110);
  EXPECT_EQ(Value(v1::METRIC_LITERACY_QUESTIONNAIRES, "44", Month(2026, 5)), 150);
  EXPECT_EQ(Value(v1::METRIC_LITERACY_QUESTIONNAIRES, "44", Month(2026, 12)), 10);
  EXPECT_EQ(Value(v1::METRIC_LITERACY_QUESTIONNAIRES, "", Year(2027)), 0);
  EXPECT_EQ(ByRegion(v1::METRIC_LITERACY_REACHING_THRESHOLD, 2),
            (std::map<std::string, int64_t>{{"32", 10}, {"44", 90}}));
  // Literacy is about people, not employers: no employer stock moved.
  EXPECT_EQ(Value(v1::METRIC_REGISTERED_EMPLOYERS), 0);

  // One province cannot write another's figures; counts must add up.
  EXPECT_THROW(Apply(Surveys("44", "b4", {{"320102", 2026, 5, 1}}, kMay2026)), events::UndecodableEvent);
  EXPECT_THROW(Apply(Surveys("44", "b5", {{"440106", 2026, 5, 6}}, kMay2026)), events::UndecodableEvent);
  EXPECT_EQ(Value(v1::METRIC_LITERACY_QUESTIONNAIRES, "", Year(2026)), 200);
}

}  // namespace
}  // namespace osh::reporting::testing
