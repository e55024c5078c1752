#pragma once

#include <grpcpp/support/status.h>

#include <optional>
#include <string>

#include "osh/registry/v1/changes.pb.h"
#include "osh/registry/v1/registry.pb.h"
#include "osh/service/call.h"
#include "osh/store/database.h"

namespace osh::registry {

namespace v1 = ::osh::registry::v1;

// ExportEmployers without gRPC: every employer of the registry's province as
// CSV or JSON lines (formats and columns in registry.proto), produced one
// part at a time. A part is one page of the table read in its own short read
// transaction, after the last id of the page before, so a 700,000-row export
// holds one page in memory and never pins a snapshot (or, on SQLite, the WAL)
// for the length of the download; a record written meanwhile appears as its
// page finds it. Personal data is masked as in ListEmployers.
class EmployerExport {
 public:
  struct Options {
    std::string province;  // the province this registry serves
    int page_rows = 1000;  // employers per part
  };

  // Where a running export stands, kept by the caller between parts.
  struct Position {
    v1::ExportFormat format = v1::EXPORT_FORMAT_UNSPECIFIED;
    std::string after_id;  // the last employer sent
    bool started = false;  // the header (CSV) is sent
    bool done = false;     // the last part is sent
  };

  EmployerExport(store::Database& db, Options options) : db_(db), options_(std::move(options)) {}

  // Validates and authorises the request (RequireBulkReader): OK with
  // `position` set at the start of the file, or the refusal.
  grpc::Status Start(const service::Caller& caller, const v1::ExportEmployersRequest& request,
                     Position* position) const;

  // The next part of the file, or nullopt once the last was given. Throws
  // store::StoreError when the store fails (the caller ends the stream).
  std::optional<std::string> Next(Position& position) const;

  static std::string ContentType(v1::ExportFormat format);
  // The file's name for content-disposition: employers-<province>.csv / .jsonl.
  std::string FileName(v1::ExportFormat format) const;

  // The CSV header row and one employer's row (CRLF-terminated), and its JSON line.
  static std::string CsvHeader();
  static std::string CsvRow(const v1::Employer& employer);
  static std::string JsonLine(const v1::Employer& employer);

 private:
  store::Database& db_;
  Options options_;
};

}  // namespace osh::registry
