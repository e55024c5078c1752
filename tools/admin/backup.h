#pragma once

// Backups of the services' SQLite files while the services run, for osh-admin.
//
// A copy is taken with SQLite's online backup API in one step: it reads the
// source inside one read transaction, so it is the database as of one commit
// (later commits are not in it, none is in it half), and in WAL mode the
// service's writers go on meanwhile. Each copy is checked (integrity_check)
// and written under a temporary name first, so a backup directory never holds
// a half-written file under a database's name. MANIFEST.json lists each file
// with its size, SHA-256 and schema version; restore verifies them.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace osh::admin {

struct BackedUpFile {
  std::string name;  // file name in the data directory, e.g. "registry.db"
  int64_t bytes = 0;
  std::string sha256;  // hex
  int64_t schema_version = 0;  // newest applied migration; 0 without schema_migrations
};

// Copies `database` into `out_dir/<its file name>`; out_dir is created.
std::optional<BackedUpFile> BackupDatabase(const std::filesystem::path& database, const std::filesystem::path& out_dir,
                                           std::string* error);

// Backs up the given databases (every *.db of a data directory, or one file)
// into out_dir, which must not hold a backup yet, and writes MANIFEST.json.
std::optional<std::vector<BackedUpFile>> Backup(const std::vector<std::filesystem::path>& databases,
                                                const std::filesystem::path& out_dir, std::string* error);

// The *.db files of a service data directory.
std::vector<std::filesystem::path> DatabasesIn(const std::filesystem::path& data_dir);

// Restores every file of the backup in `backup_dir` into `data_dir` after
// checking it against MANIFEST.json (size, SHA-256) and integrity_check.
// Refuses when data_dir already holds a database of the same name (move the
// old data directory aside first: a restore never overwrites live data).
std::optional<std::vector<BackedUpFile>> Restore(const std::filesystem::path& backup_dir,
                                                 const std::filesystem::path& data_dir, std::string* error);

}  // namespace osh::admin
