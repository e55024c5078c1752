// osh-registry: the enterprise registry of one province.
#include "osh/core/service_host.h"
#include "registry_component.h"

int main(int argc, char** argv) {
  osh::core::ServiceHost host("registry", osh::registry::ConfigKeys(), 7101, 9101);
  return host.Run(argc, argv, osh::registry::Wire);
}
