#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "osh/registry/v1/registry.pb.h"
#include "osh/store/database.h"

namespace osh::registry {

namespace v1 = ::osh::registry::v1;

struct SealedContact;

// Filters of ListEmployers after authorisation has narrowed them.
struct EmployerFilter {
  std::string division_prefix;
  std::string industry_section;
  int size_class = 0;
  int hazard_category = 0;
  int declaration_status = 0;
  std::string credit_code;  // set when the caller may only see its own organisation
};

// The registry's tables. Records are kept whole as serialized protos beside the
// columns that queries filter on, so a new proto field needs no migration; the
// columns are rewritten from the record on every write and so never disagree.
// The legal representative's name and phone are the exception: they are kept
// sealed in columns of their own (PersonalData), never in the record.
// Every method runs inside a transaction handed in by the caller, so a service
// call composes several of them into one atomic write.
// Each write of an employer or declaration also appends its change to the
// ChangeLog (the change feeds) in that transaction; a new write path must
// go through these methods, or append its change itself.
class RegistryStore {
 public:
  static std::vector<store::Migration> Migrations();

  static std::optional<v1::Employer> FindEmployer(store::Tx& tx, const std::string& id);
  static std::optional<v1::Employer> FindEmployerByCreditCode(store::Tx& tx, const std::string& credit_code);
  static void InsertEmployer(store::Tx& tx, const v1::Employer& employer);
  static void UpdateEmployer(store::Tx& tx, const v1::Employer& employer);
  // The sealed personal values kept beside the record (empty when none); the
  // record itself never holds them in clear (Insert/UpdateEmployer drop them).
  static SealedContact FindSealedContact(store::Tx& tx, const std::string& employer_id);
  static void PutSealedContact(store::Tx& tx, const std::string& employer_id, const SealedContact& sealed);
  // Employers after `after_id` in id order, at most `limit`.
  static std::vector<v1::Employer> ListEmployers(store::Tx& tx, const EmployerFilter& filter,
                                                 const std::string& after_id, int limit);

  static std::optional<v1::Declaration> FindDeclaration(store::Tx& tx, const std::string& id);
  static void InsertDeclaration(store::Tx& tx, const v1::Declaration& declaration);
  static void UpdateDeclaration(store::Tx& tx, const v1::Declaration& declaration);
  // Newest first: declarations with id < before_id (all when empty), at most `limit`.
  static std::vector<v1::Declaration> ListDeclarations(store::Tx& tx, const std::string& employer_id,
                                                       const std::string& before_id, int limit);
  static bool HasPendingDeclaration(store::Tx& tx, const std::string& employer_id);

};

}  // namespace osh::registry
