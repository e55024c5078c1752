// osh-training: courses, enrollments, certificates, mandatory training and
// literacy monitoring of one province.
#include "osh/core/service_host.h"
#include "training_component.h"

int main(int argc, char** argv) {
  osh::core::ServiceHost host("training", osh::training::ConfigKeys(), 7108, 9108);
  return host.Run(argc, argv, osh::training::Wire);
}
