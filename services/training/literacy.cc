// Training: literacy monitoring — survey batches recorded by province staff
// and the literacy level queried by region and year.

#include "training.h"

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>

#include <cmath>
#include <set>

#include "course_rules.h"
#include "osh/auth/authorize.h"
#include "osh/core/ids.h"
#include "osh/domain/civil_date.h"
#include "osh/domain/credit_code.h"
#include "osh/domain/regions.h"
#include "osh/domain/text.h"
#include "osh/events/v1/registry_events.pb.h"
#include "osh/service/checks.h"
#include "osh/service/paging.h"
#include "osh/service/records.h"
#include "osh/store/enum_set.h"
#include "training_access.h"

namespace osh::training {
namespace {

constexpr int kMinSurveyYear = 2000;
constexpr int kMaxSurveyYear = 2100;

}  // namespace

grpc::Status Training::RecordLiteracySurveys(const Caller& caller, const v1::RecordLiteracySurveysRequest& request,
                                             v1::RecordLiteracySurveysResponse* response) {
  return Guard(caller, "RecordLiteracySurveys", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    // A batch retried after a lost answer must not count its questionnaires twice.
    if (request.request_id().empty()) errors.Add("request_id", "is required: a retried batch is recorded once");
    if (request.results_size() == 0 || request.results_size() > options_.max_survey_batch) {
      errors.Add("results", fmt::format("must hold 1-{} questionnaires", options_.max_survey_batch));
    }
    for (int i = 0; i < request.results_size(); ++i) {
      const auto& r = request.results(i);
      const std::string at = fmt::format("results[{}]", i);
      if (r.population() == 0 || !v1::Population_IsValid(r.population())) {
        errors.Add(at + ".population", "must be one of the key populations");
      }
      if (auto bad = domain::DivisionCodeError(r.division_code())) {
        errors.Add(at + ".division_code", *bad);
      } else if (domain::ProvinceOfDivision(r.division_code()) != options_.province) {
        errors.Add(at + ".division_code", "is outside province " + options_.province + " served here");
      }
      if (r.year() < kMinSurveyYear || r.year() > kMaxSurveyYear) {
        errors.Add(at + ".year", fmt::format("must be {}-{}", kMinSurveyYear, kMaxSurveyYear));
      }
      if (!std::isfinite(r.score_rate()) || r.score_rate() < 0 || r.score_rate() > 100) {
        errors.Add(at + ".score_rate", "must be 0-100");
      }
    }
    ThrowIfInvalid(errors);
    service::Require(caller.principal, auth::Action::kWrite, {options_.province, "", false});

    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "RecordLiteracySurveys", request.request_id(), request, response, [&] {
        const auto now_tp = options_.clock();
        const std::string batch_id = core::NewUuidV7(now_tp);
        for (const auto& r : request.results()) TrainingStore::InsertSurveyResult(tx, batch_id, r);
        events_.SurveysRecorded(tx, batch_id, request, options_.literacy_threshold_percent, TimestampOf(now_tp));
        service::Audit(tx, caller, "record", "literacy_batch", batch_id);
        response->set_batch_id(batch_id);
        response->set_recorded(request.results_size());
      });
    });
    Committed();
  });
}

grpc::Status Training::QueryLiteracy(const Caller& caller, const v1::QueryLiteracyRequest& request,
                                     v1::QueryLiteracyResponse* response) {
  return Guard(caller, "QueryLiteracy", [&] {
    core::FieldErrors errors;
    const std::string region = request.region().empty() ? options_.province : request.region();
    if (!domain::IsDivisionPrefix(region)) {
      errors.Add("region", "must be a 2, 4 or 6 digit division prefix");
    } else if (domain::ProvinceOfDivision(region) != options_.province) {
      errors.Add("region", "is outside province " + options_.province + " served here");
    }
    if (request.year() != 0 && (request.year() < kMinSurveyYear || request.year() > kMaxSurveyYear)) {
      errors.Add("year", fmt::format("must be 0 (every year) or {}-{}", kMinSurveyYear, kMaxSurveyYear));
    }
    if (!v1::Population_IsValid(request.population())) errors.Add("population", "unknown value");
    ThrowIfInvalid(errors);
    service::Require(caller.principal, auth::Action::kRead, {options_.province, "", false});
    const auto rows = db_.Read([&](store::Tx& tx) {
      return TrainingStore::AggregateSurveys(tx, region, request.year(), request.population(),
                                             options_.literacy_threshold_percent);
    });
    response->set_threshold_percent(options_.literacy_threshold_percent);
    for (const auto& row : rows) {
      auto* a = response->add_aggregates();
      a->set_population(static_cast<v1::Population>(row.population));
      a->set_year(row.year);
      a->set_questionnaires(row.questionnaires);
      a->set_reaching_threshold(row.reaching);
      const auto questionnaires = static_cast<double>(row.questionnaires);
      a->set_share(row.questionnaires == 0 ? 0.0 : static_cast<double>(row.reaching) / questionnaires);
    }
  });
}

}  // namespace osh::training
