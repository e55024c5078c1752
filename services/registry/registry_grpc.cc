#include "registry_grpc.h"

#include "osh/service/grpc_front.h"

namespace osh::registry {
namespace {

// Marks an answer that carries personal data in clear as not to be stored by
// any cache on its way (gateway, HTTP clients).
grpc::Status NoStoreIfClear(grpc::CallbackServerContext* ctx, grpc::Status status, const v1::Employer& answer) {
  if (status.ok() && PersonalData::HoldsClear(answer)) ctx->AddInitialMetadata("cache-control", "no-store");
  return status;
}

}  // namespace

RegistryGrpcService::RegistryGrpcService(Registry& registry, const auth::TokenVerifier& verifier, Importer* importer)
    : registry_(registry), verifier_(verifier), importer_(importer) {}

grpc::ServerUnaryReactor* RegistryGrpcService::Serve(grpc::CallbackServerContext* ctx,
                                                     const std::function<grpc::Status(const Caller&)>& call) {
  return service::ServeAuthenticated(ctx, verifier_, "registry", call);
}

grpc::ServerUnaryReactor* RegistryGrpcService::CreateEmployer(grpc::CallbackServerContext* ctx,
                                                              const v1::CreateEmployerRequest* req,
                                                              v1::Employer* resp) {
  return Serve(ctx, [&](const Caller& c) { return registry_.CreateEmployer(c, *req, resp); });
}

grpc::ServerUnaryReactor* RegistryGrpcService::GetEmployer(grpc::CallbackServerContext* ctx,
                                                           const v1::GetEmployerRequest* req, v1::Employer* resp) {
  return Serve(ctx, [&](const Caller& c) { return NoStoreIfClear(ctx, registry_.GetEmployer(c, *req, resp), *resp); });
}

grpc::ServerUnaryReactor* RegistryGrpcService::GetEmployerByCreditCode(grpc::CallbackServerContext* ctx,
                                                                       const v1::GetEmployerByCreditCodeRequest* req,
                                                                       v1::Employer* resp) {
  return Serve(ctx, [&](const Caller& c) {
    return NoStoreIfClear(ctx, registry_.GetEmployerByCreditCode(c, *req, resp), *resp);
  });
}

grpc::ServerUnaryReactor* RegistryGrpcService::UpdateEmployer(grpc::CallbackServerContext* ctx,
                                                              const v1::UpdateEmployerRequest* req,
                                                              v1::Employer* resp) {
  return Serve(ctx, [&](const Caller& c) { return registry_.UpdateEmployer(c, *req, resp); });
}

grpc::ServerUnaryReactor* RegistryGrpcService::ListEmployers(grpc::CallbackServerContext* ctx,
                                                             const v1::ListEmployersRequest* req,
                                                             v1::ListEmployersResponse* resp) {
  return Serve(ctx, [&](const Caller& c) { return registry_.ListEmployers(c, *req, resp); });
}

grpc::ServerUnaryReactor* RegistryGrpcService::TransferEmployer(grpc::CallbackServerContext* ctx,
                                                                const v1::TransferEmployerRequest* req,
                                                                v1::Employer* resp) {
  return Serve(ctx, [&](const Caller& c) { return registry_.TransferEmployer(c, *req, resp); });
}

grpc::ServerUnaryReactor* RegistryGrpcService::SubmitDeclaration(grpc::CallbackServerContext* ctx,
                                                                 const v1::SubmitDeclarationRequest* req,
                                                                 v1::Declaration* resp) {
  return Serve(ctx, [&](const Caller& c) { return registry_.SubmitDeclaration(c, *req, resp); });
}

grpc::ServerUnaryReactor* RegistryGrpcService::GetDeclaration(grpc::CallbackServerContext* ctx,
                                                              const v1::GetDeclarationRequest* req,
                                                              v1::Declaration* resp) {
  return Serve(ctx, [&](const Caller& c) { return registry_.GetDeclaration(c, *req, resp); });
}

grpc::ServerUnaryReactor* RegistryGrpcService::ListDeclarations(grpc::CallbackServerContext* ctx,
                                                                const v1::ListDeclarationsRequest* req,
                                                                v1::ListDeclarationsResponse* resp) {
  return Serve(ctx, [&](const Caller& c) { return registry_.ListDeclarations(c, *req, resp); });
}

grpc::ServerUnaryReactor* RegistryGrpcService::ReviewDeclaration(grpc::CallbackServerContext* ctx,
                                                                 const v1::ReviewDeclarationRequest* req,
                                                                 v1::Declaration* resp) {
  return Serve(ctx, [&](const Caller& c) { return registry_.ReviewDeclaration(c, *req, resp); });
}

grpc::ServerUnaryReactor* RegistryGrpcService::ListTransfers(grpc::CallbackServerContext* ctx,
                                                             const v1::ListTransfersRequest* req,
                                                             v1::ListTransfersResponse* resp) {
  return Serve(ctx, [&](const Caller& c) { return registry_.ListTransfers(c, *req, resp); });
}

grpc::ServerUnaryReactor* RegistryGrpcService::ListPersonalDataReads(grpc::CallbackServerContext* ctx,
                                                                     const v1::ListPersonalDataReadsRequest* req,
                                                                     v1::ListPersonalDataReadsResponse* resp) {
  return Serve(ctx, [&](const Caller& c) { return registry_.ListPersonalDataReads(c, *req, resp); });
}

namespace {

const grpc::Status kNoImports(grpc::StatusCode::UNIMPLEMENTED, "this registry runs without bulk import");

}  // namespace

grpc::ServerUnaryReactor* RegistryGrpcService::StartImport(grpc::CallbackServerContext* ctx,
                                                           const v1::StartImportRequest* req, v1::ImportJob* resp) {
  return Serve(ctx, [&](const Caller& c) { return importer_ ? importer_->StartImport(c, *req, resp) : kNoImports; });
}

grpc::ServerUnaryReactor* RegistryGrpcService::GetImport(grpc::CallbackServerContext* ctx,
                                                         const v1::GetImportRequest* req, v1::ImportJob* resp) {
  return Serve(ctx, [&](const Caller& c) { return importer_ ? importer_->GetImport(c, *req, resp) : kNoImports; });
}

grpc::ServerUnaryReactor* RegistryGrpcService::CancelImport(grpc::CallbackServerContext* ctx,
                                                            const v1::CancelImportRequest* req, v1::ImportJob* resp) {
  return Serve(ctx, [&](const Caller& c) { return importer_ ? importer_->CancelImport(c, *req, resp) : kNoImports; });
}

}  // namespace osh::registry
