// osh-notify: templates, rules, the in-app inbox and webhook deliveries of one province.
#include "notify_component.h"
#include "osh/core/service_host.h"

int main(int argc, char** argv) {
  osh::core::ServiceHost host("notify", osh::notify::ConfigKeys(), 7107, 9107);
  return host.Run(argc, argv, osh::notify::Wire);
}
