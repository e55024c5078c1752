#pragma once

#include <string>
#include <vector>

#include "osh/core/service_host.h"

namespace osh::content {

// The content service's own configuration keys (beside ServiceHost's).
std::vector<core::ConfigKey> ConfigKeys();

// Builds token verifier, database, outbox relay, business logic and gRPC face.
bool Wire(core::ServiceHost& host, std::string* error);

}  // namespace osh::content
