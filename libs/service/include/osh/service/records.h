#pragma once

// The bookkeeping tables every writing service keeps beside its own data:
// idempotency keys (retries of a write return its first answer) and the audit
// trail (who changed what, when, under which request).

#include <google/protobuf/message.h>

#include <functional>
#include <optional>
#include <string>

#include "osh/service/call.h"
#include "osh/store/database.h"

namespace osh::service {

// The two tables, as one of the owning service's migrations.
store::Migration RecordsMigration(int version);
// Indexes on idempotency_keys(created_at) and audit_log(at), so retention
// (retention.h) prunes by age reading only what it deletes.
store::Migration RecordsRetentionMigration(int version);

struct StoredAnswer {
  std::string request_bytes;
  std::string response_bytes;
};
std::optional<StoredAnswer> FindAnswer(store::Tx& tx, const std::string& subject, const std::string& method,
                                       const std::string& request_id);
void SaveAnswer(store::Tx& tx, const std::string& subject, const std::string& method, const std::string& request_id,
                const std::string& request_bytes, const std::string& response_bytes);

// Rewrites the stored answers of `method`: `rewrite` gets each answer's bytes
// and returns new bytes for it, or nullopt to leave it. Returns how many
// changed (for migrations of what answers hold).
int RewriteAnswers(store::Tx& tx, const std::string& method,
                   const std::function<std::optional<std::string>(const std::string& response_bytes)>& rewrite);

// For answers that hold a secret shown once: `seal` edits the copy of the
// answer that is stored (seal or drop the secret), `open` the stored copy a
// retry is answered with. Either may Refuse.
struct AnswerSealing {
  std::function<void(google::protobuf::Message& stored)> seal;
  std::function<void(google::protobuf::Message& answer)> open;
};

// Makes a write idempotent on (subject, method, request_id), inside the write's
// transaction: a retry of the same request returns the first answer and writes
// nothing; the same id on a different request is refused rather than silently
// answered with old data. Without a request id, just writes. With `sealing`,
// the stored answer passes through it both ways.
template <typename Write>
void Idempotent(store::Tx& tx, const Caller& caller, const char* method, const std::string& request_id,
                const google::protobuf::Message& request, google::protobuf::Message* response, Write&& write,
                const AnswerSealing* sealing = nullptr) {
  if (request_id.empty()) {
    write();
    return;
  }
  std::string request_bytes;
  request.SerializeToString(&request_bytes);
  if (auto previous = FindAnswer(tx, caller.principal->subject, method, request_id)) {
    if (previous->request_bytes != request_bytes) {
      Refuse(grpc::StatusCode::INVALID_ARGUMENT,
             "request_id: '" + request_id + "' was already used for a different " + method + " request");
    }
    if (!response->ParseFromString(previous->response_bytes)) {
      Refuse(grpc::StatusCode::INTERNAL, "the stored answer of request " + request_id + " does not parse");
    }
    if (sealing != nullptr) sealing->open(*response);
    return;
  }
  write();
  if (sealing == nullptr) {
    SaveAnswer(tx, caller.principal->subject, method, request_id, request_bytes, response->SerializeAsString());
    return;
  }
  std::unique_ptr<google::protobuf::Message> stored(response->New());
  stored->CopyFrom(*response);
  sealing->seal(*stored);
  SaveAnswer(tx, caller.principal->subject, method, request_id, request_bytes, stored->SerializeAsString());
}

struct AuditEntry {
  std::string actor_subject;
  std::string actor_role;
  std::string action;
  std::string entity;
  std::string entity_id;
  std::string request_id;
};
void Audit(store::Tx& tx, const AuditEntry& entry);
// Shorthand for an entry by the caller.
void Audit(store::Tx& tx, const Caller& caller, const std::string& action, const std::string& entity,
           const std::string& entity_id);
int64_t CountAudit(store::Tx& tx, const std::string& entity_id);

}  // namespace osh::service
