#include "employer_columns.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cctype>
#include <cstdint>
#include <charconv>
#include <set>
#include <string_view>

#include "osh/domain/size_class.h"
#include "osh/domain/text.h"

namespace osh::registry {
namespace {

enum class Kind { kText, kCount, kBool, kSizeClass, kVersion };

struct Column {
  std::string english;
  std::string chinese;
  Kind kind;
};

// Proto field names in English; the Chinese names are those of the national
// declaration forms (职业病危害项目申报表) provincial systems export.
const std::array<Column, 17>& Table() {
  static const std::array<Column, 17> table = {{
      {"credit_code", "统一社会信用代码", Kind::kText},
      {"name", "单位名称", Kind::kText},
      {"division_code", "行政区划代码", Kind::kText},
      {"registered_address", "注册地址", Kind::kText},
      {"workplace_address", "作业场所地址", Kind::kText},
      {"industry_section", "行业门类", Kind::kText},
      {"industry_code", "行业代码", Kind::kText},
      {"size_class", "企业规模", Kind::kSizeClass},
      {"registration_type", "登记注册类型", Kind::kText},
      {"legal_representative", "法定代表人", Kind::kText},
      {"legal_representative_phone", "法定代表人电话", Kind::kText},
      {"has_osh_management_body", "设置职业卫生管理机构", Kind::kBool},
      {"osh_staff_full_time", "专职职业卫生管理人员数", Kind::kCount},
      {"osh_staff_part_time", "兼职职业卫生管理人员数", Kind::kCount},
      {"total_workers", "劳动者总数", Kind::kCount},
      {"cumulative_disease_cases", "累计职业病病例数", Kind::kCount},
      {"version", "版本", Kind::kVersion},
  }};
  return table;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::optional<int64_t> ParseInteger(const std::string& text) {
  int64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<common::v1::SizeClass> ParseSize(const std::string& text) {
  for (const auto& info : domain::AllSizeClasses()) {
    std::string upper(info.key);
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (text == info.key || text == upper || text == info.name_zh || text == "SIZE_CLASS_" + upper) {
      return static_cast<common::v1::SizeClass>(info.size_class);
    }
  }
  return std::nullopt;
}

void Set(v1::Employer& e, const Column& column, const std::string& raw, EmployerColumns::Row& row,
         core::FieldErrors& errors) {
  const std::string value = Trim(raw);
  const std::string& field = column.english;
  const auto* d = e.GetDescriptor()->FindFieldByName(field);
  const auto* r = e.GetReflection();
  switch (column.kind) {
    case Kind::kText:
      r->SetString(&e, d, value);
      break;
    case Kind::kCount: {
      const auto n = value.empty() ? std::optional<int64_t>(0) : ParseInteger(value);
      if (!n || *n < INT32_MIN || *n > INT32_MAX) {
        errors.Add(field, "'" + std::string(domain::Utf8Prefix(value, 32)) + "' is not a whole number");
      } else {
        r->SetInt32(&e, d, static_cast<int32_t>(*n));
      }
      break;
    }
    case Kind::kBool:
      if (value == "true" || value == "1" || value == "是" || value == "TRUE" || value == "有") {
        r->SetBool(&e, d, true);
      } else if (value.empty() || value == "false" || value == "0" || value == "否" || value == "FALSE" ||
                 value == "无") {
        r->SetBool(&e, d, false);
      } else {
        errors.Add(field, "'" + std::string(domain::Utf8Prefix(value, 32)) + "' is not true/false (是/否)");
      }
      break;
    case Kind::kSizeClass:
      if (value.empty()) {
        e.set_size_class(common::v1::SIZE_CLASS_UNSPECIFIED);
      } else if (auto size = ParseSize(value)) {
        e.set_size_class(*size);
      } else {
        errors.Add(field, "'" + std::string(domain::Utf8Prefix(value, 32)) +
                              "' is not a size class (LARGE, MEDIUM, SMALL, MICRO or 大型, 中型, 小型, 微型)");
      }
      break;
    case Kind::kVersion:
      if (value.empty()) break;
      if (auto n = ParseInteger(value); n && *n > 0) {
        row.version = *n;
      } else {
        errors.Add(field, "'" + std::string(domain::Utf8Prefix(value, 32)) + "' is not a version (1, 2, ...)");
      }
      return;  // not an employer field
  }
  if (field != "credit_code") row.mask.add_paths(field);
}

}  // namespace

std::optional<EmployerColumns> EmployerColumns::FromHeader(const std::vector<std::string>& header,
                                                           std::string* error) {
  EmployerColumns columns;
  std::string unknown, repeated;
  std::set<int> seen;
  for (const auto& raw : header) {
    std::string name = Trim(raw);
    if (name.rfind("\xEF\xBB\xBF", 0) == 0) name.erase(0, 3);
    int found = -1;
    for (size_t i = 0; i < Table().size(); ++i) {
      if (Table()[i].english == name || Table()[i].chinese == name) found = static_cast<int>(i);
    }
    const std::string shown = "'" + std::string(domain::Utf8Prefix(name, 40)) + "'";
    if (found < 0) {
      unknown += (unknown.empty() ? "" : ", ") + shown;
    } else if (!seen.insert(found).second) {
      repeated += (repeated.empty() ? "" : ", ") + shown;
    }
    columns.columns_.push_back(found);
  }
  if (!unknown.empty()) {
    *error = "unknown columns " + unknown + " (imports.proto lists the columns, in English or Chinese)";
  } else if (!repeated.empty()) {
    *error = "columns given twice: " + repeated;
  } else if (seen.count(0) == 0) {
    *error = "the column credit_code (统一社会信用代码) is required";
  } else {
    return columns;
  }
  return std::nullopt;
}

const std::string& EmployerColumns::name(size_t i) const { return Table()[static_cast<size_t>(columns_[i])].english; }

EmployerColumns::Row EmployerColumns::Parse(const std::vector<std::string>& cells, core::FieldErrors& errors) const {
  Row row;
  if (cells.size() != columns_.size()) {
    errors.Add("", "the row has " + std::to_string(cells.size()) + " fields, the header " +
                       std::to_string(columns_.size()));
    return row;
  }
  for (size_t i = 0; i < cells.size(); ++i) {
    Set(row.employer, Table()[static_cast<size_t>(columns_[i])], cells[i], row, errors);
  }
  return row;
}

EmployerColumns::Row EmployerColumns::ParseJson(const std::string& line, core::FieldErrors& errors) const {
  Row row;
  const auto object = nlohmann::json::parse(line, nullptr, false);
  if (!object.is_object()) {
    errors.Add("", "the line is not a JSON object");
    return row;
  }
  for (const auto& [key, value] : object.items()) {
    const Column* column = nullptr;
    for (const auto& c : Table()) {
      if (c.english == key || c.chinese == key) column = &c;
    }
    if (column == nullptr) {
      errors.Add(std::string(domain::Utf8Prefix(key, 40)), kNotAColumn);
      continue;
    }
    std::string text;
    if (value.is_string()) {
      text = value.get<std::string>();
    } else if (value.is_boolean()) {
      text = value.get<bool>() ? "true" : "false";
    } else if (value.is_number_integer()) {
      text = std::to_string(value.get<int64_t>());
    } else if (!value.is_null()) {
      errors.Add(column->english, "must be a string, a whole number or true/false");
      continue;
    }
    Set(row.employer, *column, text, row, errors);
  }
  return row;
}

}  // namespace osh::registry
