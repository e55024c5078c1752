#include "osh/xapi/statement_store.h"

#include <utility>

#include "osh/xapi/formats.h"
#include "osh/xapi/validation.h"

namespace osh::xapi {
namespace {

using nlohmann::json;

// Positional parameters of the statement query; numbered so that a fragment
// can use one twice and fragments can be left out without renumbering.
constexpr int kProvince = 1, kAgent = 2, kVerb = 3, kActivity = 4, kRegistration = 5, kSince = 6, kUntil = 7,
              kAfter = 8, kLimit = 9, kRelatedAgents = 10, kRelatedActivities = 11, kScopeKey = 12;

// The condition that keeps statement `alias` (a constant of this file, never
// input) inside a scope whose key is bound as parameter `key_param`.
std::string ScopeClause(const StatementScope& scope, const std::string& alias, int key_param) {
  switch (scope.by) {
    case StatementScope::By::kActor:
      return " AND " + alias + ".actor_key = ?" + std::to_string(key_param);
    case StatementScope::By::kAuthority:
      return " AND " + alias + ".authority_key = ?" + std::to_string(key_param);
    case StatementScope::By::kProvince:
      break;
  }
  return "";
}

std::string KeyOf(const json& statement, const char* property) {
  const auto it = statement.find(property);
  return it != statement.end() && it->is_object() ? AgentKey(*it) : "";
}

struct IndexEntry {
  std::string key;
  bool direct;  // actor/object of the statement itself, as opposed to a related position
};

struct StatementIndex {
  std::vector<IndexEntry> agents;
  std::vector<IndexEntry> activities;
};

void AddAgent(const json& agent, bool direct, StatementIndex& index) {
  if (!agent.is_object()) return;
  const auto key = AgentKey(agent);
  if (!key.empty()) index.agents.push_back({key, direct});
}

void AddContextActivities(const json& context, StatementIndex& index) {
  const auto it = context.find("contextActivities");
  if (it == context.end() || !it->is_object()) return;
  for (const auto& [kind, value] : it->items()) {
    if (value.is_array()) {
      for (const auto& a : value) index.activities.push_back({a.value("id", ""), false});
    } else if (value.is_object()) {
      index.activities.push_back({value.value("id", ""), false});
    }
  }
}

// actor, object and context of a statement or of its SubStatement; only the
// statement's own actor and object are direct.
void IndexBody(const json& s, bool top_level, StatementIndex& index) {
  AddAgent(s.value("actor", json::object()), top_level, index);
  const json& object = s.value("object", json::object());
  const auto type = object.value("objectType", "Activity");
  if (type == "Activity") {
    index.activities.push_back({object.value("id", ""), top_level});
  } else if (type == "Agent" || type == "Group") {
    AddAgent(object, top_level, index);
  } else if (type == "SubStatement" && top_level) {
    IndexBody(object, false, index);
  }
  const json& context = s.value("context", json::object());
  if (context.contains("instructor")) AddAgent(context["instructor"], false, index);
  if (context.contains("team")) AddAgent(context["team"], false, index);
  AddContextActivities(context, index);
}

StatementIndex IndexOf(const json& statement) {
  StatementIndex index;
  IndexBody(statement, true, index);
  if (statement.contains("authority")) AddAgent(statement["authority"], false, index);
  return index;
}

// Every Activity a statement names: its object, its context activities and
// those of its SubStatement.
void CollectActivities(const json& s, std::vector<const json*>& out) {
  const auto object = s.find("object");
  if (object != s.end() && object->is_object()) {
    const auto type = object->value("objectType", "Activity");
    if (type == "Activity") out.push_back(&*object);
    if (type == "SubStatement") CollectActivities(*object, out);
  }
  const auto context = s.find("context");
  if (context == s.end() || !context->contains("contextActivities")) return;
  for (const auto& [kind, value] : (*context)["contextActivities"].items()) {
    if (value.is_array()) {
      for (const auto& a : value) out.push_back(&a);
    } else {
      out.push_back(&value);
    }
  }
}

// Language maps and extensions gather what every statement said; any other
// definition property is taken from the newest statement that has it.
void MergeDefinition(json& into, const json& from) {
  for (const auto& [key, value] : from.items()) {
    const bool mergeable = key == "name" || key == "description" || key == "extensions";
    if (mergeable && into.contains(key) && into[key].is_object() && value.is_object()) {
      into[key].update(value);
    } else {
      into[key] = value;
    }
  }
}

void RememberActivity(store::Tx& tx, const std::string& province, const json& activity) {
  const auto id = activity.value("id", "");
  json definition = json::object();
  auto select = tx.Prepare("SELECT definition FROM xapi_activities WHERE province = ?1 AND id = ?2");
  select.BindAll(province, id);
  const bool known = select.Step();
  if (known) definition = json::parse(select.Text(0));
  const auto incoming = activity.find("definition");
  if (known && (incoming == activity.end() || incoming->empty())) return;
  if (incoming != activity.end()) MergeDefinition(definition, *incoming);
  auto upsert = tx.Prepare(
      "INSERT INTO xapi_activities (province, id, definition) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (province, id) DO UPDATE SET definition = excluded.definition");
  upsert.BindAll(province, id, definition.dump()).Run();
}

// The filter on agent, verb, activity and registration, for the statement
// aliased `alias` (a constant of this file, never input).
std::string MatchClause(const StatementQuery& q, const std::string& alias) {
  std::string clause = "TRUE";
  if (!q.agent_key.empty()) {
    clause += " AND EXISTS (SELECT 1 FROM xapi_statement_agents ag WHERE ag.seq = " + alias +
              ".seq AND ag.agent_key = ?2 AND (ag.direct = 1 OR ?10 = 1))";
  }
  if (!q.verb_id.empty()) clause += " AND " + alias + ".verb_id = ?3";
  if (!q.activity_id.empty()) {
    clause += " AND EXISTS (SELECT 1 FROM xapi_statement_activities ac WHERE ac.seq = " + alias +
              ".seq AND ac.activity_id = ?4 AND (ac.direct = 1 OR ?11 = 1))";
  }
  if (!q.registration.empty()) clause += " AND " + alias + ".registration = ?5";
  return clause;
}

bool HasMatchFilters(const StatementQuery& q) {
  return !q.agent_key.empty() || !q.verb_id.empty() || !q.activity_id.empty() || !q.registration.empty();
}

// Which index leads a query (see Query).
enum class Driver { kScan, kByAgent, kByActivity, kByVerb, kByRegistration };

// Above this many candidate rows, walking statements in order is cheaper
// than collecting and sorting the candidates.
constexpr int64_t kCandidateLimit = 2000;

// Candidate rows of one filter, counted through its index up to the limit.
int64_t CountCandidates(store::Tx& tx, const std::string& province, Driver driver, const StatementQuery& q) {
  std::string sql;
  switch (driver) {
    case Driver::kByAgent:
      sql = "SELECT count(*) FROM (SELECT 1 FROM xapi_statement_agents WHERE agent_key = ?1 AND (direct = 1 OR ?2 = 1) "
            "LIMIT ?3) AS candidates";
      break;
    case Driver::kByActivity:
      sql = "SELECT count(*) FROM (SELECT 1 FROM xapi_statement_activities WHERE activity_id = ?1 AND "
            "(direct = 1 OR ?2 = 1) LIMIT ?3) AS candidates";
      break;
    case Driver::kByVerb:
      sql = "SELECT count(*) FROM (SELECT 1 FROM xapi_statements WHERE verb_id = ?1 AND province = ?2 LIMIT ?3) AS candidates";
      break;
    case Driver::kByRegistration:
      sql = "SELECT count(*) FROM (SELECT 1 FROM xapi_statements WHERE registration = ?1 AND province = ?2 LIMIT ?3) AS candidates";
      break;
    case Driver::kScan:
      return kCandidateLimit;
  }
  auto count = tx.Prepare(sql);
  switch (driver) {
    case Driver::kByAgent:
      count.BindAll(q.agent_key, q.related_agents, kCandidateLimit);
      break;
    case Driver::kByActivity:
      count.BindAll(q.activity_id, q.related_activities, kCandidateLimit);
      break;
    case Driver::kByVerb:
      count.BindAll(q.verb_id, province, kCandidateLimit);
      break;
    default:
      count.BindAll(q.registration, province, kCandidateLimit);
      break;
  }
  count.Step();
  return count.Int(0);
}

Driver ChooseDriver(store::Tx& tx, const std::string& province, const StatementQuery& q) {
  Driver best = Driver::kScan;
  int64_t fewest = kCandidateLimit;
  const auto consider = [&](bool present, Driver driver) {
    if (!present) return;
    const auto n = CountCandidates(tx, province, driver, q);
    if (n < fewest) {
      fewest = n;
      best = driver;
    }
  };
  consider(!q.agent_key.empty(), Driver::kByAgent);
  consider(!q.activity_id.empty(), Driver::kByActivity);
  consider(!q.registration.empty(), Driver::kByRegistration);
  consider(!q.verb_id.empty(), Driver::kByVerb);
  return best;
}

// `alias.province = ?1` written so that SQLite does not answer it from the
// province index (unary +, see StatementStore::Query); PostgreSQL has no unary
// + on text and its cost-based planner needs no such hint.
std::string ProvinceUnindexed(store::Dialect dialect, const std::string& alias) {
  return (dialect == store::Dialect::kSqlite ? "+" : "") + alias + ".province = ?1";
}

// The indexed condition on the candidate statements `m` of a driver.
std::string DriverClause(Driver driver, store::Dialect dialect) {
  switch (driver) {
    case Driver::kByAgent:
      return "m.seq IN (SELECT ag.seq FROM xapi_statement_agents ag WHERE ag.agent_key = ?2 AND "
             "(ag.direct = 1 OR ?10 = 1)) AND " + ProvinceUnindexed(dialect, "m");
    case Driver::kByActivity:
      return "m.seq IN (SELECT ac.seq FROM xapi_statement_activities ac WHERE ac.activity_id = ?4 AND "
             "(ac.direct = 1 OR ?11 = 1)) AND " + ProvinceUnindexed(dialect, "m");
    case Driver::kByVerb:
      return "m.province = ?1 AND m.verb_id = ?3";
    case Driver::kByRegistration:
      return "m.province = ?1 AND m.registration = ?5";
    case Driver::kScan:
      break;
  }
  return "m.province = ?1";
}


}  // namespace

std::string AgentKey(const json& agent) {
  if (const auto it = agent.find("mbox"); it != agent.end() && it->is_string()) {
    return "mbox|" + it->get<std::string>();
  }
  if (const auto it = agent.find("mbox_sha1sum"); it != agent.end() && it->is_string()) {
    std::string sha = it->get<std::string>();
    for (auto& c : sha) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return "mbox_sha1sum|" + sha;
  }
  if (const auto it = agent.find("openid"); it != agent.end() && it->is_string()) {
    return "openid|" + it->get<std::string>();
  }
  if (const auto it = agent.find("account"); it != agent.end() && it->is_object()) {
    return "account|" + it->value("homePage", "") + "|" + it->value("name", "");
  }
  return "";
}

bool StatementScope::Covers(const std::string& actor_key, const std::string& authority_key) const {
  switch (by) {
    case By::kActor:
      return !agent_key.empty() && actor_key == agent_key;
    case By::kAuthority:
      return !agent_key.empty() && authority_key == agent_key;
    case By::kProvince:
      break;
  }
  return true;
}

SaveResult StatementStore::Save(const std::string& province, const std::vector<NewStatement>& statements,
                                const std::vector<AttachmentContent>& attachments, const StatementScope& voids) {
  struct Rollback {
    SaveResult result;
  };
  std::lock_guard order(write_order_mu_);
  const auto stored_us =
      std::chrono::duration_cast<std::chrono::microseconds>(clock_().time_since_epoch()).count();
  const auto stored = FormatTimestamp(stored_us);
  try {
    return db_.Write([&](store::Tx& tx) {
      for (const auto& item : statements) {
        json s = item.statement;
        s["stored"] = stored;
        if (!s.contains("timestamp")) s["timestamp"] = stored;
        const std::string id = s.at("id").get<std::string>();
        const std::string submitted = item.submitted.dump();
        {
          auto existing = tx.Prepare("SELECT submitted FROM xapi_statements WHERE province = ?1 AND id = ?2");
          existing.BindAll(province, id);
          if (existing.Step()) {
            if (existing.Text(0) == submitted) continue;
            throw Rollback{{SaveResult::Outcome::kConflict, id}};
          }
        }
        const json& object = s.at("object");
        const std::string verb_id = s.at("verb").at("id").get<std::string>();
        const bool is_statement_ref = object.value("objectType", "") == "StatementRef";
        const std::string ref_id = is_statement_ref ? object.at("id").get<std::string>() : "";
        const bool voiding = verb_id == kVoidedVerbId && is_statement_ref;
        const std::string actor_key = KeyOf(s, "actor");
        const std::string authority_key = KeyOf(s, "authority");
        if (voiding) {
          auto target = tx.Prepare(
              "SELECT voids_id, actor_key, authority_key FROM xapi_statements WHERE province = ?1 AND id = ?2");
          target.BindAll(province, ref_id);
          if (target.Step()) {
            if (!target.IsNull(0)) throw Rollback{{SaveResult::Outcome::kVoidingTargetIsVoiding, id}};
            if (!voids.Covers(target.Text(1), target.Text(2))) throw Rollback{{SaveResult::Outcome::kNotAllowed, id}};
          }
        }
        // Voided already when a voiding statement came first that could void it.
        bool voided = false;
        if (!voiding) {
          auto voider = tx.Prepare(
              "SELECT 1 FROM xapi_statements WHERE province = ?1 AND voids_id = ?2 AND (void_by = 0 OR "
              "(void_by = 1 AND void_key = ?3) OR (void_by = 2 AND void_key = ?4)) LIMIT 1");
          voider.BindAll(province, id, actor_key, authority_key);
          voided = voider.Step();
        }
        const auto context = s.value("context", json::object());
        auto insert = tx.Prepare(
            "INSERT INTO xapi_statements (province, id, stored_us, verb_id, registration, ref_id, voids_id, voided, "
            "submitted, statement, actor_key, authority_key, void_by, void_key) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
        insert.BindAll(province, id, stored_us, verb_id);
        if (context.contains("registration")) {
          insert.Bind(5, context["registration"].get<std::string>());
        } else {
          insert.BindNull(5);
        }
        if (is_statement_ref) {
          insert.Bind(6, ref_id);
        } else {
          insert.BindNull(6);
        }
        if (voiding) {
          insert.Bind(7, ref_id);
        } else {
          insert.BindNull(7);
        }
        insert.Bind(8, voided).Bind(9, submitted).Bind(10, s.dump()).Bind(11, actor_key).Bind(12, authority_key);
        insert.Bind(13, voiding ? static_cast<int64_t>(voids.by) : int64_t{0}).Bind(14, voiding ? voids.agent_key : "");
        insert.Run();
        const int64_t seq = tx.LastInsertRowId();
        const auto index = IndexOf(s);
        for (const auto& agent : index.agents) {
          auto row = tx.Prepare("INSERT INTO xapi_statement_agents (seq, agent_key, direct) VALUES (?1, ?2, ?3)");
          row.BindAll(seq, agent.key, agent.direct).Run();
        }
        for (const auto& activity : index.activities) {
          auto row =
              tx.Prepare("INSERT INTO xapi_statement_activities (seq, activity_id, direct) VALUES (?1, ?2, ?3)");
          row.BindAll(seq, activity.key, activity.direct).Run();
        }
        std::vector<const json*> activities;
        CollectActivities(s, activities);
        for (const auto* activity : activities) RememberActivity(tx, province, *activity);
        if (voiding) {
          auto mark = tx.Prepare(
              "UPDATE xapi_statements SET voided = 1 WHERE province = ?1 AND id = ?2 AND voids_id IS NULL");
          mark.BindAll(province, ref_id).Run();
        }
      }
      for (const auto& attachment : attachments) {
        auto insert = tx.Prepare(
            "INSERT OR IGNORE INTO xapi_attachments (province, sha2, content_type, content) VALUES (?1, ?2, ?3, ?4)");
        insert.BindAll(province, attachment.sha2, attachment.content_type);
        insert.BindBlob(4, attachment.content).Run();
      }
      return SaveResult{};
    });
  } catch (const Rollback& r) {
    return r.result;
  }
}

std::optional<json> StatementStore::Get(const std::string& province, const std::string& id, bool voided,
                                        const StatementScope& scope) {
  return db_.Read([&](store::Tx& tx) -> std::optional<json> {
    auto select = tx.Prepare("SELECT statement FROM xapi_statements s WHERE province = ?1 AND id = ?2 AND voided = ?3" +
                             ScopeClause(scope, "s", 4));
    select.BindAll(province, id, voided);
    if (scope.by != StatementScope::By::kProvince) select.Bind(4, scope.agent_key);
    if (!select.Step()) return std::nullopt;
    return json::parse(select.Text(0));
  });
}

std::string StatementStore::ConsistentThrough() {
  std::lock_guard order(write_order_mu_);
  return FormatTimestamp(clock_());
}

std::optional<json> StatementStore::GetActivity(const std::string& province, const std::string& activity_id) {
  return db_.Read([&](store::Tx& tx) -> std::optional<json> {
    auto select = tx.Prepare("SELECT definition FROM xapi_activities WHERE province = ?1 AND id = ?2");
    select.BindAll(province, activity_id);
    if (!select.Step()) return std::nullopt;
    json activity = {{"objectType", "Activity"}, {"id", activity_id}};
    auto definition = json::parse(select.Text(0));
    if (!definition.empty()) activity["definition"] = std::move(definition);
    return activity;
  });
}

std::optional<AttachmentContent> StatementStore::GetAttachment(const std::string& province, const std::string& sha2) {
  return db_.Read([&](store::Tx& tx) -> std::optional<AttachmentContent> {
    auto select =
        tx.Prepare("SELECT content_type, content FROM xapi_attachments WHERE province = ?1 AND sha2 = ?2");
    select.BindAll(province, sha2);
    if (!select.Step()) return std::nullopt;
    return AttachmentContent{sha2, select.Text(0), select.Blob(1)};
  });
}

StatementPage StatementStore::Query(const std::string& province, const StatementQuery& q) {
  return db_.Read([&](store::Tx& tx) {
    // Two plans: a selective filter (a learner, an activity) collects its few
    // matches through its index and sorts them; an unselective one (a common
    // verb, no filter) walks statements in stored order and stops at the
    // page's end. `+s.province` keeps SQLite from preferring the province
    // index, which every row of a province shares, over the row order.
    const auto driver = ChooseDriver(tx, province, q);
    std::string sql =
        "SELECT s.seq, s.statement FROM xapi_statements s WHERE " + ProvinceUnindexed(tx.dialect(), "s") +
        " AND s.voided = 0";
    if (q.since_micros) sql += " AND s.stored_us > ?6";
    if (q.until_micros) sql += " AND s.stored_us <= ?7";
    if (q.after_position) sql += q.ascending ? " AND s.seq > ?8" : " AND s.seq < ?8";
    sql += ScopeClause(q.scope, "s", kScopeKey);
    if (driver != Driver::kScan) {
      const auto matching = DriverClause(driver, tx.dialect()) + " AND " + MatchClause(q, "m");
      sql += " AND s.seq IN (SELECT m.seq FROM xapi_statements m WHERE " + matching +
             " UNION ALL SELECT r.seq FROM xapi_statements m JOIN xapi_statements r ON r.province = m.province AND "
             "r.ref_id = m.id WHERE " +
             matching + ")";
    } else if (HasMatchFilters(q)) {
      sql += " AND ((" + MatchClause(q, "s") +
             ") OR EXISTS (SELECT 1 FROM xapi_statements t WHERE t.province = s.province AND t.id = s.ref_id AND " +
             MatchClause(q, "t") + "))";
    }
    sql += q.ascending ? " ORDER BY s.seq ASC LIMIT ?9" : " ORDER BY s.seq DESC LIMIT ?9";

    auto select = tx.Prepare(sql);
    select.Bind(kProvince, province);
    if (!q.agent_key.empty()) select.Bind(kAgent, q.agent_key).Bind(kRelatedAgents, q.related_agents);
    if (!q.verb_id.empty()) select.Bind(kVerb, q.verb_id);
    if (!q.activity_id.empty()) select.Bind(kActivity, q.activity_id).Bind(kRelatedActivities, q.related_activities);
    if (!q.registration.empty()) select.Bind(kRegistration, q.registration);
    if (q.since_micros) select.Bind(kSince, *q.since_micros);
    if (q.until_micros) select.Bind(kUntil, *q.until_micros);
    if (q.after_position) select.Bind(kAfter, *q.after_position);
    if (q.scope.by != StatementScope::By::kProvince) select.Bind(kScopeKey, q.scope.agent_key);
    // One row more than asked tells whether another page exists.
    select.Bind(kLimit, static_cast<int64_t>(q.limit) + 1);
    StatementPage page;
    int64_t last_seq = 0;
    while (select.Step()) {
      if (static_cast<int>(page.statements.size()) == q.limit) {
        page.next_position = last_seq;
        break;
      }
      last_seq = select.Int(0);
      page.statements.push_back(json::parse(select.Text(1)));
    }
    return page;
  });
}

}  // namespace osh::xapi
