// The import thread of Importer: takes the stored jobs in order and imports
// them in batches, one transaction each.
#include <google/protobuf/util/time_util.h>

#include <map>

#include "employer_columns.h"
#include "import_file.h"
#include "importer.h"
#include "osh/core/errors.h"
#include "osh/core/log.h"
#include "registry_store.h"

namespace osh::registry {
namespace {

using google::protobuf::util::TimeUtil;

enum class Outcome { kImported, kUpdated, kUnchanged, kRefused };

v1::ImportRowProblem ProblemOf(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INVALID_ARGUMENT: return v1::IMPORT_ROW_PROBLEM_INVALID;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::FAILED_PRECONDITION: return v1::IMPORT_ROW_PROBLEM_CONFLICT;
    case grpc::StatusCode::ABORTED: return v1::IMPORT_ROW_PROBLEM_STALE_VERSION;
    case grpc::StatusCode::NOT_FOUND: return v1::IMPORT_ROW_PROBLEM_NOT_FOUND;
    case grpc::StatusCode::PERMISSION_DENIED: return v1::IMPORT_ROW_PROBLEM_PERMISSION_DENIED;
    default: return v1::IMPORT_ROW_PROBLEM_UNSPECIFIED;
  }
}

// The refused row as summary entries: one per field Registry named, or one for the row.
void AddRefusal(const grpc::Status& status, int64_t line, std::vector<v1::ImportRowError>& out) {
  const auto violations = core::FieldViolationsOf(status);
  const auto add = [&](std::string field, const std::string& reason) {
    if (field.rfind("employer.", 0) == 0) field.erase(0, 9);
    auto& e = out.emplace_back();
    e.set_line(line);
    e.set_field(std::move(field));
    e.set_problem(ProblemOf(status.error_code()));
    e.set_reason(reason);
  };
  if (violations.empty()) add("", status.error_message());
  for (const auto& [field, reason] : violations) add(field, reason);
}

// One batch in the making: what it saw and refused, written after its rows.
struct Batch {
  std::map<std::string, int64_t> seen;  // credit code → first line in this batch
  std::vector<v1::ImportRowError> errors;
};

class Savepoint {
 public:
  Savepoint(store::Tx& tx, const char* name) : tx_(tx), name_(name) { tx_.Exec(std::string("SAVEPOINT ") + name_); }
  void Release() { tx_.Exec(std::string("RELEASE ") + name_); }
  void RollBack() {
    tx_.Exec(std::string("ROLLBACK TO ") + name_);
    Release();
  }

 private:
  store::Tx& tx_;
  const char* name_;
};

}  // namespace

void Importer::Run() {
  while (!Stopping()) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return work_ || Stopping(); });
      work_ = false;
    }
    if (Stopping()) break;
    std::vector<std::string> jobs;
    try {
      jobs = db_.Read([](store::Tx& tx) { return ImportStore::Unfinished(tx); });
    } catch (const std::exception& e) {
      core::log::Error("import: cannot list jobs", {{"error", e.what()}});
    }
    for (const auto& id : jobs) {
      if (Stopping()) break;
      try {
        RunJob(id);
      } catch (const std::exception& e) {
        // The store failed even to record the failure: the job stays as it
        // was and is taken up again at the next wake-up or start.
        core::log::Error("import: job interrupted", {{"import", id}, {"error", e.what()}});
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, std::chrono::seconds(1), [&] { return Stopping(); });
        work_ = true;
      }
    }
  }
}

void Importer::RunJob(const std::string& id) {
  auto found = db_.Read([&](store::Tx& tx) { return ImportStore::Find(tx, id); });
  if (!found) return;
  StoredImport stored = std::move(*found);
  const service::Caller caller{&stored.principal, stored.request_id};
  const bool csv = stored.job.format() == "csv";
  const bool update_allowed = stored.job.strategy() != v1::IMPORT_STRATEGY_CREATE;
  const bool create_allowed = stored.job.strategy() != v1::IMPORT_STRATEGY_UPDATE;

  std::unique_ptr<MappedFile> file;
  std::optional<EmployerColumns> columns;
  try {
    file = std::make_unique<MappedFile>(stored.path);
    if (csv) {
      RowReader header_reader(file->text(), true, options_.max_row_bytes);
      RowReader::Row header;
      std::string error;
      header_reader.Next(&header, &error);
      columns = EmployerColumns::FromHeader(header.cells, &error);
    } else {
      columns = EmployerColumns();
    }
  } catch (const std::exception& e) {
    core::log::Error("import: cannot read the stored file", {{"import", id}, {"error", e.what()}});
  }
  if (!file || !columns) {
    stored.job.set_state(v1::IMPORT_STATE_FAILED);
    stored.job.set_failure("the stored file cannot be read; start the import again");
    *stored.job.mutable_finish_time() = TimeUtil::TimeTToTimestamp(std::chrono::system_clock::to_time_t(options_.clock()));
    db_.Write([&](store::Tx& tx) { ImportStore::Update(tx, stored); });
    return;
  }

  // One row inside the batch's transaction: Registry's own create or update,
  // in a savepoint so that a refused row leaves nothing behind.
  const auto apply = [&](store::Tx& tx, const RowReader::Row& row, Batch& batch) {
    core::FieldErrors errors;
    auto parsed = csv ? columns->Parse(row.cells, errors) : columns->ParseJson(row.json, errors);
    if (!errors.empty()) {
      AddRefusal(errors.ToStatus(), static_cast<int64_t>(row.line), batch.errors);
      return Outcome::kRefused;
    }
    const std::string code = parsed.employer.credit_code();
    const auto line = static_cast<int64_t>(row.line);
    auto first = batch.seen.find(code);
    std::optional<int64_t> first_line =
        first != batch.seen.end() ? std::optional(first->second) : ImportStore::SeenAt(tx, stored.job.id(), code);
    if (!code.empty() && first_line) {
      AddRefusal(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, ""), line, batch.errors);
      batch.errors.back().set_field("credit_code");
      batch.errors.back().set_problem(v1::IMPORT_ROW_PROBLEM_DUPLICATE_IN_FILE);
      batch.errors.back().set_reason(code + " is on line " + std::to_string(*first_line) + " of the file already");
      return Outcome::kRefused;
    }
    if (!code.empty()) batch.seen.emplace(code, line);
    Savepoint savepoint(tx, "import_row");
    try {
      Outcome outcome;
      auto existing = code.empty() ? std::nullopt : RegistryStore::FindEmployerByCreditCode(tx, code);
      if (!existing) {
        if (!create_allowed) {
          service::Refuse(grpc::StatusCode::NOT_FOUND, "no employer with credit code " + code + " is registered");
        }
        registry_.CreateEmployerIn(tx, caller, parsed.employer);
        outcome = Outcome::kImported;
      } else {
        if (!update_allowed) {
          service::Refuse(grpc::StatusCode::ALREADY_EXISTS,
                          "an employer with credit code " + code + " is registered already (id " + existing->id() + ")");
        }
        parsed.employer.set_id(existing->id());
        parsed.employer.set_version(parsed.version.value_or(existing->version()));
        const auto write = registry_.UpdateEmployerIn(tx, caller, parsed.employer, parsed.mask, true);
        outcome = write.changed ? Outcome::kUpdated : Outcome::kUnchanged;
      }
      savepoint.Release();
      return outcome;
    } catch (const service::Refusal& refusal) {
      savepoint.RollBack();
      AddRefusal(refusal.status, line, batch.errors);
      return Outcome::kRefused;
    }
  };

  RowReader reader(file->text(), csv, options_.max_row_bytes);
  if (stored.job.state() == v1::IMPORT_STATE_QUEUED) stored.job.set_state(v1::IMPORT_STATE_RUNNING);
  while (!Stopping()) {
    StoredImport next = stored;
    reader.Seek(static_cast<uint64_t>(stored.position), static_cast<uint64_t>(stored.line));
    try {
      db_.Write([&](store::Tx& tx) {
        next.cancel_requested = ImportStore::Find(tx, id)->cancel_requested;
        Batch batch;
        if (!next.cancel_requested) {
          Savepoint rows(tx, "import_batch");
          RowReader::Row row;
          std::string error;
          for (int n = 0; n < options_.batch_rows; ++n) {
            const auto result = reader.Next(&row, &error);
            if (result == tabular::CsvReader::Result::kEnd) {
              next.job.set_state(v1::IMPORT_STATE_COMPLETED);
              break;
            }
            if (result == tabular::CsvReader::Result::kError) {  // the file changed under us: refuse the rest
              next.job.set_state(v1::IMPORT_STATE_FAILED);
              next.job.set_failure(error);
              break;
            }
            switch (apply(tx, row, batch)) {
              case Outcome::kImported: next.job.set_imported(next.job.imported() + 1); break;
              case Outcome::kUpdated: next.job.set_updated(next.job.updated() + 1); break;
              case Outcome::kUnchanged: next.job.set_ignored(next.job.ignored() + 1); break;
              case Outcome::kRefused:
                next.job.set_ignored(next.job.ignored() + 1);
                next.job.set_conflicts(next.job.conflicts() + 1);
                break;
            }
            next.job.set_rows_read(next.job.rows_read() + 1);
            next.position = static_cast<int64_t>(row.end_offset);
            next.line = static_cast<int64_t>(reader.line());
          }
          // A dry run validates and writes every row as the import would, then
          // takes them back: no record, audit entry or event remains.
          if (next.job.dry_run()) {
            rows.RollBack();
          } else {
            rows.Release();
          }
        } else {
          next.job.set_state(v1::IMPORT_STATE_CANCELLED);
        }
        for (const auto& [code, line] : batch.seen) ImportStore::Seen(tx, id, code, line);
        for (const auto& e : batch.errors) ImportStore::AddError(tx, id, e);
        if (next.job.state() == v1::IMPORT_STATE_COMPLETED) next.position = next.job.size_bytes();
        next.job.set_bytes_read(next.position);
        next.job.set_percent(next.job.size_bytes() > 0 ? 100.0 * static_cast<double>(next.position) /
                                                             static_cast<double>(next.job.size_bytes())
                                                       : 100.0);
        if (next.job.state() != v1::IMPORT_STATE_RUNNING) {
          ImportStore::ForgetSeen(tx, id);
          *next.job.mutable_finish_time() =
              TimeUtil::TimeTToTimestamp(std::chrono::system_clock::to_time_t(options_.clock()));
        }
        ImportStore::Update(tx, next);
      });
    } catch (const store::StoreError& e) {
      // Disk full, busy, I/O: the batch rolled back whole; try it again later.
      core::log::Error("import: batch failed; retrying", {{"import", id}, {"error", e.what()}});
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::seconds(1), [&] { return Stopping(); });
      continue;
    } catch (const std::exception& e) {
      core::log::Error("import: batch failed", {{"import", id}, {"error", e.what()}});
      next = stored;
      next.job.set_state(v1::IMPORT_STATE_FAILED);
      next.job.set_failure("internal error at line " + std::to_string(stored.line) + "; request id " +
                           stored.request_id);
      db_.Write([&](store::Tx& tx) { ImportStore::Update(tx, next); });
    }
    stored = std::move(next);
    if (!stored.job.dry_run()) registry_.Committed();
    file->Release(static_cast<uint64_t>(stored.position));
    if (options_.after_batch) options_.after_batch(stored.job);
    if (stored.job.state() != v1::IMPORT_STATE_RUNNING) {
      std::error_code ignored;
      std::filesystem::remove(stored.path, ignored);
      core::log::Info("import finished", {{"import", id},
                                          {"state", v1::ImportState_Name(stored.job.state())},
                                          {"rows", stored.job.rows_read()},
                                          {"imported", stored.job.imported()},
                                          {"updated", stored.job.updated()},
                                          {"conflicts", stored.job.conflicts()}});
      return;
    }
  }
}

}  // namespace osh::registry
