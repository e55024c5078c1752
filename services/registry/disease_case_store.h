#pragma once

#include <optional>
#include <string>
#include <vector>

#include "osh/registry/v1/supervision.pb.h"
#include "osh/store/database.h"

namespace osh::registry {

namespace v1 = ::osh::registry::v1;

// The occupational-disease case reports of the registry's SQLite file: the
// report whole (protobuf) beside the columns lists filter on, and one row per
// disease so category totals sum in SQL.
class DiseaseCaseStore {
 public:
  static store::Migration Migration(int version);

  // `credit_code`: the employer's, so an employer's own reports can be listed.
  static void Insert(store::Tx& tx, const v1::DiseaseCaseReport& report, const std::string& credit_code);
  static std::optional<v1::DiseaseCaseReport> Find(store::Tx& tx, const std::string& id);

  struct Filter {
    std::string division_prefix;
    std::string employer_id;
    int year = 0;
    std::string reporter_org;  // set for institutions: the reports they filed
    std::string credit_code;   // set for employers: their own reports
  };
  // Newest diagnosis first; position "<diagnosed_on>/<id>", rows before `after`.
  static std::vector<std::pair<std::string, v1::DiseaseCaseReport>> List(store::Tx& tx, const Filter& filter,
                                                                          const std::string& after, int limit);
  // Cases per edition and category over every report matching `filter`.
  static std::vector<v1::DiseaseCategoryTotal> CategoryTotals(store::Tx& tx, const Filter& filter);
};

}  // namespace osh::registry
