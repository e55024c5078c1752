// The document resources of xAPI 1.0.3: State (Communication 2.3), Activity
// Profile (2.7) and Agent Profile (2.6), with the merge of POSTed JSON
// (2.2) and ETag concurrency (3.1).
#include <set>

#include "lrs_call.h"
#include "osh/xapi/document_store.h"
#include "osh/xapi/formats.h"
#include "osh/xapi/statement_store.h"
#include "osh/xapi/validation.h"

namespace osh::xapi {
namespace {

using nlohmann::json;
using http::HttpResponse;

// Whether an If-Match / If-None-Match header value names `etag` ("*" names
// any existing document).
bool NamesEtag(const std::string& header, const std::optional<Document>& current) {
  if (!current) return false;
  size_t start = 0;
  while (start <= header.size()) {
    auto end = header.find(',', start);
    if (end == std::string::npos) end = header.size();
    std::string tag = header.substr(start, end - start);
    const auto first = tag.find_first_not_of(" \t");
    const auto last = tag.find_last_not_of(" \t");
    tag = first == std::string::npos ? "" : tag.substr(first, last - first + 1);
    if (tag.rfind("W/", 0) == 0) tag.erase(0, 2);
    if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') tag = tag.substr(1, tag.size() - 2);
    if (tag == "*" || Lower(tag) == current->etag) return true;
    start = end + 1;
  }
  return false;
}

// Communication 3.1: a failed precondition is 412 and changes nothing.
void CheckPreconditions(const LrsHttpHandler::Call& call, const std::optional<Document>& current) {
  if (const auto* if_match = call.Header("if-match"); if_match != nullptr && !NamesEtag(*if_match, current)) {
    Fail(412, "If-Match does not name the current document");
  }
  if (const auto* if_none = call.Header("if-none-match"); if_none != nullptr && NamesEtag(*if_none, current)) {
    Fail(412, "If-None-Match names the current document");
  }
}

bool IsJson(const std::string& content_type) {
  return Lower(content_type.substr(0, content_type.find(';'))) == "application/json";
}

json JsonObjectOrFail(const std::string& text, const char* which) {
  try {
    auto value = json::parse(text);
    if (value.is_object()) return value;
  } catch (const json::parse_error&) {
  }
  Fail(400, std::string(which) + " document is not a JSON object, so the documents cannot be merged");
}

}  // namespace

http::HttpResponse LrsHttpHandler::Documents(Call& call, DocumentKind kind) {
  if (documents_ == nullptr) Fail(404, "this LRS does not serve document resources");
  const bool state = kind == DocumentKind::kState;
  const bool needs_activity = kind != DocumentKind::kAgentProfile;
  const bool needs_agent = kind != DocumentKind::kActivityProfile;
  const char* id_name = state ? "stateId" : "profileId";

  std::set<std::string> allowed = {id_name, "since"};
  if (needs_activity) allowed.insert("activityId");
  if (needs_agent) allowed.insert("agent");
  if (state) allowed.insert("registration");
  std::set<std::string> seen;
  for (const auto& p : call.params) {
    if (allowed.count(p.name) == 0) Fail(400, "unknown parameter", p.name);
    if (!seen.insert(p.name).second) Fail(400, "parameter given twice", p.name);
  }

  DocumentKey key{kind, "", "", "", ""};
  if (needs_activity) {
    const auto* p = call.Find("activityId");
    if (p == nullptr) Fail(400, "activityId is required", "activityId");
    if (!IsIri(p->value)) Fail(400, "must be an IRI", "activityId");
    key.activity_id = p->value;
  }
  if (needs_agent) {
    const auto* p = call.Find("agent");
    if (p == nullptr) Fail(400, "agent is required", "agent");
    json agent;
    try {
      agent = json::parse(p->value);
    } catch (const json::parse_error&) {
      Fail(400, "must be an Agent as JSON", "agent");
    }
    if (auto error = ValidateAgent(agent, "agent")) Fail(400, error->message, error->path);
    key.agent_key = AgentKey(agent);
    if (key.agent_key.empty()) Fail(400, "must identify an Agent", "agent");
  }
  if (const auto* p = call.Find("registration")) {
    if (!IsUuid(p->value)) Fail(400, "must be a UUID", "registration");
    key.registration = Lower(p->value);
  }
  if (const auto* p = call.Find(id_name)) key.id = p->value;
  std::optional<int64_t> since;
  if (const auto* p = call.Find("since")) {
    if (!key.id.empty() || (call.method != "GET" && call.method != "HEAD")) {
      Fail(400, "since only lists document ids", "since");
    }
    since = ParseTimestamp(p->value);
    if (!since) Fail(400, "must be an ISO 8601 timestamp", "since");
  }
  const auto& access = call.client.access;
  const bool reading = call.method == "GET" || call.method == "HEAD";
  const bool permitted =
      kind == DocumentKind::kState          ? (reading ? access.read_state : access.write_state)
      : kind == DocumentKind::kAgentProfile ? (reading ? access.read_profiles : access.write_agent_profiles)
                                            : (reading ? access.read_profiles : access.write_activity_profiles);
  if (!permitted) Fail(403, std::string("this client may not ") + (reading ? "read" : "write") + " these documents");
  if (needs_agent && !access.only_agent_key.empty() && key.agent_key != access.only_agent_key) {
    Fail(403, "this principal keeps documents about itself only: the agent must be " + call.client.authority.dump(),
         "agent");
  }
  const auto province = call.client.province;
  const int64_t now_micros =
      std::chrono::duration_cast<std::chrono::microseconds>(call.now.time_since_epoch()).count();

  if (call.method == "GET" || call.method == "HEAD") {
    if (key.id.empty()) return JsonResponse(200, documents_->Ids(province, key, since));
    const auto document = documents_->Get(province, key);
    if (!document) Fail(404, "no such document", id_name);
    return HttpResponse{200,
                        {{"content-type", document->content_type},
                         {"etag", "\"" + document->etag + "\""},
                         {"last-modified", FormatHttpDate(document->updated_micros)}},
                        document->content};
  }
  if (call.method == "DELETE") {
    if (key.id.empty() && !state) Fail(400, std::string(id_name) + " is required", id_name);
    documents_->Delete(province, key, [&](const std::optional<Document>& current) {
      if (!key.id.empty()) CheckPreconditions(call, current);
    });
    return HttpResponse{204, {}, ""};
  }
  if (call.method != "PUT" && call.method != "POST") Fail(405, "documents accept GET, HEAD, PUT, POST and DELETE");
  if (key.id.empty()) Fail(400, std::string(id_name) + " is required", id_name);
  const auto* type_header = call.Header("content-type");
  const std::string content_type = type_header ? *type_header : "application/octet-stream";
  const bool post = call.method == "POST";
  if (IsJson(content_type) && post) JsonObjectOrFail(call.body, "the posted");
  documents_->Update(province, key, [&](const std::optional<Document>& current) {
    CheckPreconditions(call, current);
    const bool concurrency_given = call.Header("if-match") != nullptr || call.Header("if-none-match") != nullptr;
    // Profiles are shared between clients, so a blind PUT could overwrite
    // another's change (Communication 3.1).
    if (!post && !state && !concurrency_given) {
      if (current) Fail(409, "the document exists: send If-Match with its ETag to replace it");
      Fail(400, "send If-None-Match: * to create a profile, or If-Match with its ETag to replace it");
    }
    std::string content = call.body;
    std::string type = content_type;
    if (post && current) {
      // Merging (Communication 2.2): both JSON objects, the new top-level
      // properties replacing the old.
      if (!IsJson(current->content_type) || !IsJson(content_type)) {
        Fail(400, "only JSON documents merge; the stored or posted document is not application/json");
      }
      auto merged = JsonObjectOrFail(current->content, "the stored");
      merged.update(JsonObjectOrFail(call.body, "the posted"));
      content = merged.dump();
      type = "application/json";
    }
    return Document{type, content, Sha1Hex(content), now_micros};
  });
  return HttpResponse{204, {}, ""};
}

}  // namespace osh::xapi
