#include "osh/crypto/field_cipher.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <sstream>
#include <stdexcept>

#include "osh/auth/base64url.h"
#include "osh/auth/jwt.h"
#include "osh/domain/text.h"

namespace osh::crypto {
namespace {

constexpr size_t kKeyBytes = 32;
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;
constexpr std::string_view kVersion = "v1";

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("the system has no randomness to give");
  }
  return out;
}

bool IsKeyId(std::string_view id) {
  if (id.empty() || id.size() > 32) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// What both directions authenticate: the format, the key and the caller's context.
std::string AdditionalData(std::string_view key_id, std::string_view context) {
  std::string aad;
  aad.append(kVersion).append(".").append(key_id).append(".").append(context);
  return aad;
}

struct CipherContext {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~CipherContext() { EVP_CIPHER_CTX_free(ctx); }
};

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

std::unique_ptr<FieldCipher> FieldCipher::FromKeyRing(std::string_view ring_text, std::string* error) {
  std::vector<Key> keys;
  std::istringstream lines{std::string(ring_text)};
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    std::istringstream fields(line);
    std::string id, encoded, extra;
    fields >> id >> encoded >> extra;
    const auto where = "key ring line " + std::to_string(number);
    if (!IsKeyId(id) || encoded.empty() || !extra.empty()) {
      *error = where + ": expected '<key-id> <base64url of 32 bytes>'";
      return nullptr;
    }
    auto bytes = auth::Base64UrlDecode(encoded);
    if (!bytes || bytes->size() != kKeyBytes) {
      *error = where + ": key '" + id + "' is not 32 bytes in base64url";
      return nullptr;
    }
    for (const auto& k : keys) {
      if (k.id == id) {
        *error = where + ": key id '" + id + "' appears twice";
        return nullptr;
      }
    }
    keys.push_back({id, std::move(*bytes)});
  }
  if (keys.empty()) {
    *error = "the key ring holds no key";
    return nullptr;
  }
  return std::unique_ptr<FieldCipher>(new FieldCipher(std::move(keys)));
}

std::unique_ptr<FieldCipher> FieldCipher::FromSecret(std::string_view file_path_or_empty,
                                                     std::string_view env_var_name, std::string* error) {
  const std::string ring = auth::LoadSecret(file_path_or_empty, env_var_name, error);
  if (ring.empty()) return nullptr;
  return FromKeyRing(ring, error);
}

std::unique_ptr<FieldCipher> FieldCipher::FromKeyFile(const std::string& path, std::string* error) {
  return FromSecret(path, "", error);
}

std::unique_ptr<FieldCipher> FieldCipher::ForTesting() {
  return std::unique_ptr<FieldCipher>(new FieldCipher({{"test", RandomBytes(kKeyBytes)}}));
}

std::string FieldCipher::NewKeyLine(std::string_view key_id) {
  return std::string(key_id) + " " + auth::Base64UrlEncode(RandomBytes(kKeyBytes));
}

const FieldCipher::Key* FieldCipher::FindKey(std::string_view id) const {
  for (const auto& k : keys_) {
    if (k.id == id) return &k;
  }
  return nullptr;
}

std::string FieldCipher::Seal(std::string_view plaintext, std::string_view context) const {
  const Key& key = keys_.back();
  const std::string nonce = RandomBytes(kNonceBytes);
  const std::string aad = AdditionalData(key.id, context);
  std::string sealed = nonce;
  sealed.resize(kNonceBytes + plaintext.size() + kTagBytes);
  auto* out = reinterpret_cast<unsigned char*>(sealed.data()) + kNonceBytes;
  CipherContext c;
  int len = 0, total = 0;
  if (c.ctx == nullptr || EVP_EncryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonceBytes), nullptr) != 1 ||
      EVP_EncryptInit_ex(c.ctx, nullptr, nullptr, Bytes(key.bytes), Bytes(nonce)) != 1 ||
      EVP_EncryptUpdate(c.ctx, nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(c.ctx, out, &len, Bytes(plaintext), static_cast<int>(plaintext.size())) != 1) {
    throw std::runtime_error("AES-256-GCM encryption failed");
  }
  total = len;
  if (EVP_EncryptFinal_ex(c.ctx, out + total, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes), out + total + len) != 1) {
    throw std::runtime_error("AES-256-GCM encryption failed");
  }
  return std::string(kVersion) + "." + key.id + "." + auth::Base64UrlEncode(sealed);
}

std::optional<std::string> FieldCipher::Open(std::string_view sealed, std::string_view context) const {
  const auto first = sealed.find('.');
  const auto second = first == std::string_view::npos ? first : sealed.find('.', first + 1);
  if (second == std::string_view::npos || sealed.substr(0, first) != kVersion) return std::nullopt;
  const Key* key = FindKey(sealed.substr(first + 1, second - first - 1));
  if (key == nullptr) return std::nullopt;
  const auto raw = auth::Base64UrlDecode(sealed.substr(second + 1));
  if (!raw || raw->size() < kNonceBytes + kTagBytes) return std::nullopt;
  const std::string aad = AdditionalData(key->id, context);
  const size_t text_size = raw->size() - kNonceBytes - kTagBytes;
  const auto* nonce = Bytes(*raw);
  const auto* ciphertext = nonce + kNonceBytes;
  std::string tag = raw->substr(kNonceBytes + text_size);
  std::string plaintext(text_size, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
  CipherContext c;
  int len = 0;
  if (c.ctx == nullptr || EVP_DecryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonceBytes), nullptr) != 1 ||
      EVP_DecryptInit_ex(c.ctx, nullptr, nullptr, Bytes(key->bytes), nonce) != 1 ||
      EVP_DecryptUpdate(c.ctx, nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(c.ctx, out, &len, ciphertext, static_cast<int>(text_size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes), tag.data()) != 1 ||
      EVP_DecryptFinal_ex(c.ctx, out + len, &len) != 1) {
    return std::nullopt;  // wrong key, context or an altered value: never half a plaintext
  }
  return plaintext;
}

bool FieldCipher::NeedsReseal(std::string_view sealed) const {
  const std::string prefix = std::string(kVersion) + "." + keys_.back().id + ".";
  return sealed.substr(0, prefix.size()) != prefix;
}

std::string MaskName(std::string_view utf8_name) {
  if (domain::Utf8Error(utf8_name)) return "*";
  const size_t n = domain::Utf8Length(utf8_name);
  if (n <= 1) return "*";
  const std::string_view first = domain::Utf8Prefix(utf8_name, 1);
  if (n == 2) return std::string(first) + "*";
  const std::string_view all_but_last = domain::Utf8Prefix(utf8_name, n - 1);
  return std::string(first) + std::string(n - 2, '*') + std::string(utf8_name.substr(all_but_last.size()));
}

}  // namespace osh::crypto
