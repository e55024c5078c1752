#include "osh/xapi/document_store.h"

#include <openssl/sha.h>

namespace osh::xapi {
namespace {

int KindCode(DocumentKind kind) { return static_cast<int>(kind); }

std::optional<Document> Select(store::Tx& tx, const std::string& province, const DocumentKey& key) {
  auto select = tx.Prepare(
      "SELECT content_type, content, etag, updated_us FROM xapi_documents WHERE province = ?1 AND kind = ?2 AND "
      "activity_id = ?3 AND agent_key = ?4 AND registration = ?5 AND doc_id = ?6");
  select.BindAll(province, KindCode(key.kind), key.activity_id, key.agent_key, key.registration, key.id);
  if (!select.Step()) return std::nullopt;
  return Document{select.Text(0), select.Blob(1), select.Text(2), select.Int(3)};
}

}  // namespace

std::string Sha1Hex(const std::string& content) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(content.data()), content.size(), digest);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : digest) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::optional<Document> DocumentStore::Get(const std::string& province, const DocumentKey& key) {
  return db_.Read([&](store::Tx& tx) { return Select(tx, province, key); });
}

std::vector<std::string> DocumentStore::Ids(const std::string& province, const DocumentKey& key,
                                            std::optional<int64_t> since_micros) {
  return db_.Read([&](store::Tx& tx) {
    auto select = tx.Prepare(
        "SELECT doc_id FROM xapi_documents WHERE province = ?1 AND kind = ?2 AND activity_id = ?3 AND "
        "agent_key = ?4 AND registration = ?5 AND updated_us > ?6 ORDER BY doc_id");
    select.BindAll(province, KindCode(key.kind), key.activity_id, key.agent_key, key.registration,
                   since_micros.value_or(INT64_MIN));
    std::vector<std::string> ids;
    while (select.Step()) ids.push_back(select.Text(0));
    return ids;
  });
}

void DocumentStore::Update(const std::string& province, const DocumentKey& key, const Decision& decide) {
  db_.Write([&](store::Tx& tx) {
    const auto next = decide(Select(tx, province, key));
    auto upsert = tx.Prepare(
        "INSERT INTO xapi_documents (province, kind, activity_id, agent_key, registration, doc_id, content_type, "
        "content, etag, updated_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
        "ON CONFLICT (province, kind, activity_id, agent_key, registration, doc_id) DO UPDATE SET "
        "content_type = excluded.content_type, content = excluded.content, etag = excluded.etag, "
        "updated_us = excluded.updated_us");
    upsert.BindAll(province, KindCode(key.kind), key.activity_id, key.agent_key, key.registration, key.id,
                   next.content_type);
    upsert.BindBlob(8, next.content).Bind(9, next.etag).Bind(10, next.updated_micros).Run();
  });
}

void DocumentStore::Delete(const std::string& province, const DocumentKey& key,
                           const std::function<void(const std::optional<Document>&)>& check) {
  db_.Write([&](store::Tx& tx) {
    if (check) check(key.id.empty() ? std::nullopt : Select(tx, province, key));
    if (key.id.empty()) {
      auto remove = tx.Prepare(
          "DELETE FROM xapi_documents WHERE province = ?1 AND kind = ?2 AND activity_id = ?3 AND agent_key = ?4 AND "
          "registration = ?5");
      remove.BindAll(province, KindCode(key.kind), key.activity_id, key.agent_key, key.registration).Run();
    } else {
      auto remove = tx.Prepare(
          "DELETE FROM xapi_documents WHERE province = ?1 AND kind = ?2 AND activity_id = ?3 AND agent_key = ?4 AND "
          "registration = ?5 AND doc_id = ?6");
      remove.BindAll(province, KindCode(key.kind), key.activity_id, key.agent_key, key.registration, key.id).Run();
    }
  });
}

}  // namespace osh::xapi
