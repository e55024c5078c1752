#include "personal_data.h"

#include <stdexcept>

#include "osh/core/log.h"
#include "osh/service/records.h"
#include "registry_store.h"

namespace osh::registry {
namespace {

// Sets the masked forms from the clear values and drops the clear values: an
// employer as every answer and the stored record show it.
void MaskAnswer(v1::Employer& e) {
  if (!e.legal_representative().empty()) {
    e.set_legal_representative_masked(crypto::MaskName(e.legal_representative()));
  }
  if (!e.legal_representative_phone().empty()) {
    e.set_legal_representative_phone_masked(core::log::MaskPhone(e.legal_representative_phone()));
  }
  e.clear_legal_representative();
  e.clear_legal_representative_phone();
}

template <typename Request>
std::string MaskedRequestBytes(const std::string& bytes) {
  Request request;
  if (!request.ParseFromString(bytes)) throw std::runtime_error("a stored idempotent request does not parse");
  PersonalData::MaskInPlace(*request.mutable_employer());
  return request.SerializeAsString();
}

}  // namespace

std::string PersonalData::Context(const v1::Employer& employer, const char* field) const {
  if (employer.id().empty()) throw std::logic_error("personal data sealed for an employer without id");
  return std::string("registry.employer.") + field + ":" + employer.id();
}

void PersonalData::Seal(v1::Employer& e, bool name, bool phone, SealedContact& sealed) const {
  if (name) {
    sealed.name = e.legal_representative().empty() ? ""
                                                   : cipher_.Seal(e.legal_representative(),
                                                                  Context(e, kLegalRepresentativeField));
    e.set_legal_representative_masked(
        e.legal_representative().empty() ? "" : crypto::MaskName(e.legal_representative()));
  }
  if (phone) {
    sealed.phone = e.legal_representative_phone().empty()
                       ? ""
                       : cipher_.Seal(e.legal_representative_phone(), Context(e, kLegalRepresentativePhoneField));
    e.set_legal_representative_phone_masked(
        e.legal_representative_phone().empty() ? "" : core::log::MaskPhone(e.legal_representative_phone()));
  }
  e.clear_legal_representative();
  e.clear_legal_representative_phone();
}

void PersonalData::Open(const SealedContact& sealed, v1::Employer& e) const {
  const auto open = [&](const std::string& value, const char* field) {
    if (value.empty()) return std::string();
    auto clear = cipher_.Open(value, Context(e, field));
    if (!clear) throw std::runtime_error(std::string("the sealed ") + field + " of employer " + e.id() + " does not open");
    return *clear;
  };
  e.set_legal_representative(open(sealed.name, kLegalRepresentativeField));
  e.set_legal_representative_phone(open(sealed.phone, kLegalRepresentativePhoneField));
}

void PersonalData::MaskInPlace(v1::Employer& e) {
  if (!e.legal_representative().empty()) e.set_legal_representative(crypto::MaskName(e.legal_representative()));
  if (!e.legal_representative_phone().empty()) {
    e.set_legal_representative_phone(core::log::MaskPhone(e.legal_representative_phone()));
  }
}

bool PersonalData::HoldsClear(const v1::Employer& e) {
  return !e.legal_representative().empty() || !e.legal_representative_phone().empty();
}

int PersonalData::SealBacklog(store::Database& db) const {
  return db.Write([&](store::Tx& tx) {
    // Cells and pages this rewrite frees are zeroed, so the clear values do
    // not linger in the file's free space. (PostgreSQL has no such switch: its
    // old row versions go when VACUUM reclaims them.)
    if (tx.dialect() == store::Dialect::kSqlite) tx.Exec("PRAGMA secure_delete = ON");
    int rewritten = 0;
    std::vector<std::string> ids;
    for (auto s = tx.Prepare("SELECT id FROM personal_data_backlog_employers"); s.Step();) ids.push_back(s.Text(0));
    for (const auto& id : ids) {
      if (auto e = RegistryStore::FindEmployer(tx, id)) {
        SealedContact sealed = RegistryStore::FindSealedContact(tx, id);
        if (HoldsClear(*e)) Seal(*e, !e->legal_representative().empty(), !e->legal_representative_phone().empty(), sealed);
        RegistryStore::UpdateEmployer(tx, *e);
        RegistryStore::PutSealedContact(tx, id, sealed);
        ++rewritten;
      }
    }
    struct Key {
      std::string subject, method, request_id;
    };
    std::vector<Key> keys;
    for (auto s = tx.Prepare("SELECT subject, method, request_id FROM personal_data_backlog_answers"); s.Step();) {
      keys.push_back({s.Text(0), s.Text(1), s.Text(2)});
    }
    for (const auto& k : keys) {
      auto answer = service::FindAnswer(tx, k.subject, k.method, k.request_id);
      if (!answer) continue;
      std::string request = answer->request_bytes;
      if (k.method == "CreateEmployer") request = MaskedRequestBytes<v1::CreateEmployerRequest>(request);
      if (k.method == "UpdateEmployer") request = MaskedRequestBytes<v1::UpdateEmployerRequest>(request);
      v1::Employer response;
      if (!response.ParseFromString(answer->response_bytes)) {
        throw std::runtime_error("a stored idempotent answer does not parse");
      }
      MaskAnswer(response);
      auto s = tx.Prepare(
          "UPDATE idempotency_keys SET request = ?, response = ? WHERE subject = ? AND method = ? AND request_id = ?");
      s.BindBlob(1, request);
      s.BindBlob(2, response.SerializeAsString());
      s.Bind(3, k.subject).Bind(4, k.method).Bind(5, k.request_id);
      s.Run();
      ++rewritten;
    }
    tx.Exec("DELETE FROM personal_data_backlog_employers");
    tx.Exec("DELETE FROM personal_data_backlog_answers");
    return rewritten;
  });
}

// ---- The record of reads in clear ----

store::Migration PersonalDataReads::Migration(int version) {
  // Besides the record of reads, the sealed columns and the backlog of rows
  // written in clear before them, which PersonalData::SealBacklog works off.
  return {version, "personal_data_sealed_and_reads", R"sql(
ALTER TABLE employers ADD COLUMN legal_representative_sealed TEXT NOT NULL DEFAULT '';
ALTER TABLE employers ADD COLUMN legal_representative_phone_sealed TEXT NOT NULL DEFAULT '';
CREATE TABLE personal_data_backlog_employers (id TEXT PRIMARY KEY);
INSERT INTO personal_data_backlog_employers SELECT id FROM employers;
CREATE TABLE personal_data_backlog_answers (
  subject TEXT NOT NULL,
  method TEXT NOT NULL,
  request_id TEXT NOT NULL,
  PRIMARY KEY (subject, method, request_id)
);
INSERT INTO personal_data_backlog_answers SELECT subject, method, request_id FROM idempotency_keys
  WHERE method IN ('CreateEmployer', 'UpdateEmployer', 'TransferEmployer');
CREATE TABLE personal_data_reads (
  id TEXT PRIMARY KEY,
  read_time_ms INTEGER NOT NULL,
  record_id TEXT NOT NULL,
  record BLOB NOT NULL
);
CREATE INDEX personal_data_reads_by_record ON personal_data_reads(record_id, id);
)sql"};
}

void PersonalDataReads::Record(store::Tx& tx, const v1::PersonalDataRead& read) {
  auto s = tx.Prepare("INSERT INTO personal_data_reads (id, read_time_ms, record_id, record) VALUES (?, ?, ?, ?)");
  s.Bind(1, read.id())
      .Bind(2, static_cast<int64_t>(read.read_time().seconds() * 1000 + read.read_time().nanos() / 1'000'000))
      .Bind(3, read.record_id());
  s.BindBlob(4, read.SerializeAsString());
  s.Run();
}

std::vector<v1::PersonalDataRead> PersonalDataReads::List(store::Tx& tx, const Filter& f, const std::string& before_id,
                                                          int limit) {
  auto s = tx.Prepare(
      "SELECT record FROM personal_data_reads WHERE (? = '' OR id < ?) AND (? = '' OR record_id = ?)"
      " AND read_time_ms >= ? AND read_time_ms < ? ORDER BY id DESC LIMIT ?");
  s.BindAll(before_id, before_id, f.record_id, f.record_id, f.start_ms, f.end_ms, static_cast<int64_t>(limit));
  std::vector<v1::PersonalDataRead> out;
  while (s.Step()) out.push_back(store::ParseRecord<v1::PersonalDataRead>(s.Blob(0)));
  return out;
}

int64_t PersonalDataReads::Count(store::Tx& tx, const std::string& record_id) {
  auto s = tx.Prepare("SELECT COUNT(*) FROM personal_data_reads WHERE record_id = ?");
  s.Bind(1, record_id);
  s.Step();
  return s.Int(0);
}

}  // namespace osh::registry
