#pragma once

#include <string>
#include <vector>

#include "osh/core/service_host.h"

namespace osh::notify {

std::vector<core::ConfigKey> ConfigKeys();

// Token verifier, database, business logic, the event consumer that routes
// events into deliveries, the webhook dispatcher and the gRPC face.
bool Wire(core::ServiceHost& host, std::string* error);

}  // namespace osh::notify
