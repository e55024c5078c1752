// osh-xapi-lrs-dev: the xAPI LRS handler alone on one port with its own SQLite
// file, for running the ADL conformance suite (tests/xapi/conformance.sh).
// Not a deployment: production mounts the handler inside osh-training.
#include <signal.h>

#include <iostream>

#include "osh/core/config.h"
#include "osh/http/http_server.h"
#include "osh/store/database.h"
#include "osh/xapi/credentials.h"
#include "osh/xapi/document_store.h"
#include "osh/xapi/lrs_http_handler.h"
#include "osh/xapi/statement_store.h"

int main(int argc, char** argv) {
  using namespace osh;
  const std::vector<core::ConfigKey> keys = {
      {"http-address", "127.0.0.1:0", "host:port to serve on; port 0 picks a free one (printed on stdout)"},
      {"database", "", "SQLite file of the statements"},
      {"xapi-credentials-file", "", "lines \"<key> <sha256 hex of secret> <province>\""},
  };
  std::string error;
  const auto config = core::Config::Load(keys, argc, argv, &error);
  if (!config || config->GetString("database").empty() || config->GetString("xapi-credentials-file").empty()) {
    std::cerr << (error.empty() ? "--database and --xapi-credentials-file are required" : error) << "\n"
              << core::Config::Help(keys);
    return 2;
  }
  const auto credentials = xapi::ClientCredentials::Load(config->GetString("xapi-credentials-file"), &error);
  if (!credentials) {
    std::cerr << error << "\n";
    return 2;
  }
  // The signals are blocked before any thread starts so that only sigwait sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto db = store::Database::Open({.path = config->GetString("database")}, xapi::StatementStore::Migrations());
  xapi::StatementStore statements(*db);
  xapi::DocumentStore documents(*db);
  xapi::LrsHttpHandler lrs({}, statements, &documents, &*credentials, nullptr);
  http::HttpServer::Options options;
  options.address = config->GetString("http-address");
  options.body_limit_bytes = 16 * 1024 * 1024;
  http::HttpServer server(options, [&lrs](http::HttpRequest&& request, http::Respond respond) {
    if (!lrs.Handles(request.path)) {
      return respond(http::HttpResponse{404, {{"content-type", "application/json"}}, R"({"error":"not found"})"});
    }
    lrs.Handle(std::move(request), respond);
  });
  if (!server.Start(&error)) {
    std::cerr << error << "\n";
    return 1;
  }
  std::cout << "listening on 127.0.0.1:" << server.port() << std::endl;
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  server.Stop(std::chrono::milliseconds(2000));
  return 0;
}
