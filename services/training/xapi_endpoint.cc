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
  // Training on PostgreSQL and its LRS in a SQLite file would leave the LRS
  // behind when a replica moves; one PostgreSQL database for both cannot hold
  // two versioned schemas (one schema_migrations). So: a database of its own.
  const std::string training_url = config.GetString("database-url");
  const std::string xapi_url = config.GetString("xapi-database-url");
  if (!training_url.empty() && (xapi_url.empty() || xapi_url == training_url)) {
    *error = "xapi-database-url must name a PostgreSQL database of the LRS's own when database-url is set";
    return false;
  }
  auto& db = service::AdoptDatabase(host, "xapi.db", xapi::StatementStore::Migrations(), "xapi-database-url");
  auto& statements = host.Adopt(std::make_unique<xapi::StatementStore>(db));
  auto& documents = host.Adopt(std::make_unique<xapi::DocumentStore>(db));
  xapi::LrsHttpHandler::Options lrs_options;
  if (!service::ServedProvince(config, &lrs_options.province, error)) return false;
  auto& lrs = host.Adopt(
      std::make_unique<xapi::LrsHttpHandler>(lrs_options, statements, &documents, credentials, &verifier));

  http::HttpServer::Options options;
  options.address = address;
  options.body_limit_bytes = static_cast<uint64_t>(config.GetInt("xapi-body-limit-bytes"));
  options.max_connections = static_cast<int>(config.GetInt("xapi-max-connections"));
  options.max_connections_per_client = static_cast<int>(config.GetInt("xapi-max-connections-per-client"));
  options.max_body_bytes_in_flight = static_cast<uint64_t>(config.GetInt("xapi-body-bytes-in-flight"));
  options.max_body_bytes_in_flight_per_client =
      static_cast<uint64_t>(config.GetInt("xapi-body-bytes-in-flight-per-client"));
  options.header_timeout = std::chrono::milliseconds(config.GetInt("xapi-header-timeout-ms"));
  options.read_timeout = std::chrono::milliseconds(config.GetInt("xapi-read-timeout-ms"));
  if (!http::CheckAdmissionLimits(options, error)) return false;
  static const http::HttpResponse kNotXapi{
      404, {{"content-type", "application/json"}},
      R"({"error":{"code":404,"message":"not an xAPI resource: the LRS is under /xapi"}})"};
  auto& server = host.Adopt(std::make_unique<http::HttpServer>(
      options,
      [&lrs](http::HttpRequest&& request, http::Respond respond) { lrs.Handle(std::move(request), respond); },
      // Refused from the headers, before a body is read: other paths, and
      // requests that cannot sign in.
      [&lrs](const http::HttpRequest& head, uint64_t* body_limit) -> std::optional<http::HttpResponse> {
        if (!lrs.Handles(head.path)) return kNotXapi;
        return lrs.CheckHeaders(head, body_limit);
      }));
  if (!server.Start(error)) return false;
  host.ready_info()["xapi_port"] = server.port();
  host.AddDrainHook([&server](std::chrono::milliseconds deadline) { server.Stop(deadline); });
  return true;
}

}  // namespace osh::training
