#include "osh/xapi/lrs_http_handler.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "lrs_error.h"
#include "osh/auth/jwt.h"
#include "osh/core/log.h"
#include "osh/xapi/formats.h"
#include "osh/xapi/validation.h"
#include "lrs_call.h"
#include "request_params.h"
#include "statement_upload.h"

namespace osh::xapi {
namespace {

using nlohmann::json;
using http::HttpRequest;
using http::HttpResponse;

constexpr const char* kVersionHeader = "X-Experience-API-Version";
constexpr const char* kLrsVersion = "1.0.3";

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

bool IsSupportedVersion(std::string_view v) {
  if (v == "1.0") return true;
  if (v.size() < 5 || v.substr(0, 4) != "1.0.") return false;
  return std::all_of(v.begin() + 4, v.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// A client's write access limited to one actor (a learner) stores
// statements about that actor only; `statement` is validated already.
void CheckMayWrite(const LrsClient& client, const json& statement, const std::string& prefix) {
  const auto& write = client.access.write;
  if (!write) Fail(403, "this client may not write statements");
  if (write->by == StatementScope::By::kActor && AgentKey(statement.at("actor")) != write->agent_key) {
    Fail(403, "this principal writes statements about itself only: the actor must be " + client.authority.dump(),
         prefix + "actor");
  }
}

// What a client may void; one that may write always has a voiding scope,
// and nothing is voidable otherwise.
StatementScope VoidScope(const LrsClient& client) {
  return client.access.voids.value_or(StatementScope::Actor(""));
}

}  // namespace

LrsHttpHandler::LrsHttpHandler(Options options, StatementStore& store, DocumentStore* documents,
                               const ClientCredentials* credentials, const auth::TokenVerifier* verifier)
    : options_(std::move(options)),
      store_(store),
      documents_(documents),
      credentials_(credentials),
      verifier_(verifier) {}

bool LrsHttpHandler::Handles(std::string_view path) const {
  const std::string_view prefix = options_.path_prefix;
  return path.substr(0, prefix.size()) == prefix && (path.size() == prefix.size() || path[prefix.size()] == '/');
}

void LrsHttpHandler::Handle(http::HttpRequest&& request, const http::Respond& respond) {
  respond(Answer(std::move(request)));
}

namespace {

// Alternate request syntax (Communication 1.3): a POST whose only query
// parameter is `method`, carrying headers, parameters and content as a form.
void ApplyAlternateSyntax(LrsHttpHandler::Call& call);

void AddCommonHeaders(const LrsHttpHandler::Call& call, HttpResponse& response);

}  // namespace

LrsHttpHandler::Call LrsHttpHandler::Begin(const http::HttpRequest& request) const {
  Call call;
  call.now = options_.clock();
  call.method = request.method;
  for (const auto& [name, value] : request.headers) call.headers.emplace(name, value);
  std::string resource = request.path.substr(std::min(request.path.size(), options_.path_prefix.size()));
  while (!resource.empty() && resource.front() == '/') resource.erase(0, 1);
  while (!resource.empty() && resource.back() == '/') resource.pop_back();
  call.resource = resource;
  return call;
}

namespace {

HttpResponse Unauthenticated() {
  auto response = JsonResponse(401, {{"error", {{"code", 401}, {"message", "authentication required"}}}});
  response.headers.emplace_back("www-authenticate", "Basic realm=\"xapi\"");
  return response;
}

}  // namespace

// Who is calling is settled before the body is read: a body is memory, and
// anyone may send one (24 anonymous 16 MiB uploads once took osh-training
// from 28 MB to 400 MB of its 512 MiB).
std::optional<http::HttpResponse> LrsHttpHandler::CheckHeaders(const http::HttpRequest& head,
                                                               uint64_t* body_limit) const {
  Call call = Begin(head);
  std::optional<HttpResponse> refusal;
  try {
    // The alternate request syntax carries Authorization in its form, which
    // overrides the header.
    const bool alternate = call.method == "POST" && head.query.find("method=") != std::string::npos;
    if (call.method == "OPTIONS" || call.resource == "about" || alternate) {
      *body_limit = std::min(*body_limit, options_.unauthenticated_body_limit_bytes);
    } else if (!Authenticate(call.Header("authorization"), call.now)) {
      refusal = Unauthenticated();
    }
  } catch (const Reply& reply) {
    refusal = reply.response;
  }
  if (refusal) AddCommonHeaders(call, *refusal);
  return refusal;
}

http::HttpResponse LrsHttpHandler::Answer(http::HttpRequest request) {
  Call call = Begin(request);
  HttpResponse response;
  try {
    call.params = ParseParams(request.query);
    call.body = std::move(request.body);
    if (call.method == "POST" && call.Find("method") != nullptr) ApplyAlternateSyntax(call);
    if (call.method == "OPTIONS") {
      response = HttpResponse{204, {}, ""};
    } else if (call.resource == "about") {
      response = About(call);
    } else if (auto client = Authenticate(call.Header("authorization"), call.now)) {
      call.client = std::move(*client);
      const auto* version = call.Header("x-experience-api-version");
      if (version == nullptr) Fail(400, "the X-Experience-API-Version header is required");
      if (!IsSupportedVersion(*version)) Fail(400, "unsupported xAPI version " + *version + "; this LRS speaks 1.0.x");
      if (call.resource == "statements") {
        response = Statements(call);
      } else if (call.resource == "activities") {
        response = Activities(call);
      } else if (call.resource == "agents") {
        response = Agents(call);
      } else if (call.resource == "activities/state") {
        response = Documents(call, DocumentKind::kState);
      } else if (call.resource == "activities/profile") {
        response = Documents(call, DocumentKind::kActivityProfile);
      } else if (call.resource == "agents/profile") {
        response = Documents(call, DocumentKind::kAgentProfile);
      } else {
        Fail(404, "no such xAPI resource");
      }
    } else {
      response = Unauthenticated();
    }
  } catch (const Reply& reply) {
    response = reply.response;
  } catch (const json::exception&) {
    // A value of an unexpected JSON type that validation does not reach
    // (inside a signature, say): the client's mistake, not ours.
    response = JsonResponse(400, {{"error", {{"code", 400}, {"message", "malformed JSON value"}}}});
  } catch (const store::StoreError& e) {
    core::log::Error("xapi store failed", {{"error", e.what()}});
    response = JsonResponse(500, {{"error", {{"code", 500}, {"message", "internal error"}}}});
  }
  AddCommonHeaders(call, response);
  if (call.method == "HEAD") response.body.clear();
  return response;
}

// Who is calling comes before anything about the request is revealed.
std::optional<LrsClient> LrsHttpHandler::Authenticate(const std::string* authorization,
                                                      std::chrono::system_clock::time_point now) const {
  if (authorization == nullptr) return std::nullopt;
  if (authorization->rfind("Basic ", 0) == 0 && credentials_ != nullptr) {
    const auto decoded = Base64Decode(authorization->substr(6));
    const auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos) return std::nullopt;
    return credentials_->Check(decoded->substr(0, colon), decoded->substr(colon + 1));
  }
  if (authorization->rfind("Bearer ", 0) == 0 && verifier_ != nullptr) {
    const auto verified = verifier_->Verify(authorization->substr(7), now);
    if (!verified.ok()) return std::nullopt;
    const auto& principal = *verified.principal;
    // national_admin has no province of its own: it reads the one served here.
    const auto province = principal.province.empty() ? options_.province : principal.province;
    if (province.empty()) Fail(403, "statements belong to a province; this principal has none");
    if (!options_.province.empty() && province != options_.province) {
      Fail(403, "this LRS serves province " + options_.province + ", not " + province);
    }
    return LrsClient{principal.subject, province, PrincipalAuthority(principal.subject), PrincipalAccess(principal)};
  }
  return std::nullopt;
}

namespace {

void ApplyAlternateSyntax(LrsHttpHandler::Call& call) {
  if (call.params.size() != 1) Fail(400, "with the alternate request syntax, method is the only query parameter");
  const auto method = call.params.front().value;
  if (method != "GET" && method != "PUT" && method != "POST" && method != "DELETE" && method != "HEAD") {
    Fail(400, "unsupported method for the alternate request syntax", "method");
  }
  if (call.ContentType() != "application/x-www-form-urlencoded") {
    Fail(400, "the alternate request syntax needs application/x-www-form-urlencoded");
  }
  call.method = method;
  call.params.clear();
  static const std::set<std::string> kHeaderFields = {"authorization", "x-experience-api-version", "content-type",
                                                      "content-length", "if-match", "if-none-match"};
  std::string content;
  // The content is JSON unless the form says otherwise.
  call.headers["content-type"] = "application/json";
  for (auto& field : ParseParams(call.body)) {
    const auto lower = Lower(field.name);
    if (kHeaderFields.count(lower) != 0) {
      call.headers[lower] = field.value;
    } else if (field.name == "content") {
      content = field.value;
    } else {
      call.params.push_back(field);
    }
  }
  call.body = std::move(content);
}

void AddCommonHeaders(const LrsHttpHandler::Call& call, HttpResponse& response) {
  if (call.resource == "statements" && (call.method == "GET" || call.method == "HEAD")) {
    bool has_consistent_through = false;
    for (const auto& [name, value] : response.headers) has_consistent_through |= name == kConsistentThrough;
    // On every answer to a statements query, errors included (Communication 2.1.3).
    if (!has_consistent_through) response.headers.emplace_back(kConsistentThrough, FormatTimestamp(call.now));
  }
  response.headers.emplace_back(
      "date", FormatHttpDate(std::chrono::duration_cast<std::chrono::microseconds>(call.now.time_since_epoch()).count()));
  response.headers.emplace_back(kVersionHeader, kLrsVersion);
  // Browser courseware on other origins reads and writes statements (CORS).
  response.headers.emplace_back("access-control-allow-origin", "*");
  response.headers.emplace_back("access-control-allow-methods", "HEAD, GET, POST, PUT, DELETE, OPTIONS");
  response.headers.emplace_back(
      "access-control-allow-headers",
      "Content-Type, Content-Length, Authorization, If-Match, If-None-Match, X-Experience-API-Version, Accept-Language");
  response.headers.emplace_back("access-control-expose-headers",
                                "ETag, Last-Modified, X-Experience-API-Version, X-Experience-API-Consistent-Through");
}

}  // namespace

http::HttpResponse LrsHttpHandler::About(const Call& call) const {
  if (call.method != "GET" && call.method != "HEAD") Fail(405, "about is read-only");
  return JsonResponse(200, {{"version", {"1.0.3", "1.0.2", "1.0.1", "1.0.0"}}, {"extensions", json::object()}});
}

http::HttpResponse LrsHttpHandler::Activities(const Call& call) {
  if (call.method != "GET" && call.method != "HEAD") Fail(405, "activities is read-only");
  const Param* id = nullptr;
  for (const auto& p : call.params) {
    if (p.name != "activityId") Fail(400, "unknown parameter", p.name);
    id = &p;
  }
  if (id == nullptr) Fail(400, "activityId is required", "activityId");
  if (!IsIri(id->value)) Fail(400, "must be an IRI", "activityId");
  // An Activity no statement named yet is still an Activity: its id alone.
  auto activity = store_.GetActivity(call.client.province, id->value);
  return JsonResponse(200, activity ? *activity : json{{"objectType", "Activity"}, {"id", id->value}});
}

// The Person object (Communication 2.4) of an Agent: its identifiers and
// name, each as a list.
http::HttpResponse LrsHttpHandler::Agents(const Call& call) const {
  if (call.method != "GET" && call.method != "HEAD") Fail(405, "agents is read-only");
  const Param* agent_param = nullptr;
  for (const auto& p : call.params) {
    if (p.name != "agent") Fail(400, "unknown parameter", p.name);
    agent_param = &p;
  }
  if (agent_param == nullptr) Fail(400, "agent is required", "agent");
  json agent;
  try {
    agent = json::parse(agent_param->value);
  } catch (const json::parse_error&) {
    Fail(400, "must be an Agent as JSON", "agent");
  }
  if (!agent.is_object() || agent.value("objectType", "Agent") != "Agent") Fail(400, "must be an Agent", "agent");
  if (auto error = ValidateAgent(agent, "agent")) Fail(400, error->message, error->path);
  json person = {{"objectType", "Person"}, {"name", json::array()}};
  if (agent.contains("name")) person["name"].push_back(agent["name"]);
  for (const char* key : {"mbox", "mbox_sha1sum", "openid", "account"}) {
    if (agent.contains(key)) person[key] = json::array({agent[key]});
  }
  return JsonResponse(200, person);
}

http::HttpResponse LrsHttpHandler::Statements(Call& call) {
  if (call.method == "PUT") return PutStatement(call);
  if (call.method == "POST") return PostStatements(call);
  if (call.method == "GET" || call.method == "HEAD") return GetStatements(call);
  Fail(405, "statements accept GET, HEAD, PUT and POST");
}

http::HttpResponse LrsHttpHandler::PutStatement(Call& call) {
  const Param* id_param = nullptr;
  for (const auto& p : call.params) {
    if (p.name != "statementId") Fail(400, "unknown parameter for PUT statements", p.name);
    id_param = &p;
  }
  if (id_param == nullptr) Fail(400, "PUT statements needs statementId", "statementId");
  if (!IsUuid(id_param->value)) Fail(400, "must be a UUID", "statementId");
  auto upload = ReadUpload(call.Header("content-type") ? *call.Header("content-type") : "", call.ContentType(),
                           std::move(call.body));
  json statement = ParseJsonBody(upload.statements_json);
  if (!statement.is_object()) Fail(400, "PUT takes one statement object");
  const auto id = Lower(id_param->value);
  if (statement.contains("id") && (!statement["id"].is_string() || Lower(statement["id"].get<std::string>()) != id)) {
    Fail(400, "the statement's id differs from statementId", "id");
  }
  statement["id"] = id;
  auto item = PrepareStatement(std::move(statement), call.client, 0, false, upload);
  CheckMayWrite(call.client, item.statement, "");
  const auto result = store_.Save(call.client.province, {item}, UsedAttachments(upload), VoidScope(call.client));
  if (result.outcome == SaveResult::Outcome::kConflict) {
    Fail(409, "a different statement with this id exists", "id");
  }
  if (result.outcome == SaveResult::Outcome::kNotAllowed) {
    Fail(403, "this client may not void the statement it names", "object.id");
  }
  if (result.outcome == SaveResult::Outcome::kVoidingTargetIsVoiding) {
    Fail(400, "a voiding statement cannot be voided", "object.id");
  }
  return HttpResponse{204, {}, ""};
}

http::HttpResponse LrsHttpHandler::PostStatements(Call& call) {
  if (!call.params.empty()) Fail(400, "POST statements takes no parameters", call.params.front().name);
  auto upload = ReadUpload(call.Header("content-type") ? *call.Header("content-type") : "", call.ContentType(),
                           std::move(call.body));
  json body = ParseJsonBody(upload.statements_json);
  const bool batch = body.is_array();
  if (!batch && !body.is_object()) Fail(400, "POST takes a statement or an array of statements");
  if (!batch) body = json::array({std::move(body)});
  std::vector<NewStatement> items;
  std::set<std::string> ids;
  for (size_t i = 0; i < body.size(); ++i) {
    items.push_back(PrepareStatement(std::move(body[i]), call.client, i, batch, upload));
    CheckMayWrite(call.client, items.back().statement, batch ? std::to_string(i) + "." : "");
    const auto& id = items.back().statement["id"].get_ref<const std::string&>();
    if (!ids.insert(id).second) Fail(400, "the batch holds two statements with id " + id, std::to_string(i) + ".id");
  }
  const auto result = store_.Save(call.client.province, items, UsedAttachments(upload), VoidScope(call.client));
  if (result.outcome == SaveResult::Outcome::kConflict) {
    Fail(409, "a different statement with id " + result.statement_id + " exists");
  }
  if (result.outcome == SaveResult::Outcome::kNotAllowed) {
    Fail(403, "statement " + result.statement_id + " voids a statement this client may not void");
  }
  if (result.outcome == SaveResult::Outcome::kVoidingTargetIsVoiding) {
    Fail(400, "statement " + result.statement_id + " targets a voiding statement, which cannot be voided");
  }
  json out = json::array();
  for (const auto& item : items) out.push_back(item.statement["id"]);
  return JsonResponse(200, out);
}

}  // namespace osh::xapi
