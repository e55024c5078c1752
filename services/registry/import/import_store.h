#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "osh/auth/principal.h"
#include "osh/registry/v1/imports.pb.h"
#include "osh/store/database.h"

namespace osh::registry {

namespace v1 = ::osh::registry::v1;

// An import job as stored: the summary clients see, and what the import
// thread needs to go on after a restart (the file, the committed position,
// who started it).
struct StoredImport {
  v1::ImportJob job;            // without errors (they are rows of their own)
  std::string path;             // the uploaded file, converted to UTF-8
  int64_t position = 0;         // byte offset of the first row not yet committed
  int64_t line = 1;             // the line that offset starts
  bool cancel_requested = false;
  auth::Principal principal;    // who started it; rows are authorised as this caller
  std::string request_id;       // of the StartImport call (audit entries and logs)
};

// Import jobs, their refused rows and the credit codes each job has seen
// (duplicates in a file are found across batches and restarts).
class ImportStore {
 public:
  static store::Migration Migration(int version);

  static void Insert(store::Tx& tx, const StoredImport& stored);
  // Writes the summary, position, line and state (after each batch).
  static void Update(store::Tx& tx, const StoredImport& stored);
  static std::optional<StoredImport> Find(store::Tx& tx, const std::string& id);
  static void RequestCancel(store::Tx& tx, const std::string& id);
  // Jobs queued or running, oldest first: what the import thread has to do.
  static std::vector<std::string> Unfinished(store::Tx& tx);

  static void AddError(store::Tx& tx, const std::string& job_id, const v1::ImportRowError& error);
  // The first `limit` refused rows in line order.
  static std::vector<v1::ImportRowError> Errors(store::Tx& tx, const std::string& job_id, int limit);

  // The line where the job saw `credit_code` first, if it did.
  static std::optional<int64_t> SeenAt(store::Tx& tx, const std::string& job_id, const std::string& credit_code);
  static void Seen(store::Tx& tx, const std::string& job_id, const std::string& credit_code, int64_t line);
  // Drops what a finished job saw (its summary and refused rows stay).
  static void ForgetSeen(store::Tx& tx, const std::string& job_id);
};

}  // namespace osh::registry
