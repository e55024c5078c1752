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
    : registry_(registry),
      verifier_(verifier),
      face_(v1::RegistryService::service_full_name(), verifier),
      importer_(importer),
      feed_(feed),
      exporter_(exporter) {}

OSH_GRPC_UNARY(RegistryGrpcService, registry_, CreateEmployer, v1::CreateEmployerRequest, v1::Employer)

grpc::ServerUnaryReactor* RegistryGrpcService::GetEmployer(grpc::CallbackServerContext* ctx,
                                                           const v1::GetEmployerRequest* req, v1::Employer* resp) {
  return face_.Serve(ctx, "GetEmployer", [&](const Caller& c) {
    return NoStoreIfClear(ctx, registry_.GetEmployer(c, *req, resp), *resp);
  });
}

grpc::ServerUnaryReactor* RegistryGrpcService::GetEmployerByCreditCode(grpc::CallbackServerContext* ctx,
                                                                       const v1::GetEmployerByCreditCodeRequest* req,
                                                                       v1::Employer* resp) {
  return face_.Serve(ctx, "GetEmployerByCreditCode", [&](const Caller& c) {
    return NoStoreIfClear(ctx, registry_.GetEmployerByCreditCode(c, *req, resp), *resp);
  });
}

OSH_GRPC_UNARY(RegistryGrpcService, registry_, UpdateEmployer, v1::UpdateEmployerRequest, v1::Employer)
OSH_GRPC_UNARY(RegistryGrpcService, registry_, ListEmployers, v1::ListEmployersRequest, v1::ListEmployersResponse)
OSH_GRPC_UNARY(RegistryGrpcService, registry_, TransferEmployer, v1::TransferEmployerRequest, v1::Employer)
OSH_GRPC_UNARY(RegistryGrpcService, registry_, SubmitDeclaration, v1::SubmitDeclarationRequest, v1::Declaration)
OSH_GRPC_UNARY(RegistryGrpcService, registry_, GetDeclaration, v1::GetDeclarationRequest, v1::Declaration)
OSH_GRPC_UNARY(RegistryGrpcService, registry_, ListDeclarations, v1::ListDeclarationsRequest,
               v1::ListDeclarationsResponse)
OSH_GRPC_UNARY(RegistryGrpcService, registry_, ReviewDeclaration, v1::ReviewDeclarationRequest, v1::Declaration)
OSH_GRPC_UNARY(RegistryGrpcService, registry_, ListTransfers, v1::ListTransfersRequest, v1::ListTransfersResponse)
OSH_GRPC_UNARY(RegistryGrpcService, registry_, ListPersonalDataReads, v1::ListPersonalDataReadsRequest,
               v1::ListPersonalDataReadsResponse)

namespace {

const grpc::Status kNoImports(grpc::StatusCode::UNIMPLEMENTED, "this registry runs without bulk import");

}  // namespace

grpc::ServerUnaryReactor* RegistryGrpcService::StartImport(grpc::CallbackServerContext* ctx,
                                                           const v1::StartImportRequest* req, v1::ImportJob* resp) {
  return face_.Serve(ctx, "StartImport", [&](const Caller& c) {
    return importer_ ? importer_->StartImport(c, *req, resp) : kNoImports;
  });
}

grpc::ServerUnaryReactor* RegistryGrpcService::GetImport(grpc::CallbackServerContext* ctx,
                                                         const v1::GetImportRequest* req, v1::ImportJob* resp) {
  return face_.Serve(ctx, "GetImport", [&](const Caller& c) {
    return importer_ ? importer_->GetImport(c, *req, resp) : kNoImports;
  });
}

grpc::ServerUnaryReactor* RegistryGrpcService::CancelImport(grpc::CallbackServerContext* ctx,
                                                            const v1::CancelImportRequest* req, v1::ImportJob* resp) {
  return face_.Serve(ctx, "CancelImport", [&](const Caller& c) {
    return importer_ ? importer_->CancelImport(c, *req, resp) : kNoImports;
  });
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
  return face_.Serve(ctx, "ListEmployerChanges", [&](const Caller& c) {
    return feed_ ? feed_->ListEmployerChanges(c, *req, resp) : kNoFeeds;
  });
}

grpc::ServerUnaryReactor* RegistryGrpcService::ListDeclarationChanges(grpc::CallbackServerContext* ctx,
                                                                      const v1::ListChangesRequest* req,
                                                                      v1::ListDeclarationChangesResponse* resp) {
  return face_.Serve(ctx, "ListDeclarationChanges", [&](const Caller& c) {
    return feed_ ? feed_->ListDeclarationChanges(c, *req, resp) : kNoFeeds;
  });
}

grpc::ServerWriteReactor<google::api::HttpBody>* RegistryGrpcService::ExportEmployers(
    grpc::CallbackServerContext* ctx, const v1::ExportEmployersRequest* req) {
  return new ExportReactor(ctx, verifier_, exporter_, *req);
}

}  // namespace osh::registry
