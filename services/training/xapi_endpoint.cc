#include "xapi_endpoint.h"

#include "osh/http/http_server.h"
#include "osh/service/wiring.h"
#include "osh/xapi/credentials.h"
#include "osh/xapi/document_store.h"
#include "osh/xapi/lrs_http_handler.h"
#include "osh/xapi/statement_store.h"

namespace osh::training {

bool StartXapiEndpoint(core::ServiceHost& host, const auth::TokenVerifier& verifier, std::string* error) {
  const auto& config = host.config();
  const std::string address = config.GetString("xapi-address");
  if (address.empty()) return true;

  const xapi::ClientCredentials* credentials = nullptr;
  if (const auto file = config.GetString("xapi-credentials-file"); !file.empty()) {
    auto loaded = xapi::ClientCredentials::Load(file, error);
    if (!loaded) return false;
    credentials = &host.Adopt(std::make_unique<xapi::ClientCredentials>(std::move(*loaded)));
  }
  auto& db = service::AdoptDatabase(host, "xapi.db", xapi::StatementStore::Migrations());
  auto& statements = host.Adopt(std::make_unique<xapi::StatementStore>(db));
  auto& documents = host.Adopt(std::make_unique<xapi::DocumentStore>(db));
  auto& lrs = host.Adopt(
      std::make_unique<xapi::LrsHttpHandler>(xapi::LrsHttpHandler::Options{}, statements, &documents, credentials, &verifier));

  http::HttpServer::Options options;
  options.address = address;
  options.body_limit_bytes = static_cast<uint64_t>(config.GetInt("xapi-body-limit-bytes"));
  auto& server = host.Adopt(std::make_unique<http::HttpServer>(options, [&lrs](http::HttpRequest&& request,
                                                                              http::Respond respond) {
    if (!lrs.Handles(request.path)) {
      respond(http::HttpResponse{404, {{"content-type", "application/json"}}, R"({"error":{"code":404,"message":"not an xAPI resource: the LRS is under /xapi"}})"});
      return;
    }
    lrs.Handle(std::move(request), respond);
  }));
  if (!server.Start(error)) return false;
  host.ready_info()["xapi_port"] = server.port();
  host.AddDrainHook([&server](std::chrono::milliseconds deadline) { server.Stop(deadline); });
  return true;
}

}  // namespace osh::training
