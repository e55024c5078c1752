#include "client_address.h"

#include <vector>

#include "osh/core/config.h"

namespace osh::gateway {
namespace {

// X-Forwarded-For entries, blanks around each trimmed ("a, b" is two addresses).
std::vector<std::string> ForwardedChain(const std::string& header) {
  std::vector<std::string> chain;
  for (const auto& item : core::SplitList(header)) {
    const auto first = item.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    chain.push_back(item.substr(first, item.find_last_not_of(" \t") - first + 1));
  }
  return chain;
}

}  // namespace

std::string ClientAddress(const std::string& peer, const std::string* forwarded_for, int trusted_proxy_hops) {
  if (trusted_proxy_hops <= 0 || forwarded_for == nullptr) return peer;
  auto chain = ForwardedChain(*forwarded_for);
  chain.push_back(peer);
  const auto back = static_cast<size_t>(trusted_proxy_hops);
  return back < chain.size() ? chain[chain.size() - 1 - back] : chain.front();
}

std::string ForwardedFor(const std::string& peer, const std::string* forwarded_for) {
  if (forwarded_for == nullptr || ForwardedChain(*forwarded_for).empty()) return peer;
  return *forwarded_for + ", " + peer;
}

}  // namespace osh::gateway
