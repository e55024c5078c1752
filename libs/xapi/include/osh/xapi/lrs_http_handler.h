#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "osh/http/http_server.h"
#include "osh/xapi/credentials.h"
#include "osh/xapi/document_store.h"
#include "osh/xapi/statement_store.h"

namespace osh::auth {
class TokenVerifier;
}  // namespace osh::auth

namespace osh::xapi {

// The xAPI 1.0.3 Learning Record Store over HTTP, under one path prefix: the
// Statements resource (PUT, POST, GET, HEAD; JSON or multipart/mixed with
// attachments; signed statements checked for form), the Activities, Agents
// and About resources, and the document resources (State, Activity Profile,
// Agent Profile) when a DocumentStore is given; with CORS and the alternate
// request syntax. Clients authenticate with HTTP Basic (ClientCredentials) or
// a platform JWT (Bearer); each sees and writes only its province's
// statements and documents, and of those only what its LrsAccess allows
// (osh/xapi/access.h: learners their own, province staff all, Basic clients
// by scope). The LRS sets `stored`, `authority` and `version`.
class LrsHttpHandler {
 public:
  struct Options {
    std::string path_prefix = "/xapi";  // no trailing slash
    int default_limit = 100;            // statements per page when `limit` is absent or 0
    int max_limit = 500;
    std::function<std::chrono::system_clock::time_point()> clock = [] { return std::chrono::system_clock::now(); };
    // The province this LRS serves: national_admin reads its statements, and
    // platform principals of other provinces are refused. Empty: principals
    // act in their token's province and national_admin is refused.
    std::string province;
    // The body limit of a request without an Authorization header that may
    // still authenticate inside its body (the alternate request syntax).
    uint64_t unauthenticated_body_limit_bytes = 256 * 1024;
  };

  // `documents`, `credentials` and `verifier` may be null (document resources
  // answer 404; that way of signing in is off); what is given must outlive
  // the handler, as must `store`.
  LrsHttpHandler(Options options, StatementStore& store, DocumentStore* documents,
                 const ClientCredentials* credentials, const auth::TokenVerifier* verifier);

  // Whether `path` (raw, without query) is under the prefix.
  bool Handles(std::string_view path) const;

  // The http::HeaderCheck of the LRS: authenticates from the headers before
  // the body is read; refuses what must sign in and did not (401, with the
  // LRS's headers), lowers the body limit of requests that may authenticate
  // inside their body. Answer authenticates again, with the body.
  std::optional<http::HttpResponse> CheckHeaders(const http::HttpRequest& head, uint64_t* body_limit) const;

  // Answers at once, on the calling thread (SQLite is local).
  void Handle(http::HttpRequest&& request, const http::Respond& respond);
  http::HttpResponse Answer(http::HttpRequest request);

  // One request being answered (defined in the source).
  struct Call;

 private:
  std::optional<LrsClient> Authenticate(const std::string* authorization,
                                        std::chrono::system_clock::time_point now) const;
  Call Begin(const http::HttpRequest& request) const;
  http::HttpResponse Statements(Call& call);
  http::HttpResponse PutStatement(Call& call);
  http::HttpResponse PostStatements(Call& call);
  http::HttpResponse GetStatements(Call& call);
  http::HttpResponse About(const Call& call) const;
  http::HttpResponse Activities(const Call& call);
  http::HttpResponse Agents(const Call& call) const;
  http::HttpResponse Documents(Call& call, DocumentKind kind);

  Options options_;
  StatementStore& store_;
  DocumentStore* documents_;
  const ClientCredentials* credentials_;
  const auth::TokenVerifier* verifier_;
};

}  // namespace osh::xapi
