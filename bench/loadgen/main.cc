// osh-loadgen: seeds a registry (and the training service) with synthetic
// demo data, and drives them over gRPC (callback API, closed loop) to measure
// throughput and latency.
//
//   osh-loadgen seed  --target 127.0.0.1:7101 --token-file T --province 44 --employers 300
//   osh-loadgen bench --target 127.0.0.1:7101 --token-file T --province 44 --mode create --concurrency 16
//   osh-loadgen seed-training --target 127.0.0.1:7108 --token-file T
//   osh-loadgen seed-supervision --target 127.0.0.1:7101 --token-file T --province 44
//   osh-loadgen bench --service training --target 127.0.0.1:7108 --token-file T --secret-file S --mode enroll
//
// Results are printed as one JSON line per scenario (see bench/README.md).
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "closed_loop.h"
#include "osh/registry/v1/registry.grpc.pb.h"
#include "learning_seed.h"
#include "supervision_seed.h"
#include "synthetic.h"
#include "training_load.h"

namespace {

namespace v1 = osh::registry::v1;
using osh::bench::LoadResult;
using osh::bench::Summary;

struct Options {
  std::string command;
  std::map<std::string, std::string> flags;
  std::string Get(const std::string& k, const std::string& def = "") const {
    auto it = flags.find(k);
    return it == flags.end() ? def : it->second;
  }
  long Int(const std::string& k, long def) const { return flags.count(k) ? std::stol(flags.at(k)) : def; }
};

std::string ReadToken(const Options& o) {
  if (auto t = o.Get("token"); !t.empty()) return t;
  if (auto f = o.Get("token-file"); !f.empty()) {
    std::ifstream in(f);
    std::string token;
    std::getline(in, token);
    return token;
  }
  if (const char* env = std::getenv("OSH_TOKEN")) return env;
  return "";
}

// One in-flight unary call; deletes itself when it completes.
template <typename Request, typename Response>
struct Call {
  grpc::ClientContext context;
  Request request;
  Response response;
};

class Client {
 public:
  Client(const std::string& target, std::string token)
      : stub_(v1::RegistryService::NewStub(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()))),
        token_(std::move(token)) {}

  // `start(async_stub, context, request, response, callback)` names the method;
  // a lambda, because the generated async methods are overloaded.
  template <typename Request, typename Response, typename Start>
  void Unary(Start start, Request request, std::function<void(grpc::Status, Response&)> done) {
    auto* call = new Call<Request, Response>();
    call->request = std::move(request);
    call->context.AddMetadata("authorization", "Bearer " + token_);
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    start(stub_->async(), &call->context, &call->request, &call->response,
          [call, done = std::move(done)](grpc::Status status) {
            done(status, call->response);
            delete call;
          });
  }

 private:
  std::unique_ptr<v1::RegistryService::Stub> stub_;
  std::string token_;
};

using Done = std::function<void(bool, const std::string&)>;

void CreateEmployer(Client& client, const v1::Employer& e, const std::string& request_id,
                    std::function<void(grpc::Status, v1::Employer&)> then) {
  v1::CreateEmployerRequest req;
  *req.mutable_employer() = e;
  req.set_request_id(request_id);
  client.Unary<v1::CreateEmployerRequest, v1::Employer>([](auto* stub, auto... args) { stub->CreateEmployer(args...); },
                                                        std::move(req), std::move(then));
}

int Seed(const Options& o) {
  Client client(o.Get("target", "127.0.0.1:7101"), ReadToken(o));
  osh::bench::SyntheticRegistry synthetic(o.Get("province", "44"));
  const long employers = o.Int("employers", 300);
  const long declare_every = o.Int("declare-every", 2);
  // Create → (every k-th) submit declaration → approve, chained in callbacks.
  auto issue = [&](uint64_t n, Done done) {
    const auto e = synthetic.Employer(n);
    CreateEmployer(client, e, fmt::format("seed-employer-{}", n), [&, n, done](grpc::Status s, v1::Employer& created) {
      if (!s.ok()) return done(false, s.error_message());
      if (declare_every <= 0 || n % static_cast<uint64_t>(declare_every) != 0) return done(true, "");
      v1::SubmitDeclarationRequest submit;
      submit.set_employer_id(created.id());
      *submit.mutable_declaration() = synthetic.Declaration(n, created.total_workers());
      submit.set_request_id(fmt::format("seed-declaration-{}", n));
      client.Unary<v1::SubmitDeclarationRequest, v1::Declaration>(
          [](auto* stub, auto... args) { stub->SubmitDeclaration(args...); }, std::move(submit),
          [&, n, done](grpc::Status s2, v1::Declaration& d) {
            if (!s2.ok()) return done(false, s2.error_message());
            v1::ReviewDeclarationRequest review;
            review.set_id(d.id());
            review.set_approve(n % 10 != 0);  // one in ten is sent back for correction
            if (!review.approve()) review.set_reason("接触人数与检测报告不一致，请核实后重报");
            review.set_request_id(fmt::format("seed-review-{}", n));
            client.Unary<v1::ReviewDeclarationRequest, v1::Declaration>(
                [](auto* stub, auto... args) { stub->ReviewDeclaration(args...); }, std::move(review),
                [done](grpc::Status s3, v1::Declaration&) { done(s3.ok(), s3.error_message()); });
          });
    });
  };
  auto result = osh::bench::RunClosedLoop(static_cast<int>(o.Int("concurrency", 8)), std::chrono::hours(1),
                                          static_cast<uint64_t>(employers), issue);
  std::cout << Summary("registry.seed", static_cast<int>(o.Int("concurrency", 8)), result).dump() << std::endl;
  return result.failed == 0 ? 0 : 1;
}

int Bench(const Options& o) {
  Client client(o.Get("target", "127.0.0.1:7101"), ReadToken(o));
  osh::bench::SyntheticRegistry synthetic(o.Get("province", "44"));
  const int concurrency = static_cast<int>(o.Int("concurrency", 16));
  const auto duration = std::chrono::milliseconds(o.Int("duration-ms", 10000));
  const std::string mode = o.Get("mode", "create");
  // Fresh indexes per run so creates never collide with earlier runs.
  const uint64_t base = static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) %
                        900'000'000ULL / 1000 * 1000;

  if (mode == "create") {
    auto issue = [&](uint64_t n, Done done) {
      CreateEmployer(client, synthetic.Employer(base + n), "",
                     [done](grpc::Status s, v1::Employer&) { done(s.ok(), s.error_message()); });
    };
    auto r = osh::bench::RunClosedLoop(concurrency, duration, UINT64_MAX, issue);
    std::cout << Summary("registry.create", concurrency, r).dump() << std::endl;
    return r.failed == 0 ? 0 : 1;
  }
  if (mode == "get") {
    // A pool of employers to read, created first (not timed).
    const long pool_size = o.Int("pool", 1000);
    std::vector<std::string> ids(static_cast<size_t>(pool_size));
    auto fill = [&](uint64_t n, Done done) {
      CreateEmployer(client, synthetic.Employer(base + n), "", [&, n, done](grpc::Status s, v1::Employer& e) {
        if (s.ok()) ids[n] = e.id();
        done(s.ok(), s.error_message());
      });
    };
    auto filled = osh::bench::RunClosedLoop(concurrency, std::chrono::hours(1), static_cast<uint64_t>(pool_size), fill);
    if (filled.failed > 0) {
      std::cerr << "could not create the pool: " << filled.first_error << "\n";
      return 1;
    }
    auto issue = [&](uint64_t n, Done done) {
      v1::GetEmployerRequest req;
      req.set_id(ids[(n * 2654435761ULL) % ids.size()]);
      client.Unary<v1::GetEmployerRequest, v1::Employer>([](auto* stub, auto... args) { stub->GetEmployer(args...); },
                                                         std::move(req),
                                                         [done](grpc::Status s, v1::Employer&) { done(s.ok(), s.error_message()); });
    };
    auto r = osh::bench::RunClosedLoop(concurrency, duration, UINT64_MAX, issue);
    std::cout << Summary("registry.get", concurrency, r).dump() << std::endl;
    return r.failed == 0 ? 0 : 1;
  }
  std::cerr << "unknown --mode " << mode << " (create or get)\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc < 2 ? "" : argv[1];
  if (command != "seed" && command != "bench" && command != "seed-training" && command != "seed-supervision" &&
      command != "seed-learning") {
    std::cerr << "usage: osh-loadgen seed|bench|seed-training|seed-supervision --target HOST:PORT (--token T | --token-file F) [--province NN]\n"
                 "  seed:  --employers N --declare-every K --concurrency C\n"
                 "  bench: --mode create|get --concurrency C --duration-ms MS [--pool N]\n"
                 "  seed-training: publishes the demo courses (a province_admin token)\n"
                 "  seed-supervision: supervision facts for the registry's employers (a province_admin token)\n"
                 "  seed-learning: course completions of principals and OSH managers, literacy surveys\n"
                 "                 (--registry HOST:PORT --secret-file F; a province_admin token)\n"
                 "  bench --service training: --mode enroll|submit-quiz --secret-file S (mints learner tokens)\n"
                 "        [--learners N] [--courses N] --concurrency C --duration-ms MS\n";
    return 2;
  }
  Options o;
  o.command = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (!a.starts_with("--")) {
      std::cerr << "unexpected argument " << a << "\n";
      return 2;
    }
    auto eq = a.find('=');
    if (eq != std::string::npos) {
      o.flags[a.substr(2, eq - 2)] = a.substr(eq + 1);
    } else if (i + 1 < argc) {
      o.flags[a.substr(2)] = argv[++i];
    } else {
      std::cerr << "flag " << a << " needs a value\n";
      return 2;
    }
  }
  if (ReadToken(o).empty()) {
    std::cerr << "no token: give --token, --token-file or OSH_TOKEN\n";
    return 2;
  }
  if (o.command == "seed-supervision") return osh::bench::SeedSupervision(o.flags, ReadToken(o));
  if (o.command == "seed-training") return osh::bench::SeedTraining(o.flags, ReadToken(o));
  if (o.command == "seed-learning") return osh::bench::SeedLearning(o.flags, ReadToken(o));
  if (o.command == "bench" && o.Get("service") == "training") return osh::bench::BenchTraining(o.flags, ReadToken(o));
  return o.command == "seed" ? Seed(o) : Bench(o);
}
