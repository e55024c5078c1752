#pragma once

#include <string_view>

#include "osh/core/metrics.h"

namespace osh::service {

// For the alert OshJwtSigningKeyExpiresSoon (k8s/components/monitoring): the
// notAfter of each JWKS key's certificate (the first of its x5c chain, RFC 7517
// 4.7) as the gauge osh_jwks_certificate_not_after_timestamp_seconds{kid},
// Unix seconds. Keys without x5c, or whose certificate does not parse, export
// nothing (a JWK itself has no expiry). Returns how many were exported.
int ExportJwksCertificateExpiry(std::string_view jwks_json, core::MetricsRegistry& metrics);

}  // namespace osh::service
