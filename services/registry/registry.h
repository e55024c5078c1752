#pragma once

#include <grpcpp/support/status.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "osh/auth/authorize.h"
#include "osh/auth/principal.h"
#include "osh/crypto/field_cipher.h"
#include "osh/service/call.h"
#include "osh/registry/v1/registry.pb.h"
#include "osh/store/database.h"
#include "personal_data.h"
#include "record_access.h"
#include "registry_events.h"

namespace osh::registry {

namespace v1 = ::osh::registry::v1;

// The verified caller (the registry refuses anonymous calls before this class).
using service::Caller;

// What the access policy sees of an employer's records: its province and credit code.
auth::Resource ResourceOf(const v1::Employer& e);

// The registry's business rules, free of gRPC plumbing: each call validates,
// authorises, and reads or writes in one store transaction. Every write is
// audited and idempotent on its request_id. The legal representative's name
// and phone are sealed at rest and masked in answers (PersonalData); a lookup
// authorises before it tells whether the record exists (RecordAccess).
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

  // `cipher` seals the personal data; it must outlive the registry.
  Registry(store::Database& db, const crypto::FieldCipher& cipher, Options options);

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

  grpc::Status ListTransfers(const Caller& caller, const v1::ListTransfersRequest& request,
                             v1::ListTransfersResponse* response);

  grpc::Status ListPersonalDataReads(const Caller& caller, const v1::ListPersonalDataReadsRequest& request,
                                     v1::ListPersonalDataReadsResponse* response);

  // The write of one employer inside the caller's transaction, exactly as
  // CreateEmployer and UpdateEmployer make it (validation, authorisation,
  // record, sealed personal data, audit entry, event in the outbox), for
  // callers that write many in one transaction (bulk import). A refusal is
  // thrown as service::Refusal; the caller rolls back what it must.
  v1::Employer CreateEmployerIn(store::Tx& tx, const Caller& caller, const v1::Employer& employer);
  struct EmployerWrite {
    v1::Employer employer;  // as stored after the call
    bool changed;           // false: it equalled the stored record and nothing was written
  };
  // `changes.id` and `changes.version` name the record and the version read;
  // `mask` the fields to change. With `keep_if_unchanged`, a change that
  // leaves the record as it is writes nothing (no version, audit or event).
  EmployerWrite UpdateEmployerIn(store::Tx& tx, const Caller& caller, const v1::Employer& changes,
                                 const google::protobuf::FieldMask& mask, bool keep_if_unchanged);
  // Wakes the outbox relay after a transaction of *In writes committed.
  void Committed() const;

 private:
  // An employer as a Get answers it: masked, or, when `reveal`, with the clear
  // personal values for a caller who may see them, the read recorded in the
  // same transaction. `what` names the request in messages.
  v1::Employer ReadEmployer(const Caller& caller, bool reveal, const std::string& purpose, const std::string& what,
                            const std::function<std::optional<v1::Employer>(store::Tx&)>& find);
  // PERMISSION_DENIED unless the caller's role may see personal data in clear.
  void RequireMayReveal(const Caller& caller) const;

  store::Database& db_;
  Options options_;
  PersonalData personal_;
  RecordAccess access_;
  RegistryEvents events_;
};

}  // namespace osh::registry
