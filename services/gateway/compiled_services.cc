#include "compiled_services.h"

#include "osh/content/v1/content.pb.h"
#include "osh/notify/v1/notify.pb.h"
#include "osh/registry/v1/registry.pb.h"
#include "osh/registry/v1/supervision.pb.h"
#include "osh/reporting/v1/reporting.pb.h"
#include "osh/training/v1/training.pb.h"

namespace osh::gateway {

std::vector<std::string> CompiledServices() {
  return {
      osh::registry::v1::Employer::descriptor()->file()->service(0)->full_name(),
      osh::registry::v1::Inspection::descriptor()->file()->service(0)->full_name(),
      osh::reporting::v1::AnnualReport::descriptor()->file()->service(0)->full_name(),
      osh::content::v1::Article::descriptor()->file()->service(0)->full_name(),
      osh::notify::v1::Template::descriptor()->file()->service(0)->full_name(),
      osh::training::v1::Course::descriptor()->file()->service(0)->full_name(),
  };
}

}  // namespace osh::gateway
