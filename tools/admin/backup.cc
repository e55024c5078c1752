#include "backup.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <thread>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace osh::admin {
namespace fs = std::filesystem;
namespace {

constexpr char kManifest[] = "MANIFEST.json";
constexpr char kPartialSuffix[] = ".partial";

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using SqliteHandle = std::unique_ptr<sqlite3, SqliteCloser>;

SqliteHandle Open(const fs::path& path, int flags, std::string* error) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqliteHandle db(raw);
  if (rc != SQLITE_OK) {
    *error = fmt::format("open {}: {}", path.string(), raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
    return nullptr;
  }
  sqlite3_busy_timeout(db.get(), 10000);
  return db;
}

// The first column of the first row of `sql`, or nullopt with *error.
std::optional<std::string> QueryText(sqlite3* db, const char* sql, std::string* error) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) {
    *error = fmt::format("{}: {}", sql, sqlite3_errmsg(db));
    return std::nullopt;
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
  const int rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_DONE) return std::string();
  if (rc != SQLITE_ROW) {
    *error = fmt::format("{}: {}", sql, sqlite3_errmsg(db));
    return std::nullopt;
  }
  const auto* text = sqlite3_column_text(stmt.get(), 0);
  return text != nullptr ? std::string(reinterpret_cast<const char*>(text)) : std::string();
}

bool SyncPath(const fs::path& path, int flags, std::string* error) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0 || ::fsync(fd) != 0) {
    *error = "fsync " + path.string() + " failed";
    if (fd >= 0) ::close(fd);
    return false;
  }
  ::close(fd);
  return true;
}

std::optional<std::string> Sha256OfFile(const fs::path& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read " + path.string();
    return std::nullopt;
  }
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<size_t>(in.gcount()));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &length);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

// Copies the database at `from` to `to` through the online backup API, in one
// step (one read transaction on the source: a single commit's state), leaves
// the copy a standalone rollback-journal file that passes integrity_check,
// and only then gives it its name.
std::optional<BackedUpFile> CopyDatabase(const fs::path& from, int from_flags, const fs::path& to, std::string* error) {
  if (!fs::is_regular_file(from)) {
    *error = from.string() + " is not a database file";
    return std::nullopt;
  }
  SqliteHandle source = Open(from, from_flags, error);
  if (!source) return std::nullopt;
  const fs::path partial = to.string() + kPartialSuffix;
  fs::remove(partial);
  {
    SqliteHandle target = Open(partial, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, error);
    if (!target) return std::nullopt;
    sqlite3_backup* backup = sqlite3_backup_init(target.get(), "main", source.get(), "main");
    if (backup == nullptr) {
      *error = fmt::format("backup of {}: {}", from.string(), sqlite3_errmsg(target.get()));
      return std::nullopt;
    }
    int rc = SQLITE_OK;
    // BUSY/LOCKED: a checkpoint or another connection holds what the read
    // transaction needs for a moment; the step is retried, bounded.
    for (int attempt = 0; attempt < 600; ++attempt) {
      rc = sqlite3_backup_step(backup, -1);
      if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) {
      *error = fmt::format("backup of {}: {}", from.string(), sqlite3_errstr(rc));
      fs::remove(partial);
      return std::nullopt;
    }
    // The copied header says WAL like its source; a backup is one file.
    if (!QueryText(target.get(), "PRAGMA journal_mode=DELETE", error)) return std::nullopt;
    auto check = QueryText(target.get(), "PRAGMA integrity_check", error);
    if (!check) return std::nullopt;
    if (*check != "ok") {
      *error = fmt::format("the copy of {} fails integrity_check: {}", from.string(), *check);
      fs::remove(partial);
      return std::nullopt;
    }
  }
  if (!SyncPath(partial, O_RDONLY, error)) return std::nullopt;

  BackedUpFile file;
  file.name = to.filename().string();
  {
    SqliteHandle copy = Open(partial, SQLITE_OPEN_READONLY, error);
    if (!copy) return std::nullopt;
    std::string ignored;  // a database without migrations has no version
    if (auto v = QueryText(copy.get(), "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &ignored)) {
      file.schema_version = std::atoll(v->c_str());
    }
  }
  auto sha = Sha256OfFile(partial, error);
  if (!sha) return std::nullopt;
  file.sha256 = *sha;
  file.bytes = static_cast<int64_t>(fs::file_size(partial));
  fs::rename(partial, to);
  if (!SyncPath(to.parent_path(), O_RDONLY | O_DIRECTORY, error)) return std::nullopt;
  return file;
}

bool PlainFileName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
}

}  // namespace

std::vector<fs::path> DatabasesIn(const fs::path& data_dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(data_dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".db") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<BackedUpFile> BackupDatabase(const fs::path& database, const fs::path& out_dir, std::string* error) {
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) {
    *error = "cannot create " + out_dir.string() + ": " + ec.message();
    return std::nullopt;
  }
  return CopyDatabase(database, SQLITE_OPEN_READWRITE, out_dir / database.filename(), error);
}

std::optional<std::vector<BackedUpFile>> Backup(const std::vector<fs::path>& databases, const fs::path& out_dir,
                                                std::string* error) {
  if (databases.empty()) {
    *error = "no database to back up (a data directory holds <service>.db files)";
    return std::nullopt;
  }
  if (fs::exists(out_dir / kManifest)) {
    *error = out_dir.string() + " already holds a backup; choose a new directory";
    return std::nullopt;
  }
  std::vector<BackedUpFile> files;
  for (const auto& db : databases) {
    auto file = BackupDatabase(db, out_dir, error);
    if (!file) return std::nullopt;
    files.push_back(*file);
  }
  nlohmann::json manifest = {
      {"created_at", fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::time(nullptr)))},
      {"files", nlohmann::json::array()}};
  for (const auto& f : files) {
    manifest["files"].push_back(
        {{"name", f.name}, {"bytes", f.bytes}, {"sha256", f.sha256}, {"schema_version", f.schema_version}});
  }
  const fs::path partial = out_dir / (std::string(kManifest) + kPartialSuffix);
  {
    std::ofstream out(partial, std::ios::trunc);
    out << manifest.dump(2) << "\n";
    if (!out.flush()) {
      *error = "cannot write " + partial.string();
      return std::nullopt;
    }
  }
  if (!SyncPath(partial, O_RDONLY, error)) return std::nullopt;
  fs::rename(partial, out_dir / kManifest);
  if (!SyncPath(out_dir, O_RDONLY | O_DIRECTORY, error)) return std::nullopt;
  return files;
}

std::optional<std::vector<BackedUpFile>> Restore(const fs::path& backup_dir, const fs::path& data_dir,
                                                 std::string* error) {
  std::ifstream in(backup_dir / kManifest);
  if (!in) {
    *error = "no " + std::string(kManifest) + " in " + backup_dir.string() + " (not a backup of osh-admin)";
    return std::nullopt;
  }
  const nlohmann::json manifest = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!manifest.is_object() || !manifest.contains("files") || !manifest["files"].is_array()) {
    *error = (backup_dir / kManifest).string() + " is not a backup manifest";
    return std::nullopt;
  }
  std::vector<BackedUpFile> files;
  for (const auto& f : manifest["files"]) {
    BackedUpFile file;
    if (!f.is_object() || !f.value("name", nlohmann::json()).is_string() || !PlainFileName(f["name"]) ||
        !f.value("sha256", nlohmann::json()).is_string() || !f.value("bytes", nlohmann::json()).is_number_integer()) {
      *error = (backup_dir / kManifest).string() + ": a file entry lacks a plain name, bytes or sha256";
      return std::nullopt;
    }
    file.name = f["name"];
    file.sha256 = f["sha256"];
    file.bytes = f["bytes"];
    file.schema_version = f.value("schema_version", int64_t{0});
    const fs::path path = backup_dir / file.name;
    std::error_code ec;
    if (!fs::is_regular_file(path) || static_cast<int64_t>(fs::file_size(path, ec)) != file.bytes) {
      *error = fmt::format("{} is missing or not {} bytes as the manifest says", path.string(), file.bytes);
      return std::nullopt;
    }
    auto sha = Sha256OfFile(path, error);
    if (!sha) return std::nullopt;
    if (*sha != file.sha256) {
      *error = path.string() + " does not match its SHA-256 in the manifest (damaged backup)";
      return std::nullopt;
    }
    for (const char* suffix : {"", "-wal", "-journal"}) {
      if (fs::exists(data_dir / (file.name + suffix))) {
        *error = fmt::format("{} exists: restore only into a fresh data directory (move the old one aside)",
                             (data_dir / (file.name + suffix)).string());
        return std::nullopt;
      }
    }
    files.push_back(file);
  }
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) {
    *error = "cannot create " + data_dir.string() + ": " + ec.message();
    return std::nullopt;
  }
  for (const auto& file : files) {
    if (!CopyDatabase(backup_dir / file.name, SQLITE_OPEN_READONLY, data_dir / file.name, error)) return std::nullopt;
  }
  return files;
}

}  // namespace osh::admin
