#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace osh::store {

// Any failure of the store. Services map it to INTERNAL (or ALREADY_EXISTS when
// a uniqueness constraint they did not expect fires) and never show its text to
// callers, since it can contain SQL.
class StoreError : public std::runtime_error {
 public:
  StoreError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }
  bool IsConstraint() const;
  bool IsBusy() const;
  // A fault of the machine rather than of the data (disk full, I/O error, the
  // file cannot be opened, busy, out of memory): the same work may succeed
  // later, so callers retry or answer UNAVAILABLE instead of giving it up.
  bool IsTransient() const;

 private:
  int code_;
};

// A versioned schema step. Versions start at 1 and never change once released:
// a released migration is never edited, a new one is added.
struct Migration {
  int version;
  std::string name;
  std::string sql;  // may hold several statements
};

// A prepared statement borrowed from its connection's cache. Values are always
// bound, never pasted into SQL. Indexes are 1-based as in SQLite.
class Statement {
 public:
  // `owned`: finalized on destruction instead of returned to the cache.
  Statement(sqlite3_stmt* stmt, sqlite3* db, bool owned = false);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Statement& Bind(int index, bool value) { return Bind(index, static_cast<int64_t>(value ? 1 : 0)); }
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, const std::string& text) { return Bind(index, std::string_view(text)); }
  Statement& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Statement& BindNull(int index);
  Statement& BindBlob(int index, std::string_view bytes);

  // Binds each argument in order from index 1.
  template <typename... Args>
  Statement& BindAll(Args&&... args) {
    int index = 1;
    (Bind(index++, std::forward<Args>(args)), ...);
    return *this;
  }

  // Makes the statement ready to be bound and run again (loops over rows to write).
  Statement& Reset();

  // Advances; true while a row is available.
  bool Step();
  // Runs to completion (INSERT/UPDATE/DELETE); returns the number of changed rows.
  int Run();

  bool IsNull(int column) const;
  int64_t Int(int column) const;
  double Double(int column) const;
  std::string Text(int column) const;
  std::string Blob(int column) const;

 private:
  sqlite3_stmt* stmt_;
  sqlite3* db_;
  bool owned_;
};

// One SQLite connection with its prepared-statement cache.
class Connection {
 public:
  Connection(const std::string& path, std::chrono::milliseconds busy_timeout, bool read_only);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Statement Prepare(std::string_view sql);
  void Exec(const std::string& sql);
  int64_t LastInsertRowId() const;

 private:
  // Looked up by the caller's string_view as it is: no key string is built per call.
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*, SqlHash, std::equal_to<>> cache_;
};

// The handle of one transaction, given to the function passed to
// Database::Write or Database::Read.
using Tx = Connection;

// One service's SQLite file: WAL journal with synchronous=FULL so a committed
// transaction survives power loss; one writer connection (SQLite has one writer
// anyway, and taking it under our own mutex avoids busy retries) and a small
// pool of read connections that see a consistent snapshot while a write runs.
class Database {
 public:
  struct Options {
    std::string path;
    int read_connections = 4;
    std::chrono::milliseconds busy_timeout{5000};
  };

  // Opens (creating if needed) and brings the schema up to the newest migration.
  // Throws StoreError.
  static std::unique_ptr<Database> Open(const Options& options, const std::vector<Migration>& migrations);
  ~Database();

  // Runs fn(Tx&) in BEGIN IMMEDIATE … COMMIT; any exception rolls back and is rethrown,
  // so a write is either whole or absent.
  template <typename F>
  auto Write(F&& fn) -> std::invoke_result_t<F, Tx&> {
    std::lock_guard lock(write_mu_);
    return InTransaction(*writer_, "BEGIN IMMEDIATE", std::forward<F>(fn));
  }

  // Runs fn(Tx&) in a read transaction (one consistent snapshot).
  template <typename F>
  auto Read(F&& fn) -> std::invoke_result_t<F, Tx&> {
    ReaderLease lease(*this);
    return InTransaction(*lease.connection, "BEGIN", std::forward<F>(fn));
  }

  int SchemaVersion();
  const std::string& path() const { return path_; }

 private:
  Database() = default;

  // BEGIN and COMMIT run as the connection's cached statements: parsing them
  // anew (sqlite3_exec) for every transaction showed in the profile of reads.
  template <typename F>
  static auto InTransaction(Connection& c, const char* begin, F&& fn) -> std::invoke_result_t<F, Tx&> {
    c.Prepare(begin).Run();
    try {
      if constexpr (std::is_void_v<std::invoke_result_t<F, Tx&>>) {
        fn(c);
        c.Prepare("COMMIT").Run();
      } else {
        auto result = fn(c);
        c.Prepare("COMMIT").Run();
        return result;
      }
    } catch (...) {
      try {
        c.Exec("ROLLBACK");
      } catch (...) {
        // The original error matters more; SQLite may already have rolled back.
      }
      throw;
    }
  }

  struct ReaderLease {
    explicit ReaderLease(Database& db);
    ~ReaderLease();
    Database& db;
    Connection* connection;
  };

  void Migrate(const std::vector<Migration>& migrations);
  int SchemaVersionLocked();

  std::string path_;
  std::mutex write_mu_;
  std::unique_ptr<Connection> writer_;
  std::mutex read_mu_;
  std::condition_variable read_cv_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<Connection*> idle_readers_;
};

// A record stored whole as a serialized protobuf message; a row that does not
// parse is a store error (corruption), not a caller's mistake.
template <typename Message>
Message ParseRecord(const std::string& bytes) {
  Message m;
  if (!m.ParseFromString(bytes)) throw StoreError(1, "stored record does not parse");
  return m;
}

}  // namespace osh::store
