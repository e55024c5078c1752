// osh-reporting: rollups of every province's registry events, provincial annual
// reports, and national reporting completeness.
#include "osh/core/service_host.h"
#include "reporting_component.h"

int main(int argc, char** argv) {
  osh::core::ServiceHost host("reporting", osh::reporting::ConfigKeys(), 7105, 9105);
  return host.Run(argc, argv, osh::reporting::Wire);
}
