#pragma once

#include <string>
#include <vector>

#include "osh/core/service_host.h"

namespace osh::training {

// The training service's own configuration keys (beside ServiceHost's).
std::vector<core::ConfigKey> ConfigKeys();

// Builds token verifier, field cipher, certificate signer, database, outbox
// relay, the EnterpriseRegistered consumer, business logic and gRPC face.
bool Wire(core::ServiceHost& host, std::string* error);

}  // namespace osh::training
