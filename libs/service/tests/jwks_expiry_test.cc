// The notAfter of JWKS keys' certificates, exported for the expiry alert.
#include "osh/service/jwks_expiry.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace osh::service {
namespace {

// A self-signed P-256 certificate valid until `not_after` (Unix seconds), as x5c wants it: base64 DER.
std::string CertificateBase64(time_t not_after) {
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, void (*)(X509*)> cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  ASN1_TIME_set(X509_getm_notAfter(cert.get()), not_after);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("idp.osh.internal"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  X509_set_pubkey(cert.get(), key.get());
  X509_sign(cert.get(), key.get(), EVP_sha256());
  unsigned char* der = nullptr;
  const int length = i2d_X509(cert.get(), &der);
  std::vector<unsigned char> text(static_cast<size_t>(4 * ((length + 2) / 3) + 1));
  EVP_EncodeBlock(text.data(), der, length);
  OPENSSL_free(der);
  return reinterpret_cast<const char*>(text.data());
}

TEST(JwksExpiryTest, EachKeyWithACertificateExportsItsNotAfter) {
  const time_t in_ninety_days = 1800000000;  // 2027-01-15T08:00:00Z
  const nlohmann::json jwks = {
      {"keys",
       {{{"kty", "EC"}, {"kid", "idp-2026"}, {"x5c", {CertificateBase64(in_ninety_days)}}},
        {{"kty", "EC"}, {"kid", "no-certificate"}},
        {{"kty", "EC"}, {"kid", "broken"}, {"x5c", {"bm90IGEgY2VydGlmaWNhdGU="}}}}}};
  core::MetricsRegistry metrics;
  EXPECT_EQ(ExportJwksCertificateExpiry(jwks.dump(), metrics), 1);
  EXPECT_EQ(metrics.GetGauge("osh_jwks_certificate_not_after_timestamp_seconds", "", {{"kid", "idp-2026"}}).Value(),
            static_cast<double>(in_ninety_days));
  const std::string text = metrics.RenderText();
  EXPECT_EQ(text.find("no-certificate"), std::string::npos);
  EXPECT_EQ(text.find("broken"), std::string::npos);
}

TEST(JwksExpiryTest, AJwksThatIsNotJsonExportsNothing) {
  core::MetricsRegistry metrics;
  EXPECT_EQ(ExportJwksCertificateExpiry("{not json", metrics), 0);
  EXPECT_EQ(ExportJwksCertificateExpiry(R"({"keys": "x"})", metrics), 0);
}

}  // namespace
}  // namespace osh::service
