#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace osh::crypto {

// Seals one field of personal data (a name, an ID or phone number) with
// AES-256-GCM before it is stored, and opens it again for the few reads that
// need the clear text.
//
// The key ring is text, one key per line: `<key-id> <base64url of 32 bytes>`
// (blank lines and `#` comments ignored). The LAST key seals; every key opens
// what it sealed, so rotation is: append a new key, restart, and re-seal old
// values at leisure (NeedsReseal tells which). Sealed values read
// `v1.<key-id>.<base64url(nonce ‖ ciphertext ‖ tag)>`; the context (e.g.
// "training.enrollment.holder_name:<id>") is authenticated but not stored, so
// a value copied into another record or field does not open there.
class FieldCipher {
 public:
  // Reads the key ring from `file_path_or_empty`, else from the environment
  // variable `env_var_name` (auth::LoadSecret). Null with *error when the ring
  // is missing or malformed (a key of the wrong length, a repeated id …).
  static std::unique_ptr<FieldCipher> FromSecret(std::string_view file_path_or_empty, std::string_view env_var_name,
                                                 std::string* error);
  static std::unique_ptr<FieldCipher> FromKeyFile(const std::string& path, std::string* error);
  static std::unique_ptr<FieldCipher> FromKeyRing(std::string_view ring_text, std::string* error);
  // A ring of one random key, for tests and throwaway local runs.
  static std::unique_ptr<FieldCipher> ForTesting();

  std::string Seal(std::string_view plaintext, std::string_view context) const;
  // nullopt when the value was not sealed by this ring for this context, or was altered.
  std::optional<std::string> Open(std::string_view sealed, std::string_view context) const;
  // True when `sealed` was made with a key other than the current one.
  bool NeedsReseal(std::string_view sealed) const;
  const std::string& current_key_id() const { return keys_.back().id; }

  // A key ring line with a fresh random key (for operators' tooling and tests).
  static std::string NewKeyLine(std::string_view key_id);

 private:
  struct Key {
    std::string id;
    std::string bytes;  // 32
  };
  explicit FieldCipher(std::vector<Key> keys) : keys_(std::move(keys)) {}
  const Key* FindKey(std::string_view id) const;

  std::vector<Key> keys_;
};

// A name as it may be shown to someone who must not learn it: the first and
// last characters kept, the rest starred (张*明, 欧**明, W*******g); a
// two-character name keeps its first (张*), a one-character name none.
std::string MaskName(std::string_view utf8_name);

}  // namespace osh::crypto
