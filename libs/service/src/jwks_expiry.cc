#include "osh/service/jwks_expiry.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace osh::service {
namespace {

// x5c entries are standard base64 (not base64url) of DER.
std::string DecodeBase64(const std::string& text) {
  if (text.empty() || text.size() % 4 != 0) return "";
  std::vector<unsigned char> out(text.size() / 4 * 3);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return "";
  size_t size = static_cast<size_t>(n);
  for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) --size;  // DecodeBlock counts padding
  return std::string(reinterpret_cast<const char*>(out.data()), size);
}

// notAfter of a DER certificate in Unix seconds; -1 when it does not parse.
int64_t NotAfter(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<X509, void (*)(X509*)> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())), X509_free);
  if (!cert) return -1;
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &tm) != 1) return -1;
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace

int ExportJwksCertificateExpiry(std::string_view jwks_json, core::MetricsRegistry& metrics) {
  const auto document = nlohmann::json::parse(jwks_json, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object() || !document.contains("keys") || !document["keys"].is_array()) return 0;
  int exported = 0;
  for (const auto& key : document["keys"]) {
    if (!key.is_object() || !key.contains("x5c") || !key["x5c"].is_array() || key["x5c"].empty() ||
        !key["x5c"][0].is_string()) {
      continue;
    }
    const int64_t not_after = NotAfter(DecodeBase64(key["x5c"][0].get<std::string>()));
    if (not_after < 0) continue;
    // kid is bounded by the JWKS the operators install, not by callers.
    const std::string kid = key.contains("kid") && key["kid"].is_string() ? key["kid"].get<std::string>() : "";
    metrics
        .GetGauge("osh_jwks_certificate_not_after_timestamp_seconds",
                  "notAfter of the certificate (x5c) of each JWKS key tokens are verified with, Unix seconds",
                  {{"kid", kid.substr(0, 64)}})
        .Set(static_cast<double>(not_after));
    ++exported;
  }
  return exported;
}

}  // namespace osh::service
