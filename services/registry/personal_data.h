#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "osh/crypto/field_cipher.h"
#include "osh/registry/v1/registry.pb.h"
#include "osh/store/database.h"

namespace osh::registry {

namespace v1 = ::osh::registry::v1;

// The personal data of an employer's record (DESIGN.md "Personal data"): the
// legal representative's name and phone. The employer record keeps only their
// masked forms; the clear values live sealed per field (FieldCipher, the
// employer id in the context, so a value copied to another row does not open)
// in columns of their own. Answers are masked unless a caller who may see the
// clear values asks with a purpose (Registry), and each such read is recorded
// in personal_data_reads within the read's own transaction.
inline constexpr char kLegalRepresentativeField[] = "legal_representative";
inline constexpr char kLegalRepresentativePhoneField[] = "legal_representative_phone";

// The sealed values as stored beside an employer record; "" where the field is empty.
struct SealedContact {
  std::string name;
  std::string phone;
};

class PersonalData {
 public:
  explicit PersonalData(const crypto::FieldCipher& cipher) : cipher_(cipher) {}

  // Seals the clear values `employer` (its id set) holds in the fields chosen
  // into `sealed`, sets their masked forms on `employer` and clears them there.
  void Seal(v1::Employer& employer, bool name, bool phone, SealedContact& sealed) const;
  // Sets the clear values of `sealed` on `employer`. Throws std::runtime_error
  // (an INTERNAL answer) when a value does not open: a key or storage fault,
  // never the caller's.
  void Open(const SealedContact& sealed, v1::Employer& employer) const;

  // Replaces clear values by their masks in place: what the idempotency record
  // keeps of a request, so that no clear copy is stored there, while a retry
  // with other values is still told apart in most cases.
  static void MaskInPlace(v1::Employer& employer);
  // True when `employer` carries a clear value (an answer that must not be cached).
  static bool HoldsClear(const v1::Employer& employer);

  // Rows written before the values were sealed (the backlog of migration 9):
  // seals the employers' clear values and masks the stored idempotent answers
  // and requests of CreateEmployer, UpdateEmployer and TransferEmployer. Runs at
  // start, in one transaction; does nothing once the backlog is empty. Returns
  // how many rows it rewrote.
  int SealBacklog(store::Database& db) const;

 private:
  std::string Context(const v1::Employer& employer, const char* field) const;

  const crypto::FieldCipher& cipher_;
};

// The record of every read of personal data in clear (who, when, which record
// and fields, why), kept in the registry's database.
class PersonalDataReads {
 public:
  struct Filter {
    std::string record_id;  // "" for every record
    int64_t start_ms = std::numeric_limits<int64_t>::min();  // inclusive, Unix milliseconds
    int64_t end_ms = std::numeric_limits<int64_t>::max();    // exclusive
  };

  static store::Migration Migration(int version);
  static void Record(store::Tx& tx, const v1::PersonalDataRead& read);
  // Newest first: entries with id < before_id (all when empty), at most `limit`.
  static std::vector<v1::PersonalDataRead> List(store::Tx& tx, const Filter& filter, const std::string& before_id,
                                                int limit);
  static int64_t Count(store::Tx& tx, const std::string& record_id);
};

}  // namespace osh::registry
