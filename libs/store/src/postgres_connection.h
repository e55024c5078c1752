#pragma once

// The PostgreSQL backend of Database, on libpq.

#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "osh/store/database.h"

struct pg_conn;
struct pg_result;

namespace osh::store {

// True for postgres://… and postgresql://… (libpq's URI forms).
bool IsPostgresUrl(std::string_view url);
// The URL with any password replaced by "***", for logs and Database::path().
std::string WithoutPassword(std::string_view url);

class PostgresConnection;

// A statement prepared on the server once per connection (under a generated
// name, with `?`/`?N` already rewritten to `$N`), or, when owned (the cached one
// is busy), run unnamed. Parameters go as text (blobs as binary) with their
// types inferred by the server from the statement; results come as text and are
// converted on access.
class PostgresStatement final : public StatementImpl {
 public:
  PostgresStatement(PostgresConnection& connection, std::string name, std::string sql, int parameters);
  ~PostgresStatement() override;
  PostgresStatement(const PostgresStatement&) = delete;
  PostgresStatement& operator=(const PostgresStatement&) = delete;

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
  bool Busy() const override { return result_ != nullptr; }

 private:
  void Set(int index, std::optional<std::string> value, int format);
  void Execute();
  const char* Value(int column) const;

  PostgresConnection& connection_;
  std::string name_;  // empty: not prepared, run with its text
  std::string sql_;
  std::vector<std::optional<std::string>> values_;
  std::vector<int> formats_;
  std::vector<unsigned int> types_;  // Oid of each parameter (see ParameterTypes)
  uint64_t prepared_generation_ = 0;  // the connection generation it was prepared on
  pg_result* result_ = nullptr;
  int row_ = -1;
};

// One libpq connection with its prepared-statement cache. A connection found
// broken when a transaction begins is replaced (its server-side statements are
// then prepared again on first use).
class PostgresConnection final : public Connection {
 public:
  PostgresConnection(std::string url, std::chrono::milliseconds lock_timeout);
  ~PostgresConnection() override;
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  Statement Prepare(std::string_view sql) override;
  void Exec(const std::string& sql) override;
  int64_t LastInsertRowId() const override;
  Dialect dialect() const override { return Dialect::kPostgres; }
  void Begin(Mode mode) override;
  void Commit() override;
  void Rollback() noexcept override;

  pg_conn* raw() const { return conn_; }
  bool Alive() const;
  // Replaces the session (throws StoreError when the server cannot be reached).
  void Reconnect() { Connect(); }
  uint64_t generation() const { return generation_; }
  // Throws the StoreError of a failed result (or of the connection when null), clearing it.
  [[noreturn]] void Fail(pg_result* result, std::string_view what) const;

 private:
  void Connect();
  void BeginOnce(Mode mode);

  std::string url_;
  std::chrono::milliseconds lock_timeout_;
  pg_conn* conn_ = nullptr;
  uint64_t generation_ = 0;  // bumped on every (re)connect
  int next_name_ = 0;
  std::unordered_map<std::string, std::unique_ptr<PostgresStatement>> cache_;
};

// Lease on PostgreSQL: pg_try_advisory_lock(hashtextextended(name)) held by a
// session of its own.
class PostgresLease final : public Lease {
 public:
  PostgresLease(std::string url, std::chrono::milliseconds timeout, std::string name);
  bool Held() override;

 private:
  std::string url_;
  std::chrono::milliseconds timeout_;
  std::string name_;
  std::unique_ptr<PostgresConnection> connection_;
  bool held_ = false;
};

}  // namespace osh::store
