#pragma once

#include <string>

namespace osh::gateway {

// The client's address: the socket peer, or with `trusted_proxy_hops` proxies in
// front, the X-Forwarded-For entry that many hops back (entries further left
// are client-supplied and cannot be trusted; a shorter list yields its first).
std::string ClientAddress(const std::string& peer, const std::string* forwarded_for, int trusted_proxy_hops);

// The X-Forwarded-For a backend gets: the incoming chain with the peer appended.
std::string ForwardedFor(const std::string& peer, const std::string* forwarded_for);

}  // namespace osh::gateway
