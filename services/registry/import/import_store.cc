#include "import_store.h"

namespace osh::registry {

store::Migration ImportStore::Migration(int version) {
  return {version, "import_jobs", R"sql(
CREATE TABLE import_jobs (
  id TEXT PRIMARY KEY,
  state INTEGER NOT NULL,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  position INTEGER NOT NULL,
  line INTEGER NOT NULL,
  path TEXT NOT NULL,
  subject TEXT NOT NULL,
  role TEXT NOT NULL,
  province TEXT NOT NULL,
  org TEXT NOT NULL,
  request_id TEXT NOT NULL,
  record BLOB NOT NULL
);
CREATE INDEX import_jobs_by_state ON import_jobs(state, id);
CREATE TABLE import_errors (
  id INTEGER PRIMARY KEY,  -- insertion order (SQLite's rowid; an identity column on PostgreSQL)
  job_id TEXT NOT NULL,
  line INTEGER NOT NULL,
  field TEXT NOT NULL,
  problem INTEGER NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX import_errors_by_job ON import_errors(job_id, line);
CREATE TABLE import_seen (
  job_id TEXT NOT NULL,
  credit_code TEXT NOT NULL,
  line INTEGER NOT NULL,
  PRIMARY KEY (job_id, credit_code)
) WITHOUT ROWID;
)sql"};
}

void ImportStore::Insert(store::Tx& tx, const StoredImport& s) {
  auto st = tx.Prepare(
      "INSERT INTO import_jobs (id, state, cancel_requested, position, line, path, subject, role, province, org,"
      " request_id, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  st.BindAll(s.job.id(), static_cast<int64_t>(s.job.state()), s.cancel_requested, s.position, s.line, s.path,
             s.principal.subject, std::string(auth::RoleName(s.principal.role)), s.principal.province,
             s.principal.org, s.request_id);
  st.BindBlob(12, s.job.SerializeAsString());
  st.Run();
}

void ImportStore::Update(store::Tx& tx, const StoredImport& s) {
  auto st = tx.Prepare("UPDATE import_jobs SET state = ?, position = ?, line = ?, record = ? WHERE id = ?");
  st.BindAll(static_cast<int64_t>(s.job.state()), s.position, s.line);
  st.BindBlob(4, s.job.SerializeAsString());
  st.Bind(5, s.job.id());
  st.Run();
}

std::optional<StoredImport> ImportStore::Find(store::Tx& tx, const std::string& id) {
  auto st = tx.Prepare(
      "SELECT cancel_requested, position, line, path, subject, role, province, org, request_id, record"
      " FROM import_jobs WHERE id = ?");
  st.Bind(1, id);
  if (!st.Step()) return std::nullopt;
  StoredImport s;
  s.cancel_requested = st.Int(0) != 0;
  s.position = st.Int(1);
  s.line = st.Int(2);
  s.path = st.Text(3);
  s.principal.subject = st.Text(4);
  // A role the store holds was valid when stored; an unknown one (a renamed
  // role) gets the least rights.
  s.principal.role = auth::ParseRole(st.Text(5)).value_or(auth::Role::kWorker);
  s.principal.province = st.Text(6);
  s.principal.org = st.Text(7);
  s.request_id = st.Text(8);
  s.job = store::ParseRecord<v1::ImportJob>(st.Blob(9));
  return s;
}

void ImportStore::RequestCancel(store::Tx& tx, const std::string& id) {
  tx.Prepare("UPDATE import_jobs SET cancel_requested = 1 WHERE id = ?").Bind(1, id).Run();
}

std::vector<std::string> ImportStore::Unfinished(store::Tx& tx) {
  auto st = tx.Prepare("SELECT id FROM import_jobs WHERE state IN (?, ?) ORDER BY id");
  st.BindAll(static_cast<int64_t>(v1::IMPORT_STATE_QUEUED), static_cast<int64_t>(v1::IMPORT_STATE_RUNNING));
  std::vector<std::string> ids;
  while (st.Step()) ids.push_back(st.Text(0));
  return ids;
}

void ImportStore::AddError(store::Tx& tx, const std::string& job_id, const v1::ImportRowError& e) {
  auto st = tx.Prepare("INSERT INTO import_errors (job_id, line, field, problem, reason) VALUES (?, ?, ?, ?, ?)");
  st.BindAll(job_id, static_cast<int64_t>(e.line()), e.field(), static_cast<int64_t>(e.problem()), e.reason());
  st.Run();
}

std::vector<v1::ImportRowError> ImportStore::Errors(store::Tx& tx, const std::string& job_id, int limit) {
  auto st = tx.Prepare(
      "SELECT line, field, problem, reason FROM import_errors WHERE job_id = ? ORDER BY line, id LIMIT ?");
  st.BindAll(job_id, limit);
  std::vector<v1::ImportRowError> errors;
  while (st.Step()) {
    auto& e = errors.emplace_back();
    e.set_line(st.Int(0));
    e.set_field(st.Text(1));
    e.set_problem(static_cast<v1::ImportRowProblem>(st.Int(2)));
    e.set_reason(st.Text(3));
  }
  return errors;
}

std::optional<int64_t> ImportStore::SeenAt(store::Tx& tx, const std::string& job_id, const std::string& credit_code) {
  auto st = tx.Prepare("SELECT line FROM import_seen WHERE job_id = ? AND credit_code = ?");
  st.BindAll(job_id, credit_code);
  if (!st.Step()) return std::nullopt;
  return st.Int(0);
}

void ImportStore::Seen(store::Tx& tx, const std::string& job_id, const std::string& credit_code, int64_t line) {
  auto st = tx.Prepare("INSERT OR IGNORE INTO import_seen (job_id, credit_code, line) VALUES (?, ?, ?)");
  st.BindAll(job_id, credit_code, line);
  st.Run();
}

void ImportStore::ForgetSeen(store::Tx& tx, const std::string& job_id) {
  tx.Prepare("DELETE FROM import_seen WHERE job_id = ?").Bind(1, job_id).Run();
}

}  // namespace osh::registry
