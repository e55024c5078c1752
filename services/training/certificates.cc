// Training: certificates — public verification by signed code (valid,
// expired after the course's validity period, or revoked), revocation by
// province staff.

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
grpc::Status Training::VerifyCertificate(const Caller& caller, const v1::VerifyCertificateRequest& request,
                                         v1::CertificateVerification* response) {
  return Guard(caller, "VerifyCertificate", [&] {
    if (request.code().empty()) throw Refusal{core::InvalidArgument("code", "is required")};
    if (!CertificateCodes::Normalize(request.code())) {
      throw Refusal{core::InvalidArgument("code", "must be 32 characters of A-Z and 2-7 (dashes and spaces ignored)")};
    }
    service::Require(caller.principal, auth::Action::kRead, {options_.province, "", true});
    response->set_status(v1::CERTIFICATE_STATUS_NOT_VALID);
    const auto serial = codes_.Verify(request.code());
    if (!serial) return;  // forged or mistyped: says nothing more
    db_.Read([&](store::Tx& tx) {
      const auto certificate = TrainingStore::FindCertificateBySerial(tx, *serial);
      if (!certificate) return;
      const auto stored = EnrollmentOrRefuse(tx, certificate->enrollment_id());
      response->set_status(CertificateStatusOn(*certificate, domain::ChinaDateOf(options_.clock())));
      response->set_course_title(certificate->course_title());
      response->set_issue_date(certificate->issue_date());
      response->set_province(certificate->province());
      response->set_holder_name_masked(MaskedHolder(stored.holder_name_sealed, stored.enrollment.id()));
      response->set_revocation_reason(certificate->revocation_reason());
      response->set_expiry_date(certificate->expiry_date());
    });
  });
}

grpc::Status Training::RevokeCertificate(const Caller& caller, const v1::RevokeCertificateRequest& request,
                                         v1::Certificate* response) {
  return Guard(caller, "RevokeCertificate", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    CheckId(request.id(), "id", errors);
    service::CheckText(request.reason(), "reason", 500, true, errors);
    ThrowIfInvalid(errors);
    // Revocation reviews a record: province staff of the issuing province.
    service::Require(caller.principal, auth::Action::kReview, {options_.province, "", false});

    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "RevokeCertificate", request.request_id(), request, response, [&] {
        auto certificate = std::optional(service::AllowedOrRefuse(
            TrainingStore::FindCertificate(tx, request.id()), "certificate", request.id(), caller.principal,
            auth::Action::kReview, [](const v1::Certificate& c) { return auth::Resource{c.province(), c.org()}; }));
        if (certificate->status() == v1::CERTIFICATE_STATUS_REVOKED) {
          Refuse(grpc::StatusCode::FAILED_PRECONDITION, "certificate " + certificate->id() + " is revoked already");
        }
        certificate->set_status(v1::CERTIFICATE_STATUS_REVOKED);
        certificate->set_revocation_reason(request.reason());
        *certificate->mutable_revoke_time() = TimestampOf(options_.clock());
        TrainingStore::UpdateCertificate(tx, *certificate);
        service::Audit(tx, caller, "revoke", "certificate", certificate->id());
        events_.CertificateRevoked(tx, *certificate);
        const auto stored = EnrollmentOrRefuse(tx, certificate->enrollment_id());
        certificate->set_holder_name_masked(MaskedHolder(stored.holder_name_sealed, stored.enrollment.id()));
        *response = std::move(*certificate);
      });
    });
  });
}

}  // namespace osh::training
