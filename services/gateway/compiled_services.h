#pragma once

#include <string>
#include <vector>

namespace osh::gateway {

// The gRPC services whose descriptors are linked into this binary, so that
// their google.api.http rules can be read from the generated pool. Protobuf
// registers a .proto's descriptors only when its generated code is linked in,
// and a static library's unreferenced objects are not: this reference is what
// brings them. A new service API is added here once.
std::vector<std::string> CompiledServices();

}  // namespace osh::gateway
