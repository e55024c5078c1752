// Training: the members every room uses (the enrollment's full view, the
// holder name sealed and masked, the outbox wake-up).

#include "training.h"

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>

#include <cmath>
#include <set>

#include "course_rules.h"
#include "osh/auth/authorize.h"
#include "osh/core/ids.h"
#include "osh/domain/civil_date.h"
#include "osh/domain/credit_code.h"
#include "osh/domain/regions.h"
#include "osh/domain/text.h"
#include "osh/events/v1/registry_events.pb.h"
#include "osh/service/checks.h"
#include "osh/service/paging.h"
#include "osh/service/records.h"
#include "osh/store/enum_set.h"
#include "training_access.h"

namespace osh::training {
Training::Training(store::Database& db, const crypto::FieldCipher& cipher, const CertificateCodes& codes,
                   Options options)
    : db_(db), cipher_(cipher), codes_(codes), options_(std::move(options)), events_(options_.province) {}

void Training::Committed() const {
  if (options_.after_commit) options_.after_commit();
}

std::string Training::HolderContext(const std::string& enrollment_id) const {
  return "training.enrollment.holder_name:" + enrollment_id;
}

std::string Training::MaskedHolder(const std::string& sealed, const std::string& enrollment_id) const {
  auto name = cipher_.Open(sealed, HolderContext(enrollment_id));
  // A sealed name that no key of the ring opens is a configuration or storage
  // fault, not the caller's: INTERNAL, without the value.
  if (!name) throw std::runtime_error("the holder name of enrollment " + enrollment_id + " does not open");
  return crypto::MaskName(*name);
}

v1::Enrollment Training::Complete(store::Tx& tx, const StoredEnrollment& stored, bool with_attempts) const {
  v1::Enrollment e = stored.enrollment;
  e.set_holder_name_masked(MaskedHolder(stored.holder_name_sealed, e.id()));
  if (auto certificate = TrainingStore::FindCertificateOf(tx, e.id())) {
    *e.mutable_certificate() = std::move(*certificate);
    e.mutable_certificate()->set_holder_name_masked(e.holder_name_masked());
    e.mutable_certificate()->set_status(CertificateStatusOn(e.certificate(), domain::ChinaDateOf(options_.clock())));
  }
  if (with_attempts) {
    for (auto& a : TrainingStore::Attempts(tx, e.id())) *e.add_attempts() = std::move(a);
  }
  return e;
}

}  // namespace osh::training
