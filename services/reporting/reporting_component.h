#pragma once

#include <string>
#include <vector>

#include "osh/core/service_host.h"

namespace osh::reporting {

// Reporting's own configuration keys (beside the common ones of ServiceHost).
std::vector<core::ConfigKey> ConfigKeys();

// Builds reporting's components — token verifier, database, rollup projector
// and its event consumer, business logic, gRPC face — from configuration and
// registers them with the host.
bool Wire(core::ServiceHost& host, std::string* error);

}  // namespace osh::reporting
