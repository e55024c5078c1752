// Literacy monitoring: batches of anonymous questionnaires, recorded once per
// request id, aggregated by population × region prefix × year with exact
// counts and shares at the 80 % threshold.
#include "osh/events/v1/training_events.pb.h"
#include "training_fixture.h"

namespace osh::training::testing {
namespace {

class TrainingLiteracyTest : public TrainingFixture {
 protected:
  static v1::SurveyResult Result(v1::Population p, const std::string& division, int year, double rate) {
    v1::SurveyResult r;
    r.set_population(p);
    r.set_division_code(division);
    r.set_year(year);
    r.set_score_rate(rate);
    return r;
  }

  grpc::Status Record(const std::vector<v1::SurveyResult>& results, const std::string& request_id,
                      v1::RecordLiteracySurveysResponse* out, const std::string& token = "") {
    v1::RecordLiteracySurveysRequest req;
    for (const auto& r : results) *req.add_results() = r;
    req.set_request_id(request_id);
    return stub_->RecordLiteracySurveys(Ctx(token.empty() ? admin_ : token).get(), req, out);
  }

  v1::QueryLiteracyResponse Query(const std::string& region, int year = 0,
                                  v1::Population population = v1::POPULATION_UNSPECIFIED) {
    v1::QueryLiteracyRequest req;
    req.set_region(region);
    req.set_year(year);
    req.set_population(population);
    v1::QueryLiteracyResponse out;
    auto status = stub_->QueryLiteracy(Ctx(inspector_).get(), req, &out);
    EXPECT_TRUE(status.ok()) << status.error_message() << FieldsOf(status);
    return out;
  }
};

TEST_F(TrainingLiteracyTest, AggregatesCountQuestionnairesAndTheShareAtTheThreshold) {
  // Shenzhen (4403): teachers 2025 — 80 (counts, the threshold is inclusive), 79.99, 95, 100;
  // Guangzhou (4401): teachers 2025 — 60, 85; construction workers 2025 — 81; teachers 2024 — 90.
  const std::vector<v1::SurveyResult> batch = {
      Result(v1::POPULATION_TEACHERS, "440305", 2025, 80),
      Result(v1::POPULATION_TEACHERS, "440305", 2025, 79.99),
      Result(v1::POPULATION_TEACHERS, "440306", 2025, 95),
      Result(v1::POPULATION_TEACHERS, "440300", 2025, 100),
      Result(v1::POPULATION_TEACHERS, "440106", 2025, 60),
      Result(v1::POPULATION_TEACHERS, "440106", 2025, 85),
      Result(v1::POPULATION_CONSTRUCTION_WORKERS, "440106", 2025, 81),
      Result(v1::POPULATION_TEACHERS, "440106", 2024, 90),
  };
  v1::RecordLiteracySurveysResponse recorded;
  ASSERT_TRUE(Record(batch, "batch-1", &recorded).ok());
  EXPECT_EQ(recorded.recorded(), 8);

  auto province = Query("44", 2025);
  EXPECT_EQ(province.threshold_percent(), 80);
  ASSERT_EQ(province.aggregates_size(), 2);
  EXPECT_EQ(province.aggregates(0).population(), v1::POPULATION_TEACHERS);
  EXPECT_EQ(province.aggregates(0).questionnaires(), 6);
  EXPECT_EQ(province.aggregates(0).reaching_threshold(), 4);
  EXPECT_DOUBLE_EQ(province.aggregates(0).share(), 4.0 / 6.0);
  EXPECT_EQ(province.aggregates(1).population(), v1::POPULATION_CONSTRUCTION_WORKERS);
  EXPECT_EQ(province.aggregates(1).questionnaires(), 1);
  EXPECT_DOUBLE_EQ(province.aggregates(1).share(), 1.0);

  auto shenzhen = Query("4403");
  ASSERT_EQ(shenzhen.aggregates_size(), 1);
  EXPECT_EQ(shenzhen.aggregates(0).questionnaires(), 4);
  EXPECT_EQ(shenzhen.aggregates(0).reaching_threshold(), 3);
  EXPECT_DOUBLE_EQ(shenzhen.aggregates(0).share(), 0.75);

  auto county = Query("440305");
  ASSERT_EQ(county.aggregates_size(), 1);
  EXPECT_EQ(county.aggregates(0).questionnaires(), 2);
  EXPECT_EQ(county.aggregates(0).reaching_threshold(), 1);

  // Every year, teachers only: 2024 then 2025.
  auto teachers = Query("", 0, v1::POPULATION_TEACHERS);
  ASSERT_EQ(teachers.aggregates_size(), 2);
  EXPECT_EQ(teachers.aggregates(0).year(), 2024);
  EXPECT_EQ(teachers.aggregates(0).questionnaires(), 1);
  EXPECT_EQ(teachers.aggregates(1).year(), 2025);
  EXPECT_EQ(teachers.aggregates(1).questionnaires(), 6);

  // The event carries counts per population × division × year, no answers.
  std::vector<events::v1::LiteracySurveyRecorded> recorded_events;
  for (const auto& e : OutboxEvents()) {
    events::v1::LiteracySurveyRecorded m;
    if (events::Unpack(e, &m)) recorded_events.push_back(m);
  }
  ASSERT_EQ(recorded_events.size(), 1u);
  int questionnaires = 0, reaching = 0;
  for (const auto& c : recorded_events[0].counts()) {
    questionnaires += c.questionnaires();
    reaching += c.reaching_threshold();
  }
  EXPECT_EQ(questionnaires, 8);
  EXPECT_EQ(reaching, 6);
  EXPECT_EQ(recorded_events[0].counts_size(), 6);
}

TEST_F(TrainingLiteracyTest, ARetriedBatchIsRecordedOnce) {
  const std::vector<v1::SurveyResult> batch = {Result(v1::POPULATION_SEWER_WORKERS, "440305", 2025, 90)};
  v1::RecordLiteracySurveysResponse first, again;
  ASSERT_TRUE(Record(batch, "batch-1", &first).ok());
  ASSERT_TRUE(Record(batch, "batch-1", &again).ok());
  EXPECT_EQ(first.batch_id(), again.batch_id());
  EXPECT_EQ(Query("44").aggregates(0).questionnaires(), 1);
  Restart();
  ASSERT_TRUE(Record(batch, "batch-1", &again).ok());
  EXPECT_EQ(Query("44").aggregates(0).questionnaires(), 1);
  ASSERT_TRUE(Record(batch, "batch-2", &again).ok());
  EXPECT_EQ(Query("44").aggregates(0).questionnaires(), 2);
}

TEST_F(TrainingLiteracyTest, EveryInvalidFieldIsNamedAndNothingIsRecorded) {
  const std::vector<v1::SurveyResult> batch = {
      Result(v1::POPULATION_TEACHERS, "440305", 2025, 90),
      Result(v1::POPULATION_UNSPECIFIED, "440305", 2025, 90),
      Result(v1::POPULATION_TEACHERS, "320102", 2025, 90),
      Result(v1::POPULATION_TEACHERS, "44030", 2025, 90),
      Result(v1::POPULATION_TEACHERS, "440305", 1999, 90),
      Result(v1::POPULATION_TEACHERS, "440305", 2025, 100.5),
      Result(v1::POPULATION_TEACHERS, "440305", 2025, -1),
  };
  v1::RecordLiteracySurveysResponse out;
  auto status = Record(batch, "", &out);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const auto fields = FieldsOf(status);
  for (const char* field : {"request_id:", "results[1].population:", "results[2].division_code:",
                            "results[3].division_code:", "results[4].year:", "results[5].score_rate:",
                            "results[6].score_rate:"}) {
    EXPECT_NE(fields.find(field), std::string::npos) << field << " missing in\n" << fields;
  }
  EXPECT_EQ(fields.find("results[0]"), std::string::npos) << fields;
  EXPECT_EQ(CountRows("literacy_results"), 0);
  status = Record({}, "empty", &out);
  EXPECT_NE(FieldsOf(status).find("results:"), std::string::npos);

  v1::QueryLiteracyRequest query;
  query.set_region("32");
  query.set_year(1990);
  v1::QueryLiteracyResponse answer;
  status = stub_->QueryLiteracy(Ctx(admin_).get(), query, &answer);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(FieldsOf(status).find("region:"), std::string::npos);
  EXPECT_NE(FieldsOf(status).find("year:"), std::string::npos);
}

TEST_F(TrainingLiteracyTest, OnlyProvinceStaffRecordAndRead) {
  const std::vector<v1::SurveyResult> batch = {Result(v1::POPULATION_TEACHERS, "440305", 2025, 90)};
  v1::RecordLiteracySurveysResponse out;
  for (const auto* token : {&worker_, &employer_, &editor_, &other_admin_, &national_}) {
    EXPECT_EQ(Record(batch, "b", &out, *token).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_EQ(Record(batch, "b", &out, inspector_).error_code(), grpc::StatusCode::OK);
  v1::QueryLiteracyResponse answer;
  EXPECT_TRUE(stub_->QueryLiteracy(Ctx(national_).get(), v1::QueryLiteracyRequest(), &answer).ok());
  EXPECT_EQ(stub_->QueryLiteracy(Ctx(employer_).get(), v1::QueryLiteracyRequest(), &answer).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->QueryLiteracy(Ctx(other_admin_).get(), v1::QueryLiteracyRequest(), &answer).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace osh::training::testing
