#include "sqlite_connection.h"

#include <sqlite3.h>

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

// ---- SqliteStatement ----

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

void SqliteStatement::BindInt(int index, int64_t value) { Check(db_, sqlite3_bind_int64(stmt_, index, value), "bind"); }

void SqliteStatement::BindDouble(int index, double value) {
  Check(db_, sqlite3_bind_double(stmt_, index, value), "bind");
}

void SqliteStatement::BindText(int index, std::string_view text) {
  Check(db_, sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8), "bind");
}

void SqliteStatement::BindNull(int index) { Check(db_, sqlite3_bind_null(stmt_, index), "bind"); }

void SqliteStatement::BindBlob(int index, std::string_view bytes) {
  Check(db_, sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT), "bind");
}

void SqliteStatement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool SqliteStatement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Throw(db_, rc, "step");
}

int SqliteStatement::Run() {
  while (Step()) {
  }
  return sqlite3_changes(db_);
}

bool SqliteStatement::IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
int64_t SqliteStatement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }
double SqliteStatement::Double(int column) const { return sqlite3_column_double(stmt_, column); }

std::string SqliteStatement::Text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::string SqliteStatement::Blob(int column) const {
  const void* p = sqlite3_column_blob(stmt_, column);
  if (p == nullptr) return {};
  return std::string(static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

bool SqliteStatement::Busy() const { return sqlite3_stmt_busy(stmt_) != 0; }

// ---- SqliteConnection ----

SqliteConnection::SqliteConnection(const std::string& path, std::chrono::milliseconds busy_timeout, bool read_only) {
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

SqliteConnection::~SqliteConnection() {
  cache_.clear();
  sqlite3_close(db_);
}

Statement SqliteConnection::Prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end() && it->second->Busy()) {
    // The cached statement is mid-way through its rows (a caller nested the same
    // query): a private one, so neither clobbers the other.
    sqlite3_stmt* stmt = nullptr;
    Check(db_, sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr), "prepare");
    return Statement(std::make_unique<SqliteStatement>(stmt, db_));
  }
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    Check(db_, sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                                  nullptr),
          "prepare");
    it = cache_.emplace(std::string(sql), std::make_unique<SqliteStatement>(stmt, db_)).first;
  }
  return Statement(it->second.get());
}

void SqliteConnection::Exec(const std::string& sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string text = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw StoreError(rc, "exec: " + text);
  }
}

int64_t SqliteConnection::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

// BEGIN and COMMIT run as cached statements: parsing them anew (sqlite3_exec)
// for every transaction showed in the profile of reads (issue 18).
void SqliteConnection::Begin(Mode mode) { Prepare(mode == Mode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN").Run(); }

void SqliteConnection::Commit() { Prepare("COMMIT").Run(); }

void SqliteConnection::Rollback() noexcept {
  try {
    Exec("ROLLBACK");
  } catch (...) {
    // SQLite may already have rolled back (e.g. after SQLITE_FULL).
  }
}

}  // namespace osh::store
