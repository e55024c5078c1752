#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "osh/registry/v1/registry.grpc.pb.h"

namespace osh::bench {

// Every employer the registry lets `token` read, page by page (the demo
// seeders' work list). Throws on the first refused page.
inline std::vector<registry::v1::Employer> ListAllEmployers(registry::v1::RegistryService::Stub& registry,
                                                            const std::string& token) {
  std::vector<registry::v1::Employer> all;
  registry::v1::ListEmployersRequest req;
  req.set_page_size(500);
  do {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    registry::v1::ListEmployersResponse resp;
    const auto s = registry.ListEmployers(&ctx, req, &resp);
    if (!s.ok()) throw std::runtime_error("ListEmployers: " + s.error_message());
    all.insert(all.end(), resp.employers().begin(), resp.employers().end());
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
  return all;
}

}  // namespace osh::bench
