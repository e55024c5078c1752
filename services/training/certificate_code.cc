#include "certificate_code.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace osh::training {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr size_t kSerialBytes = 8;
constexpr size_t kMacBytes = 12;
constexpr size_t kCodeChars = (kSerialBytes + kMacBytes) * 8 / 5;  // 32

std::string Base32(const std::string& bytes) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;  // 160 bits: no remainder
}

std::string FromBase32(const std::string& text) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int value = c >= 'A' && c <= 'Z' ? c - 'A' : c - '2' + 26;
    buffer = (buffer << 5) | static_cast<uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return out;
}

std::string SerialBytes(int64_t serial) {
  std::string out(kSerialBytes, '\0');
  auto v = static_cast<uint64_t>(serial);
  for (size_t i = 0; i < kSerialBytes; ++i) out[kSerialBytes - 1 - i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

}  // namespace

std::unique_ptr<CertificateCodes> CertificateCodes::Create(std::string key, std::string province,
                                                           std::string* error) {
  if (key.size() < kMinKeyBytes) {
    *error = "the certificate key must be at least " + std::to_string(kMinKeyBytes) + " bytes";
    return nullptr;
  }
  return std::unique_ptr<CertificateCodes>(new CertificateCodes(std::move(key), std::move(province)));
}

std::string CertificateCodes::Mac(int64_t serial) const {
  const std::string message = "osh-training-certificate-v1|" + province_ + "|" + SerialBytes(serial);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<const char*>(digest), kMacBytes);
}

std::string CertificateCodes::CodeFor(int64_t serial) const {
  const std::string plain = Base32(SerialBytes(serial) + Mac(serial));
  std::string grouped;
  for (size_t i = 0; i < plain.size(); i += 4) {
    if (!grouped.empty()) grouped += '-';
    grouped += plain.substr(i, 4);
  }
  return grouped;
}

std::optional<std::string> CertificateCodes::Normalize(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == '-' || c == ' ') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    const bool base32 = (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7');
    if (!base32 || out.size() == kCodeChars) return std::nullopt;
    out += c;
  }
  if (out.size() != kCodeChars) return std::nullopt;
  return out;
}

std::optional<int64_t> CertificateCodes::Verify(std::string_view code) const {
  const auto normal = Normalize(code);
  if (!normal) return std::nullopt;
  const std::string bytes = FromBase32(*normal);
  uint64_t serial = 0;
  for (size_t i = 0; i < kSerialBytes; ++i) serial = (serial << 8) | static_cast<unsigned char>(bytes[i]);
  if (serial == 0 || serial > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  const std::string expected = Mac(static_cast<int64_t>(serial));
  if (CRYPTO_memcmp(expected.data(), bytes.data() + kSerialBytes, kMacBytes) != 0) return std::nullopt;
  return static_cast<int64_t>(serial);
}

}  // namespace osh::training
