#include "registry_store.h"

#include "import/import_store.h"

#include "change_log.h"
#include "disease_case_store.h"
#include "osh/events/consumer.h"
#include "osh/events/outbox.h"
#include "osh/service/records.h"
#include "osh/store/enum_set.h"
#include "personal_data.h"
#include "registry_transfer.h"
#include "transfer_ledger.h"
#include "supervision_store.h"

namespace osh::registry {
namespace {

// The record as stored: never a clear personal value (those live sealed in
// their own columns, PersonalData), whatever a caller hands in.
std::string StoredRecord(const v1::Employer& e) {
  if (!PersonalData::HoldsClear(e)) return e.SerializeAsString();
  v1::Employer stripped = e;
  stripped.clear_legal_representative();
  stripped.clear_legal_representative_phone();
  return stripped.SerializeAsString();
}

}  // namespace

std::vector<store::Migration> RegistryStore::Migrations() {
  return {
      {1, "employers_and_declarations", R"sql(
CREATE TABLE employers (
  id TEXT PRIMARY KEY,
  credit_code TEXT NOT NULL UNIQUE,
  province TEXT NOT NULL,
  division_code TEXT NOT NULL,
  industry_section TEXT NOT NULL,
  size_class INTEGER NOT NULL,
  hazard_mask INTEGER NOT NULL,
  declaration_status INTEGER NOT NULL,
  status INTEGER NOT NULL,
  version INTEGER NOT NULL,
  record BLOB NOT NULL
);
CREATE INDEX employers_by_division ON employers(division_code, id);
CREATE INDEX employers_by_industry ON employers(industry_section, id);
CREATE TABLE declarations (
  id TEXT PRIMARY KEY,
  employer_id TEXT NOT NULL REFERENCES employers(id),
  status INTEGER NOT NULL,
  record BLOB NOT NULL
);
CREATE INDEX declarations_by_employer ON declarations(employer_id, id);
)sql"},
      service::RecordsMigration(2),
      events::Outbox::Migration(3),
      events::EventConsumer::Migration(4),
      SupervisionStore::Migration(5),
      SupervisionStore::HealthExamMigration(6),
      SupervisionStore::AssistanceMigration(7),
      SupervisionStore::InstitutionMigration(8),
      // Reliability (issue 23): parked outbox rows, indexes for retention.
      events::Outbox::ParkingMigration(9),
      events::EventConsumer::RetentionMigration(10),
      service::RecordsRetentionMigration(11),
      TransferImporter::Migration(12),
      // Personal data sealed per field, and the record of each reveal (issue 23).
      PersonalDataReads::Migration(13),
      // Occupational-disease case reports (issue 16).
      DiseaseCaseStore::Migration(14),
      // Transfers sent, pending until the receiving province acknowledges them (issue 21).
      TransferLedger::Migration(15),
      // Request tracing (issue 22): each outbox row's traceparent.
      events::Outbox::TraceMigration(16),
      ImportStore::Migration(17),
      // Change feeds (issue 21): the log of record changes in commit order.
      ChangeLog::Migration(18),
  };
}

std::optional<v1::Employer> RegistryStore::FindEmployer(store::Tx& tx, const std::string& id) {
  auto s = tx.Prepare("SELECT record FROM employers WHERE id = ?");
  s.Bind(1, id);
  if (!s.Step()) return std::nullopt;
  return store::ParseRecord<v1::Employer>(s.Blob(0));
}

std::optional<v1::Employer> RegistryStore::FindEmployerByCreditCode(store::Tx& tx, const std::string& credit_code) {
  auto s = tx.Prepare("SELECT record FROM employers WHERE credit_code = ?");
  s.Bind(1, credit_code);
  if (!s.Step()) return std::nullopt;
  return store::ParseRecord<v1::Employer>(s.Blob(0));
}

void RegistryStore::InsertEmployer(store::Tx& tx, const v1::Employer& e) {
  auto s = tx.Prepare(
      "INSERT INTO employers (id, credit_code, province, division_code, industry_section, size_class, hazard_mask,"
      " declaration_status, status, version, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.BindAll(e.id(), e.credit_code(), e.province(), e.division_code(), e.industry_section(),
            static_cast<int64_t>(e.size_class()), store::EnumSet(e.hazard_categories()), static_cast<int64_t>(e.declaration_status()),
            static_cast<int64_t>(e.status()), e.version());
  s.BindBlob(11, StoredRecord(e));
  s.Run();
  ChangeLog::Append(tx, ChangeLog::Resource::kEmployers, e.id(), e.version());
}

void RegistryStore::UpdateEmployer(store::Tx& tx, const v1::Employer& e) {
  auto s = tx.Prepare(
      "UPDATE employers SET province = ?, division_code = ?, industry_section = ?, size_class = ?, hazard_mask = ?,"
      " declaration_status = ?, status = ?, version = ?, record = ? WHERE id = ?");
  s.BindAll(e.province(), e.division_code(), e.industry_section(), static_cast<int64_t>(e.size_class()),
            store::EnumSet(e.hazard_categories()), static_cast<int64_t>(e.declaration_status()), static_cast<int64_t>(e.status()),
            e.version());
  s.BindBlob(9, StoredRecord(e));
  s.Bind(10, e.id());
  if (s.Run() != 1) throw store::StoreError(1, "employer to update is missing");
  ChangeLog::Append(tx, ChangeLog::Resource::kEmployers, e.id(), e.version());
}

SealedContact RegistryStore::FindSealedContact(store::Tx& tx, const std::string& employer_id) {
  auto s = tx.Prepare(
      "SELECT legal_representative_sealed, legal_representative_phone_sealed FROM employers WHERE id = ?");
  s.Bind(1, employer_id);
  if (!s.Step()) return {};
  return {s.Text(0), s.Text(1)};
}

void RegistryStore::PutSealedContact(store::Tx& tx, const std::string& employer_id, const SealedContact& sealed) {
  auto s = tx.Prepare(
      "UPDATE employers SET legal_representative_sealed = ?, legal_representative_phone_sealed = ? WHERE id = ?");
  s.BindAll(sealed.name, sealed.phone, employer_id);
  if (s.Run() != 1) throw store::StoreError(1, "employer to seal personal data of is missing");
}

std::vector<v1::Employer> RegistryStore::ListEmployers(store::Tx& tx, const EmployerFilter& f,
                                                       const std::string& after_id, int limit) {
  // One statement with every filter; an unset filter binds a value that makes its
  // clause true, so the SQL text is constant and every value is bound.
  auto s = tx.Prepare(
      "SELECT record FROM employers WHERE id > ?"
      " AND (? = '' OR substr(division_code, 1, length(?)) = ?)"
      " AND (? = '' OR industry_section = ?)"
      " AND (? = 0 OR size_class = ?)"
      " AND (? = 0 OR (hazard_mask & ?) != 0)"
      " AND (? = 0 OR declaration_status = ?)"
      " AND (? = '' OR credit_code = ?)"
      " ORDER BY id LIMIT ?");
  s.BindAll(after_id, f.division_prefix, f.division_prefix, f.division_prefix, f.industry_section,
            f.industry_section, static_cast<int64_t>(f.size_class), static_cast<int64_t>(f.size_class),
            static_cast<int64_t>(f.hazard_category), store::EnumBit(f.hazard_category),
            static_cast<int64_t>(f.declaration_status), static_cast<int64_t>(f.declaration_status), f.credit_code,
            f.credit_code, static_cast<int64_t>(limit));
  std::vector<v1::Employer> out;
  while (s.Step()) out.push_back(store::ParseRecord<v1::Employer>(s.Blob(0)));
  return out;
}

std::optional<v1::Declaration> RegistryStore::FindDeclaration(store::Tx& tx, const std::string& id) {
  auto s = tx.Prepare("SELECT record FROM declarations WHERE id = ?");
  s.Bind(1, id);
  if (!s.Step()) return std::nullopt;
  return store::ParseRecord<v1::Declaration>(s.Blob(0));
}

void RegistryStore::InsertDeclaration(store::Tx& tx, const v1::Declaration& d) {
  auto s = tx.Prepare("INSERT INTO declarations (id, employer_id, status, record) VALUES (?, ?, ?, ?)");
  s.BindAll(d.id(), d.employer_id(), static_cast<int64_t>(d.status()));
  s.BindBlob(4, d.SerializeAsString());
  s.Run();
  ChangeLog::Append(tx, ChangeLog::Resource::kDeclarations, d.id(), 0);
}

void RegistryStore::UpdateDeclaration(store::Tx& tx, const v1::Declaration& d) {
  auto s = tx.Prepare("UPDATE declarations SET status = ?, record = ? WHERE id = ?");
  s.Bind(1, static_cast<int64_t>(d.status()));
  s.BindBlob(2, d.SerializeAsString());
  s.Bind(3, d.id());
  if (s.Run() != 1) throw store::StoreError(1, "declaration to update is missing");
  ChangeLog::Append(tx, ChangeLog::Resource::kDeclarations, d.id(), 0);
}

std::vector<v1::Declaration> RegistryStore::ListDeclarations(store::Tx& tx, const std::string& employer_id,
                                                             const std::string& before_id, int limit) {
  auto s = tx.Prepare(
      "SELECT record FROM declarations WHERE employer_id = ? AND (? = '' OR id < ?) ORDER BY id DESC LIMIT ?");
  s.BindAll(employer_id, before_id, before_id, static_cast<int64_t>(limit));
  std::vector<v1::Declaration> out;
  while (s.Step()) out.push_back(store::ParseRecord<v1::Declaration>(s.Blob(0)));
  return out;
}

bool RegistryStore::HasPendingDeclaration(store::Tx& tx, const std::string& employer_id) {
  auto s = tx.Prepare("SELECT 1 FROM declarations WHERE employer_id = ? AND status = ? LIMIT 1");
  s.BindAll(employer_id, static_cast<int64_t>(v1::DECLARATION_STATUS_SUBMITTED));
  return s.Step();
}

}  // namespace osh::registry
