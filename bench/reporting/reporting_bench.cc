// osh-reporting-bench: builds the national rollups from synthetic registry,
// supervision and training events of the 31 mainland provinces (2020-2024),
// then times national queries over them.
//
//   osh-reporting-bench [--employers 1000000] [--batch 200000] [--cache-mib 512] [--apply-once-events 2000]
//                       [--repeats 20] [--dir DIR] [--keep]
//
// Three write paths are measured:
// - bulk: the projector (the consumer's handler) applied to `batch` events per
//   store transaction with a `cache-mib` page cache on the writer — how a
//   backfill or rebuild would load; it skips the consumer's per-event
//   processed_events row;
// - floor: bare INSERTs into rollup_contributions of a second file with the
//   same schema, batch and pragmas, once with one row per event and once with
//   as many rows as the projector wrote: what SQLite alone costs, to compare
//   the projector with;
// - apply_once: EventConsumer::ApplyOnce, one durable transaction (WAL,
//   synchronous=FULL) per event, exactly as the live consumer applies them.
// Query timings go through the Reporting business class (validation,
// authorisation, aggregation), without gRPC. Prints one JSON line per figure
// (bench/README.md).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "osh/events/consumer.h"
#include "osh/events/event.h"
#include "reporting.h"
#include "rollup_projector.h"
#include "rollup_store.h"
#include "synthetic_nation.h"

namespace {

namespace v1 = osh::reporting::v1;
using Clock = std::chrono::steady_clock;
using osh::bench::SyntheticNation;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

struct Args {
  uint64_t employers = 1'000'000;
  int batch = 200000;
  int apply_once_events = 2000;
  int cache_mib = 512;
  int repeats = 20;
  std::string dir;
  bool keep = false;
  // false: only the one-row-per-event floor. The same-rows floor writes as
  // many rows as the projector (~9.6 per event); at 12 M employers that is
  // ~470 M inserts and a second file of tens of GB, longer than the load itself.
  bool same_rows_floor = true;
  // 0: load every employer. Otherwise the bulk load stops after the batch that
  // passes this many seconds of writing, and everything after it (floors,
  // sizes, queries) runs on the employers loaded by then: a bounded run at a
  // scale the machine cannot finish still yields its figures, named with the
  // employers actually reached.
  double bulk_seconds = 0;
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
    } else if (flag == "--repeats") {
      a.repeats = std::stoi(value());
    } else if (flag == "--dir") {
      a.dir = value();
    } else if (flag == "--keep") {
      a.keep = true;
    } else if (flag == "--bulk-seconds") {
      a.bulk_seconds = std::stod(value());
    } else if (flag == "--no-same-rows-floor") {
      a.same_rows_floor = false;
    } else {
      throw std::invalid_argument("unknown flag " + flag);
    }
  }
  if (a.batch < 1) throw std::invalid_argument("--batch must be positive");
  if (a.cache_mib < 2) throw std::invalid_argument("--cache-mib must be at least 2");
  if (a.repeats < 1) throw std::invalid_argument("--repeats must be positive");
  return a;
}

void Print(const nlohmann::json& line) { std::cout << line.dump() << std::endl; }

// Runs a query `repeats` times; prints the median, the 99th percentile
// (nearest rank: the slowest of fewer than 100 runs) and the fastest.
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
  const auto rank = [&](double q) { return ms[static_cast<size_t>(std::ceil(q * static_cast<double>(ms.size()))) - 1]; };
  Print({{"bench", "reporting.query." + name},
         {"repeats", repeats},
         {"rows", rows},
         {"p50_ms", rank(0.5)},
         {"p99_ms", rank(0.99)},
         {"min_ms", ms.front()}});
}

// Generates the events of employers [0, employers) and hands them to `write`
// `batch` at a time; returns the seconds spent in `write` (generation excluded).
// With `bulk_seconds` set it stops after the batch that passes it and sets
// `reached` to the employers whose events were all written; `progress` is
// called after each batch with (employers done, seconds spent).
template <typename W, typename P>
double InBatches(const SyntheticNation& nation, const Args& args, W&& write, uint64_t* reached, P&& progress) {
  Clock::duration spent{};
  std::vector<osh::events::Event> batch;
  const auto flush = [&] {
    const auto start = Clock::now();
    write(batch);
    spent += Clock::now() - start;
    batch.clear();
  };
  uint64_t i = 0;
  for (; i < args.employers; ++i) {
    for (auto& e : nation.EventsOf(i)) batch.push_back(std::move(e));
    if (static_cast<int>(batch.size()) >= args.batch) {
      flush();
      progress(i + 1, Seconds(spent));
      if (args.bulk_seconds > 0 && Seconds(spent) >= args.bulk_seconds) {
        ++i;
        break;
      }
    }
  }
  if (!batch.empty()) flush();
  if (reached != nullptr) *reached = i;
  return Seconds(spent);
}

template <typename W>
double InBatches(const SyntheticNation& nation, const Args& args, W&& write) {
  return InBatches(nation, args, std::forward<W>(write), nullptr, [](uint64_t, double) {});
}

// The floor: plain INSERTs into rollup_contributions (the lineage table, the
// projector's largest) of a second database with the same migrations, batch
// and cache, `rows` of them spread evenly over the events: for each, metric
// = its number within the event, hazard category 0, the county of the
// credit code, no industry, the event's month, credit code, event id, delta 1.
double FloorSeconds(const SyntheticNation& nation, const Args& args, const std::filesystem::path& path,
                    uint64_t events, uint64_t rows) {
  auto db = osh::store::Database::Open({.path = path.string()}, osh::reporting::RollupStore::Migrations());
  db->Write([&](osh::store::Tx& tx) { tx.Exec(fmt::format("PRAGMA cache_size = -{}", args.cache_mib * 1024)); });
  uint64_t seen = 0;
  uint64_t written = 0;
  const double seconds = InBatches(nation, args, [&](const std::vector<osh::events::Event>& batch) {
    db->Write([&](osh::store::Tx& tx) {
      for (const auto& e : batch) {
        ++seen;
        const int64_t month = std::stoll(e.time.substr(0, 4)) * 100 + std::stoll(e.time.substr(5, 2));
        for (int64_t metric = 1; written < rows * seen / events; ++metric, ++written) {
          tx.Prepare(
                "INSERT INTO rollup_contributions (metric, hazard_category, division_code, industry_section, month,"
                " credit_code, event_id, delta) VALUES (?, 0, ?, '', ?, ?, ?, 1)")
              .BindAll(metric, e.key.substr(2, 6), month, e.key, e.id)
              .Run();
        }
      }
    });
  });
  db.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return seconds;
}

// Rows inserted, updated or deleted so far by the writer connection.
int64_t RowWrites(osh::store::Database& db) {
  return db.Write([](osh::store::Tx& tx) {
    auto s = tx.Prepare("SELECT total_changes()");
    s.Step();
    return s.Int(0);
  });
}

int64_t Count(osh::store::Database& db, const std::string& table) {
  return db.Read([&](osh::store::Tx& tx) {
    auto s = tx.Prepare("SELECT COUNT(*) FROM " + table);
    s.Step();
    return s.Int(0);
  });
}

uintmax_t FileSize(const std::filesystem::path& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  return error ? 0 : size;
}

void TimeRollupQueries(osh::reporting::Reporting& reporting, const osh::reporting::Caller& caller, int repeats) {
  const auto run = [&](const v1::RollupQuery& q) {
    v1::QueryRollupRequest req;
    *req.mutable_query() = q;
    req.set_page_size(1000);
    v1::QueryRollupResponse resp;
    auto status = reporting.QueryRollup(caller, req, &resp);
    if (!status.ok()) throw std::runtime_error(status.error_message());
    return resp.rows_size();
  };
  TimeQuery("country_total_all_metrics", repeats, [&] { return run(v1::RollupQuery()); });
  TimeQuery("by_province_all_metrics", repeats, [&] {
    v1::RollupQuery q;
    q.add_group_by(v1::DIMENSION_PROVINCE);
    return run(q);
  });
  TimeQuery("province_44_by_county_all_metrics", repeats, [&] {
    v1::RollupQuery q;
    q.set_region_prefix("44");
    q.add_group_by(v1::DIMENSION_COUNTY);
    return run(q);
  });
  TimeQuery("by_province_by_quarter_2024_registered", repeats, [&] {
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
  TimeQuery("by_hazard_category_registered", repeats, [&] {
    v1::RollupQuery q;
    q.add_group_by(v1::DIMENSION_HAZARD_CATEGORY);
    q.add_metrics(v1::METRIC_REGISTERED_EMPLOYERS);
    q.add_metrics(v1::METRIC_EXPOSED_WORKERS);
    return run(q);
  });
}

// GetIndicators as a national_admin (all seven indicators, year-on-year
// change) and TraceRollupCell of a national cell, first page.
void TimeIndicatorQueries(osh::reporting::Reporting& reporting, const osh::reporting::Caller& caller, int repeats) {
  const auto indicators = [&](const std::string& region, int first_year, int last_year, v1::IndicatorGrouping by) {
    v1::GetIndicatorsRequest req;
    req.set_region_prefix(region);
    if (first_year == last_year) {
      req.set_year(first_year);
    } else {
      req.set_first_year(first_year);
      req.set_last_year(last_year);
    }
    req.set_group_by(by);
    req.set_page_size(1000);
    v1::GetIndicatorsResponse resp;
    auto status = reporting.GetIndicators(caller, req, &resp);
    if (!status.ok()) throw std::runtime_error("GetIndicators: " + status.error_message());
    return resp.rows_size();
  };
  TimeQuery("indicators_2024_by_province", repeats,
            [&] { return indicators("", 2024, 2024, v1::INDICATOR_GROUPING_REGION); });
  // GetIndicators groups one level below the region: a province by city, a city by county.
  TimeQuery("indicators_2024_province_44_by_city", repeats,
            [&] { return indicators("44", 2024, 2024, v1::INDICATOR_GROUPING_REGION); });
  TimeQuery("indicators_2024_city_4401_by_county", repeats,
            [&] { return indicators("4401", 2024, 2024, v1::INDICATOR_GROUPING_REGION); });
  TimeQuery("indicators_national_trend_2020_2024_by_year", repeats,
            [&] { return indicators("", 2020, 2024, v1::INDICATOR_GROUPING_YEAR); });
  const auto trace = [&](v1::Metric metric) {
    v1::TraceRollupCellRequest req;
    req.set_metric(metric);
    req.mutable_period()->set_kind(v1::PERIOD_KIND_YEAR);
    req.mutable_period()->set_year(2024);
    v1::TraceRollupCellResponse resp;
    auto status = reporting.TraceRollupCell(caller, req, &resp);
    if (!status.ok()) throw std::runtime_error("TraceRollupCell: " + status.error_message());
    if (resp.traced_total() != resp.cell_value()) throw std::runtime_error("trace total differs from the cell");
    return resp.contributor_count();
  };
  TimeQuery("trace_national_hazard_tests_2024_first_page", repeats, [&] { return trace(v1::METRIC_HAZARD_TESTS); });
  TimeQuery("trace_national_disease_cases_2024_first_page", repeats, [&] { return trace(v1::METRIC_DISEASE_CASES); });
}

// The national indicators of 2024 and the year before: what the synthetic
// facts add up to (plausible rates, every denominator non-zero).
void PrintNationalIndicators(osh::reporting::Reporting& reporting, const osh::reporting::Caller& caller) {
  v1::GetIndicatorsRequest req;
  req.set_year(2024);
  v1::GetIndicatorsResponse resp;
  auto status = reporting.GetIndicators(caller, req, &resp);
  if (!status.ok() || resp.rows_size() != 1) throw std::runtime_error("GetIndicators: " + status.error_message());
  nlohmann::json values = nlohmann::json::object();
  for (const auto& x : resp.rows(0).indicators()) {
    values[v1::Indicator_Name(x.indicator())] = {{"numerator", x.numerator()},
                                                  {"denominator", x.denominator()},
                                                  {"value", x.has_value() ? x.value() : -1},
                                                  {"previous_value", x.has_previous_value() ? x.previous_value() : -1}};
  }
  nlohmann::json cases = nlohmann::json::object();
  for (const auto& c : resp.rows(0).disease_cases()) cases[v1::Metric_Name(c.metric())] = c.value();
  Print({{"bench", "reporting.indicators_2024_national"}, {"indicators", values}, {"disease_cases", cases}});
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
  const int64_t writes_before = RowWrites(*db);
  std::map<std::string, uint64_t> by_type;
  const auto wall_start = Clock::now();
  uint64_t reached = 0;
  int batches = 0;
  double last_seconds = 0;
  uint64_t last_applied = 0;
  const double apply_seconds = InBatches(
      nation, args,
      [&](const std::vector<osh::events::Event>& batch) {
        db->Write([&](osh::store::Tx& tx) {
          for (const auto& e : batch) projector.Apply(tx, e);
        });
        applied += batch.size();
        for (const auto& e : batch) ++by_type[e.type.substr(e.type.rfind('.') + 1)];
      },
      &reached,
      // The catch-up curve: the rate falls as the B-trees outgrow the cache.
      [&](uint64_t employers_done, double seconds) {
        if (++batches % 10 != 0) return;
        Print({{"bench", "reporting.apply_progress"},
               {"employers", employers_done},
               {"events", applied},
               {"seconds", seconds},
               {"rate_per_s_since_last", static_cast<double>(applied - last_applied) / (seconds - last_seconds)},
               {"db_bytes", std::filesystem::file_size(db_path)}});
        last_seconds = seconds;
        last_applied = applied;
      });
  // Everything after the bulk load is about the employers it reached.
  const uint64_t asked = args.employers;
  args.employers = reached;
  const double apply_rate = static_cast<double>(applied) / apply_seconds;
  Print({{"bench", "reporting.apply_bulk"},
         {"employers", args.employers},
         {"employers_asked", asked},
         {"events", applied},
         {"events_per_employer", static_cast<double>(applied) / static_cast<double>(args.employers)},
         {"events_by_type", by_type},
         {"batch", args.batch},
         {"cache_mib", args.cache_mib},
         {"seconds", apply_seconds},
         {"rate_per_s", apply_rate},
         {"wall_seconds_with_generation", Seconds(Clock::now() - wall_start)}});

  const auto row_writes = static_cast<uint64_t>(RowWrites(*db) - writes_before);
  // Two floors: one row per event, and as many rows as the projector wrote.
  for (const auto& [name, rows] : {std::pair{"one_row_per_event", applied}, std::pair{"projector_row_writes", row_writes}}) {
    if (!args.same_rows_floor && std::string_view(name) == "projector_row_writes") continue;
    const double floor_seconds = FloorSeconds(nation, args, dir / "floor.db", applied, rows);
    const double floor_rate = static_cast<double>(applied) / floor_seconds;
    Print({{"bench", std::string("reporting.insert_floor.") + name},
           {"events", applied},
           {"rows", rows},
           {"projector_row_writes", row_writes},
           {"seconds", floor_seconds},
           {"rows_per_s", static_cast<double>(rows) / floor_seconds},
           {"events_per_s", floor_rate},
           {"projector_events_per_s", apply_rate},
           {"projector_over_floor", apply_rate / floor_rate}});
  }

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
  Print({{"bench", "reporting.apply_once"}, {"events", once}, {"seconds", once_seconds}, {"rate_per_s", once / once_seconds}});

  const int64_t facts = db->Read([](osh::store::Tx& tx) { return osh::reporting::RollupStore::CountFacts(tx); });
  Print({{"bench", "reporting.size"},
         {"employer_facts", facts},
         {"rollup_cells", Count(*db, "rollup_cells")},
         {"rollup_contributions", Count(*db, "rollup_contributions")},
         {"counted_occurrences", Count(*db, "counted_occurrences")},
         {"rectification_items", Count(*db, "rectification_items")},
         {"db_bytes", std::filesystem::file_size(db_path)},
         {"wal_bytes", FileSize(dir / "reporting.db-wal")}});

  osh::reporting::Reporting reporting(*db, osh::reporting::Reporting::Options());
  const osh::auth::Principal national{"bench", osh::auth::Role::kNationalAdmin, "", ""};
  const osh::reporting::Caller caller{&national, "bench"};
  PrintNationalIndicators(reporting, caller);
  TimeRollupQueries(reporting, caller, args.repeats);
  TimeIndicatorQueries(reporting, caller, args.repeats);

  // The national total must equal the employers that exist (no double
  // counting across updates and transfers).
  v1::QueryRollupRequest total;
  total.mutable_query()->add_metrics(v1::METRIC_REGISTERED_EMPLOYERS);
  v1::QueryRollupResponse total_resp;
  (void)reporting.QueryRollup(caller, total, &total_resp);
  const int64_t counted = total_resp.rows_size() == 1 ? total_resp.rows(0).values(0).value() : 0;
  Print({{"bench", "reporting.check"},
         {"registered_employers", counted},
         {"employer_facts", facts},
         {"consistent", counted == facts}});

  db.reset();
  if (!args.keep) std::filesystem::remove_all(dir);
  return counted == facts ? 0 : 1;
}
