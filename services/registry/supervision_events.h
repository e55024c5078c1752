#pragma once

#include <string>

#include "osh/events/v1/supervision_events.pb.h"
#include "osh/registry/v1/registry.pb.h"
#include "osh/registry/v1/supervision.pb.h"
#include "osh/store/database.h"

namespace osh::registry {

namespace v1 = ::osh::registry::v1;

// Writes the supervision facts reporting computes its indicators from (hazard
// tests, health-exam summaries, assistance visits, occupational-disease cases)
// into the outbox, inside the caller's transaction: counts and codes only,
// never a person nor free text. Keyed by the employer's credit code, like
// RegistryEvents, so one employer's events stay in order.
class SupervisionEvents {
 public:
  explicit SupervisionEvents(std::string province) : province_(std::move(province)) {}

  // `test` as recorded (exceeded set on every result).
  void HazardTestRecorded(store::Tx& tx, const v1::HazardTest& test, const v1::Employer& employer) const;
  void HealthExamSummaryRecorded(store::Tx& tx, const v1::HealthExamSummary& summary, const v1::Employer& employer,
                                 int should_be_examined, events::v1::ShouldBeExaminedSource source) const;
  // `assistance_case` with `visit` added (its totals include it).
  void AssistanceVisitRecorded(store::Tx& tx, const v1::AssistanceCase& assistance_case, const v1::AssistanceVisit& visit,
                               const v1::Employer& employer, const google::protobuf::Timestamp& now) const;
  void DiseaseCasesReported(store::Tx& tx, const v1::DiseaseCaseReport& report, const v1::Employer& employer) const;

 private:
  std::string province_;
};

}  // namespace osh::registry
