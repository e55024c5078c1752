// The client side of bench/change_feed_bench.sh: follows a registry's
// employer change feed from the start to its end over gRPC, as a provincial
// mirror would, then takes the full employer export as CSV and as JSON lines.
// Prints one JSON line per figure (bench/README.md).
//
// Usage: osh-change-feed-bench <host:port> <bearer token> [page size=500]
#include <fmt/format.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include "osh/registry/v1/registry.grpc.pb.h"

namespace v1 = osh::registry::v1;
using Clock = std::chrono::steady_clock;

namespace {

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->AddMetadata("authorization", "Bearer " + token);
  return ctx;
}

int Follow(v1::RegistryService::Stub& stub, const std::string& token, int page_size) {
  const auto start = Clock::now();
  std::string cursor;
  int64_t changes = 0, pages = 0, last_sequence = 0;
  while (true) {
    v1::ListChangesRequest req;
    req.set_cursor(cursor);
    req.set_page_size(page_size);
    v1::ListEmployerChangesResponse resp;
    const auto status = stub.ListEmployerChanges(Context(token).get(), req, &resp);
    if (!status.ok()) {
      std::cerr << "ListEmployerChanges: " << status.error_message() << "\n";
      return 1;
    }
    for (const auto& c : resp.changes()) {
      if (c.position().sequence() <= last_sequence) {
        std::cerr << "sequence went back at change " << changes << "\n";
        return 1;
      }
      last_sequence = c.position().sequence();
    }
    changes += resp.changes_size();
    ++pages;
    cursor = resp.next_cursor();
    if (!resp.has_more()) break;
  }
  const double seconds = SecondsSince(start);
  std::cout << fmt::format(
      R"({{"bench": "feed.employers", "changes": {}, "pages": {}, "page_size": {}, "seconds": {:.2f}, "changes_per_second": {:.0f}}})",
      changes, pages, page_size, seconds, changes / seconds)
            << std::endl;
  return 0;
}

int Export(v1::RegistryService::Stub& stub, const std::string& token, v1::ExportFormat format, const char* name) {
  const auto start = Clock::now();
  v1::ExportEmployersRequest req;
  req.set_format(format);
  auto ctx = Context(token);
  auto reader = stub.ExportEmployers(ctx.get(), req);
  google::api::HttpBody part;
  int64_t bytes = 0, lines = 0, parts = 0;
  while (reader->Read(&part)) {
    bytes += static_cast<int64_t>(part.data().size());
    for (char c : part.data()) lines += c == '\n';
    ++parts;
  }
  const auto status = reader->Finish();
  if (!status.ok()) {
    std::cerr << "ExportEmployers: " << status.error_message() << "\n";
    return 1;
  }
  const int64_t rows = format == v1::EXPORT_FORMAT_CSV ? lines - 1 : lines;  // CSV: minus the header
  const double seconds = SecondsSince(start);
  std::cout << fmt::format(
      R"({{"bench": "export.{}", "rows": {}, "parts": {}, "bytes": {}, "seconds": {:.2f}, "rows_per_second": {:.0f}, "mib_per_second": {:.1f}}})",
      name, rows, parts, bytes, seconds, rows / seconds, bytes / seconds / (1 << 20))
            << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: osh-change-feed-bench <host:port> <token> [page size=500]\n";
    return 2;
  }
  const std::string token = argv[2];
  const int page_size = argc > 3 ? std::atoi(argv[3]) : 500;
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  auto channel = grpc::CreateCustomChannel(argv[1], grpc::InsecureChannelCredentials(), args);
  auto stub = v1::RegistryService::NewStub(channel);
  if (int rc = Follow(*stub, token, page_size); rc != 0) return rc;
  if (int rc = Export(*stub, token, v1::EXPORT_FORMAT_CSV, "csv"); rc != 0) return rc;
  return Export(*stub, token, v1::EXPORT_FORMAT_JSON_LINES, "jsonl");
}
