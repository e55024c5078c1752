// osh-content: the public OSH content library of one province.
#include "content_component.h"
#include "osh/core/service_host.h"

int main(int argc, char** argv) {
  osh::core::ServiceHost host("content", osh::content::ConfigKeys(), 7106, 9106);
  return host.Run(argc, argv, osh::content::Wire);
}
