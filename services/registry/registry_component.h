#pragma once

#include <string>
#include <vector>

#include "osh/core/service_host.h"

namespace osh::registry {

// The registry's own configuration keys (beside the common ones of ServiceHost).
std::vector<core::ConfigKey> ConfigKeys();

// Builds the registry's components — token verifier, database, business logic,
// gRPC face — from configuration and registers them with the host.
bool Wire(core::ServiceHost& host, std::string* error);

}  // namespace osh::registry
