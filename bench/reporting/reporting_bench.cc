// osh-reporting-bench: builds the national rollups from synthetic registry
// events of the 31 mainland provinces, then times national queries over them.
//
//   osh-reporting-bench [--employers 1000000] [--batch 200000] [--cache-mib 512] [--apply-once-events 2000]
//                       [--dir DIR] [--keep]
//
// Two apply paths are measured:
// - bulk: the projector (the consumer's handler) applied to `batch` events per
//   store transaction with a `cache-mib` page cache on the writer — how a
//   backfill or rebuild would load; it skips the consumer's per-event
//   processed_events row;
// - apply_once: EventConsumer::ApplyOnce, one durable transaction (WAL,
//   synchronous=FULL) per event, exactly as the live consumer applies them.
// Query timings go through the Reporting business class (validation,
// authorisation, aggregation), without gRPC. Prints one JSON line per figure
// (bench/README.md).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "osh/domain/credit_code.h"
#include "osh/domain/regions.h"
#include "osh/events/consumer.h"
#include "osh/events/event.h"
#include "osh/events/v1/registry_events.pb.h"
#include "reporting.h"
#include "rollup_projector.h"
#include "rollup_store.h"

namespace {

namespace ev = osh::events::v1;
namespace v1 = osh::reporting::v1;
using Clock = std::chrono::steady_clock;

// SplitMix64: a fixed, fast hash so that employer i is the same in every run.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Synthetic registries of the 31 mainland provinces: ~96 counties in 12
// cities per province (16 districts in the municipalities), manufacturing
// about half the employers as in the field, registrations spread over 2023-2024.
class SyntheticNation {
 public:
  SyntheticNation() {
    for (const auto& p : osh::domain::MainlandProvinces()) provinces_.emplace_back(p);
  }

  std::string Province(uint64_t i) const { return std::string(provinces_[i % provinces_.size()].code); }

  std::string Division(const std::string& province, uint64_t h) const {
    const auto* p = osh::domain::FindProvince(province);
    if (p->municipality) return fmt::format("{}01{:02d}", province, 1 + h % 16);
    return fmt::format("{}{:02d}{:02d}", province, 1 + h % 12, 1 + (h / 12) % 8);
  }

  static std::string CreditCode(const std::string& division, uint64_t i) {
    const std::string first17 = fmt::format("91{}{:09d}", division, i % 1000000000);
    return first17 + *osh::domain::CreditCodeCheckCharacter(first17);
  }

  static std::string Industry(uint64_t h) {
    static const char* kSections[] = {"A", "B", "D", "E", "F", "G", "H", "I", "L", "M", "N", "O", "Q"};
    return h % 2 == 0 ? "C" : kSections[(h / 2) % 13];
  }

  // A day of 2023-2024 for the employer's first event; later events follow it.
  static std::chrono::system_clock::time_point Day(uint64_t h, int days_after) {
    using namespace std::chrono;
    const auto start = sys_days{year{2023} / January / day{1}} + hours(2);  // 10:00 in Beijing
    return start + days(static_cast<int>(h % 700) + days_after);
  }

  std::vector<osh::events::Event> EventsOf(uint64_t i) const {
    std::vector<osh::events::Event> out;
    const uint64_t h = Mix(i);
    const std::string province = Province(i);
    ev::EmployerFacts f;
    f.set_division_code(Division(province, h >> 8));
    f.set_credit_code(CreditCode(f.division_code(), i));
    f.set_employer_id(fmt::format("e{}", i));
    f.set_province(province);
    f.set_industry_section(Industry(h >> 20));
    f.set_size_class(static_cast<osh::common::v1::SizeClass>(1 + (h >> 28) % 4));
    f.set_total_workers(static_cast<int>(5 + (h >> 32) % 400));
    f.set_version(1);

    ev::EnterpriseRegistered registered;
    *registered.mutable_employer() = f;
    *registered.mutable_registered_time() = osh::reporting::ToTimestamp(Day(h, 0));
    out.push_back(osh::events::MakeEvent(registered, province, "registry", f.credit_code(), Day(h, 0)));

    const uint64_t fate = (h >> 40) % 1000;
    if (fate < 600) {  // declared and approved
      ev::DeclarationFacts d;
      d.set_declaration_id(fmt::format("d{}", i));
      d.set_declaration_type(1);
      const int exposed = static_cast<int>(1 + (h >> 48) % static_cast<uint64_t>(f.total_workers()));
      d.set_total_exposed_workers(exposed);
      auto* dust = d.add_exposures();
      dust->set_category(osh::common::v1::HAZARD_CATEGORY_DUST);
      dust->set_exposed_worker_rows(exposed);
      if (fate % 3 == 0) {
        auto* noise = d.add_exposures();
        noise->set_category(osh::common::v1::HAZARD_CATEGORY_PHYSICAL);
        noise->set_exposed_worker_rows(exposed);
      }
      f.set_version(2);
      *d.mutable_employer() = f;
      ev::DeclarationSubmitted submitted;
      *submitted.mutable_declaration() = d;
      *submitted.mutable_submit_time() = osh::reporting::ToTimestamp(Day(h, 10));
      out.push_back(osh::events::MakeEvent(submitted, province, "registry", f.credit_code(), Day(h, 10)));
      f.set_version(3);
      *d.mutable_employer() = f;
      ev::DeclarationApproved approved;
      *approved.mutable_declaration() = d;
      *approved.mutable_review_time() = osh::reporting::ToTimestamp(Day(h, 20));
      out.push_back(osh::events::MakeEvent(approved, province, "registry", f.credit_code(), Day(h, 20)));
    }
    if (fate >= 900) {  // an update: more workers, sometimes another county
      ev::EnterpriseUpdated updated;
      *updated.mutable_previous() = f;
      f.set_version(f.version() + 1);
      f.set_total_workers(f.total_workers() + 10);
      if (fate % 2 == 0) f.set_division_code(Division(province, (h >> 8) + 1));
      *updated.mutable_employer() = f;
      *updated.mutable_update_time() = osh::reporting::ToTimestamp(Day(h, 30));
      out.push_back(osh::events::MakeEvent(updated, province, "registry", f.credit_code(), Day(h, 30)));
    }
    if (fate >= 995) {  // a transfer to the next province, imported there
      const std::string to = Province(i + 1);
      ev::EnterpriseTransferred transferred;
      *transferred.mutable_employer() = f;
      transferred.set_from_province(province);
      transferred.set_to_province(to);
      transferred.set_to_division_code(Division(to, h >> 8));
      *transferred.mutable_transfer_time() = osh::reporting::ToTimestamp(Day(h, 40));
      out.push_back(osh::events::MakeEvent(transferred, province, "registry", f.credit_code(), Day(h, 40)));
      f.set_province(to);
      f.set_division_code(transferred.to_division_code());
      f.set_version(1);
      ev::EnterpriseRegistered imported;
      *imported.mutable_employer() = f;
      *imported.mutable_registered_time() = osh::reporting::ToTimestamp(Day(h, 41));
      out.push_back(osh::events::MakeEvent(imported, to, "registry", f.credit_code(), Day(h, 41)));
    }
    return out;
  }

 private:
  std::vector<osh::domain::Province> provinces_;
};

struct Args {
  uint64_t employers = 1'000'000;
  int batch = 200000;
  int apply_once_events = 2000;
  int cache_mib = 512;
  std::string dir;
  bool keep = false;
};

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(flag + " needs a value");
      return argv[++i];
    };
    if (flag == "--employers") {
      a.employers = std::stoull(value());
    } else if (flag == "--batch") {
      a.batch = std::stoi(value());
    } else if (flag == "--apply-once-events") {
      a.apply_once_events = std::stoi(value());
    } else if (flag == "--cache-mib") {
      a.cache_mib = std::stoi(value());
    } else if (flag == "--dir") {
      a.dir = value();
    } else if (flag == "--keep") {
      a.keep = true;
    } else {
      throw std::invalid_argument("unknown flag " + flag);
    }
  }
  if (a.batch < 1) throw std::invalid_argument("--batch must be positive");
  if (a.cache_mib < 2) throw std::invalid_argument("--cache-mib must be at least 2");
  return a;
}

// Runs a query `repeats` times; prints the median and fastest latency.
template <typename F>
void TimeQuery(const std::string& name, int repeats, F&& query) {
  std::vector<double> ms;
  int rows = 0;
  for (int r = 0; r < repeats; ++r) {
    const auto start = Clock::now();
    rows = query();
    ms.push_back(Seconds(Clock::now() - start) * 1000);
  }
  std::sort(ms.begin(), ms.end());
  std::cout << nlohmann::json{{"bench", "reporting.query." + name},
                              {"repeats", repeats},
                              {"rows", rows},
                              {"p50_ms", ms[ms.size() / 2]},
                              {"min_ms", ms.front()}}
                   .dump()
            << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  try {
    args = ParseArgs(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "osh-reporting-bench: " << e.what() << "\n";
    return 2;
  }
  const auto dir = args.dir.empty() ? std::filesystem::temp_directory_path() /
                                          fmt::format("osh-reporting-bench-{}", ::getpid())
                                    : std::filesystem::path(args.dir);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto db_path = dir / "reporting.db";
  auto db = osh::store::Database::Open({.path = db_path.string()}, osh::reporting::RollupStore::Migrations());
  const osh::reporting::RollupProjector projector;
  const SyntheticNation nation;

  // Bulk path. A bulk load gives the writer connection a large page cache
  // (the store's default is SQLite's 2 MiB): the facts and cells of a national
  // load are random-access B-trees of hundreds of MiB.
  db->Write([&](osh::store::Tx& tx) { tx.Exec(fmt::format("PRAGMA cache_size = -{}", args.cache_mib * 1024)); });
  uint64_t applied = 0;
  Clock::duration apply_time{};
  const auto wall_start = Clock::now();
  std::vector<osh::events::Event> batch;
  const auto flush = [&] {
    const auto start = Clock::now();
    db->Write([&](osh::store::Tx& tx) {
      for (const auto& e : batch) projector.Apply(tx, e);
    });
    apply_time += Clock::now() - start;
    applied += batch.size();
    batch.clear();
  };
  for (uint64_t i = 0; i < args.employers; ++i) {
    for (auto& e : nation.EventsOf(i)) batch.push_back(std::move(e));
    if (static_cast<int>(batch.size()) >= args.batch) flush();
  }
  if (!batch.empty()) flush();
  std::cout << nlohmann::json{{"bench", "reporting.apply_bulk"},
                              {"employers", args.employers},
                              {"events", applied},
                              {"batch", args.batch},
                              {"cache_mib", args.cache_mib},
                              {"seconds", Seconds(apply_time)},
                              {"rate_per_s", static_cast<double>(applied) / Seconds(apply_time)},
                              {"wall_seconds_with_generation", Seconds(Clock::now() - wall_start)}}
                   .dump()
            << std::endl;

  // Live path, on top of the national data, with the store's default cache.
  db->Write([](osh::store::Tx& tx) { tx.Exec("PRAGMA cache_size = -2000"); });
  const auto handler = projector.AsHandler();
  const auto once_start = Clock::now();
  int once = 0;
  for (uint64_t i = args.employers; once < args.apply_once_events; ++i) {
    for (const auto& e : nation.EventsOf(i)) {
      if (once >= args.apply_once_events) break;
      osh::events::EventConsumer::ApplyOnce(*db, handler, e);
      ++once;
    }
  }
  const double once_seconds = Seconds(Clock::now() - once_start);
  std::cout << nlohmann::json{{"bench", "reporting.apply_once"},
                              {"events", once},
                              {"seconds", once_seconds},
                              {"rate_per_s", once / once_seconds}}
                   .dump()
            << std::endl;

  const auto [facts, cells] = db->Read([](osh::store::Tx& tx) {
    auto s = tx.Prepare("SELECT COUNT(*) FROM rollup_cells");
    s.Step();
    return std::make_pair(osh::reporting::RollupStore::CountFacts(tx), s.Int(0));
  });
  std::cout << nlohmann::json{{"bench", "reporting.size"},
                              {"employer_facts", facts},
                              {"rollup_cells", cells},
                              {"db_bytes", std::filesystem::file_size(db_path)}}
                   .dump()
            << std::endl;

  osh::reporting::Reporting reporting(*db, osh::reporting::Reporting::Options());
  const osh::auth::Principal national{"bench", osh::auth::Role::kNationalAdmin, "", ""};
  const osh::reporting::Caller caller{&national, "bench"};
  const auto run = [&](const v1::RollupQuery& q) {
    v1::QueryRollupRequest req;
    *req.mutable_query() = q;
    req.set_page_size(1000);
    v1::QueryRollupResponse resp;
    auto status = reporting.QueryRollup(caller, req, &resp);
    if (!status.ok()) throw std::runtime_error(status.error_message());
    return resp.rows_size();
  };
  constexpr int kRepeats = 5;
  TimeQuery("country_total_all_metrics", kRepeats, [&] { return run(v1::RollupQuery()); });
  TimeQuery("by_province_all_metrics", kRepeats, [&] {
    v1::RollupQuery q;
    q.add_group_by(v1::DIMENSION_PROVINCE);
    return run(q);
  });
  TimeQuery("province_44_by_county_all_metrics", kRepeats, [&] {
    v1::RollupQuery q;
    q.set_region_prefix("44");
    q.add_group_by(v1::DIMENSION_COUNTY);
    return run(q);
  });
  TimeQuery("by_province_by_quarter_2024_registered", kRepeats, [&] {
    v1::RollupQuery q;
    q.mutable_period()->set_kind(v1::PERIOD_KIND_YEAR);
    q.mutable_period()->set_year(2024);
    q.add_group_by(v1::DIMENSION_PROVINCE);
    q.add_group_by(v1::DIMENSION_PERIOD);
    q.set_period_granularity(v1::PERIOD_KIND_QUARTER);
    q.add_metrics(v1::METRIC_REGISTERED_EMPLOYERS);
    q.add_metrics(v1::METRIC_REGISTRATIONS);
    return run(q);
  });
  TimeQuery("by_hazard_category_registered", kRepeats, [&] {
    v1::RollupQuery q;
    q.add_group_by(v1::DIMENSION_HAZARD_CATEGORY);
    q.add_metrics(v1::METRIC_REGISTERED_EMPLOYERS);
    q.add_metrics(v1::METRIC_EXPOSED_WORKERS);
    return run(q);
  });

  // The national total must equal the employers that exist (no double
  // counting across 1M employers, updates and transfers).
  v1::QueryRollupRequest total;
  total.mutable_query()->add_metrics(v1::METRIC_REGISTERED_EMPLOYERS);
  v1::QueryRollupResponse total_resp;
  (void)reporting.QueryRollup(caller, total, &total_resp);
  const int64_t counted = total_resp.rows_size() == 1 ? total_resp.rows(0).values(0).value() : 0;
  std::cout << nlohmann::json{{"bench", "reporting.check"},
                              {"registered_employers", counted},
                              {"employer_facts", facts},
                              {"consistent", counted == facts}}
                   .dump()
            << std::endl;

  db.reset();
  if (!args.keep) std::filesystem::remove_all(dir);
  return counted == facts ? 0 : 1;
}
