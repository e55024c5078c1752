// Supervision queries over a province-sized registry: N synthetic employers
// (half with an approved declaration, a tenth inspected with rectification
// items, some overdue, a third with a hazard test), then the queries an
// inspector's desk runs, timed through the same business layer the gRPC
// service calls. Prints JSON lines (bench/README.md) and the store's size.
//
// Usage: osh-supervision-bench <dir> [employers=100000]
#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <random>

#include "osh/auth/principal.h"
#include "osh/core/ids.h"
#include "osh/domain/credit_code.h"
#include "registry_store.h"
#include "supervision.h"
#include "supervision_store.h"

namespace reg = osh::registry;
namespace v1 = osh::registry::v1;
using Clock = std::chrono::steady_clock;

namespace {

std::string CreditCode(const std::string& division, int serial) {
  const std::string first17 = fmt::format("91{}{:09d}", division, serial);
  return first17 + *osh::domain::CreditCodeCheckCharacter(first17);
}

// Seeds in large transactions: setting up is not what is measured.
void Seed(osh::store::Database& db, reg::Supervision& supervision, int employers) {
  static const char* kDivisions[] = {"440103", "440305", "440604", "441900", "442000", "440703", "445102", "441302"};
  static const char* kFactors[] = {"D001", "D006", "P001", "C002", "C003", "P002", "D013", "C001"};
  const std::string today = supervision.Today();
  std::mt19937 rng(42);
  const auto now = std::chrono::system_clock::now();
  constexpr int kBatch = 5000;
  for (int start = 0; start < employers; start += kBatch) {
    db.Write([&](osh::store::Tx& tx) {
      for (int i = start; i < std::min(employers, start + kBatch); ++i) {
        const std::string division = kDivisions[i % 8];
        v1::Employer e;
        e.set_id(osh::core::NewUuidV7(now + std::chrono::microseconds(i)));
        e.set_credit_code(CreditCode(division, i + 1));
        e.set_name(fmt::format("合成企业{}有限公司", i));
        e.set_division_code(division);
        e.set_province("44");
        e.set_industry_section("C");
        e.set_size_class(static_cast<osh::common::v1::SizeClass>(1 + i % 4));
        e.set_total_workers(20 + static_cast<int>(rng() % 400));
        e.set_status(v1::EMPLOYER_STATUS_ACTIVE);
        e.set_version(1);
        if (i % 2 == 0) e.set_declaration_status(v1::DECLARATION_STATUS_APPROVED);
        reg::RegistryStore::InsertEmployer(tx, e);
        if (i % 2 == 0) {
          v1::Declaration d;
          d.set_id(osh::core::NewUuidV7(now + std::chrono::microseconds(i)));
          d.set_employer_id(e.id());
          d.set_credit_code(e.credit_code());
          d.set_province("44");
          d.set_status(v1::DECLARATION_STATUS_APPROVED);
          for (int k = 0; k < 2; ++k) {
            auto* x = d.add_exposures();
            x->set_factor_code(kFactors[(i / 2 + k * 3) % 8]);
            x->set_exposed_workers(1 + static_cast<int>(rng() % 60));
          }
          reg::RegistryStore::InsertDeclaration(tx, d);
        }
        if (i % 10 == 0) {
          for (int k = 0; k < 2; ++k) {
            v1::RectificationItem item;
            item.set_id(osh::core::NewUuidV7(now + std::chrono::microseconds(i * 2 + k)));
            item.set_inspection_id("synthetic");
            item.set_employer_id(e.id());
            item.set_division_code(division);
            item.set_description("合成整改项");
            // Deadlines from 60 days ago to 60 days ahead: about half overdue.
            const int offset = static_cast<int>(rng() % 121) - 60;
            const auto day = std::chrono::floor<std::chrono::days>(now + std::chrono::hours(8)) +
                             std::chrono::days(offset);
            const std::chrono::year_month_day ymd{day};
            item.set_deadline(fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(ymd.year()),
                                          static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day())));
            item.set_status(k == 0 ? v1::RECTIFICATION_STATUS_OPEN : v1::RECTIFICATION_STATUS_CLOSED);
            item.set_version(1);
            reg::SupervisionStore::InsertItem(tx, item);
          }
        }
        if (i % 3 == 0) {
          v1::HazardTest test;
          test.set_id(osh::core::NewUuidV7(now + std::chrono::microseconds(i)));
          test.set_employer_id(e.id());
          test.set_division_code(division);
          test.set_tested_on(i % 9 == 0 ? "2024-06-01" : today);
          auto* r = test.add_results();
          r->set_factor_code(kFactors[i % 8]);
          r->set_measured_value(static_cast<double>(rng() % 200) / 100.0);
          r->set_exposure_limit(1.0);
          r->set_exceeded(r->measured_value() > r->exposure_limit());
          test.set_exceedances(r->exceeded() ? 1 : 0);
          reg::SupervisionStore::InsertHazardTest(tx, test);
        }
      }
    });
  }
}

void Check(const grpc::Status& status) {
  if (!status.ok()) {
    std::cerr << "call failed: " << status.error_message() << "\n";
    std::exit(1);
  }
}

template <typename F>
double Millis(F&& f) {
  const auto start = Clock::now();
  f();
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

void Print(const std::string& scenario, double ms, nlohmann::json extra = nlohmann::json::object()) {
  extra["bench"] = "registry.supervision." + scenario;
  extra["ms"] = std::round(ms * 100) / 100;
  std::cout << extra.dump() << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: osh-supervision-bench <dir> [employers=100000]\n";
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  const int employers = argc > 2 ? std::stoi(argv[2]) : 100000;
  std::filesystem::create_directories(dir);
  const auto path = dir / "registry.db";
  std::filesystem::remove(path);
  auto db = osh::store::Database::Open({.path = path.string(), .read_connections = 2}, reg::RegistryStore::Migrations());
  reg::Supervision supervision(*db, reg::Supervision::Options{.province = "44", .max_page_size = 500});

  const double seed_ms = Millis([&] { Seed(*db, supervision, employers); });
  Print("seed", seed_ms, {{"employers", employers}});

  osh::auth::Principal inspector{"bench-inspector", osh::auth::Role::kInspector, "44", ""};
  const osh::service::Caller caller{&inspector, "bench"};

  // Overdue items of the province: first page, then every page.
  {
    v1::ListRectificationsRequest req;
    req.set_overdue_only(true);
    req.set_page_size(500);
    v1::ListRectificationsResponse resp;
    const double first = Millis([&] { Check(supervision.ListRectifications(caller, req, &resp)); });
    Print("overdue_first_page", first, {{"rows", resp.items_size()}});
    int total = 0, pages = 0;
    const double all = Millis([&] {
      req.clear_page_token();
      while (true) {
        resp.Clear();
        Check(supervision.ListRectifications(caller, req, &resp));
        total += resp.items_size();
        ++pages;
        if (resp.next_page_token().empty()) break;
        req.set_page_token(resp.next_page_token());
      }
    });
    Print("overdue_all_pages", all, {{"rows", total}, {"pages", pages}});
    req.clear_page_token();
    req.set_division_prefix("4401");
    resp.Clear();
    const double city = Millis([&] { Check(supervision.ListRectifications(caller, req, &resp)); });
    Print("overdue_one_city_first_page", city, {{"rows", resp.items_size()}});
  }
  // Risk classes: one employer, a page, and the whole province's summary.
  {
    v1::ListRiskClassificationsRequest req;
    req.set_page_size(500);
    v1::ListRiskClassificationsResponse resp;
    const double page = Millis([&] { Check(supervision.ListRiskClassifications(caller, req, &resp)); });
    Print("risk_page_of_500", page, {{"rows", resp.classifications_size()}});
    const std::string one = resp.classifications(0).employer_id();
    v1::RiskClassification c;
    v1::GetRiskClassificationRequest get;
    get.set_employer_id(one);
    const int n = 1000;
    const double single = Millis([&] {
      for (int i = 0; i < n; ++i) Check(supervision.GetRiskClassification(caller, get, &c));
    });
    Print("risk_one_employer", single / n);
    req.set_include_summary(true);
    req.set_page_size(1);
    resp.Clear();
    const double summary = Millis([&] { Check(supervision.ListRiskClassifications(caller, req, &resp)); });
    nlohmann::json cells = nlohmann::json::object();
    int total = 0;
    for (const auto& cell : resp.summary()) {
      cells[fmt::format("{}/{}", v1::HazardRiskClass_Name(cell.hazard_class()).substr(18),
                        v1::ManagementGrade_Name(cell.management_grade()).substr(17))] = cell.employers();
      total += cell.employers();
    }
    Print("risk_province_summary", summary, {{"employers", total}, {"cells", cells}});
  }
  db.reset();
  uintmax_t bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("registry.db", 0) == 0) bytes += entry.file_size();
  }
  std::cout << nlohmann::json{{"bench", "registry.supervision.store_size"}, {"employers", employers},
                              {"value_mib", std::round(static_cast<double>(bytes) / 1048576.0 * 10) / 10}}
                   .dump()
            << std::endl;
  return 0;
}
