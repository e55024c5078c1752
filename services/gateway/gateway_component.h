#pragma once

#include <string>
#include <vector>

#include "osh/core/config.h"
#include "osh/core/service_host.h"

namespace osh::gateway {

// The gateway's configuration keys (each also OSH_<KEY>) beside the host's.
std::vector<core::ConfigKey> ConfigKeys();

// Builds the gateway's components: token verifier, routes and OpenAPI from the
// compiled protos, backend channels, Redis (cache and rate limit, optional),
// the request pipeline and the HTTP server.
bool Wire(core::ServiceHost& host, std::string* error);

}  // namespace osh::gateway
