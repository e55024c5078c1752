#include "osh/service/grpc_front.h"

#include <google/protobuf/descriptor.h>

#include <stdexcept>

#include "osh/api/v1/http_policy.pb.h"
#include "osh/auth/grpc_auth.h"
#include "osh/core/grpc_server.h"
#include "osh/service/jwks_expiry.h"

namespace osh::service {

grpc::ServerUnaryReactor* ServeAuthenticated(grpc::CallbackServerContext* ctx, const auth::TokenVerifier& verifier,
                                             std::string_view service_name,
                                             const std::function<grpc::Status(const Caller&)>& call) {
  auto* reactor = ctx->DefaultReactor();
  // The handler runs on this thread: its log lines and the events it writes carry the call's trace.
  core::ScopedTrace trace(core::TraceOf(*ctx));
  auto identity = auth::AuthenticateGrpcCall(*ctx, verifier, std::chrono::system_clock::now());
  if (!identity.ok()) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, identity.error));
  } else if (!identity.principal) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                                 "the " + std::string(service_name) +
                                     " service needs a bearer token in the authorization metadata"));
  } else {
    reactor->Finish(call(Caller{&*identity.principal, core::RequestIdOf(*ctx)}));
  }
  return reactor;
}

grpc::ServerUnaryReactor* ServeAllowingAnonymous(grpc::CallbackServerContext* ctx,
                                                 const auth::TokenVerifier& verifier,
                                                 const std::function<grpc::Status(const Caller&)>& call) {
  auto* reactor = ctx->DefaultReactor();
  core::ScopedTrace trace(core::TraceOf(*ctx));
  auto identity = auth::AuthenticateGrpcCall(*ctx, verifier, std::chrono::system_clock::now());
  if (!identity.ok()) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, identity.error));
  } else {
    reactor->Finish(call(Caller{identity.principal ? &*identity.principal : nullptr, core::RequestIdOf(*ctx)}));
  }
  return reactor;
}

GrpcFace::GrpcFace(std::string_view service_full_name, const auth::TokenVerifier& verifier) : verifier_(verifier) {
  const auto* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(std::string(service_full_name));
  if (service == nullptr) throw std::invalid_argument("no gRPC service " + std::string(service_full_name));
  // "osh.content.v1.ContentService" → "content"
  const std::string package = service->file()->package();
  const auto first = package.find('.');
  short_name_ = package.substr(first + 1, package.find('.', first + 1) - first - 1);
  for (int i = 0; i < service->method_count(); ++i) {
    const auto* method = service->method(i);
    if (method->options().GetExtension(api::v1::http_policy).allow_anonymous()) anonymous_.insert(method->name());
  }
}

bool GrpcFace::AllowsAnonymous(std::string_view method) const { return anonymous_.count(method) > 0; }

grpc::ServerUnaryReactor* GrpcFace::Serve(grpc::CallbackServerContext* ctx, std::string_view method,
                                          const std::function<grpc::Status(const Caller&)>& call) const {
  return AllowsAnonymous(method) ? ServeAllowingAnonymous(ctx, verifier_, call)
                                 : ServeAuthenticated(ctx, verifier_, short_name_, call);
}

std::vector<core::ConfigKey> TokenConfigKeys() {
  return {
      {"jwt-hs256-secret-file", "", "file holding the HS256 secret (else OSH_JWT_HS256_SECRET)"},
      {"jwt-rs256-public-key-file", "", "PEM public key for RS256 tokens (production)"},
      {"jwt-jwks-file", "", "JWKS file with the RS256/ES256 public keys of tokens (production)"},
      {"jwt-issuer", "", "required `iss` of tokens, when set"},
      {"jwt-audience", "", "required `aud` of tokens (the string, or one entry of the array), when set"},
      {"jwt-max-lifetime-seconds", "0",
       "longest exp - iat a token may have (tokens without iat are then refused); 0: no maximum"},
  };
}

std::unique_ptr<auth::TokenVerifier> TokenVerifierFromConfig(const core::Config& config, std::string* error) {
  auth::VerifierConfig verifier_config;
  verifier_config.issuer = config.GetString("jwt-issuer");
  verifier_config.audience = config.GetString("jwt-audience");
  verifier_config.max_lifetime = std::chrono::seconds(config.GetInt("jwt-max-lifetime-seconds"));
  if (const auto key_file = config.GetString("jwt-rs256-public-key-file"); !key_file.empty()) {
    std::string key_error;
    verifier_config.rs256_public_key_pem = auth::LoadSecret(key_file, "", &key_error);
    if (verifier_config.rs256_public_key_pem.empty()) {
      *error = key_error;
      return nullptr;
    }
  }
  if (const auto jwks_file = config.GetString("jwt-jwks-file"); !jwks_file.empty()) {
    std::string jwks_error;
    verifier_config.jwks_json = auth::LoadSecret(jwks_file, "", &jwks_error);
    if (verifier_config.jwks_json.empty()) {
      *error = "jwt-jwks-file: " + jwks_error;
      return nullptr;
    }
  }
  std::string secret_error;
  verifier_config.hs256_secret =
      auth::LoadSecret(config.GetString("jwt-hs256-secret-file"), "OSH_JWT_HS256_SECRET", &secret_error);
  if (verifier_config.hs256_secret.empty() && verifier_config.rs256_public_key_pem.empty() &&
      verifier_config.jwks_json.empty()) {
    *error = "no token key configured: " + secret_error;
    return nullptr;
  }
  return auth::TokenVerifier::Create(verifier_config, error);
}

const auth::TokenVerifier* AdoptTokenVerifier(core::ServiceHost& host, std::string* error) {
  auto verifier = TokenVerifierFromConfig(host.config(), error);
  if (!verifier) return nullptr;
  if (const auto jwks_file = host.config().GetString("jwt-jwks-file"); !jwks_file.empty()) {
    std::string ignored;  // it was read a moment ago
    ExportJwksCertificateExpiry(auth::LoadSecret(jwks_file, "", &ignored), host.metrics());
  }
  return &host.Adopt(std::move(verifier));
}

}  // namespace osh::service
