// Supervision facts over the real registry → Kafka path: the writes go through
// the real SupervisionService into the outbox of its SQLite file, the
// registry's outbox relay publishes them to the ctest fixture's broker, and a
// consumer of osh.registry.events (as reporting runs one) reads each event
// back with its counts. No hand-built events.
#include <mutex>

#include "osh/core/ids.h"
#include "osh/events/consumer.h"
#include "osh/events/relay.h"
#include "osh/events/testing/test_broker.h"
#include "supervision_facts_fixture.h"

namespace osh::registry::testing {
namespace {

class SupervisionFactsKafkaTest : public SupervisionFactsFixture {
 protected:
  void SetUp() override {
    SupervisionFactsFixture::SetUp();
    relay_ = std::make_unique<events::OutboxRelay>(
        *db_, events::OutboxRelay::Options{.brokers = events::testing::TestBrokers()}, nullptr);
    std::string error;
    ASSERT_TRUE(relay_->Start(&error)) << error;
    // The reading side: its own SQLite file, a fresh group from the earliest offset.
    reader_db_ = store::Database::Open({.path = (dir_.path() / "reader.db").string()},
                                       {events::EventConsumer::Migration(1)});
    events::EventConsumer::Options o;
    o.brokers = events::testing::TestBrokers();
    o.group_id = "supervision-facts-" + core::NewRequestId();
    o.topics = {events::TopicFor("registry")};
    consumer_ = std::make_unique<events::EventConsumer>(
        *reader_db_, o,
        [this](store::Tx&, const events::Event& e) {
          std::lock_guard lock(mu_);
          received_.push_back(e);
        },
        nullptr);
    ASSERT_TRUE(consumer_->Start(&error)) << error;
  }

  void TearDown() override {
    consumer_.reset();
    relay_.reset();
    SupervisionFactsFixture::TearDown();
  }

  // The first event of type M keyed by `credit_code` the consumer received,
  // once it has arrived (the relay is woken first).
  template <typename M>
  std::optional<M> Received(const std::string& credit_code) {
    relay_->Notify();
    std::optional<M> found;
    events::testing::WaitFor(
        [&] {
          std::lock_guard lock(mu_);
          for (const auto& e : received_) {
            M m;
            if (e.key == credit_code && events::Unpack(e, &m)) {
              found = m;
              return true;
            }
          }
          return false;
        },
        std::chrono::seconds(60), std::chrono::milliseconds(100));
    return found;
  }

  // Employers unique to this run: the topic outlives it.
  std::string RunCode(int serial) const {
    return MakeCreditCode("441900", serial * 1000000 + static_cast<int>(run_ % 1000000));
  }
  const size_t run_ = std::hash<std::string>{}(core::NewRequestId());

  std::unique_ptr<events::OutboxRelay> relay_;
  std::unique_ptr<store::Database> reader_db_;
  std::unique_ptr<events::EventConsumer> consumer_;
  std::mutex mu_;
  std::vector<events::Event> received_;
};

TEST_F(SupervisionFactsKafkaTest, AHazardTestReachesTheTopicWithItsPoints) {
  const auto code = RunCode(401);
  const auto e = CreateEmployer(SampleEmployer(code));
  v1::HazardTest test;
  ASSERT_TRUE(supervision_stub_->RecordHazardTest(Ctx(admin_).get(), HazardTestOf(e), &test).ok());
  const auto m = Received<events::v1::HazardTestRecorded>(code);
  ASSERT_TRUE(m) << "HazardTestRecorded never arrived";
  EXPECT_EQ(m->test_id(), test.id());
  EXPECT_EQ(m->points_tested(), 4);
  EXPECT_EQ(m->points_exceeding(), 2);
  EXPECT_EQ(m->factors_size(), 3);
  EXPECT_EQ(m->employer().division_code(), "441900");
}

TEST_F(SupervisionFactsKafkaTest, AHealthExamSummaryReachesTheTopicWithItsCounts) {
  const auto code = RunCode(402);
  const auto e = CreateEmployer(SampleEmployer(code));
  const int year = std::stoi(Day(0).substr(0, 4)) - 1;
  v1::HealthExamSummary summary;
  ASSERT_TRUE(supervision_stub_->RecordHealthExamSummary(Ctx(admin_).get(), SummaryOf(e, year, 100, 88, 110), &summary)
                  .ok());
  const auto m = Received<events::v1::HealthExamSummaryRecorded>(code);
  ASSERT_TRUE(m) << "HealthExamSummaryRecorded never arrived";
  EXPECT_EQ(m->summary_id(), summary.id());
  EXPECT_EQ(m->year(), year);
  EXPECT_EQ(m->examined(), 100);
  EXPECT_EQ(m->should_be_examined(), 110);
  EXPECT_EQ(m->notified_in_writing(), 88);
}

TEST_F(SupervisionFactsKafkaTest, AnAssistanceVisitReachesTheTopicWithItsSubsidy) {
  const auto code = RunCode(403);
  const auto e = CreateEmployer(SampleEmployer(code));
  const auto c = Enrol(e);
  v1::AssistanceCase out;
  ASSERT_TRUE(supervision_stub_->RecordAssistanceVisit(Ctx(inspector_).get(), VisitOf(c, 4, 1, 120000), &out).ok());
  const auto m = Received<events::v1::AssistanceVisitRecorded>(code);
  ASSERT_TRUE(m) << "AssistanceVisitRecorded never arrived";
  EXPECT_EQ(m->case_id(), c.id());
  EXPECT_EQ(m->issues_found(), 4);
  EXPECT_EQ(m->issues_fixed(), 1);
  EXPECT_EQ(m->subsidy_fen(), 120000);
  EXPECT_EQ(m->visit_number(), 1);
}

TEST_F(SupervisionFactsKafkaTest, AnOccupationalDiseaseCaseReportReachesTheTopicWithItsCounts) {
  const auto code = RunCode(404);
  const auto e = CreateEmployer(SampleEmployer(code));
  const auto institution_org = RunCode(405);
  RegisterDiagnosisInstitution(institution_org);
  v1::DiseaseCaseReport report;
  auto status = supervision_stub_->RecordDiseaseCases(Ctx(Token("institution", "44", institution_org, "inst")).get(),
                                                      CasesOf(e, Day(-5), {{"01.01", 2}, {"10.01", 1}}), &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const auto m = Received<events::v1::OccupationalDiseaseCaseReported>(code);
  ASSERT_TRUE(m) << "OccupationalDiseaseCaseReported never arrived";
  EXPECT_EQ(m->report_id(), report.id());
  EXPECT_EQ(m->catalogue_edition(), "2024");
  EXPECT_EQ(m->total_cases(), 3);
  ASSERT_EQ(m->diseases_size(), 2);
  EXPECT_EQ(m->diseases(1).category_number(), 10);
  EXPECT_EQ(m->reporter_kind(), events::v1::DISEASE_CASE_REPORTER_KIND_DIAGNOSIS_INSTITUTION);
  EXPECT_EQ(m->reporter_org(), institution_org);
}

}  // namespace
}  // namespace osh::registry::testing
