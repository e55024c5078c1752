#pragma once

#include <grpcpp/support/status.h>

#include <chrono>
#include <functional>
#include <string>

#include "osh/auth/authorize.h"
#include "osh/auth/principal.h"
#include "osh/service/call.h"
#include "osh/registry/v1/registry.pb.h"
#include "osh/store/database.h"
#include "registry_events.h"

namespace osh::registry {

namespace v1 = ::osh::registry::v1;

// The verified caller (the registry refuses anonymous calls before this class).
using service::Caller;

// What the access policy sees of an employer's records: its province and credit code.
auth::Resource ResourceOf(const v1::Employer& e);

// The registry's business rules, free of gRPC plumbing: each call validates,
// authorises, and reads or writes in one store transaction. Every write is
// audited and idempotent on its request_id.
class Registry {
 public:
  struct Options {
    std::string province;  // the province this deployment serves
    int default_page_size = 50;
    int max_page_size = 500;
    std::function<std::chrono::system_clock::time_point()> clock = [] { return std::chrono::system_clock::now(); };
    // Called after every committed write (its events are in the outbox): wakes the relay.
    std::function<void()> after_commit;
  };

  Registry(store::Database& db, Options options);

  grpc::Status CreateEmployer(const Caller& caller, const v1::CreateEmployerRequest& request, v1::Employer* response);
  grpc::Status GetEmployer(const Caller& caller, const v1::GetEmployerRequest& request, v1::Employer* response);
  grpc::Status GetEmployerByCreditCode(const Caller& caller, const v1::GetEmployerByCreditCodeRequest& request,
                                       v1::Employer* response);
  grpc::Status UpdateEmployer(const Caller& caller, const v1::UpdateEmployerRequest& request, v1::Employer* response);
  grpc::Status ListEmployers(const Caller& caller, const v1::ListEmployersRequest& request,
                             v1::ListEmployersResponse* response);
  grpc::Status TransferEmployer(const Caller& caller, const v1::TransferEmployerRequest& request,
                                v1::Employer* response);

  grpc::Status SubmitDeclaration(const Caller& caller, const v1::SubmitDeclarationRequest& request,
                                 v1::Declaration* response);
  grpc::Status GetDeclaration(const Caller& caller, const v1::GetDeclarationRequest& request,
                              v1::Declaration* response);
  grpc::Status ListDeclarations(const Caller& caller, const v1::ListDeclarationsRequest& request,
                                v1::ListDeclarationsResponse* response);
  grpc::Status ReviewDeclaration(const Caller& caller, const v1::ReviewDeclarationRequest& request,
                                 v1::Declaration* response);

 private:
  void Committed() const;

  store::Database& db_;
  Options options_;
  RegistryEvents events_;
};

}  // namespace osh::registry
