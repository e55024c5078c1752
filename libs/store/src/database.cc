#include "osh/store/database.h"

#include <sqlite3.h>

#include <algorithm>

#include "postgres_connection.h"
#include "sqlite_connection.h"

namespace osh::store {

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

Statement::~Statement() {
  // A cached statement goes back to its cache clean; an owned one dies with owned_.
  if (impl_ != nullptr && owned_ == nullptr) impl_->Reset();
}

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
  const int readers = std::max(1, options.read_connections);
  db->busy_timeout_ = options.busy_timeout;
  if (IsPostgresUrl(options.url)) {
    db->url_ = options.url;
    db->path_ = WithoutPassword(options.url);
    db->writer_ = std::make_unique<PostgresConnection>(options.url, options.busy_timeout);
    db->Migrate(migrations);
    for (int i = 0; i < readers; ++i) {
      db->readers_.push_back(std::make_unique<PostgresConnection>(options.url, options.busy_timeout));
    }
  } else {
    if (!options.url.empty()) {
      throw StoreError(SQLITE_MISUSE, "database url must start with postgres:// or postgresql://");
    }
    db->path_ = options.path;
    db->writer_ = std::make_unique<SqliteConnection>(options.path, options.busy_timeout, false);
    db->Migrate(migrations);
    for (int i = 0; i < readers; ++i) {
      db->readers_.push_back(std::make_unique<SqliteConnection>(options.path, options.busy_timeout, true));
    }
  }
  for (auto& r : db->readers_) db->idle_readers_.push_back(r.get());
  return db;
}

Database::~Database() = default;

namespace {

// SQLite serves one process per file: the role is always this process's.
class SoleProcessLease final : public Lease {
 public:
  bool Held() override { return true; }
};

}  // namespace

std::unique_ptr<Lease> Database::NewLease(const std::string& name) {
  if (url_.empty()) return std::make_unique<SoleProcessLease>();
  return std::make_unique<PostgresLease>(url_, busy_timeout_, name);
}

void Database::Migrate(const std::vector<Migration>& migrations) {
  const bool postgres = writer_->dialect() == Dialect::kPostgres;
  std::vector<Migration> sorted = migrations;
  std::sort(sorted.begin(), sorted.end(), [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i].version == sorted[i - 1].version) {
      throw StoreError(1, "migration version " + std::to_string(sorted[i].version) + " defined twice");
    }
  }
  std::lock_guard lock(write_mu_);
  // Every step runs under the write lock and checks the version again inside it:
  // on PostgreSQL several replicas may start at once against one database, and
  // only the first may apply a step.
  InTransaction(*writer_, Connection::Mode::kWrite, [&](Tx& tx) {
    tx.Exec(postgres ? "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL,"
                       " applied_at TEXT NOT NULL DEFAULT"
                       " (to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')))"
                     : "CREATE TABLE IF NOT EXISTS schema_migrations ("
                       " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                       " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))");
  });
  const int current = SchemaVersionLocked();
  if (!sorted.empty() && current > sorted.back().version) {
    // A newer binary migrated this database; running old code on it could corrupt data.
    throw StoreError(1, "database schema version " + std::to_string(current) + " is newer than this binary knows (" +
                            std::to_string(sorted.back().version) + ")");
  }
  for (const auto& m : sorted) {
    if (m.version <= current) continue;
    InTransaction(*writer_, Connection::Mode::kWrite, [&](Tx& tx) {
      auto applied = tx.Prepare("SELECT 1 FROM schema_migrations WHERE version = ?");
      if (applied.Bind(1, m.version).Step()) return;  // another replica was first
      tx.Exec(!postgres ? m.sql : !m.postgres_sql.empty() ? m.postgres_sql : PostgresDdl(m.sql));
      tx.Prepare("INSERT INTO schema_migrations(version, name) VALUES (?, ?)").BindAll(m.version, m.name).Run();
    });
  }
}

int Database::SchemaVersion() {
  std::lock_guard lock(write_mu_);
  return SchemaVersionLocked();
}

int Database::SchemaVersionLocked() {
  return InTransaction(*writer_, Connection::Mode::kRead, [](Tx& tx) {
    auto stmt = tx.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    stmt.Step();
    return static_cast<int>(stmt.Int(0));
  });
}

}  // namespace osh::store
