#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "osh/store/database.h"

namespace osh::xapi {

// The key under which an Agent or identified Group is indexed and compared:
// its one inverse functional identifier, e.g. "mbox|mailto:a@b.c" or
// "account|https://lms.example|1234". Empty for an anonymous Group.
std::string AgentKey(const nlohmann::json& agent);

// Which statements of a province a client may see or act on: all of them, or
// those whose actor, or whose authority, is one agent (by AgentKey).
struct StatementScope {
  enum class By { kProvince, kActor, kAuthority };
  By by = By::kProvince;
  std::string agent_key;

  static StatementScope Province() { return {}; }
  static StatementScope Actor(std::string key) { return {By::kActor, std::move(key)}; }
  static StatementScope Authority(std::string key) { return {By::kAuthority, std::move(key)}; }
  // Whether a statement with these actor and authority keys is in scope.
  bool Covers(const std::string& actor_key, const std::string& authority_key) const;
};

// One statement ready to be stored: validated, with id, authority and
// version filled in by the LRS (the store adds `stored`, and `timestamp`
// when absent). `submitted` is the statement as the client sent it, which
// decides whether a repeated id is the same statement.
struct NewStatement {
  nlohmann::json statement;
  nlohmann::json submitted;
};

// The raw content of an attachment, sent in a multipart request and
// addressed by its SHA-2 hash (Data 2.4.11).
struct AttachmentContent {
  std::string sha2;
  std::string content_type;
  std::string content;
};

// What a write did. A repeated id with the same content changes nothing and is
// not an error (clients retry); with other content it is a conflict and the
// whole batch is rolled back.
struct SaveResult {
  // kNotAllowed: a voiding statement's target is stored and outside the
  // writer's voiding scope.
  enum class Outcome { kStored, kConflict, kVoidingTargetIsVoiding, kNotAllowed };
  Outcome outcome = Outcome::kStored;
  std::string statement_id;  // the conflicting or offending statement
};

// Filters of GET /statements (xAPI 1.0.3 Communication 2.1.3).
struct StatementQuery {
  std::string agent_key;  // AgentKey of the `agent` parameter
  std::string verb_id;
  std::string activity_id;
  std::string registration;
  bool related_activities = false;
  bool related_agents = false;
  std::optional<int64_t> since_micros;  // stored strictly after
  std::optional<int64_t> until_micros;  // stored at or before
  bool ascending = false;
  int limit = 100;
  std::optional<int64_t> after_position;  // from a `more` token
  StatementScope scope;  // only statements in it, whatever the filters
};

struct StatementPage {
  std::vector<nlohmann::json> statements;
  std::optional<int64_t> next_position;  // set when more statements match
};

// The statements of every province in one SQLite database, each province's
// rows visible only to that province. Statements are stored whole (the JSON
// the LRS returns) beside the columns and index tables that the queries use.
class StatementStore {
 public:
  // The schema of the whole LRS: statements, attachments, activities and the
  // documents of DocumentStore.
  static const std::vector<store::Migration>& Migrations();

  using Clock = std::function<std::chrono::system_clock::time_point()>;

  explicit StatementStore(store::Database& db, Clock clock = [] { return std::chrono::system_clock::now(); })
      : db_(db), clock_(std::move(clock)) {}

  // Stores all of `statements` or none, all with the same `stored` time.
  // Voiding statements void their target when it is stored already (and in
  // `voids`, else nothing is stored: kNotAllowed), and a statement arriving
  // after its voiding statement is stored voided when it is in the scope its
  // voider had. `attachments` are kept with them, once per hash.
  SaveResult Save(const std::string& province, const std::vector<NewStatement>& statements,
                  const std::vector<AttachmentContent>& attachments = {},
                  const StatementScope& voids = StatementScope::Province());

  std::optional<AttachmentContent> GetAttachment(const std::string& province, const std::string& sha2);

  // The Activity with everything the province's statements said about it
  // (Communication 2.5): language maps merged, other definition properties
  // from the latest statement. Nullopt when no statement named it.
  std::optional<nlohmann::json> GetActivity(const std::string& province, const std::string& activity_id);

  // A statement by id: with `voided` false only when it is not voided, with
  // `voided` true only when it is; nullopt too when it is outside `scope`.
  std::optional<nlohmann::json> Get(const std::string& province, const std::string& id, bool voided,
                                    const StatementScope& scope = StatementScope::Province());

  // Matching statements that are not voided, by stored order. Statements
  // whose object is a StatementRef to a matching statement match too
  // (Communication 2.1.3 "Filter Conditions for StatementRefs").
  StatementPage Query(const std::string& province, const StatementQuery& query);

  // A time such that every statement stored at or before it is visible to
  // queries that start after this call (X-Experience-API-Consistent-Through):
  // read when no write is between choosing its `stored` time and committing.
  std::string ConsistentThrough();

 private:
  store::Database& db_;
  Clock clock_;
  // Held from choosing a write's `stored` time until it commits, so stored
  // times follow commit order and ConsistentThrough never runs ahead.
  std::mutex write_order_mu_;
};

}  // namespace osh::xapi
