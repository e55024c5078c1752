// The supervision, training and disease facts through the projector (as the
// consumer applies them, exactly once per event id) into real SQLite files,
// and the seven indicators read back by RunIndicatorQuery, against figures
// worked out by hand in simulated_supervision.h.
#include <gtest/gtest.h>

#include "indicators.h"
#include "osh/events/consumer.h"
#include "osh/store/testing/postgres.h"
#include "osh/store/testing/scratch_dir.h"
#include "rollup_metrics.h"
#include "rollup_projector.h"
#include "rollup_query.h"
#include "rollup_store.h"
#include "simulated_supervision.h"

namespace osh::reporting::testing {
namespace {

using common::v1::HAZARD_CATEGORY_DUST;

class IndicatorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = std::make_unique<store::testing::TestDatabase>(dir_.File("reporting.db"));
    db_ = store::Database::Open(database_->Options(), RollupStore::Migrations());
  }

  bool Apply(const events::Event& e) {
    log_.push_back(e);
    return events::EventConsumer::ApplyOnce(*db_, projector_.AsHandler(), e);
  }

  void PlayBoth() {
    world_.PlayTheYear([this](const events::Event& e) { Apply(e); });
    PlayGuangdongSupervision(world_, [this](const events::Event& e) { Apply(e); });
  }

  std::vector<v1::IndicatorRow> Rows(IndicatorQuery q) {
    return db_->Read([&](store::Tx& tx) { return RunIndicatorQuery(tx, q, targets_, 10'000); });
  }

  // The only row of a query of one region and year.
  v1::IndicatorRow Row(const std::string& region, int year, int hazard = 0) {
    IndicatorQuery q;
    q.region_prefix = region;
    q.first_year = q.last_year = year;
    q.hazard_category = hazard;
    auto rows = Rows(q);
    if (rows.size() != 1) throw std::runtime_error("expected one row, got " + std::to_string(rows.size()));
    return rows[0];
  }

  int64_t Metric(v1::Metric metric, const std::string& region, int year) {
    return db_->Read([&](store::Tx& tx) {
      return TotalsOf(tx, region, {MakeMonthKey(year, 1), MakeMonthKey(year, 12)})[MetricIndexOf(metric)];
    });
  }
  static size_t MetricIndexOf(v1::Metric metric);

  // Every cell, as text: what replay and redelivery must leave untouched.
  std::string Snapshot() {
    return db_->Read([&](store::Tx& tx) {
      std::string columns;
      for (const auto& spec : AllMetrics()) columns += ", " + std::string(spec.name);
      auto s = tx.Prepare("SELECT level, hazard_category, division_code, industry_section, month" + columns +
                          " FROM rollup_cells ORDER BY level, hazard_category, division_code, industry_section, month");
      std::string out;
      while (s.Step()) {
        out += s.Text(2) + "|" + s.Text(3);
        for (int c = 0; c < 5 + static_cast<int>(AllMetrics().size()); ++c) {
          if (c != 2 && c != 3) out += "," + std::to_string(s.Int(c));
        }
        out += "\n";
      }
      return out;
    });
  }

  store::testing::ScratchDir dir_{"indicators"};

  // SQLite file, or under the label postgres a PostgreSQL database; outlives db_.

  std::unique_ptr<store::testing::TestDatabase> database_;
  std::unique_ptr<store::Database> db_;
  RollupProjector projector_;
  std::vector<events::Event> log_;
  ThreeProvinces world_;
  std::map<v1::Indicator, double> targets_ = {{v1::INDICATOR_MONITORING_PASS_RATE, 0.9},
                                              {v1::INDICATOR_HEALTH_EXAM_RATE, 0.85}};
};

size_t IndicatorsTest::MetricIndexOf(v1::Metric metric) { return MetricIndex(metric); }

const v1::IndicatorValue& Of(const v1::IndicatorRow& row, v1::Indicator indicator) {
  for (const auto& v : row.indicators()) {
    if (v.indicator() == indicator) return v;
  }
  throw std::runtime_error("no " + v1::Indicator_Name(indicator));
}

void ExpectFraction(const v1::IndicatorValue& v, int64_t numerator, int64_t denominator) {
  EXPECT_EQ(v.numerator(), numerator) << v1::Indicator_Name(v.indicator());
  EXPECT_EQ(v.denominator(), denominator) << v1::Indicator_Name(v.indicator());
  ASSERT_TRUE(v.has_value()) << v1::Indicator_Name(v.indicator());
  EXPECT_DOUBLE_EQ(v.value(), static_cast<double>(numerator) / static_cast<double>(denominator));
}

TEST_F(IndicatorsTest, EachOfTheSevenIndicatorsIsItsHandComputedRatioWithTheYearBeforeBesideIt) {
  PlayBoth();
  const auto row = Row("44", 2024);
  ASSERT_EQ(row.indicators_size(), 7);
  EXPECT_EQ(row.first_year(), 2024);
  EXPECT_EQ(row.last_year(), 2024);

  const auto& declaration = Of(row, v1::INDICATOR_DECLARATION_RATE);
  ExpectFraction(declaration, 3, 4);
  EXPECT_FALSE(declaration.has_previous_value());  // nobody was registered in 2023
  EXPECT_FALSE(declaration.has_change());

  const auto& monitoring = Of(row, v1::INDICATOR_MONITORING_PASS_RATE);
  ExpectFraction(monitoring, 17, 20);
  EXPECT_EQ(monitoring.previous_numerator(), 5);
  EXPECT_EQ(monitoring.previous_denominator(), 5);
  EXPECT_DOUBLE_EQ(monitoring.previous_value(), 1.0);
  EXPECT_NEAR(monitoring.change(), -0.15, 1e-12);
  EXPECT_DOUBLE_EQ(monitoring.target(), 0.9);
  EXPECT_FALSE(monitoring.meets_target());

  const auto& exams = Of(row, v1::INDICATOR_HEALTH_EXAM_RATE);
  ExpectFraction(exams, 82, 92);
  EXPECT_DOUBLE_EQ(exams.previous_value(), 0.8);  // the 2023 summary recorded in January 2024
  EXPECT_TRUE(exams.meets_target());              // 0.891 >= 0.85

  const auto& notices = Of(row, v1::INDICATOR_WRITTEN_NOTICE_RATE);
  ExpectFraction(notices, 80, 92);
  EXPECT_DOUBLE_EQ(notices.previous_value(), 1.0);

  const auto& training = Of(row, v1::INDICATOR_TRAINING_RATE);
  ExpectFraction(training, 2, 6);
  EXPECT_FALSE(training.has_previous_value());
  EXPECT_FALSE(training.has_target());

  const auto& rectification = Of(row, v1::INDICATOR_RECTIFICATION_CLOSURE_RATE);
  ExpectFraction(rectification, 2, 4);
  EXPECT_DOUBLE_EQ(rectification.previous_value(), 1.0);
  EXPECT_DOUBLE_EQ(rectification.change(), -0.5);

  const auto& literacy = Of(row, v1::INDICATOR_HEALTH_LITERACY_LEVEL);
  ExpectFraction(literacy, 526, 1000);
  EXPECT_DOUBLE_EQ(literacy.previous_value(), 0.5);

  ASSERT_EQ(row.disease_cases_size(), 13);
  EXPECT_EQ(row.disease_cases(0).metric(), v1::METRIC_DISEASE_CASES);
  EXPECT_EQ(row.disease_cases(0).value(), 4);
  EXPECT_EQ(row.disease_cases(0).previous_value(), 5);
  EXPECT_EQ(row.disease_cases(0).change(), -1);
  EXPECT_DOUBLE_EQ(row.disease_cases(0).relative_change(), -0.2);
  EXPECT_EQ(row.disease_cases(1).metric(), v1::METRIC_DISEASE_CASES_RESPIRATORY);
  EXPECT_EQ(row.disease_cases(1).value(), 3);
  // The 2013 edition's category 10 (other) is the 2024 edition's 12.
  EXPECT_EQ(row.disease_cases(12).metric(), v1::METRIC_DISEASE_CASES_OTHER);
  EXPECT_EQ(row.disease_cases(12).value(), 1);
  EXPECT_EQ(row.disease_cases(10).value(), 0);
  EXPECT_FALSE(row.disease_cases(12).has_relative_change());
}

TEST_F(IndicatorsTest, TheMetricsBehindTheIndicatorsCountEveryFactOnce) {
  PlayBoth();
  EXPECT_EQ(Metric(v1::METRIC_HAZARD_TESTS, "44", 2024), 2);
  EXPECT_EQ(Metric(v1::METRIC_HAZARD_TESTS_WITH_EXCEEDANCE, "44", 2024), 2);
  EXPECT_EQ(Metric(v1::METRIC_EXAMS_ABNORMAL, "44", 2024), 5);
  EXPECT_EQ(Metric(v1::METRIC_EXAMS_SUSPECTED_DISEASE, "44", 2024), 1);
  EXPECT_EQ(Metric(v1::METRIC_EXAMS_EXAMINED, "44", 2023), 60);
  EXPECT_EQ(Metric(v1::METRIC_ASSISTANCE_VISITS, "44", 2024), 2);
  EXPECT_EQ(Metric(v1::METRIC_ASSISTANCE_EMPLOYERS_HELPED, "44", 2024), 1);
  EXPECT_EQ(Metric(v1::METRIC_ASSISTANCE_ISSUES_FOUND, "44", 2024), 3);
  EXPECT_EQ(Metric(v1::METRIC_ASSISTANCE_ISSUES_FIXED, "44", 2024), 3);
  EXPECT_EQ(Metric(v1::METRIC_ASSISTANCE_SUBSIDY_FEN, "4401", 2024), 50000);
  EXPECT_EQ(Metric(v1::METRIC_COMPLETIONS_PRINCIPAL, "44", 2024), 1);
  EXPECT_EQ(Metric(v1::METRIC_COMPLETIONS_OSH_MANAGER, "44", 2024), 3);
  EXPECT_EQ(Metric(v1::METRIC_COMPLETIONS_WORKER, "44", 2024), 1);
  EXPECT_EQ(Metric(v1::METRIC_RECTIFICATIONS_CLOSED_ON_TIME, "44", 2024), 1);
  EXPECT_EQ(Metric(v1::METRIC_RECTIFICATIONS_OPENED, "4401", 2024), 1);  // R4, reopened, is open
  EXPECT_EQ(Metric(v1::METRIC_RECTIFICATIONS_CLOSED, "4401", 2024), 0);
  EXPECT_EQ(Metric(v1::METRIC_PRINCIPALS_TRAINED, "4419", 2024), 1);
  EXPECT_EQ(Metric(v1::METRIC_OSH_MANAGERS_TRAINED, "4403", 2024), 1);
  // Nothing of Guangdong's supervision reaches Jiangsu.
  EXPECT_EQ(Metric(v1::METRIC_HAZARD_POINTS_TESTED, "32", 2024), 0);
}

TEST_F(IndicatorsTest, ReplayAndRedeliveryUnderNewEventIdsChangeNothing) {
  PlayBoth();
  const std::string before = Snapshot();
  const auto played = log_;
  for (const auto& e : played) EXPECT_FALSE(Apply(e)) << e.type;  // same ce_id: the consumer skips it
  EXPECT_EQ(Snapshot(), before);
  // The same facts re-emitted under new event ids (an outbox relay that lost
  // its acknowledgement): counted once by their registry ids and states.
  size_t supervision_events = 0;
  for (auto e : played) {
    if (e.type.find("Enterprise") != std::string::npos || e.type.find("Declaration") != std::string::npos) continue;
    e.id += "-again";
    EXPECT_TRUE(Apply(e)) << e.type;
    ++supervision_events;
  }
  EXPECT_EQ(supervision_events, 28u);
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(IndicatorsTest, AHazardCategoryFilterCountsThatCategorysPointsAndItsEmployersFacts) {
  PlayBoth();
  const auto dust = Row("44", 2024, HAZARD_CATEGORY_DUST);
  ExpectFraction(Of(dust, v1::INDICATOR_MONITORING_PASS_RATE), 8, 10);  // T1's dust points only
  EXPECT_DOUBLE_EQ(Of(dust, v1::INDICATOR_MONITORING_PASS_RATE).previous_value(), 1.0);
  ExpectFraction(Of(dust, v1::INDICATOR_HEALTH_EXAM_RATE), 70, 80);  // A has dust, B has not
  ExpectFraction(Of(dust, v1::INDICATOR_DECLARATION_RATE), 2, 2);   // A and D
  ExpectFraction(Of(dust, v1::INDICATOR_TRAINING_RATE), 1, 4);      // A's principal of A, D
  // Literacy is recorded by division only: no level under a hazard filter.
  EXPECT_FALSE(Of(dust, v1::INDICATOR_HEALTH_LITERACY_LEVEL).has_value());
}

TEST_F(IndicatorsTest, RowsSplitByRegionOneLevelDownAndByYearWithTheirOwnPreviousYear) {
  PlayBoth();
  IndicatorQuery by_city;
  by_city.region_prefix = "44";
  by_city.region_digits = RegionDigitsBelow("44");
  by_city.first_year = by_city.last_year = 2024;
  const auto cities = Rows(by_city);
  ASSERT_EQ(cities.size(), 3u);
  EXPECT_EQ(cities[0].region_code(), "4401");
  EXPECT_EQ(cities[1].region_code(), "4403");
  EXPECT_EQ(cities[2].region_code(), "4419");
  ExpectFraction(Of(cities[1], v1::INDICATOR_MONITORING_PASS_RATE), 3, 4);
  ExpectFraction(Of(cities[2], v1::INDICATOR_MONITORING_PASS_RATE), 14, 16);
  ExpectFraction(Of(cities[0], v1::INDICATOR_HEALTH_LITERACY_LEVEL), 526, 1000);
  ExpectFraction(Of(cities[2], v1::INDICATOR_RECTIFICATION_CLOSURE_RATE), 2, 2);
  ExpectFraction(Of(cities[0], v1::INDICATOR_RECTIFICATION_CLOSURE_RATE), 0, 1);

  IndicatorQuery by_year;
  by_year.region_prefix = "44";
  by_year.first_year = 2022;
  by_year.last_year = 2024;
  by_year.by_year = true;
  const auto years = Rows(by_year);
  // 2022 had nothing and nothing before it: left out.
  ASSERT_EQ(years.size(), 2u);
  EXPECT_EQ(years[0].first_year(), 2023);
  ExpectFraction(Of(years[0], v1::INDICATOR_MONITORING_PASS_RATE), 5, 5);
  EXPECT_FALSE(Of(years[0], v1::INDICATOR_MONITORING_PASS_RATE).has_previous_value());
  EXPECT_EQ(years[1].first_year(), 2024);
  EXPECT_DOUBLE_EQ(Of(years[1], v1::INDICATOR_MONITORING_PASS_RATE).previous_value(), 1.0);
  EXPECT_EQ(years[1].disease_cases(0).previous_value(), 5);

  // A range without year rows: flows over both years, stocks at its end, and
  // the year before is the range shifted back by one year.
  IndicatorQuery range;
  range.region_prefix = "44";
  range.first_year = 2023;
  range.last_year = 2024;
  const auto whole = Rows(range);
  ASSERT_EQ(whole.size(), 1u);
  EXPECT_EQ(whole[0].first_year(), 2023);
  EXPECT_EQ(whole[0].last_year(), 2024);
  ExpectFraction(Of(whole[0], v1::INDICATOR_MONITORING_PASS_RATE), 22, 25);
  ExpectFraction(Of(whole[0], v1::INDICATOR_RECTIFICATION_CLOSURE_RATE), 3, 5);
  ExpectFraction(Of(whole[0], v1::INDICATOR_DECLARATION_RATE), 3, 4);
  EXPECT_EQ(Of(whole[0], v1::INDICATOR_MONITORING_PASS_RATE).previous_denominator(), 5);
  EXPECT_EQ(whole[0].disease_cases(0).value(), 9);
}

TEST_F(IndicatorsTest, ATrainingCompletionBeforeTheEmployerIsKnownCountsOnceItHasADeclaration) {
  SimulatedRegistry gd("44");
  SimulatedSupervision supervision(gd, "44");
  const std::string g = MakeCreditCode("440305", 77);
  // Training's topic is not ordered with the registry's: the completion comes first.
  Apply(supervision.Completion(g, "PG", training::v1::TARGET_ROLE_EMPLOYER_PRINCIPAL, true, "2024-02-01"));
  EXPECT_EQ(Metric(v1::METRIC_COMPLETIONS_PRINCIPAL, "440305", 2024), 1);  // placed by its credit code
  EXPECT_EQ(Metric(v1::METRIC_PRINCIPALS_TRAINED, "44", 2024), 0);
  Apply(gd.Register(g, "440305", "C", 50, "2024-03-01"));
  EXPECT_EQ(Metric(v1::METRIC_PRINCIPALS_TRAINED, "44", 2024), 0);  // no hazards declared yet
  Apply(gd.Submit(g, "G1", {{common::v1::HAZARD_CATEGORY_DUST, 10}}, 10, "2024-03-05"));
  Apply(gd.Approve("G1", "2024-03-10"));
  EXPECT_EQ(Metric(v1::METRIC_PRINCIPALS_TRAINED, "44", 2024), 1);
  EXPECT_EQ(Metric(v1::METRIC_PRINCIPALS_AND_MANAGERS_TO_TRAIN, "44", 2024), 2);
  EXPECT_EQ(Metric(v1::METRIC_OSH_MANAGERS_TRAINED, "44", 2024), 0);
  // Employers transferred away take their trained roles with them.
  Apply(gd.TransferOut(g, "32", "320505", "2024-05-01"));
  EXPECT_EQ(Metric(v1::METRIC_PRINCIPALS_TRAINED, "44", 2024), 0);
  EXPECT_EQ(Metric(v1::METRIC_PRINCIPALS_TRAINED, "32", 2024), 1);
}

TEST_F(IndicatorsTest, AStaleClosureAfterAReopeningLeavesTheItemOpen) {
  world_.PlayTheYear([this](const events::Event& e) { Apply(e); });
  SimulatedSupervision gd(world_.gd, "44");
  const auto first_closure = gd.Closed(world_.c, "R9", "2024-08-01", "2024-07-20");
  Apply(gd.Opened(world_.c, "R9", "2024-08-01", "2024-07-01"));
  Apply(first_closure);
  Apply(gd.Opened(world_.c, "R9", "2024-09-01", "2024-08-05", true));
  auto late_copy = first_closure;
  late_copy.id += "-relayed-again";
  Apply(late_copy);
  EXPECT_EQ(Metric(v1::METRIC_RECTIFICATIONS_OPENED, "44", 2024), 1);
  EXPECT_EQ(Metric(v1::METRIC_RECTIFICATIONS_CLOSED, "44", 2024), 0);
  Apply(gd.Closed(world_.c, "R9", "2024-09-01", "2024-08-30"));
  EXPECT_EQ(Metric(v1::METRIC_RECTIFICATIONS_CLOSED, "44", 2024), 1);
  EXPECT_EQ(Metric(v1::METRIC_RECTIFICATIONS_CLOSED_ON_TIME, "44", 2024), 1);
}

TEST_F(IndicatorsTest, ASupervisorsOwnTrainingCountsInNoEmployersMetricAndIsNoError) {
  world_.PlayTheYear([this](const events::Event& e) { Apply(e); });
  SimulatedSupervision gd(world_.gd, "44");
  const std::string before = Snapshot();
  // An inspector's completion carries no organisation; an institution's its own code.
  EXPECT_NO_THROW(Apply(gd.Completion("", "S1", training::v1::TARGET_ROLE_INSPECTOR, true, "2024-08-01")));
  EXPECT_NO_THROW(Apply(gd.Completion(world_.a, "S2", training::v1::TARGET_ROLE_INSTITUTION_STAFF, true, "2024-08-02")));
  EXPECT_NO_THROW(Apply(gd.Completion("", "S3", training::v1::TARGET_ROLE_DISTRICT_LEADER, false, "2024-08-03")));
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(IndicatorsTest, FactsThatCannotBeAppliedAreRefusedWithoutTouchingTheCells) {
  world_.PlayTheYear([this](const events::Event& e) { Apply(e); });
  SimulatedSupervision gd(world_.gd, "44");
  const std::string before = Snapshot();
  const auto refused = [&](events::Event e, const std::string& why) {
    EXPECT_THROW(Apply(e), events::UndecodableEvent) << why;
    EXPECT_EQ(Snapshot(), before) << why;
  };
  // A 2024 diagnosis under the 2024 edition (in force from 2025-08-01).
  refused(gd.DiseaseCases(world_.a, "K9", "2024-09-01", "2024", {{"01.01", 1}}), "edition not in force");
  refused(gd.DiseaseCases(world_.a, "K9", "2024-09-01", "2013", {{"11.01", 1}}), "no category 11 in 2013");
  refused(gd.DiseaseCases(world_.a, "K9", "2024-09-01", "2013", {{"01.01", -2}}), "negative cases");
  refused(gd.HazardTest(world_.a, "T9", "2024-03-10", {{"D001", HAZARD_CATEGORY_DUST, 2, 3}}), "exceeding > tested");
  refused(gd.ExamSummary(world_.a, "E9", {2024, 2, 10, 10, 11}, "2024-11-01"), "notified > examined");
  refused(gd.ExamSummary(world_.a, "E9", {2024, 7, 10, 10, 10}, "2024-11-01"), "no exam kind 7");
  refused(gd.AssistanceVisit(world_.c, "S9", 0, 1, 1, 0, "2024-08-01"), "visit 0");
  refused(gd.Completion(world_.a, "", training::v1::TARGET_ROLE_WORKER, false, "2024-08-01"), "no enrollment id");
  // Guangdong's registry writing about a Jiangsu employer.
  SimulatedSupervision forged(world_.js, "44");
  refused(forged.HazardTest(world_.e, "T8", "2024-03-10", {{"D001", HAZARD_CATEGORY_DUST, 2, 0}}), "other province");
}

}  // namespace
}  // namespace osh::reporting::testing
