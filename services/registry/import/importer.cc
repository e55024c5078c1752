#include "importer.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cctype>
#include <fstream>

#include "employer_columns.h"
#include "import_file.h"
#include "osh/core/ids.h"
#include "osh/service/actor.h"
#include "osh/tabular/charset.h"

namespace osh::registry {
namespace {

using google::protobuf::util::TimeUtil;
using service::Refuse;

constexpr size_t kConvertPiece = 1 << 20;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string Trimmed(std::string s) {
  const auto first = s.find_first_not_of(" \t\"");
  const auto last = s.find_last_not_of(" \t\"");
  return first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
}

[[noreturn]] void RefuseFile(const std::string& field, const std::string& why) {
  throw service::Refusal{core::InvalidArgument(field, why)};
}

// "csv" or "jsonl" from the media type, and the charset it names ("" if none).
std::pair<std::string, std::string> FormatOf(const std::string& content_type) {
  const std::string lower = Lower(content_type);
  const std::string media = Trimmed(lower.substr(0, lower.find(';')));
  std::string charset;
  if (const auto at = lower.find("charset="); at != std::string::npos) {
    charset = Trimmed(lower.substr(at + 8, lower.find(';', at) - at - 8));
  }
  if (media.empty() || media == "text/csv" || media == "application/csv" || media == "text/plain") {
    return {"csv", charset};
  }
  if (media == "application/x-ndjson" || media == "application/jsonl" || media == "application/x-jsonlines" ||
      media == "application/jsonlines") {
    return {"jsonl", charset};
  }
  return {"", charset};
}

// The upload converted to UTF-8 into `path`; INVALID_ARGUMENT naming the line
// and byte of the first character that is not of the charset.
void WriteUtf8(const std::string& data, tabular::Charset charset, const std::filesystem::path& path) {
  tabular::Utf8Converter converter(charset);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path.string());
  std::string piece, error;
  for (size_t at = 0; at < data.size(); at += kConvertPiece) {
    piece.clear();
    if (!converter.Feed(std::string_view(data).substr(at, kConvertPiece), &piece, &error)) RefuseFile("file", error);
    out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
  }
  if (!converter.Finish(&error)) RefuseFile("file", error);
  out.flush();
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

Importer::Importer(store::Database& db, Registry& registry, Options options)
    : db_(db), registry_(registry), options_(std::move(options)) {
  std::filesystem::create_directories(options_.dir);
}

Importer::~Importer() { Stop(); }

void Importer::Start() {
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void Importer::RequestStop() {
  {
    std::lock_guard lock(mu_);  // so the thread cannot miss it between its check and its wait
    stop_ = true;
  }
  cv_.notify_all();
}

void Importer::Stop() {
  RequestStop();
  if (thread_.joinable()) thread_.join();
}

void Importer::Wake() {
  {
    std::lock_guard lock(mu_);
    work_ = true;
  }
  cv_.notify_all();
}

grpc::Status Importer::StartImport(const service::Caller& caller, const v1::StartImportRequest& request,
                                   v1::ImportJob* response) {
  return service::Guard(caller, "StartImport", [&] {
    const auth::Principal& p = *caller.principal;
    if ((p.role != auth::Role::kProvinceAdmin && p.role != auth::Role::kInspector) ||
        p.province != options_.province) {
      Refuse(grpc::StatusCode::PERMISSION_DENIED,
             "only province_admin and inspector of province " + options_.province + " import into its registry");
    }
    core::FieldErrors errors;
    if (request.resource() != "employers") {
      errors.Add("resource", "'" + service::Echo(request.resource()) + "' cannot be imported (employers can)");
    }
    if (!v1::ImportStrategy_IsValid(request.strategy())) errors.Add("strategy", "unknown value");
    const auto [format, type_charset] = FormatOf(request.file().content_type());
    if (format.empty()) {
      errors.Add("file.content_type", "'" + service::Echo(request.file().content_type()) +
                                          "' is not text/csv or application/x-ndjson");
    }
    const std::string& data = request.file().data();
    if (data.empty()) {
      errors.Add("file", "is empty");
    } else if (static_cast<int64_t>(data.size()) > options_.max_file_bytes) {
      errors.Add("file", std::to_string(data.size()) + " bytes is more than the largest import, " +
                             std::to_string(options_.max_file_bytes) + " bytes; split the file");
    } else if (auto binary = tabular::BinaryError(data)) {
      errors.Add("file", *binary);
    }
    const std::string charset_name = !request.charset().empty() ? request.charset() : type_charset;
    auto charset = charset_name.empty() ? std::optional(tabular::DetectCharset(std::string_view(data).substr(0, 1 << 16)))
                                        : tabular::ParseCharset(charset_name);
    if (!charset) errors.Add("charset", "'" + service::Echo(charset_name) + "' is not UTF-8 or GB18030");
    service::ThrowIfInvalid(errors);

    v1::ImportJob job;
    job.set_id(core::NewUuidV7(options_.clock()));
    const auto path = options_.dir / (job.id() + ".utf8");
    const auto part = options_.dir / (job.id() + ".part");
    struct Cleanup {
      std::filesystem::path path;
      ~Cleanup() {
        std::error_code ignored;
        if (!path.empty()) std::filesystem::remove(path, ignored);
      }
    } cleanup{part};
    WriteUtf8(data, *charset, part);

    // The whole file is read once before it is accepted: a file that is not
    // CSV, has unknown columns or an oversized row is refused now, with
    // nothing stored, rather than failing half-way through the import.
    StoredImport stored;
    {
      MappedFile file(part);
      RowReader reader(file.text(), format == "csv", options_.max_row_bytes);
      RowReader::Row row;
      std::string error;
      int64_t rows = 0;
      using Result = tabular::CsvReader::Result;
      if (format == "csv") {
        const auto first = reader.Next(&row, &error);
        if (first == Result::kError) RefuseFile("file", error);
        if (first == Result::kEnd) RefuseFile("file", "holds no header and no rows");
        if (!EmployerColumns::FromHeader(row.cells, &error)) RefuseFile("file", "line 1: " + error);
        stored.position = static_cast<int64_t>(row.end_offset);
        stored.line = static_cast<int64_t>(reader.line());
      }
      while (true) {
        const auto result = reader.Next(&row, &error);
        if (result == Result::kError) RefuseFile("file", error);
        if (result == Result::kEnd) break;
        // The first JSON line stands for the header: an object whose keys
        // are not columns refuses the file as unknown CSV columns do.
        if (++rows == 1 && format == "jsonl") {
          core::FieldErrors row_errors;
          EmployerColumns().ParseJson(row.json, row_errors);
          const auto violations = core::FieldViolationsOf(row_errors.ToStatus());
          for (const auto& [field, reason] : violations) {
            if (reason == EmployerColumns::kNotAColumn || field.empty()) {
              RefuseFile("file", "line " + std::to_string(row.line) + ": " +
                                     (field.empty() ? reason : "'" + field + "' " + reason));
            }
          }
        }
      }
      if (rows == 0) RefuseFile("file", "holds no rows");
      job.set_size_bytes(static_cast<int64_t>(file.text().size()));
    }
    std::filesystem::rename(part, path);
    cleanup.path.clear();

    job.set_resource(request.resource());
    job.set_strategy(request.strategy() == v1::IMPORT_STRATEGY_UNSPECIFIED ? v1::IMPORT_STRATEGY_CREATE_AND_UPDATE
                                                                            : request.strategy());
    job.set_dry_run(request.dry_run());
    job.set_state(v1::IMPORT_STATE_QUEUED);
    job.set_format(format);
    job.set_charset(std::string(tabular::CharsetName(*charset)));
    job.set_bytes_read(stored.position);
    job.set_percent(job.size_bytes() > 0 ? 100.0 * static_cast<double>(stored.position) /
                                               static_cast<double>(job.size_bytes())
                                         : 0);
    *job.mutable_created_by() = service::ActorOf(p);
    *job.mutable_create_time() = TimeUtil::TimeTToTimestamp(std::chrono::system_clock::to_time_t(options_.clock()));
    stored.job = job;
    stored.path = path.string();
    stored.principal = p;
    stored.request_id = caller.request_id;
    try {
      db_.Write([&](store::Tx& tx) { ImportStore::Insert(tx, stored); });
    } catch (...) {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
      throw;
    }
    Wake();
    *response = job;
  });
}

StoredImport Importer::Visible(const service::Caller& caller, const std::string& id) {
  if (id.empty()) RefuseFile("id", "is required");
  const auto& p = *caller.principal;
  return service::VisibleOrRefuse(
      db_.Read([&](store::Tx& tx) { return ImportStore::Find(tx, id); }), "import", id, [&](const StoredImport& s) {
        return s.principal.subject == p.subject ||
               (p.role == auth::Role::kProvinceAdmin && p.province == options_.province);
      });
}

v1::ImportJob Importer::WithErrors(const StoredImport& stored) {
  v1::ImportJob job = stored.job;
  for (auto& e : db_.Read([&](store::Tx& tx) {
         return ImportStore::Errors(tx, stored.job.id(), options_.max_listed_errors);
       })) {
    *job.add_errors() = std::move(e);
  }
  return job;
}

grpc::Status Importer::GetImport(const service::Caller& caller, const v1::GetImportRequest& request,
                                 v1::ImportJob* response) {
  return service::Guard(caller, "GetImport", [&] { *response = WithErrors(Visible(caller, request.id())); });
}

grpc::Status Importer::CancelImport(const service::Caller& caller, const v1::CancelImportRequest& request,
                                    v1::ImportJob* response) {
  return service::Guard(caller, "CancelImport", [&] {
    Visible(caller, request.id());
    StoredImport stored = db_.Write([&](store::Tx& tx) {
      auto s = *ImportStore::Find(tx, request.id());
      const auto state = s.job.state();
      if (state != v1::IMPORT_STATE_QUEUED && state != v1::IMPORT_STATE_RUNNING) {
        Refuse(grpc::StatusCode::FAILED_PRECONDITION,
               "import " + s.job.id() + " has finished (" + v1::ImportState_Name(state) + ")");
      }
      ImportStore::RequestCancel(tx, s.job.id());
      s.cancel_requested = true;
      return s;
    });
    // The import thread sees the request at its next batch and ends the job.
    Wake();
    *response = WithErrors(stored);
  });
}

}  // namespace osh::registry
