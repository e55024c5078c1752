#include "osh/store/database.h"

#include <sqlite3.h>

#include <algorithm>

namespace osh::store {
namespace {

[[noreturn]] void Throw(sqlite3* db, int code, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  throw StoreError(code, message);
}

void Check(sqlite3* db, int code, std::string_view what) {
  if (code != SQLITE_OK) Throw(db, code, what);
}

}  // namespace

bool StoreError::IsConstraint() const { return (code_ & 0xff) == SQLITE_CONSTRAINT; }
bool StoreError::IsBusy() const { return (code_ & 0xff) == SQLITE_BUSY || (code_ & 0xff) == SQLITE_LOCKED; }
bool StoreError::IsTransient() const {
  switch (code_ & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL:
      return true;
    default:
      return false;
  }
}

// ---- Statement ----

Statement::Statement(sqlite3_stmt* stmt, sqlite3* db, bool owned) : stmt_(stmt), db_(db), owned_(owned) {}

Statement::Statement(Statement&& other) noexcept : stmt_(other.stmt_), db_(other.db_), owned_(other.owned_) {
  other.stmt_ = nullptr;
}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  if (owned_) {
    sqlite3_finalize(stmt_);
  } else {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Statement& Statement::Bind(int index, int64_t value) {
  Check(db_, sqlite3_bind_int64(stmt_, index, value), "bind");
  return *this;
}

Statement& Statement::Bind(int index, double value) {
  Check(db_, sqlite3_bind_double(stmt_, index, value), "bind");
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  Check(db_, sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8), "bind");
  return *this;
}

Statement& Statement::BindNull(int index) {
  Check(db_, sqlite3_bind_null(stmt_, index), "bind");
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view bytes) {
  Check(db_, sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT), "bind");
  return *this;
}

Statement& Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  return *this;
}

bool Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Throw(db_, rc, "step");
}

int Statement::Run() {
  while (Step()) {
  }
  return sqlite3_changes(db_);
}

bool Statement::IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::Double(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Statement::Text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::string Statement::Blob(int column) const {
  const void* p = sqlite3_column_blob(stmt_, column);
  if (p == nullptr) return {};
  return std::string(static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

// ---- Connection ----

Connection::Connection(const std::string& path, std::chrono::milliseconds busy_timeout, bool read_only) {
  const int flags = (read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) |
                    SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = "open " + path + ": " + (db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError(rc, message);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, static_cast<int>(busy_timeout.count()));
  Exec("PRAGMA foreign_keys=ON");
  if (!read_only) {
    Exec("PRAGMA journal_mode=WAL");
    Exec("PRAGMA synchronous=FULL");
  }
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Statement Connection::Prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end() && sqlite3_stmt_busy(it->second)) {
    // The cached statement is mid-way through its rows (a caller nested the same
    // query): a private one, so neither clobbers the other.
    sqlite3_stmt* stmt = nullptr;
    Check(db_, sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr), "prepare");
    return Statement(stmt, db_, true);
  }
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    Check(db_, sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                                  nullptr),
          "prepare");
    it = cache_.emplace(std::string(sql), stmt).first;
  }
  return Statement(it->second, db_);
}

void Connection::Exec(const std::string& sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string text = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw StoreError(rc, "exec: " + text);
  }
}

int64_t Connection::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

// ---- Database ----

Database::ReaderLease::ReaderLease(Database& d) : db(d) {
  std::unique_lock lock(db.read_mu_);
  db.read_cv_.wait(lock, [&] { return !db.idle_readers_.empty(); });
  connection = db.idle_readers_.back();
  db.idle_readers_.pop_back();
}

Database::ReaderLease::~ReaderLease() {
  {
    std::lock_guard lock(db.read_mu_);
    db.idle_readers_.push_back(connection);
  }
  db.read_cv_.notify_one();
}

std::unique_ptr<Database> Database::Open(const Options& options, const std::vector<Migration>& migrations) {
  std::unique_ptr<Database> db(new Database());
  db->path_ = options.path;
  db->writer_ = std::make_unique<Connection>(options.path, options.busy_timeout, false);
  db->Migrate(migrations);
  const int readers = std::max(1, options.read_connections);
  for (int i = 0; i < readers; ++i) {
    db->readers_.push_back(std::make_unique<Connection>(options.path, options.busy_timeout, true));
    db->idle_readers_.push_back(db->readers_.back().get());
  }
  return db;
}

Database::~Database() = default;

void Database::Migrate(const std::vector<Migration>& migrations) {
  writer_->Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))");
  std::vector<Migration> sorted = migrations;
  std::sort(sorted.begin(), sorted.end(), [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i].version == sorted[i - 1].version) {
      throw StoreError(1, "migration version " + std::to_string(sorted[i].version) + " defined twice");
    }
  }
  const int current = SchemaVersionLocked();
  if (!sorted.empty() && current > sorted.back().version) {
    // A newer binary migrated this file; running old code on it could corrupt data.
    throw StoreError(1, "database schema version " + std::to_string(current) + " is newer than this binary knows (" +
                            std::to_string(sorted.back().version) + ")");
  }
  for (const auto& m : sorted) {
    if (m.version <= current) continue;
    std::lock_guard lock(write_mu_);
    InTransaction(*writer_, "BEGIN IMMEDIATE", [&](Tx& tx) {
      tx.Exec(m.sql);
      tx.Prepare("INSERT INTO schema_migrations(version, name) VALUES (?, ?)").BindAll(m.version, m.name).Run();
    });
  }
}

int Database::SchemaVersion() {
  std::lock_guard lock(write_mu_);
  return SchemaVersionLocked();
}

int Database::SchemaVersionLocked() {
  auto stmt = writer_->Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  stmt.Step();
  return static_cast<int>(stmt.Int(0));
}

}  // namespace osh::store
