#pragma once

// The SQLite backend of Database (the embedded default).

#include <string>
#include <functional>
#include <unordered_map>

#include "osh/store/database.h"

struct sqlite3;
struct sqlite3_stmt;

namespace osh::store {

class SqliteStatement final : public StatementImpl {
 public:
  SqliteStatement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  ~SqliteStatement() override;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  void BindInt(int index, int64_t value) override;
  void BindDouble(int index, double value) override;
  void BindText(int index, std::string_view text) override;
  void BindNull(int index) override;
  void BindBlob(int index, std::string_view bytes) override;
  void Reset() override;
  bool Step() override;
  int Run() override;
  bool IsNull(int column) const override;
  int64_t Int(int column) const override;
  double Double(int column) const override;
  std::string Text(int column) const override;
  std::string Blob(int column) const override;
  bool Busy() const override;

 private:
  sqlite3_stmt* stmt_;
  sqlite3* db_;
};

// One SQLite connection with its prepared-statement cache.
class SqliteConnection final : public Connection {
 public:
  SqliteConnection(const std::string& path, std::chrono::milliseconds busy_timeout, bool read_only);
  ~SqliteConnection() override;
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Statement Prepare(std::string_view sql) override;
  void Exec(const std::string& sql) override;
  int64_t LastInsertRowId() const override;
  Dialect dialect() const override { return Dialect::kSqlite; }
  void Begin(Mode mode) override;
  void Commit() override;
  void Rollback() noexcept override;

 private:
  sqlite3* db_ = nullptr;
  // Declared after db_ so the statements are finalized before the close.
  // Looked up by the caller's string_view as it is: no key string is built per call.
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };
  std::unordered_map<std::string, std::unique_ptr<SqliteStatement>, SqlHash, std::equal_to<>> cache_;
};

}  // namespace osh::store
