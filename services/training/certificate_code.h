#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace osh::training {

// Verification codes of certificates: base32 (RFC 4648, no padding) of the
// certificate serial (8 bytes, big-endian) followed by the first 12 bytes of
// HMAC-SHA256(key, "osh-training-certificate-v1|<province>|" ‖ serial), shown
// in groups of four: 32 characters, exactly 160 bits, so every character
// counts and a changed one never decodes to the same bytes. Without the key a
// valid code for an issued serial cannot be made; binding the province keeps a
// code from verifying in another province's deployment that shares a key.
class CertificateCodes {
 public:
  static constexpr size_t kMinKeyBytes = 32;

  // Null with *error when the key is shorter than kMinKeyBytes.
  static std::unique_ptr<CertificateCodes> Create(std::string key, std::string province, std::string* error);

  // "ABCD-EFGH-…" (8 groups of 4).
  std::string CodeFor(int64_t serial) const;
  // The serial when `code` is a well-formed code whose MAC verifies (compared
  // in constant time); nullopt otherwise.
  std::optional<int64_t> Verify(std::string_view code) const;

  // Upper case without '-' and ' '; nullopt unless 32 base32 characters remain.
  static std::optional<std::string> Normalize(std::string_view code);

 private:
  CertificateCodes(std::string key, std::string province) : key_(std::move(key)), province_(std::move(province)) {}
  std::string Mac(int64_t serial) const;

  std::string key_;
  std::string province_;
};

}  // namespace osh::training
