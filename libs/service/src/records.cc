#include "osh/service/records.h"

namespace osh::service {

store::Migration RecordsMigration(int version) {
  return {version, "idempotency_and_audit", R"sql(
CREATE TABLE idempotency_keys (
  subject TEXT NOT NULL,
  method TEXT NOT NULL,
  request_id TEXT NOT NULL,
  request BLOB NOT NULL,
  response BLOB NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (subject, method, request_id)
);
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  actor_subject TEXT NOT NULL,
  actor_role TEXT NOT NULL,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  request_id TEXT NOT NULL
);
CREATE INDEX audit_by_entity ON audit_log(entity_id, seq);
)sql"};
}

store::Migration RecordsRetentionMigration(int version) {
  return {version, "records_retention", R"sql(
CREATE INDEX idempotency_keys_by_age ON idempotency_keys(created_at);
CREATE INDEX audit_by_age ON audit_log(at);
)sql"};
}

std::optional<StoredAnswer> FindAnswer(store::Tx& tx, const std::string& subject, const std::string& method,
                                       const std::string& request_id) {
  auto s = tx.Prepare(
      "SELECT request, response FROM idempotency_keys WHERE subject = ? AND method = ? AND request_id = ?");
  s.BindAll(subject, method, request_id);
  if (!s.Step()) return std::nullopt;
  return StoredAnswer{s.Blob(0), s.Blob(1)};
}

void SaveAnswer(store::Tx& tx, const std::string& subject, const std::string& method, const std::string& request_id,
                const std::string& request_bytes, const std::string& response_bytes) {
  auto s = tx.Prepare(
      "INSERT INTO idempotency_keys (subject, method, request_id, request, response) VALUES (?, ?, ?, ?, ?)");
  s.BindAll(subject, method, request_id);
  s.BindBlob(4, request_bytes);
  s.BindBlob(5, response_bytes);
  s.Run();
}

int RewriteAnswers(store::Tx& tx, const std::string& method,
                   const std::function<std::optional<std::string>(const std::string& response_bytes)>& rewrite) {
  struct Changed {
    std::string subject, request_id, response;
  };
  std::vector<Changed> changed;
  auto s = tx.Prepare("SELECT subject, request_id, response FROM idempotency_keys WHERE method = ?");
  s.Bind(1, method);
  while (s.Step()) {
    if (auto bytes = rewrite(s.Blob(2))) changed.push_back({s.Text(0), s.Text(1), std::move(*bytes)});
  }
  for (const auto& c : changed) {
    auto update = tx.Prepare("UPDATE idempotency_keys SET response = ? WHERE subject = ? AND method = ? AND request_id = ?");
    update.BindBlob(1, c.response);
    update.Bind(2, c.subject).Bind(3, method).Bind(4, c.request_id);
    update.Run();
  }
  return static_cast<int>(changed.size());
}

void Audit(store::Tx& tx, const AuditEntry& a) {
  tx.Prepare(
        "INSERT INTO audit_log (actor_subject, actor_role, action, entity, entity_id, request_id)"
        " VALUES (?, ?, ?, ?, ?, ?)")
      .BindAll(a.actor_subject, a.actor_role, a.action, a.entity, a.entity_id, a.request_id)
      .Run();
}

void Audit(store::Tx& tx, const Caller& caller, const std::string& action, const std::string& entity,
           const std::string& entity_id) {
  Audit(tx, {caller.principal->subject, std::string(auth::RoleName(caller.principal->role)), action, entity,
             entity_id, caller.request_id});
}

int64_t CountAudit(store::Tx& tx, const std::string& entity_id) {
  auto s = tx.Prepare("SELECT COUNT(*) FROM audit_log WHERE entity_id = ?");
  s.Bind(1, entity_id);
  s.Step();
  return s.Int(0);
}

}  // namespace osh::service
