// Backups of a real SQLite file taken while another thread keeps writing.
#include "backup.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "osh/events/testing/test_broker.h"  // WaitFor
#include "osh/store/database.h"
#include "osh/store/testing/scratch_dir.h"

namespace osh::admin {
namespace {

namespace fs = std::filesystem;

std::vector<store::Migration> Schema() {
  // Two tables written in one transaction: a copy of one commit has equal counts.
  return {{1, "pairs", "CREATE TABLE a (n INTEGER PRIMARY KEY); CREATE TABLE b (n INTEGER PRIMARY KEY);"}};
}

int64_t Count(store::Database& db, const char* table) {
  return db.Read([&](store::Tx& tx) {
    auto s = tx.Prepare(std::string("SELECT COUNT(*) FROM ") + table);
    s.Step();
    return s.Int(0);
  });
}

TEST(BackupTest, ABackupTakenUnderWritesHoldsOneCommitsStateAndRestoresIntoAFreshDirectory) {
  store::testing::ScratchDir dir("admin-backup");
  fs::create_directories(dir.path() / "data");
  auto live = store::Database::Open({.path = dir.File("data/registry.db")}, Schema());
  std::atomic<bool> stop{false};
  std::atomic<int64_t> committed{0};
  std::thread writer([&] {
    for (int64_t n = 1; !stop; ++n) {
      live->Write([&](store::Tx& tx) {
        tx.Prepare("INSERT INTO a VALUES (?)").BindAll(n).Run();
        tx.Prepare("INSERT INTO b VALUES (?)").BindAll(n).Run();
      });
      committed = n;
    }
  });
  ASSERT_TRUE(events::testing::WaitFor([&] { return committed >= 200; }, std::chrono::seconds(60), std::chrono::milliseconds(5)));

  std::string error;
  auto files = Backup(DatabasesIn(dir.path() / "data"), dir.path() / "backup", &error);
  const int64_t committed_after_backup = committed;
  stop = true;
  writer.join();
  ASSERT_TRUE(files) << error;
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ(files->front().name, "registry.db");
  EXPECT_EQ(files->front().schema_version, 1);
  EXPECT_TRUE(fs::exists(dir.path() / "backup/MANIFEST.json"));

  auto restored = Restore(dir.path() / "backup", dir.path() / "fresh", &error);
  ASSERT_TRUE(restored) << error;
  auto copy = store::Database::Open({.path = dir.File("fresh/registry.db")}, Schema());
  const int64_t a = Count(*copy, "a");
  EXPECT_EQ(a, Count(*copy, "b"));  // never half a transaction
  EXPECT_GE(a, 200);
  EXPECT_LE(a, committed_after_backup);
}

TEST(BackupTest, RestoreRefusesADirectoryThatHoldsTheDatabaseAndADamagedBackup) {
  store::testing::ScratchDir dir("admin-restore");
  fs::create_directories(dir.path() / "data");
  { auto db = store::Database::Open({.path = dir.File("data/content.db")}, Schema()); }
  std::string error;
  ASSERT_TRUE(Backup({dir.path() / "data/content.db"}, dir.path() / "backup", &error)) << error;

  EXPECT_FALSE(Restore(dir.path() / "backup", dir.path() / "data", &error));
  EXPECT_NE(error.find("fresh data directory"), std::string::npos) << error;

  EXPECT_FALSE(Backup({dir.path() / "data/content.db"}, dir.path() / "backup", &error));
  EXPECT_NE(error.find("already holds a backup"), std::string::npos) << error;

  {
    std::fstream f(dir.path() / "backup/content.db", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(200);
    f.put('\x7f');
  }
  EXPECT_FALSE(Restore(dir.path() / "backup", dir.path() / "fresh", &error));
  EXPECT_NE(error.find("SHA-256"), std::string::npos) << error;
  EXPECT_FALSE(fs::exists(dir.path() / "fresh/content.db"));
}

TEST(BackupTest, AMissingDatabaseIsAClearError) {
  store::testing::ScratchDir dir("admin-missing");
  std::string error;
  EXPECT_FALSE(Backup({dir.path() / "nope.db"}, dir.path() / "backup", &error));
  EXPECT_NE(error.find("nope.db is not a database file"), std::string::npos) << error;
  EXPECT_FALSE(Backup({}, dir.path() / "backup2", &error));
  EXPECT_NE(error.find("no database"), std::string::npos) << error;
}

}  // namespace
}  // namespace osh::admin
