// osh-pipeline-lag: end-to-end time from an acknowledged registry write to the
// national rollup that shows it (registry → outbox → relay → Kafka → reporting
// consumer → rollup → query), at a steady write rate; or, with --mode drain, the
// rate at which a reporting consumer catches up with events already in Kafka.
//
//   osh-pipeline-lag --registry H:P --reporting H:P --token-file F --province 44 --rate 50 --seconds 20
//   osh-pipeline-lag --reporting H:P --token-file F --province 44 --mode drain --expect N
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "../loadgen/synthetic.h"
#include "osh/registry/v1/registry.grpc.pb.h"
#include "osh/reporting/v1/reporting.grpc.pb.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace reg = osh::registry::v1;
namespace rep = osh::reporting::v1;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  return s;
}

// Registered employers of the province as the rollup shows them now.
int64_t RegisteredNow(rep::ReportingService::Stub& stub, const std::string& token, const std::string& province) {
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + token);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  rep::QueryRollupRequest req;
  req.mutable_query()->set_region_prefix(province);
  req.mutable_query()->add_metrics(rep::METRIC_REGISTERED_EMPLOYERS);
  rep::QueryRollupResponse resp;
  if (!stub.QueryRollup(&ctx, req, &resp).ok() || resp.rows_size() == 0 || resp.rows(0).values_size() == 0) return 0;
  return resp.rows(0).values(0).value();
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5))];
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> f = {{"mode", "lag"}, {"rate", "50"}, {"seconds", "20"}, {"province", "44"},
                                          {"expect", "0"}, {"start-index", "0"}};
  for (int i = 1; i + 1 < argc; i += 2) f[std::string(argv[i]).substr(2)] = argv[i + 1];
  const std::string token = ReadFile(f["token-file"]);
  auto reporting = rep::ReportingService::NewStub(grpc::CreateChannel(f["reporting"], grpc::InsecureChannelCredentials()));

  if (f["mode"] == "drain") {
    const int64_t expect = std::stoll(f["expect"]);
    const auto start = Clock::now();
    int64_t seen = 0;
    while ((seen = RegisteredNow(*reporting, token, f["province"])) < expect &&
           Clock::now() - start < std::chrono::minutes(5)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::cout << nlohmann::json{{"bench", "reporting.consumer_drain"}, {"events", seen}, {"seconds", seconds},
                                {"rate_per_s", std::round(static_cast<double>(seen) / seconds)}}
                     .dump()
              << std::endl;
    return seen >= expect ? 0 : 1;
  }

  auto registry = reg::RegistryService::NewStub(grpc::CreateChannel(f["registry"], grpc::InsecureChannelCredentials()));
  osh::bench::SyntheticRegistry synthetic(f["province"]);
  const int64_t baseline = RegisteredNow(*reporting, token, f["province"]);
  const double rate = std::stod(f["rate"]);
  const auto total = static_cast<size_t>(rate * std::stod(f["seconds"]));
  const uint64_t first_index = std::stoull(f["start-index"]);

  std::vector<Clock::time_point> acked(total);
  std::atomic<size_t> written{0};
  std::vector<double> lag_ms(total, -1);
  std::atomic<bool> writing{true};

  std::thread poller([&] {
    size_t seen = 0;
    while (seen < total) {
      const int64_t shown = RegisteredNow(*reporting, token, f["province"]) - baseline;
      const auto now = Clock::now();
      const size_t acked_so_far = written.load();
      while (seen < static_cast<size_t>(std::max<int64_t>(0, shown)) && seen < acked_so_far) {
        lag_ms[seen] = std::chrono::duration<double, std::milli>(now - acked[seen]).count();
        ++seen;
      }
      if (!writing && now - acked[acked_so_far - 1] > std::chrono::seconds(60)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });

  const auto interval = std::chrono::duration<double>(1.0 / rate);
  const auto start = Clock::now();
  size_t failed = 0;
  for (size_t i = 0; i < total; ++i) {
    std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(i)));
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    reg::CreateEmployerRequest req;
    *req.mutable_employer() = synthetic.Employer(first_index + i);
    reg::Employer resp;
    if (!registry->CreateEmployer(&ctx, req, &resp).ok()) {
      ++failed;
      continue;
    }
    acked[written.load()] = Clock::now();
    written.fetch_add(1);
  }
  writing = false;
  poller.join();
  std::vector<double> lags;
  for (size_t i = 0; i < written.load(); ++i) {
    if (lag_ms[i] >= 0) lags.push_back(lag_ms[i]);
  }
  std::cout << nlohmann::json{{"bench", "pipeline.write_to_rollup_lag"},
                              {"rate_per_s", rate},
                              {"writes", written.load()},
                              {"failed_writes", failed},
                              {"seen_in_rollup", lags.size()},
                              {"p50_ms", std::round(Percentile(lags, 50) * 10) / 10},
                              {"p99_ms", std::round(Percentile(lags, 99) * 10) / 10},
                              {"max_ms", std::round(Percentile(lags, 100) * 10) / 10}}
                   .dump()
            << std::endl;
  return lags.size() == written.load() && failed == 0 ? 0 : 1;
}
