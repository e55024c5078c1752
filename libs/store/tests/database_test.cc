#include "osh/store/database.h"
#include "osh/store/testing/scratch_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <thread>

namespace osh::store {
namespace {

class DatabaseTest : public ::testing::Test {
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

TEST_F(DatabaseTest, AppliesMigrationsOnceAndRecordsVersion) {
  {
    auto db = Database::Open({.path = Path()}, {kMigrations[0]});
    EXPECT_EQ(db->SchemaVersion(), 1);
  }
  auto db = Database::Open({.path = Path()}, kMigrations);
  EXPECT_EQ(db->SchemaVersion(), 2);
  db->Write([](Tx& tx) { tx.Prepare("INSERT INTO notes(body, author) VALUES (?, ?)").BindAll("a", "b").Run(); });
  EXPECT_EQ(CountNotes(*db), 1);
}

TEST_F(DatabaseTest, RefusesAFileMigratedByANewerBinary) {
  Database::Open({.path = Path()}, kMigrations);
  EXPECT_THROW(Database::Open({.path = Path()}, {kMigrations[0]}), StoreError);
}

TEST_F(DatabaseTest, UsesWalAndFullSync) {
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

TEST_F(DatabaseTest, ExceptionRollsBackTheWholeTransaction) {
  auto db = Database::Open({.path = Path()}, kMigrations);
  EXPECT_THROW(db->Write([](Tx& tx) {
    tx.Prepare("INSERT INTO notes(body) VALUES (?)").Bind(1, "first").Run();
    throw std::runtime_error("validation failed after the first insert");
  }),
               std::runtime_error);
  EXPECT_EQ(CountNotes(*db), 0);
}

TEST_F(DatabaseTest, ConstraintViolationIsReportedAndRolledBack) {
  auto db = Database::Open({.path = Path()}, kMigrations);
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

TEST_F(DatabaseTest, AFullDatabaseRefusesAWriteAsTransientAndKeepsWhatCommitted) {
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

TEST_F(DatabaseTest, ConstraintAndSchemaErrorsAreNotTransient) {
  EXPECT_FALSE(StoreError(19 /* SQLITE_CONSTRAINT */, "unique").IsTransient());
  EXPECT_FALSE(StoreError(1 /* SQLITE_ERROR */, "no such table").IsTransient());
  EXPECT_TRUE(StoreError(5 /* SQLITE_BUSY */, "busy").IsTransient());
  EXPECT_TRUE(StoreError(13 /* SQLITE_FULL */, "full").IsTransient());
  EXPECT_TRUE(StoreError(10 | (3 << 8) /* SQLITE_IOERR_WRITE */, "io").IsTransient());
}

TEST_F(DatabaseTest, BoundValuesAreNeverSql) {
  auto db = Database::Open({.path = Path()}, kMigrations);
  const std::string hostile = "x'); DROP TABLE notes; --";
  db->Write([&](Tx& tx) { tx.Prepare("INSERT INTO notes(body) VALUES (?)").Bind(1, hostile).Run(); });
  auto body = db->Read([](Tx& tx) {
    auto s = tx.Prepare("SELECT body FROM notes");
    s.Step();
    return s.Text(0);
  });
  EXPECT_EQ(body, hostile);
}

TEST_F(DatabaseTest, CommittedDataSurvivesReopen) {
  {
    auto db = Database::Open({.path = Path()}, kMigrations);
    db->Write([](Tx& tx) { tx.Prepare("INSERT INTO notes(body) VALUES (?)").Bind(1, "kept").Run(); });
  }
  auto db = Database::Open({.path = Path()}, kMigrations);
  EXPECT_EQ(CountNotes(*db), 1);
}

TEST_F(DatabaseTest, ReadersSeeASnapshotWhileAWriteIsOpen) {
  auto db = Database::Open({.path = Path(), .read_connections = 2}, kMigrations);
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

TEST_F(DatabaseTest, NestedUseOfTheSameQueryDoesNotClobber) {
  auto db = Database::Open({.path = Path()}, kMigrations);
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

TEST_F(DatabaseTest, TypedColumnsRoundTrip) {
  auto db = Database::Open(
      {.path = Path()},
      {{1, "t", "CREATE TABLE t (i INTEGER, d REAL, s TEXT, b BLOB, n TEXT)"}});
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

}  // namespace
}  // namespace osh::store
