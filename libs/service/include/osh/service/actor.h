#pragma once

#include <string>

#include "osh/auth/principal.h"
#include "osh/common/v1/common.pb.h"

namespace osh::service {

// The principal as records keep it (who submitted, reviewed, generated ...).
inline common::v1::Actor ActorOf(const auth::Principal& p) {
  common::v1::Actor a;
  a.set_subject(p.subject);
  a.set_role(std::string(auth::RoleName(p.role)));
  a.set_province(p.province);
  a.set_org(p.org);
  return a;
}

}  // namespace osh::service
