#include "osh/store/database.h"
#include "osh/store/testing/postgres.h"
#include "osh/store/testing/scratch_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <memory>
#include <thread>

namespace osh::store {
namespace {

// Every test of DatabaseTest runs on both backends: the SQLite file of a scratch
// directory and a fresh database on the test PostgreSQL server (label postgres).
class DatabaseTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    if (GetParam() == Dialect::kPostgres) pg_ = std::make_unique<testing::ScratchPostgres>();
  }
  Database::Options Opts(int read_connections = 4) const {
    Database::Options o{.path = dir_.File("test.db"), .read_connections = read_connections};
    if (pg_) o.url = pg_->url();
    return o;
  }

  testing::ScratchDir dir_{"store"};
  std::unique_ptr<testing::ScratchPostgres> pg_;
};

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseTest, ::testing::Values(Dialect::kSqlite, Dialect::kPostgres),
                         [](const auto& p) { return p.param == Dialect::kSqlite ? "Sqlite" : "Postgres"; });

// SQLite-only behaviour (the file's pragmas and page limit).
class SqliteDatabaseTest : public ::testing::Test {
 protected:
  std::string Path() const { return dir_.File("test.db"); }

  testing::ScratchDir dir_{"store"};
};

const std::vector<Migration> kMigrations = {
    {1, "notes", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)"},
    {2, "notes_author", "ALTER TABLE notes ADD COLUMN author TEXT NOT NULL DEFAULT ''"},
};

int64_t CountNotes(Database& db) {
  return db.Read([](Tx& tx) {
    auto s = tx.Prepare("SELECT COUNT(*) FROM notes");
    s.Step();
    return s.Int(0);
  });
}

// Queries that add conditions only for the filters given bind fixed numbers
// (?1 and ?3 here) and leave others out of the text; SQLite accepts that, and
// PostgreSQL (which cannot infer a parameter's type from nowhere) must too.
TEST_P(DatabaseTest, AStatementMayLeaveNumberedParametersOutOfItsText) {
  auto db = Database::Open(Opts(), kMigrations);
  db->Write([](Tx& tx) { tx.Prepare("INSERT INTO notes(body, author) VALUES ('a', 'ann'), ('b', 'bob')").Run(); });
  const auto found = db->Read([](Tx& tx) {
    auto s = tx.Prepare("SELECT body FROM notes WHERE author = ?1 ORDER BY body LIMIT ?3");
    s.Bind(1, "bob").Bind(3, 5);
    std::vector<std::string> bodies;
    while (s.Step()) bodies.push_back(s.Text(0));
    return bodies;
  });
  EXPECT_EQ(found, std::vector<std::string>{"b"});
}

TEST_P(DatabaseTest, AppliesMigrationsOnceAndRecordsVersion) {
  {
    auto db = Database::Open(Opts(), {kMigrations[0]});
    EXPECT_EQ(db->SchemaVersion(), 1);
  }
  auto db = Database::Open(Opts(), kMigrations);
  EXPECT_EQ(db->SchemaVersion(), 2);
  db->Write([](Tx& tx) { tx.Prepare("INSERT INTO notes(body, author) VALUES (?, ?)").BindAll("a", "b").Run(); });
  EXPECT_EQ(CountNotes(*db), 1);
}

TEST_P(DatabaseTest, RefusesAFileMigratedByANewerBinary) {
  Database::Open(Opts(), kMigrations);
  EXPECT_THROW(Database::Open(Opts(), {kMigrations[0]}), StoreError);
}

TEST_F(SqliteDatabaseTest, UsesWalAndFullSync) {
  auto db = Database::Open({.path = Path()}, kMigrations);
  db->Write([](Tx& tx) {
    auto mode = tx.Prepare("PRAGMA journal_mode");
    ASSERT_TRUE(mode.Step());
    EXPECT_EQ(mode.Text(0), "wal");
    auto sync = tx.Prepare("PRAGMA synchronous");
    ASSERT_TRUE(sync.Step());
    EXPECT_EQ(sync.Int(0), 2);  // FULL
  });
}

TEST_P(DatabaseTest, ExceptionRollsBackTheWholeTransaction) {
  auto db = Database::Open(Opts(), kMigrations);
  EXPECT_THROW(db->Write([](Tx& tx) {
    tx.Prepare("INSERT INTO notes(body) VALUES (?)").Bind(1, "first").Run();
    throw std::runtime_error("validation failed after the first insert");
  }),
               std::runtime_error);
  EXPECT_EQ(CountNotes(*db), 0);
}

TEST_P(DatabaseTest, ConstraintViolationIsReportedAndRolledBack) {
  auto db = Database::Open(Opts(), kMigrations);
  db->Write([](Tx& tx) { tx.Prepare("INSERT INTO notes(body) VALUES (?)").Bind(1, "dup").Run(); });
  try {
    db->Write([](Tx& tx) {
      tx.Prepare("INSERT INTO notes(body) VALUES (?)").Bind(1, "other").Run();
      tx.Prepare("INSERT INTO notes(body) VALUES (?)").Bind(1, "dup").Run();
    });
    FAIL() << "expected a constraint error";
  } catch (const StoreError& e) {
    EXPECT_TRUE(e.IsConstraint()) << e.what();
  }
  EXPECT_EQ(CountNotes(*db), 1);
}

TEST_F(SqliteDatabaseTest, AFullDatabaseRefusesAWriteAsTransientAndKeepsWhatCommitted) {
  auto db = Database::Open({.path = Path()}, kMigrations);
  db->Write([](Tx& tx) { tx.Prepare("INSERT INTO notes(body) VALUES (?)").Bind(1, "kept").Run(); });
  // SQLite's own limit on the file's pages: the writer meets SQLITE_FULL exactly as on a full disk.
  db->Write([](Tx& tx) {
    auto pages = tx.Prepare("PRAGMA page_count");
    pages.Step();
    tx.Prepare("PRAGMA max_page_count = " + std::to_string(pages.Int(0))).Step();
  });
  try {
    db->Write([](Tx& tx) { tx.Prepare("INSERT INTO notes(body) VALUES (?)").Bind(1, std::string(64 * 1024, 'x')).Run(); });
    FAIL() << "expected the write to find the database full";
  } catch (const StoreError& e) {
    EXPECT_TRUE(e.IsTransient()) << e.what();
    EXPECT_FALSE(e.IsConstraint());
  }
  EXPECT_EQ(CountNotes(*db), 1);
  db->Write([](Tx& tx) { tx.Prepare("PRAGMA max_page_count = 1000000").Step(); });
  db->Write([](Tx& tx) { tx.Prepare("INSERT INTO notes(body) VALUES (?)").Bind(1, "after room was made").Run(); });
  EXPECT_EQ(CountNotes(*db), 2);
}

TEST_F(SqliteDatabaseTest, ConstraintAndSchemaErrorsAreNotTransient) {
  EXPECT_FALSE(StoreError(19 /* SQLITE_CONSTRAINT */, "unique").IsTransient());
  EXPECT_FALSE(StoreError(1 /* SQLITE_ERROR */, "no such table").IsTransient());
  EXPECT_TRUE(StoreError(5 /* SQLITE_BUSY */, "busy").IsTransient());
  EXPECT_TRUE(StoreError(13 /* SQLITE_FULL */, "full").IsTransient());
  EXPECT_TRUE(StoreError(10 | (3 << 8) /* SQLITE_IOERR_WRITE */, "io").IsTransient());
}

TEST_P(DatabaseTest, BoundValuesAreNeverSql) {
  auto db = Database::Open(Opts(), kMigrations);
  const std::string hostile = "x'); DROP TABLE notes; --";
  db->Write([&](Tx& tx) { tx.Prepare("INSERT INTO notes(body) VALUES (?)").Bind(1, hostile).Run(); });
  auto body = db->Read([](Tx& tx) {
    auto s = tx.Prepare("SELECT body FROM notes");
    s.Step();
    return s.Text(0);
  });
  EXPECT_EQ(body, hostile);
}

TEST_P(DatabaseTest, CommittedDataSurvivesReopen) {
  {
    auto db = Database::Open(Opts(), kMigrations);
    db->Write([](Tx& tx) { tx.Prepare("INSERT INTO notes(body) VALUES (?)").Bind(1, "kept").Run(); });
  }
  auto db = Database::Open(Opts(), kMigrations);
  EXPECT_EQ(CountNotes(*db), 1);
}

TEST_P(DatabaseTest, ReadersSeeASnapshotWhileAWriteIsOpen) {
  auto db = Database::Open(Opts(2), kMigrations);
  db->Write([](Tx& tx) { tx.Prepare("INSERT INTO notes(body) VALUES (?)").Bind(1, "one").Run(); });
  std::promise<void> inserted;
  std::promise<void> read_done;
  auto writer = std::async(std::launch::async, [&] {
    db->Write([&](Tx& tx) {
      tx.Prepare("INSERT INTO notes(body) VALUES (?)").Bind(1, "two").Run();
      inserted.set_value();
      read_done.get_future().wait();  // hold the transaction open while the reader reads
    });
  });
  inserted.get_future().wait();
  EXPECT_EQ(CountNotes(*db), 1);  // not blocked, and the uncommitted row is invisible
  read_done.set_value();
  writer.get();
  EXPECT_EQ(CountNotes(*db), 2);
}

TEST_P(DatabaseTest, NestedUseOfTheSameQueryDoesNotClobber) {
  auto db = Database::Open(Opts(), kMigrations);
  db->Write([](Tx& tx) {
    for (const char* b : {"a", "b", "c"}) tx.Prepare("INSERT INTO notes(body) VALUES (?)").Bind(1, b).Run();
  });
  db->Read([](Tx& tx) {
    auto outer = tx.Prepare("SELECT body FROM notes ORDER BY body");
    std::vector<std::string> seen;
    while (outer.Step()) {
      seen.push_back(outer.Text(0));
      auto inner = tx.Prepare("SELECT body FROM notes ORDER BY body");  // same SQL while outer is mid-way
      ASSERT_TRUE(inner.Step());
      EXPECT_EQ(inner.Text(0), "a");
    }
    EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c"}));
  });
}

TEST_P(DatabaseTest, TypedColumnsRoundTrip) {
  auto db = Database::Open(
      Opts(), {{1, "t", "CREATE TABLE t (i INTEGER, d REAL, s TEXT, b BLOB, n TEXT)"}});
  db->Write([](Tx& tx) {
    auto s = tx.Prepare("INSERT INTO t VALUES (?, ?, ?, ?, ?)");
    s.Bind(1, int64_t{1} << 40).Bind(2, 2.5).Bind(3, "尘肺病").BindBlob(4, std::string("\0\1", 2)).BindNull(5);
    s.Run();
  });
  db->Read([](Tx& tx) {
    auto s = tx.Prepare("SELECT i, d, s, b, n FROM t");
    ASSERT_TRUE(s.Step());
    EXPECT_EQ(s.Int(0), int64_t{1} << 40);
    EXPECT_DOUBLE_EQ(s.Double(1), 2.5);
    EXPECT_EQ(s.Text(2), "尘肺病");
    EXPECT_EQ(s.Blob(3), std::string("\0\1", 2));
    EXPECT_TRUE(s.IsNull(4));
    EXPECT_FALSE(s.Step());
  });
}

TEST_P(DatabaseTest, ForeignKeyViolationIsAConstraintError) {
  auto db = Database::Open(Opts(), {{1, "pc",
                                     "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
                                     "CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER NOT NULL REFERENCES parent(id))"}});
  try {
    db->Write([](Tx& tx) { tx.Prepare("INSERT INTO child(id, parent) VALUES (?, ?)").BindAll(1, 42).Run(); });
    FAIL() << "expected a foreign-key error";
  } catch (const StoreError& e) {
    EXPECT_TRUE(e.IsConstraint()) << e.what();
    EXPECT_FALSE(e.IsTransient()) << e.what();
  }
}

TEST_P(DatabaseTest, ReadThenWriteIsSerialisedAcrossTwoHandlesOnOneDatabase) {
  // Two handles stand for two replicas of a service: every read-then-write in a
  // Write must see the previous one, or increments would be lost.
  auto a = Database::Open(Opts(), {{1, "counter", "CREATE TABLE counter (n INTEGER NOT NULL)"}});
  a->Write([](Tx& tx) { tx.Prepare("INSERT INTO counter(n) VALUES (0)").Run(); });
  auto b = Database::Open(Opts(), {{1, "counter", "CREATE TABLE counter (n INTEGER NOT NULL)"}});
  auto increment = [](Database& db) {
    for (int i = 0; i < 50; ++i) {
      db.Write([](Tx& tx) {
        auto read = tx.Prepare("SELECT n FROM counter");
        read.Step();
        const int64_t n = read.Int(0);
        tx.Prepare("UPDATE counter SET n = ?").Bind(1, n + 1).Run();
      });
    }
  };
  auto first = std::async(std::launch::async, increment, std::ref(*a));
  auto second = std::async(std::launch::async, increment, std::ref(*b));
  first.get();
  second.get();
  a->Read([](Tx& tx) {
    auto s = tx.Prepare("SELECT n FROM counter");
    ASSERT_TRUE(s.Step());
    EXPECT_EQ(s.Int(0), 100);
  });
}

TEST_P(DatabaseTest, AWriterThatCannotGetTheWriteLockInTimeGetsABusyTransientError) {
  auto holder = Database::Open(Opts(), kMigrations);
  auto opts = Opts();
  opts.busy_timeout = std::chrono::milliseconds(100);
  auto waiter = Database::Open(opts, kMigrations);
  std::promise<void> holding;
  std::promise<void> done;
  auto held = std::async(std::launch::async, [&] {
    holder->Write([&](Tx& tx) {
      tx.Prepare("INSERT INTO notes(body) VALUES (?)").Bind(1, "held").Run();
      holding.set_value();
      done.get_future().wait();
    });
  });
  holding.get_future().wait();
  try {
    waiter->Write([](Tx& tx) { tx.Prepare("INSERT INTO notes(body) VALUES (?)").Bind(1, "waiting").Run(); });
    ADD_FAILURE() << "expected the second writer to be refused while the first holds the lock";
  } catch (const StoreError& e) {
    EXPECT_TRUE(e.IsBusy()) << e.what();
    EXPECT_TRUE(e.IsTransient()) << e.what();
  }
  done.set_value();
  held.get();
  EXPECT_EQ(CountNotes(*waiter), 1);
}

TEST(StatementRewriteTest, SharedSqliteExpressionsBecomePostgresOnes) {
  int n = 0;
  EXPECT_EQ(PostgresSql("UPDATE o SET sent_at = CAST(strftime('%s', 'now') AS INTEGER) WHERE seq = ?", &n),
            "UPDATE o SET sent_at = CAST(floor(extract(epoch FROM now())) AS BIGINT) WHERE seq = $1");
  EXPECT_EQ(PostgresSql("SELECT strftime('%Y-%m-%dT%H:%M:%fZ','now')", &n),
            "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')");
  EXPECT_EQ(PostgresSql("INSERT OR IGNORE INTO k(a, b) VALUES (?, ?);", &n),
            "INSERT INTO k(a, b) VALUES ($1, $2) ON CONFLICT DO NOTHING");
  EXPECT_EQ(n, 2);
}

TEST_P(DatabaseTest, SharedExpressionsRunOnBothBackends) {
  auto db = Database::Open(Opts(), {{1, "k",
                                     "CREATE TABLE k (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
                                     " at INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER)),"
                                     " iso TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"}});
  db->Write([](Tx& tx) {
    EXPECT_EQ(tx.Prepare("INSERT OR IGNORE INTO k(name) VALUES (?)").Bind(1, "a").Run(), 1);
    EXPECT_EQ(tx.Prepare("INSERT OR IGNORE INTO k(name) VALUES (?)").Bind(1, "a").Run(), 0);
  });
  db->Read([](Tx& tx) {
    auto s = tx.Prepare("SELECT at, iso, CAST(strftime('%s', 'now') AS INTEGER) - at FROM k");
    ASSERT_TRUE(s.Step());
    EXPECT_GT(s.Int(0), 1'700'000'000);
    EXPECT_EQ(s.Text(1).size(), std::string("2026-01-01T00:00:00.000Z").size()) << s.Text(1);
    EXPECT_EQ(s.Text(1).back(), 'Z');
    EXPECT_GE(s.Int(2), 0);
  });
}

TEST(PlaceholderRewriteTest, QuestionMarksBecomeNumberedParametersOutsideQuotes) {
  int n = 0;
  EXPECT_EQ(PostgresPlaceholders("SELECT a FROM t WHERE a = ? AND b = ?", &n), "SELECT a FROM t WHERE a = $1 AND b = $2");
  EXPECT_EQ(n, 2);
  EXPECT_EQ(PostgresPlaceholders("UPDATE t SET a = ?2, b = ?1 WHERE c = ?2", &n), "UPDATE t SET a = $2, b = $1 WHERE c = $2");
  EXPECT_EQ(n, 2);
  // A bare ? after ?N takes the next number, as in SQLite.
  EXPECT_EQ(PostgresPlaceholders("VALUES (?3, ?)", &n), "VALUES ($3, $4)");
  EXPECT_EQ(n, 4);
  EXPECT_EQ(PostgresPlaceholders("SELECT '?', \"a?\" -- why?\n, ? /* ? */", &n),
            "SELECT '?', \"a?\" -- why?\n, $1 /* ? */");
  EXPECT_EQ(n, 1);
}

TEST(DdlRewriteTest, SqliteTypesBecomeTheirPostgresEquivalents) {
  EXPECT_EQ(PostgresDdl("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, n integer, b BLOB, r REAL, s TEXT "
                        "DEFAULT 'INTEGER BLOB') WITHOUT ROWID"),
            "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, n BIGINT, b BYTEA, r DOUBLE "
            "PRECISION, s TEXT DEFAULT 'INTEGER BLOB') ");
  EXPECT_EQ(PostgresDdl("CREATE TABLE k (seq INTEGER PRIMARY KEY, version INTEGER NOT NULL)"),
            "CREATE TABLE k (seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, version BIGINT NOT NULL)");
}

}  // namespace
}  // namespace osh::store
