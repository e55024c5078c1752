#pragma once

#include <grpcpp/support/status.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "import_store.h"
#include "osh/registry/v1/imports.pb.h"
#include "osh/service/call.h"
#include "osh/store/database.h"
#include "registry.h"

namespace osh::registry {

// Bulk import of employers (imports.proto). StartImport checks and stores the
// file and answers at once; one background thread imports the stored jobs in
// batches, each batch one transaction that also records the position reached,
// so a restarted service resumes after the last committed batch and no row is
// written twice. Every row goes through Registry's own create and update
// (validation, authorisation as the caller who started the job, audit, event)
// inside a savepoint: it lands whole or not at all. Free of gRPC plumbing.
class Importer {
 public:
  struct Options {
    std::string province;             // the province this registry serves
    std::filesystem::path dir;        // where uploads wait until their job ends
    int64_t max_file_bytes = 256LL << 20;
    size_t max_row_bytes = 1 << 20;
    int batch_rows = 500;
    // The refused rows GetImport lists (the counts cover them all).
    int max_listed_errors = 1000;
    std::function<std::chrono::system_clock::time_point()> clock = [] { return std::chrono::system_clock::now(); };
    // Called on the import thread after each committed batch (tests observe
    // and stop a job mid-way with it).
    std::function<void(const v1::ImportJob&)> after_batch;
  };

  Importer(store::Database& db, Registry& registry, Options options);
  ~Importer();
  Importer(const Importer&) = delete;
  Importer& operator=(const Importer&) = delete;

  // Starts the import thread, which first resumes the jobs a stopped service left.
  void Start();
  // Asks the thread to stop after the batch in progress (callable from after_batch).
  void RequestStop();
  // RequestStop, then waits for the thread.
  void Stop();

  grpc::Status StartImport(const service::Caller& caller, const v1::StartImportRequest& request,
                           v1::ImportJob* response);
  grpc::Status GetImport(const service::Caller& caller, const v1::GetImportRequest& request,
                         v1::ImportJob* response);
  grpc::Status CancelImport(const service::Caller& caller, const v1::CancelImportRequest& request,
                            v1::ImportJob* response);

 private:
  // import_runner.cc: the import thread.
  void Run();
  void RunJob(const std::string& id);
  bool Stopping() const { return stop_.load(); }

  // The job as `caller` may see it, or NOT_FOUND alike whether or not it exists.
  StoredImport Visible(const service::Caller& caller, const std::string& id);
  v1::ImportJob WithErrors(const StoredImport& stored);
  void Wake();

  store::Database& db_;
  Registry& registry_;
  Options options_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool work_ = true;  // guarded by mu_: a job may be waiting
};

}  // namespace osh::registry
