#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "osh/store/database.h"

namespace osh::xapi {

// The three document resources of xAPI 1.0.3 (Communication 2.3, 2.6, 2.7).
enum class DocumentKind { kState, kActivityProfile, kAgentProfile };

// Where a document lives: the fields its resource uses, the others empty.
// State: activity, agent, registration (may be empty), id. Activity profile:
// activity and id. Agent profile: agent and id.
struct DocumentKey {
  DocumentKind kind;
  std::string activity_id;
  std::string agent_key;  // AgentKey of the agent
  std::string registration;
  std::string id;         // stateId or profileId; empty addresses all of the set
};

struct Document {
  std::string content_type;
  std::string content;
  std::string etag;        // SHA-1 hex of content, unquoted
  int64_t updated_micros;  // since the Unix epoch
};

// Documents of every province in the LRS's database (its schema comes with
// StatementStore::Migrations), each province's visible only to itself.
class DocumentStore {
 public:
  explicit DocumentStore(store::Database& db) : db_(db) {}

  std::optional<Document> Get(const std::string& province, const DocumentKey& key);

  // Ids of the set `key` addresses (its id ignored), updated after `since` when given.
  std::vector<std::string> Ids(const std::string& province, const DocumentKey& key,
                               std::optional<int64_t> since_micros);

  // Reads the document and writes what `decide` returns in one transaction,
  // so concurrency checks and merges see the document they replace.
  // `decide` may throw to refuse; nothing is written then.
  using Decision = std::function<Document(const std::optional<Document>& current)>;
  void Update(const std::string& province, const DocumentKey& key, const Decision& decide);

  // Deletes the document, or with an empty id every document of the set,
  // after `check` (which may throw) saw the current document.
  void Delete(const std::string& province, const DocumentKey& key,
              const std::function<void(const std::optional<Document>&)>& check = {});

 private:
  store::Database& db_;
};

// SHA-1 hex of `content`: the ETag of a document (Communication 3.1).
std::string Sha1Hex(const std::string& content);

}  // namespace osh::xapi
