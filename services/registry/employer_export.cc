#include "employer_export.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <array>
#include <string_view>

#include "change_feed.h"
#include "osh/tabular/csv_writer.h"
#include "personal_data.h"
#include "registry_store.h"

namespace osh::registry {
namespace {

using google::protobuf::FieldDescriptor;

// The CSV columns (registry.proto, ExportEmployers), by Employer field: the
// column of each personal field is filled from its masked twin.
struct Column {
  const char* name;
  const char* field;
};
constexpr std::array<Column, 25> kColumns = {{
    {"id", "id"},
    {"credit_code", "credit_code"},
    {"name", "name"},
    {"province", "province"},
    {"division_code", "division_code"},
    {"registered_address", "registered_address"},
    {"workplace_address", "workplace_address"},
    {"industry_section", "industry_section"},
    {"industry_code", "industry_code"},
    {"size_class", "size_class"},
    {"registration_type", "registration_type"},
    {"legal_representative", "legal_representative_masked"},
    {"legal_representative_phone", "legal_representative_phone_masked"},
    {"has_osh_management_body", "has_osh_management_body"},
    {"osh_staff_full_time", "osh_staff_full_time"},
    {"osh_staff_part_time", "osh_staff_part_time"},
    {"total_workers", "total_workers"},
    {"cumulative_disease_cases", "cumulative_disease_cases"},
    {"hazard_categories", "hazard_categories"},
    {"exposed_workers", "exposed_workers"},
    {"declaration_status", "declaration_status"},
    {"status", "status"},
    {"version", "version"},
    {"create_time", "create_time"},
    {"update_time", "update_time"},
}};

// One cell as text: enums by name, repeated enums joined by ';', times in RFC 3339.
std::string Cell(const v1::Employer& e, const FieldDescriptor* f) {
  const auto* r = e.GetReflection();
  if (f->is_repeated()) {
    std::string out;
    for (int i = 0; i < r->FieldSize(e, f); ++i) {
      if (i > 0) out += ';';
      out += r->GetRepeatedEnum(e, f, i)->name();
    }
    return out;
  }
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return r->GetString(e, f);
    case FieldDescriptor::CPPTYPE_INT32:
      return std::to_string(r->GetInt32(e, f));
    case FieldDescriptor::CPPTYPE_INT64:
      return std::to_string(r->GetInt64(e, f));
    case FieldDescriptor::CPPTYPE_BOOL:
      return r->GetBool(e, f) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_ENUM:
      return r->GetEnum(e, f)->name();
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (!r->HasField(e, f)) return "";
      return google::protobuf::util::TimeUtil::ToString(
          static_cast<const google::protobuf::Timestamp&>(r->GetMessage(e, f)));
    default:
      return "";
  }
}

const FieldDescriptor* FieldOf(const Column& c) {
  const auto* f = v1::Employer::descriptor()->FindFieldByName(c.field);
  // A column naming no field is a defect of this table, caught by every test run.
  if (f == nullptr) throw std::logic_error(std::string("export column without an Employer field: ") + c.field);
  return f;
}

// The stored record as an answer may show it: never a clear personal value.
v1::Employer Masked(v1::Employer e) {
  if (PersonalData::HoldsClear(e)) PersonalData::MaskInPlace(e);
  return e;
}

}  // namespace

std::string EmployerExport::CsvHeader() {
  std::string out;
  for (size_t i = 0; i < kColumns.size(); ++i) {
    if (i > 0) out += ',';
    out += kColumns[i].name;
  }
  return out + "\r\n";
}

std::string EmployerExport::CsvRow(const v1::Employer& employer) {
  std::string out;
  for (size_t i = 0; i < kColumns.size(); ++i) {
    if (i > 0) out += ',';
    tabular::AppendCsvField(out, Cell(employer, FieldOf(kColumns[i])));
  }
  return out + "\r\n";
}

std::string EmployerExport::JsonLine(const v1::Employer& employer) {
  std::string line;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = false;
  const auto status = google::protobuf::util::MessageToJsonString(employer, &line, options);
  if (!status.ok()) throw std::runtime_error("employer does not print as JSON: " + std::string(status.message()));
  return line + "\n";
}

std::string EmployerExport::ContentType(v1::ExportFormat format) {
  return format == v1::EXPORT_FORMAT_CSV ? "text/csv; charset=utf-8" : "application/x-ndjson";
}

std::string EmployerExport::FileName(v1::ExportFormat format) const {
  return "employers-" + options_.province + (format == v1::EXPORT_FORMAT_CSV ? ".csv" : ".jsonl");
}

grpc::Status EmployerExport::Start(const service::Caller& caller, const v1::ExportEmployersRequest& request,
                                   Position* position) const {
  return service::Guard(caller, "ExportEmployers", [&] {
    if (request.format() != v1::EXPORT_FORMAT_CSV && request.format() != v1::EXPORT_FORMAT_JSON_LINES) {
      core::FieldErrors errors;
      errors.Add("format", "must be EXPORT_FORMAT_CSV or EXPORT_FORMAT_JSON_LINES");
      service::ThrowIfInvalid(errors);
    }
    RequireBulkReader(caller.principal, options_.province);
    *position = Position{.format = request.format()};
  });
}

std::optional<std::string> EmployerExport::Next(Position& position) const {
  if (position.done) return std::nullopt;
  EmployerFilter filter;
  filter.division_prefix = options_.province;
  auto rows = db_.Read(
      [&](store::Tx& tx) { return RegistryStore::ListEmployers(tx, filter, position.after_id, options_.page_rows); });
  std::string part;
  const bool first = !position.started;
  if (first && position.format == v1::EXPORT_FORMAT_CSV) part = CsvHeader();
  position.started = true;
  for (const auto& stored : rows) {
    const v1::Employer e = Masked(stored);
    part += position.format == v1::EXPORT_FORMAT_CSV ? CsvRow(e) : JsonLine(e);
  }
  if (!rows.empty()) position.after_id = rows.back().id();
  position.done = static_cast<int>(rows.size()) < options_.page_rows;
  // Nothing after a full last page. The first part always goes, even empty,
  // so that an empty file still arrives with its content type.
  if (part.empty() && !first) return std::nullopt;
  return part;
}

}  // namespace osh::registry
