#pragma once

#include <google/protobuf/field_mask.pb.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "osh/core/errors.h"
#include "osh/registry/v1/registry.pb.h"

namespace osh::registry {

namespace v1 = ::osh::registry::v1;

// The columns of an employer import, by English and Chinese name (the table
// is documented in proto/osh/registry/v1/imports.proto), and how a row of
// text becomes an Employer.
class EmployerColumns {
 public:
  // The reason ParseJson gives a key that names no column.
  static constexpr char kNotAColumn[] = "is not a column of employers";

  // The column of each header name, in file order. Nullopt with *error
  // naming every unknown or repeated column, or a missing credit_code.
  static std::optional<EmployerColumns> FromHeader(const std::vector<std::string>& header, std::string* error);

  size_t size() const { return columns_.size(); }
  // English name of column i.
  const std::string& name(size_t i) const;

  // One data row: the employer (credit_code and the fields of the columns the
  // file has), the update mask (those fields, in proto names) and the row's
  // version column if it has one. Cells that are not a value of their field
  // (a count that is not a number, an unknown size class) are added to
  // *errors under the column's English name.
  struct Row {
    v1::Employer employer;
    google::protobuf::FieldMask mask;
    std::optional<int64_t> version;
  };
  Row Parse(const std::vector<std::string>& cells, core::FieldErrors& errors) const;
  // The same from a JSON object line's keys and values (strings, numbers, booleans).
  Row ParseJson(const std::string& line, core::FieldErrors& errors) const;

 private:
  std::vector<int> columns_;  // index into the column table
};

}  // namespace osh::registry
