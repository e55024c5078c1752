// osh-gateway: the HTTP/JSON entry to a deployment's gRPC services.
#include "gateway_component.h"
#include "osh/core/service_host.h"

int main(int argc, char** argv) {
  osh::core::ServiceHost host("gateway", osh::gateway::ConfigKeys(), osh::core::ServiceHost::kNoGrpcApi, 9100);
  return host.Run(argc, argv, osh::gateway::Wire);
}
