#include "registry_grpc.h"

#include "osh/auth/grpc_auth.h"
#include "osh/core/grpc_server.h"
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

RegistryGrpcService::RegistryGrpcService(Registry& registry, const auth::TokenVerifier& verifier, Importer* importer,
                                         const ChangeFeed* feed, const EmployerExport* exporter)
    : registry_(registry), verifier_(verifier), importer_(importer), feed_(feed), exporter_(exporter) {}

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

namespace {

const grpc::Status kNoFeeds(grpc::StatusCode::UNIMPLEMENTED, "this registry runs without change feeds");

// One ExportEmployers stream: authenticates and starts in the constructor,
// then writes the next part each time the previous one is written, and ends
// with OK after the last, or with the status of the first failure.
class ExportReactor final : public grpc::ServerWriteReactor<google::api::HttpBody> {
 public:
  ExportReactor(grpc::CallbackServerContext* ctx, const auth::TokenVerifier& verifier, const EmployerExport* exporter,
                const v1::ExportEmployersRequest& request)
      : exporter_(exporter) {
    core::ScopedTrace trace(core::TraceOf(*ctx));
    if (exporter_ == nullptr) {
      Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "this registry runs without exports"));
      return;
    }
    auto identity = auth::AuthenticateGrpcCall(*ctx, verifier, std::chrono::system_clock::now());
    if (!identity.ok() || !identity.principal) {
      Finish(grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          identity.ok() ? "the registry service needs a bearer token in the authorization metadata"
                                        : identity.error));
      return;
    }
    principal_ = *identity.principal;
    caller_ = Caller{&principal_, core::RequestIdOf(*ctx)};
    if (auto status = exporter_->Start(caller_, request, &position_); !status.ok()) {
      Finish(status);
      return;
    }
    body_.set_content_type(EmployerExport::ContentType(position_.format));
    ctx->AddInitialMetadata("content-disposition",
                            "attachment; filename=\"" + exporter_->FileName(position_.format) + "\"");
    WriteNext();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client stopped reading the export"));
      return;
    }
    WriteNext();
  }

  void OnDone() override { delete this; }

 private:
  void WriteNext() {
    std::optional<std::string> part;
    const auto status = service::Guard(caller_, "ExportEmployers", [&] { part = exporter_->Next(position_); });
    if (!status.ok() || !part) {
      Finish(status);
      return;
    }
    body_.set_data(std::move(*part));
    StartWrite(&body_);
  }

  const EmployerExport* exporter_;
  auth::Principal principal_;
  Caller caller_{nullptr, ""};
  EmployerExport::Position position_;
  google::api::HttpBody body_;
};

}  // namespace

grpc::ServerUnaryReactor* RegistryGrpcService::ListEmployerChanges(grpc::CallbackServerContext* ctx,
                                                                   const v1::ListChangesRequest* req,
                                                                   v1::ListEmployerChangesResponse* resp) {
  return Serve(ctx, [&](const Caller& c) { return feed_ ? feed_->ListEmployerChanges(c, *req, resp) : kNoFeeds; });
}

grpc::ServerUnaryReactor* RegistryGrpcService::ListDeclarationChanges(grpc::CallbackServerContext* ctx,
                                                                      const v1::ListChangesRequest* req,
                                                                      v1::ListDeclarationChangesResponse* resp) {
  return Serve(ctx, [&](const Caller& c) { return feed_ ? feed_->ListDeclarationChanges(c, *req, resp) : kNoFeeds; });
}

grpc::ServerWriteReactor<google::api::HttpBody>* RegistryGrpcService::ExportEmployers(
    grpc::CallbackServerContext* ctx, const v1::ExportEmployersRequest* req) {
  return new ExportReactor(ctx, verifier_, exporter_, *req);
}

}  // namespace osh::registry
