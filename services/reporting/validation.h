#pragma once

#include <google/protobuf/repeated_ptr_field.h>

#include <span>
#include <string_view>
#include <vector>

#include "osh/core/errors.h"
#include "osh/reporting/v1/reporting.pb.h"
#include "osh/store/database.h"

namespace osh::reporting {

namespace v1 = ::osh::reporting::v1;

// A consistency rule of a report's figures: the sum of `parts` never exceeds
// `bound` (e.g. approved declarations ≤ registered employers). It is checked
// on the province's totals and on every city row. A metric joins the rules by
// adding a row to the table in validation.cc; nothing else changes.
struct ConsistencyRule {
  // Stable name: part of the finding ids clients explain findings by.
  std::string_view name;
  std::vector<v1::Metric> parts;
  v1::Metric bound;
  std::string_view description;
};

std::span<const ConsistencyRule> ConsistencyRules();

// The findings of a report's figures: every rule broken (province and city
// rows) and every province total that moved more than `outlier_share` from
// `previous_totals` (the year before; totals that were zero then are not
// outliers, there is no share to move by).
std::vector<v1::ValidationFinding> FindingsOf(const v1::AnnualReport& report,
                                              const std::vector<v1::MetricValue>& previous_totals,
                                              double outlier_share);

// The province's totals of the year before the report's, from the live
// rollups, and the findings of the report against them, into report.findings.
void AddValidationFindings(store::Tx& tx, v1::AnnualReport& report, double outlier_share);

// Every finding of `report` needs one non-blank explanation and every
// explanation must name a finding; violations name "explanations" and the
// finding id.
void CheckExplanations(const v1::AnnualReport& report,
                       const google::protobuf::RepeatedPtrField<v1::FindingExplanation>& explanations,
                       core::FieldErrors& errors);

}  // namespace osh::reporting
