// GET and HEAD of the Statements resource (xAPI 1.0.3 Communication 2.1.3):
// one statement by id, or a query with `more` paging, in the exact, ids or
// canonical format, optionally with attachments as multipart/mixed; only
// statements inside the client's read scope.
#include <algorithm>
#include <cctype>
#include <set>

#include "lrs_call.h"
#include "osh/core/page_token.h"
#include "osh/xapi/formats.h"
#include "osh/xapi/multipart.h"
#include "osh/xapi/statement_format.h"
#include "osh/xapi/validation.h"
#include "statement_upload.h"

namespace osh::xapi {
namespace {

using nlohmann::json;
using http::HttpResponse;

const StatementScope& ReadScope(const LrsClient& client) {
  if (!client.access.read) Fail(403, "this client may not read statements");
  return *client.access.read;
}

}  // namespace

http::HttpResponse LrsHttpHandler::GetStatements(Call& call) {
  static const std::set<std::string> kKnown = {
      "statementId", "voidedStatementId", "agent", "verb",   "activity", "registration", "related_activities",
      "related_agents", "since", "until", "limit", "format", "attachments", "ascending", "more"};
  std::set<std::string> seen;
  for (const auto& p : call.params) {
    if (kKnown.count(p.name) == 0) Fail(400, "unknown parameter", p.name);
    if (!seen.insert(p.name).second) Fail(400, "parameter given twice", p.name);
  }
  const StatementScope& scope = ReadScope(call.client);
  std::string format = "exact";
  if (const auto* p = call.Find("format")) {
    if (p->value != "ids" && p->value != "exact" && p->value != "canonical") {
      Fail(400, "must be ids, exact or canonical", "format");
    }
    format = p->value;
  }
  bool attachments = false;
  if (const auto* p = call.Find("attachments")) attachments = ParseBool(*p);
  // Taken before the read, so it never claims more than the read saw.
  const auto consistent_through = store_.ConsistentThrough();
  const auto languages = AcceptedLanguages(call.Header("accept-language") ? *call.Header("accept-language") : "");
  auto shape = [&](const json& statement) {
    if (format == "ids") return IdsFormat(statement);
    if (format == "canonical") return CanonicalFormat(statement, languages);
    return statement;
  };
  auto reply = [&](json body) {
    HttpResponse response = JsonResponse(200, body);
    if (attachments) {
      // The statements first, then the content of every attachment they
      // declare and this LRS holds, once per hash.
      std::vector<MimePart> parts = {{{{"content-type", "application/json"}}, response.body}};
      std::set<std::string> hashes;
      const auto collect = [&](const json& statement) {
        for (const auto& a : statement.value("attachments", json::array())) hashes.insert(Lower(a.value("sha2", "")));
      };
      if (body.contains("statements")) {
        for (const auto& s : body["statements"]) collect(s);
      } else {
        collect(body);
      }
      for (const auto& sha2 : hashes) {
        if (auto content = store_.GetAttachment(call.client.province, sha2)) {
          parts.push_back({{{"content-type", content->content_type},
                            {"content-transfer-encoding", "binary"},
                            {"x-experience-api-hash", sha2}},
                           std::move(content->content)});
        }
      }
      const std::string boundary = "osh-xapi-" + NewUuidV4();
      response.headers = {{"content-type", "multipart/mixed; boundary=" + boundary}};
      response.body = RenderMultipart(parts, boundary);
    }
    response.headers.emplace_back(kConsistentThrough, consistent_through);
    return response;
  };

  const Param* statement_id = call.Find("statementId");
  const Param* voided_id = call.Find("voidedStatementId");
  if (statement_id != nullptr || voided_id != nullptr) {
    if (statement_id != nullptr && voided_id != nullptr) Fail(400, "statementId and voidedStatementId exclude each other");
    for (const auto& p : call.params) {
      if (&p != statement_id && &p != voided_id && p.name != "format" && p.name != "attachments") {
        Fail(400, "only format and attachments go with a statement id", p.name);
      }
    }
    const Param& id = statement_id != nullptr ? *statement_id : *voided_id;
    if (!IsUuid(id.value)) Fail(400, "must be a UUID", id.name);
    // Outside the client's scope is as absent as another province's.
    const auto statement = store_.Get(call.client.province, Lower(id.value), voided_id != nullptr, scope);
    if (!statement) Fail(404, "no such statement", id.name);
    auto response = reply(shape(*statement));
    if (const auto stored = ParseTimestamp(statement->value("stored", ""))) {
      response.headers.emplace_back("last-modified", FormatHttpDate(*stored));
    }
    return response;
  }

  StatementQuery query;
  query.scope = scope;
  if (const auto* p = call.Find("agent")) {
    json agent;
    try {
      agent = json::parse(p->value);
    } catch (const json::parse_error&) {
      Fail(400, "must be an Agent or Group as JSON", "agent");
    }
    if (auto error = ValidateAgent(agent, "agent")) Fail(400, error->message, error->path);
    query.agent_key = AgentKey(agent);
    if (query.agent_key.empty()) Fail(400, "an anonymous Group cannot be queried", "agent");
  }
  if (const auto* p = call.Find("verb")) {
    if (!IsIri(p->value)) Fail(400, "must be an IRI", "verb");
    query.verb_id = p->value;
  }
  if (const auto* p = call.Find("activity")) {
    if (!IsIri(p->value)) Fail(400, "must be an IRI", "activity");
    query.activity_id = p->value;
  }
  if (const auto* p = call.Find("registration")) {
    if (!IsUuid(p->value)) Fail(400, "must be a UUID", "registration");
    query.registration = Lower(p->value);
  }
  if (const auto* p = call.Find("related_activities")) query.related_activities = ParseBool(*p);
  if (const auto* p = call.Find("related_agents")) query.related_agents = ParseBool(*p);
  if (const auto* p = call.Find("ascending")) query.ascending = ParseBool(*p);
  for (const char* name : {"since", "until"}) {
    if (const auto* p = call.Find(name)) {
      const auto instant = ParseTimestamp(p->value);
      if (!instant) Fail(400, "must be an ISO 8601 timestamp", name);
      (std::string_view(name) == "since" ? query.since_micros : query.until_micros) = *instant;
    }
  }
  query.limit = options_.default_limit;
  if (const auto* p = call.Find("limit")) {
    int64_t limit = -1;
    if (!p->value.empty() && p->value.size() < 10 &&
        std::all_of(p->value.begin(), p->value.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      limit = std::stoll(p->value);
    }
    if (limit < 0) Fail(400, "must be a non-negative integer", "limit");
    query.limit = limit == 0 ? options_.default_limit : static_cast<int>(std::min<int64_t>(limit, options_.max_limit));
  }
  // The `more` link repeats the query and adds a token bound to it.
  std::string fingerprint;
  for (const auto& p : call.params) {
    if (p.name == "more") continue;
    if (!fingerprint.empty()) fingerprint += '&';
    fingerprint += p.raw;
  }
  if (const auto* p = call.Find("more")) {
    const auto position = core::DecodePageToken(p->value, fingerprint);
    int64_t after = 0;
    if (!position || position->empty() ||
        !std::all_of(position->begin(), position->end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      Fail(400, "the more token does not belong to this query", "more");
    }
    after = std::stoll(*position);
    query.after_position = after;
  }

  auto page = store_.Query(call.client.province, query);
  json result = {{"statements", json::array()}, {"more", ""}};
  for (const auto& s : page.statements) result["statements"].push_back(shape(s));
  if (page.next_position) {
    const auto token = core::EncodePageToken(std::to_string(*page.next_position), fingerprint);
    result["more"] = options_.path_prefix + "/statements?" + (fingerprint.empty() ? "" : fingerprint + "&") +
                     "more=" + token;
  }
  return reply(result);
}

}  // namespace osh::xapi
