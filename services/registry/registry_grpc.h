#pragma once

#include <chrono>
#include <functional>

#include "osh/auth/jwt.h"
#include "osh/registry/v1/registry.grpc.pb.h"
#include "osh/service/grpc_front.h"
#include "change_feed.h"
#include "employer_export.h"
#include "import/importer.h"
#include "registry.h"

namespace osh::registry {

// The thin gRPC face of Registry on the callback API: it verifies the bearer
// token of each call (the gateway checked it too, but the gRPC port does not
// trust blindly), refuses anonymous callers, and answers with Registry's status.
// An answer holding personal data in clear goes out with the initial metadata
// `cache-control: no-store`, which the gateway obeys (it never stores such an
// answer in Redis) and passes on to the HTTP client.
class RegistryGrpcService final : public v1::RegistryService::CallbackService {
 public:
  // `importer` serves StartImport, GetImport and CancelImport, `feed` the
  // change feeds and `exporter` ExportEmployers; without one its calls answer
  // UNIMPLEMENTED.
  RegistryGrpcService(Registry& registry, const auth::TokenVerifier& verifier, Importer* importer = nullptr,
                      const ChangeFeed* feed = nullptr, const EmployerExport* exporter = nullptr);

  grpc::ServerUnaryReactor* CreateEmployer(grpc::CallbackServerContext* ctx, const v1::CreateEmployerRequest* req,
                                           v1::Employer* resp) override;
  grpc::ServerUnaryReactor* GetEmployer(grpc::CallbackServerContext* ctx, const v1::GetEmployerRequest* req,
                                        v1::Employer* resp) override;
  grpc::ServerUnaryReactor* GetEmployerByCreditCode(grpc::CallbackServerContext* ctx,
                                                    const v1::GetEmployerByCreditCodeRequest* req,
                                                    v1::Employer* resp) override;
  grpc::ServerUnaryReactor* UpdateEmployer(grpc::CallbackServerContext* ctx, const v1::UpdateEmployerRequest* req,
                                           v1::Employer* resp) override;
  grpc::ServerUnaryReactor* ListEmployers(grpc::CallbackServerContext* ctx, const v1::ListEmployersRequest* req,
                                          v1::ListEmployersResponse* resp) override;
  grpc::ServerUnaryReactor* TransferEmployer(grpc::CallbackServerContext* ctx, const v1::TransferEmployerRequest* req,
                                             v1::Employer* resp) override;
  grpc::ServerUnaryReactor* SubmitDeclaration(grpc::CallbackServerContext* ctx,
                                              const v1::SubmitDeclarationRequest* req,
                                              v1::Declaration* resp) override;
  grpc::ServerUnaryReactor* GetDeclaration(grpc::CallbackServerContext* ctx, const v1::GetDeclarationRequest* req,
                                           v1::Declaration* resp) override;
  grpc::ServerUnaryReactor* ListDeclarations(grpc::CallbackServerContext* ctx,
                                             const v1::ListDeclarationsRequest* req,
                                             v1::ListDeclarationsResponse* resp) override;
  grpc::ServerUnaryReactor* ReviewDeclaration(grpc::CallbackServerContext* ctx,
                                              const v1::ReviewDeclarationRequest* req,
                                              v1::Declaration* resp) override;
  grpc::ServerUnaryReactor* ListTransfers(grpc::CallbackServerContext* ctx, const v1::ListTransfersRequest* req,
                                          v1::ListTransfersResponse* resp) override;
  grpc::ServerUnaryReactor* ListPersonalDataReads(grpc::CallbackServerContext* ctx,
                                                  const v1::ListPersonalDataReadsRequest* req,
                                                  v1::ListPersonalDataReadsResponse* resp) override;
  grpc::ServerUnaryReactor* StartImport(grpc::CallbackServerContext* ctx, const v1::StartImportRequest* req,
                                        v1::ImportJob* resp) override;
  grpc::ServerUnaryReactor* GetImport(grpc::CallbackServerContext* ctx, const v1::GetImportRequest* req,
                                      v1::ImportJob* resp) override;
  grpc::ServerUnaryReactor* CancelImport(grpc::CallbackServerContext* ctx, const v1::CancelImportRequest* req,
                                         v1::ImportJob* resp) override;
  grpc::ServerUnaryReactor* ListEmployerChanges(grpc::CallbackServerContext* ctx, const v1::ListChangesRequest* req,
                                                v1::ListEmployerChangesResponse* resp) override;
  grpc::ServerUnaryReactor* ListDeclarationChanges(grpc::CallbackServerContext* ctx,
                                                   const v1::ListChangesRequest* req,
                                                   v1::ListDeclarationChangesResponse* resp) override;
  // Streams the file a part at a time: the next part is read from the store
  // only when the previous one is written, so a slow client holds one part.
  grpc::ServerWriteReactor<google::api::HttpBody>* ExportEmployers(grpc::CallbackServerContext* ctx,
                                                                  const v1::ExportEmployersRequest* req) override;

 private:
  Registry& registry_;
  const auth::TokenVerifier& verifier_;  // the export stream authenticates by itself
  service::GrpcFace face_;
  Importer* importer_;
  const ChangeFeed* feed_;
  const EmployerExport* exporter_;
};

}  // namespace osh::registry
