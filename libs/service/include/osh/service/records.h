#pragma once

// The bookkeeping tables every writing service keeps beside its own data:
// idempotency keys (retries of a write return its first answer) and the audit
// trail (who changed what, when, under which request).

#include <google/protobuf/message.h>

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

// Makes a write idempotent on (subject, method, request_id), inside the write's
// transaction: a retry of the same request returns the first answer and writes
// nothing; the same id on a different request is refused rather than silently
// answered with old data. Without a request id, just writes.
template <typename Write>
void Idempotent(store::Tx& tx, const Caller& caller, const char* method, const std::string& request_id,
                const google::protobuf::Message& request, google::protobuf::Message* response, Write&& write) {
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
    return;
  }
  write();
  SaveAnswer(tx, caller.principal->subject, method, request_id, request_bytes, response->SerializeAsString());
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
