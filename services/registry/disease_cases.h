#pragma once

#include <grpcpp/support/status.h>

#include <chrono>
#include <functional>
#include <string>

#include "osh/registry/v1/supervision.pb.h"
#include "osh/service/call.h"
#include "osh/store/database.h"
#include "record_access.h"
#include "supervision_events.h"

namespace osh::registry {

using service::Caller;

// Occupational-disease case reports (职业病报告): diagnosed cases of one
// employer as counts per disease of the catalogue edition in force on the
// diagnosis date (osh/domain/diseases.h). Who writes: a diagnosis institution
// (role `institution` whose organisation is an ACTIVE diagnosis institution of
// this province's register with a qualification not expired) for employers
// of its province, and the province's staff. Employers never report
// themselves. Each write is validated, authorised, audited, idempotent on its
// request_id and emits OccupationalDiseaseCaseReported in its transaction.
class DiseaseCases {
 public:
  struct Options {
    std::string province;
    int default_page_size = 50;
    int max_page_size = 500;
    std::function<std::chrono::system_clock::time_point()> clock;
    std::function<void()> after_commit;
  };

  DiseaseCases(store::Database& db, Options options);

  grpc::Status Record(const Caller& caller, const v1::RecordDiseaseCasesRequest& request,
                      v1::DiseaseCaseReport* response);
  grpc::Status Get(const Caller& caller, const v1::GetDiseaseCaseReportRequest& request,
                   v1::DiseaseCaseReport* response);
  grpc::Status List(const Caller& caller, const v1::ListDiseaseCaseReportsRequest& request,
                    v1::ListDiseaseCaseReportsResponse* response);

 private:
  // PERMISSION_DENIED unless the caller may report cases for some employer of
  // this province: its staff, or an active diagnosis institution of it.
  void RequireReporter(store::Tx& tx, const auth::Principal& principal) const;

  store::Database& db_;
  Options options_;
  RecordAccess access_;
  SupervisionEvents events_;
};

}  // namespace osh::registry
