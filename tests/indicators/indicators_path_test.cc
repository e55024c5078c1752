// Supervision facts over the real path: written through the registry's real
// SupervisionService (SQLite file, outbox in the same transaction), published
// by its outbox relay to the ctest fixture's broker, consumed by reporting's
// EventConsumer with the RollupProjector into reporting's own SQLite file, and
// read back as indicators. No hand-built events.
//
// The topic osh.registry.events outlives this run and other suites write to
// it, so reporting here applies only the events of this run's employers (a
// filter in front of the real projector) and every figure is exact.
#include <mutex>
#include <set>

#include "indicators.h"
#include "osh/core/ids.h"
#include "osh/events/consumer.h"
#include "osh/events/relay.h"
#include "osh/events/testing/test_broker.h"
#include "rollup_metrics.h"
#include "rollup_projector.h"
#include "rollup_store.h"
#include "supervision_facts_fixture.h"

namespace osh::registry::testing {
namespace {

namespace rep = ::osh::reporting;

class IndicatorsPathTest : public SupervisionFactsFixture {
 protected:
  void SetUp() override {
    SupervisionFactsFixture::SetUp();
    relay_ = std::make_unique<events::OutboxRelay>(
        *db_, events::OutboxRelay::Options{.brokers = events::testing::TestBrokers()}, nullptr);
    std::string error;
    ASSERT_TRUE(relay_->Start(&error)) << error;
    reporting_db_ = store::Database::Open({.path = (dir_.path() / "reporting.db").string()},
                                          rep::RollupStore::Migrations());
    events::EventConsumer::Options o;
    o.brokers = events::testing::TestBrokers();
    o.group_id = "indicators-path-" + core::NewRequestId();
    o.topics = {events::TopicFor("registry")};
    const auto handler = projector_.AsHandler();
    consumer_ = std::make_unique<events::EventConsumer>(
        *reporting_db_, o,
        [this, handler](store::Tx& tx, const events::Event& e) {
          {
            std::lock_guard lock(mu_);
            if (ours_.count(e.key) == 0) return;
            received_.push_back(e);
          }
          handler(tx, e);
        },
        nullptr);
    ASSERT_TRUE(consumer_->Start(&error)) << error;
  }

  void TearDown() override {
    consumer_.reset();
    relay_.reset();
    reporting_db_.reset();
    SupervisionFactsFixture::TearDown();
  }

  v1::Employer OurEmployer(int serial) {
    const auto code = MakeCreditCode("441900", serial * 1000000 + static_cast<int>(run_ % 1000000));
    {
      std::lock_guard lock(mu_);
      ours_.insert(code);
    }
    return CreateEmployer(SampleEmployer(code));
  }

  // How many of our events reporting has committed: the handler sees an event
  // inside its transaction, before the commit (and again when a batch is
  // retried one by one), so what it counted alone would race the reads.
  size_t Committed() {
    std::vector<events::Event> seen;
    {
      std::lock_guard lock(mu_);
      seen = received_;
    }
    return reporting_db_->Read([&](store::Tx& tx) {
      std::set<std::string> done;
      for (const auto& e : seen) {
        auto s = tx.Prepare("SELECT 1 FROM events_processed WHERE source = ? AND event_id = ?");
        s.BindAll(e.source, e.id);
        if (s.Step()) done.insert(e.source + "/" + e.id);
      }
      return done.size();
    });
  }

  // The province's row of `year` once reporting has committed `events` of ours.
  std::optional<rep::v1::IndicatorRow> RowAfter(size_t events, int year) {
    relay_->Notify();
    if (!events::testing::WaitFor([&] { return Committed() >= events; }, std::chrono::seconds(60),
                                  std::chrono::milliseconds(100))) {
      return std::nullopt;
    }
    return Row(year);
  }

  rep::v1::IndicatorRow Row(int year) {
    rep::IndicatorQuery q;
    q.region_prefix = "44";
    // The facts are dated up to ten days back and recorded now: both years
    // when that spans New Year.
    q.first_year = year;
    q.last_year = std::stoi(Day(0).substr(0, 4));
    auto rows = reporting_db_->Read([&](store::Tx& tx) { return rep::RunIndicatorQuery(tx, q, {}, 100); });
    return rows.empty() ? rep::v1::IndicatorRow() : rows[0];
  }

  const size_t run_ = std::hash<std::string>{}(core::NewRequestId());
  rep::RollupProjector projector_;
  std::unique_ptr<events::OutboxRelay> relay_;
  std::unique_ptr<store::Database> reporting_db_;
  std::unique_ptr<events::EventConsumer> consumer_;
  std::mutex mu_;
  std::set<std::string> ours_;
  std::vector<events::Event> received_;
};

const rep::v1::IndicatorValue& Of(const rep::v1::IndicatorRow& row, rep::v1::Indicator indicator) {
  for (const auto& v : row.indicators()) {
    if (v.indicator() == indicator) return v;
  }
  throw std::runtime_error("no " + rep::v1::Indicator_Name(indicator));
}

TEST_F(IndicatorsPathTest, RegistryFactsReachReportingThroughKafkaAsExactIndicatorsOnce) {
  const int year = std::stoi(Day(-10).substr(0, 4));
  const auto a = OurEmployer(501);
  const auto b = OurEmployer(502);
  size_t events = 2;  // two registrations

  // Hazard tests: each report 4 points of which 2 above their limit.
  v1::HazardTest test;
  ASSERT_TRUE(supervision_stub_->RecordHazardTest(Ctx(admin_).get(), HazardTestOf(a), &test).ok());
  ASSERT_TRUE(supervision_stub_->RecordHazardTest(Ctx(admin_).get(), HazardTestOf(b), &test).ok());
  events += 2;
  // In-service exam summaries: A 100 examined of 110, 88 told in writing; B 40 of 40, 40.
  v1::HealthExamSummary summary;
  ASSERT_TRUE(
      supervision_stub_->RecordHealthExamSummary(Ctx(admin_).get(), SummaryOf(a, year, 100, 88, 110), &summary).ok());
  ASSERT_TRUE(
      supervision_stub_->RecordHealthExamSummary(Ctx(admin_).get(), SummaryOf(b, year, 40, 40, 40), &summary).ok());
  events += 2;
  // An assistance visit of B.
  v1::AssistanceCase visited;
  ASSERT_TRUE(
      supervision_stub_->RecordAssistanceVisit(Ctx(inspector_).get(), VisitOf(Enrol(b), 4, 1, 120000), &visited).ok());
  events += 1;
  // Disease cases of A, diagnosed by an institution of the province.
  const auto institution = MakeCreditCode("441900", 503 * 1000000 + static_cast<int>(run_ % 1000000));
  RegisterDiagnosisInstitution(institution);
  v1::DiseaseCaseReport report;
  const auto diagnosed_on = Day(-5);
  const auto status = supervision_stub_->RecordDiseaseCases(Ctx(Token("institution", "44", institution, "inst")).get(),
                                                            CasesOf(a, diagnosed_on, {{"01.01", 2}, {"10.01", 1}}),
                                                            &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  events += 1;

  // An inspection of A with two findings: one fixed and accepted (closed on
  // time), the other reported done and sent back (reopened, still open).
  v1::RecordInspectionRequest inspect;
  inspect.set_employer_id(a.id());
  inspect.mutable_inspection()->set_inspected_on(Day(-10));
  inspect.mutable_inspection()->set_summary("日常监督检查");
  for (int days : {20, 30}) {
    auto* f = inspect.mutable_inspection()->add_findings();
    f->set_description("未设置警示标识");
    f->set_rectification_deadline(Day(days));
  }
  v1::Inspection inspection;
  ASSERT_TRUE(supervision_stub_->RecordInspection(Ctx(inspector_).get(), inspect, &inspection).ok());
  const std::string employer_token = Token("employer", "44", a.credit_code(), "emp-a");
  for (int i = 0; i < 2; ++i) {
    v1::ReportRectificationDoneRequest done;
    done.set_id(inspection.findings(i).rectification_item_id());
    done.set_version(1);
    done.set_note("已整改");
    v1::RectificationItem item;
    auto s = supervision_stub_->ReportRectificationDone(Ctx(employer_token).get(), done, &item);
    ASSERT_TRUE(s.ok()) << s.error_message();
    v1::ReviewRectificationRequest review;
    review.set_id(item.id());
    review.set_version(item.version());
    review.set_accept(i == 0);
    if (i == 1) {
      review.set_reason("警示标识位置不当");
      review.set_new_deadline(Day(40));
    }
    s = supervision_stub_->ReviewRectification(Ctx(inspector_).get(), review, &item);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  events += 4;  // two opened, one closed, one reopened

  const auto row = RowAfter(events, year);
  ASSERT_TRUE(row) << "reporting committed " << Committed() << " of " << events << " events";
  EXPECT_EQ(Of(*row, rep::v1::INDICATOR_MONITORING_PASS_RATE).numerator(), 4);     // 8 points − 4 above
  EXPECT_EQ(Of(*row, rep::v1::INDICATOR_MONITORING_PASS_RATE).denominator(), 8);
  EXPECT_EQ(Of(*row, rep::v1::INDICATOR_HEALTH_EXAM_RATE).numerator(), 140);       // 100 + 40
  EXPECT_EQ(Of(*row, rep::v1::INDICATOR_HEALTH_EXAM_RATE).denominator(), 150);     // 110 + 40
  EXPECT_EQ(Of(*row, rep::v1::INDICATOR_WRITTEN_NOTICE_RATE).numerator(), 128);    // 88 + 40
  EXPECT_EQ(Of(*row, rep::v1::INDICATOR_WRITTEN_NOTICE_RATE).denominator(), 140);
  EXPECT_EQ(Of(*row, rep::v1::INDICATOR_DECLARATION_RATE).denominator(), 2);
  EXPECT_EQ(Of(*row, rep::v1::INDICATOR_RECTIFICATION_CLOSURE_RATE).numerator(), 1);
  EXPECT_EQ(Of(*row, rep::v1::INDICATOR_RECTIFICATION_CLOSURE_RATE).denominator(), 2);
  ASSERT_EQ(row->disease_cases_size(), 13);
  EXPECT_EQ(row->disease_cases(0).value(), 3);
  // Category 10 of the edition in force on the diagnosis date: musculoskeletal
  // under the 2024 edition (in force from 2025-08-01), "other" under 2013's.
  const bool edition_2024 = diagnosed_on >= "2025-08-01";
  EXPECT_EQ(row->disease_cases(10).value(), edition_2024 ? 1 : 0);
  EXPECT_EQ(row->disease_cases(12).value(), edition_2024 ? 0 : 1);
  const auto assistance = reporting_db_->Read([&](store::Tx& tx) {
    return rep::TotalsOf(tx, "44", {rep::MakeMonthKey(year, 1), rep::MakeMonthKey(year, 12)});
  });
  EXPECT_EQ(assistance[rep::MetricIndex(rep::v1::METRIC_ASSISTANCE_SUBSIDY_FEN)], 120000);
  EXPECT_EQ(assistance[rep::MetricIndex(rep::v1::METRIC_ASSISTANCE_ISSUES_FOUND)], 4);

  // Replaying what arrived (the same ce_ids) and the same facts re-emitted
  // under new ids change nothing.
  std::vector<events::Event> arrived;
  {
    std::lock_guard lock(mu_);
    arrived = received_;
  }
  const auto before = row->SerializeAsString();
  for (auto e : arrived) {
    EXPECT_FALSE(events::EventConsumer::ApplyOnce(*reporting_db_, projector_.AsHandler(), e));
    if (e.type.find("Enterprise") != std::string::npos) continue;
    e.id += "-again";
    EXPECT_TRUE(events::EventConsumer::ApplyOnce(*reporting_db_, projector_.AsHandler(), e));
  }
  auto after = Row(year);
  EXPECT_EQ(after.SerializeAsString(), before);
}

}  // namespace
}  // namespace osh::registry::testing
