#include "projection_support.h"

#include <fmt/format.h>

#include <algorithm>

#include "osh/domain/civil_date.h"
#include "osh/domain/hazards.h"
#include "osh/domain/industries.h"
#include "osh/domain/regions.h"
#include "osh/domain/text.h"

namespace osh::reporting {

void CheckDivision(const std::string& division_code, const std::string& expected_province, const char* field) {
  if (auto bad = domain::DivisionCodeError(division_code)) {
    throw UndecodableEvent(fmt::format("{} '{}': {}", field, domain::Utf8Prefix(division_code, 16), *bad));
  }
  if (domain::ProvinceOfDivision(division_code) != expected_province) {
    throw UndecodableEvent(fmt::format("{} {} is not in province {}", field, division_code, expected_province));
  }
}

void CheckEmployerFacts(const ev::EmployerFacts& e, const std::string& source_province) {
  if (e.credit_code().empty()) throw UndecodableEvent("employer.credit_code is missing");
  CheckDivision(e.division_code(), source_province, "employer.division_code");
  if (domain::FindIndustrySection(e.industry_section()) == nullptr) {
    throw UndecodableEvent(fmt::format("employer.industry_section '{}' is not a GB/T 4754-2017 section letter",
                                       domain::Utf8Prefix(e.industry_section(), 8)));
  }
  if (e.total_workers() < 0) throw UndecodableEvent("employer.total_workers is negative");
}

MonthKey MonthOfEvent(const ReportingCalendar& calendar, const events::Event& event,
                      const google::protobuf::Timestamp& business_time) {
  if (business_time.seconds() > 0) return calendar.MonthAt(business_time);
  auto t = ParseRfc3339(event.time);
  if (!t) throw UndecodableEvent("ce_time '" + std::string(domain::Utf8Prefix(event.time, 40)) + "' is not RFC 3339");
  return calendar.MonthAt(*t);
}

MonthKey MonthOfDate(std::string_view date, const char* field) {
  if (!domain::IsCivilDate(date)) {
    throw UndecodableEvent(fmt::format("{} '{}' is not a YYYY-MM-DD date", field, domain::Utf8Prefix(date, 16)));
  }
  const int year = std::stoi(std::string(date.substr(0, 4)));
  const int month = std::stoi(std::string(date.substr(5, 2)));
  return MakeMonthKey(year, month);
}

MonthKey MonthWithinYear(int year, MonthKey recorded) {
  if (year == YearOf(recorded)) return recorded;
  return year < YearOf(recorded) ? MakeMonthKey(year, 12) : MakeMonthKey(year, 1);
}

std::vector<int> HazardCategoriesOf(const ev::EmployerFacts& e) {
  std::vector<int> out;
  for (int c : e.hazard_categories()) {
    if (domain::FindHazardCategory(static_cast<domain::HazardCategory>(c)) == nullptr) continue;
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void AddEverywhere(CellDeltas& deltas, const std::string& division_code, const std::string& industry_section,
                   const std::vector<int>& categories, MonthKey month, v1::Metric metric, int64_t value) {
  if (value == 0) return;
  AddDelta(deltas, {0, division_code, industry_section, month}, metric, value);
  for (int c : categories) AddDelta(deltas, {c, division_code, industry_section, month}, metric, value);
}

}  // namespace osh::reporting
