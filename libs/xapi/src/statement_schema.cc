// The schema of the LRS's database (StatementStore::Migrations): statements
// with their query index, attachments, activities, the documents of
// DocumentStore, and the keys that scope who sees which statement.
#include "osh/xapi/statement_store.h"

namespace osh::xapi {
namespace {

const std::vector<store::Migration> kMigrations = {
    {1, "xapi statements",
     R"sql(
CREATE TABLE xapi_statements (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  province TEXT NOT NULL,
  id TEXT NOT NULL,
  stored_us INTEGER NOT NULL,
  verb_id TEXT NOT NULL,
  registration TEXT,
  ref_id TEXT,
  voids_id TEXT,
  voided INTEGER NOT NULL DEFAULT 0,
  submitted TEXT NOT NULL,
  statement TEXT NOT NULL,
  UNIQUE (province, id)
);
CREATE INDEX xapi_statements_by_stored ON xapi_statements (province, stored_us);
CREATE INDEX xapi_statements_by_verb ON xapi_statements (province, verb_id, seq);
CREATE INDEX xapi_statements_by_registration ON xapi_statements (province, registration, seq);
CREATE INDEX xapi_statements_by_ref ON xapi_statements (province, ref_id);
CREATE INDEX xapi_statements_by_voids ON xapi_statements (province, voids_id);
CREATE TABLE xapi_statement_agents (
  seq INTEGER NOT NULL REFERENCES xapi_statements (seq),
  agent_key TEXT NOT NULL,
  direct INTEGER NOT NULL
);
CREATE INDEX xapi_statement_agents_by_key ON xapi_statement_agents (agent_key, seq);
CREATE INDEX xapi_statement_agents_by_seq ON xapi_statement_agents (seq);
CREATE TABLE xapi_statement_activities (
  seq INTEGER NOT NULL REFERENCES xapi_statements (seq),
  activity_id TEXT NOT NULL,
  direct INTEGER NOT NULL
);
CREATE INDEX xapi_statement_activities_by_id ON xapi_statement_activities (activity_id, seq);
CREATE INDEX xapi_statement_activities_by_seq ON xapi_statement_activities (seq);
)sql"},
    {2, "xapi attachments",
     R"sql(
CREATE TABLE xapi_attachments (
  province TEXT NOT NULL,
  sha2 TEXT NOT NULL,
  content_type TEXT NOT NULL,
  content BLOB NOT NULL,
  PRIMARY KEY (province, sha2)
);
)sql"},
    {3, "xapi activities",
     R"sql(
CREATE TABLE xapi_activities (
  province TEXT NOT NULL,
  id TEXT NOT NULL,
  definition TEXT NOT NULL,
  PRIMARY KEY (province, id)
);
)sql"},
    {4, "xapi documents",
     R"sql(
CREATE TABLE xapi_documents (
  province TEXT NOT NULL,
  kind INTEGER NOT NULL,
  activity_id TEXT NOT NULL,
  agent_key TEXT NOT NULL,
  registration TEXT NOT NULL,
  doc_id TEXT NOT NULL,
  content_type TEXT NOT NULL,
  content BLOB NOT NULL,
  etag TEXT NOT NULL,
  updated_us INTEGER NOT NULL,
  PRIMARY KEY (province, kind, activity_id, agent_key, registration, doc_id)
);
)sql"},
    // Who a statement is about and who stored it, for scoped reads (a
    // learner sees statements whose actor it is, a Basic client those it
    // stored), and what a voiding statement was allowed to void, so that a
    // statement arriving after its voiding statement is voided only when
    // its voider could have voided it (void_by: 0 any statement of the
    // province, 1 same actor, 2 same authority; void_key the agent).
    // Existing rows get their keys from their JSON, as AgentKey computes them.
    {5, "xapi statement scopes",
     R"sql(
ALTER TABLE xapi_statements ADD COLUMN actor_key TEXT NOT NULL DEFAULT '';
ALTER TABLE xapi_statements ADD COLUMN authority_key TEXT NOT NULL DEFAULT '';
ALTER TABLE xapi_statements ADD COLUMN void_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE xapi_statements ADD COLUMN void_key TEXT NOT NULL DEFAULT '';
UPDATE xapi_statements SET
  actor_key = CASE
    WHEN json_type(statement, '$.actor.mbox') = 'text' THEN 'mbox|' || json_extract(statement, '$.actor.mbox')
    WHEN json_type(statement, '$.actor.mbox_sha1sum') = 'text'
      THEN 'mbox_sha1sum|' || lower(json_extract(statement, '$.actor.mbox_sha1sum'))
    WHEN json_type(statement, '$.actor.openid') = 'text' THEN 'openid|' || json_extract(statement, '$.actor.openid')
    WHEN json_type(statement, '$.actor.account') = 'object'
      THEN 'account|' || coalesce(json_extract(statement, '$.actor.account.homePage'), '') || '|' ||
           coalesce(json_extract(statement, '$.actor.account.name'), '')
    ELSE '' END,
  authority_key = CASE
    WHEN json_type(statement, '$.authority.mbox') = 'text' THEN 'mbox|' || json_extract(statement, '$.authority.mbox')
    WHEN json_type(statement, '$.authority.mbox_sha1sum') = 'text'
      THEN 'mbox_sha1sum|' || lower(json_extract(statement, '$.authority.mbox_sha1sum'))
    WHEN json_type(statement, '$.authority.openid') = 'text'
      THEN 'openid|' || json_extract(statement, '$.authority.openid')
    WHEN json_type(statement, '$.authority.account') = 'object'
      THEN 'account|' || coalesce(json_extract(statement, '$.authority.account.homePage'), '') || '|' ||
           coalesce(json_extract(statement, '$.authority.account.name'), '')
    ELSE '' END;
CREATE INDEX xapi_statements_by_actor ON xapi_statements (actor_key, seq);
CREATE INDEX xapi_statements_by_authority ON xapi_statements (authority_key, seq);
)sql",
     // PostgreSQL: the same keys from the JSON through jsonb (no PostgreSQL
     // database ever ran this step before: SQLite's json functions fail there).
     R"sql(
ALTER TABLE xapi_statements ADD COLUMN actor_key TEXT NOT NULL DEFAULT '';
ALTER TABLE xapi_statements ADD COLUMN authority_key TEXT NOT NULL DEFAULT '';
ALTER TABLE xapi_statements ADD COLUMN void_by BIGINT NOT NULL DEFAULT 0;
ALTER TABLE xapi_statements ADD COLUMN void_key TEXT NOT NULL DEFAULT '';
UPDATE xapi_statements SET
  actor_key = CASE
    WHEN jsonb_typeof(statement::jsonb #> '{actor,mbox}') = 'string' THEN 'mbox|' || (statement::jsonb #>> '{actor,mbox}')
    WHEN jsonb_typeof(statement::jsonb #> '{actor,mbox_sha1sum}') = 'string'
      THEN 'mbox_sha1sum|' || lower(statement::jsonb #>> '{actor,mbox_sha1sum}')
    WHEN jsonb_typeof(statement::jsonb #> '{actor,openid}') = 'string'
      THEN 'openid|' || (statement::jsonb #>> '{actor,openid}')
    WHEN jsonb_typeof(statement::jsonb #> '{actor,account}') = 'object'
      THEN 'account|' || coalesce(statement::jsonb #>> '{actor,account,homePage}', '') || '|' ||
           coalesce(statement::jsonb #>> '{actor,account,name}', '')
    ELSE '' END,
  authority_key = CASE
    WHEN jsonb_typeof(statement::jsonb #> '{authority,mbox}') = 'string'
      THEN 'mbox|' || (statement::jsonb #>> '{authority,mbox}')
    WHEN jsonb_typeof(statement::jsonb #> '{authority,mbox_sha1sum}') = 'string'
      THEN 'mbox_sha1sum|' || lower(statement::jsonb #>> '{authority,mbox_sha1sum}')
    WHEN jsonb_typeof(statement::jsonb #> '{authority,openid}') = 'string'
      THEN 'openid|' || (statement::jsonb #>> '{authority,openid}')
    WHEN jsonb_typeof(statement::jsonb #> '{authority,account}') = 'object'
      THEN 'account|' || coalesce(statement::jsonb #>> '{authority,account,homePage}', '') || '|' ||
           coalesce(statement::jsonb #>> '{authority,account,name}', '')
    ELSE '' END;
CREATE INDEX xapi_statements_by_actor ON xapi_statements (actor_key, seq);
CREATE INDEX xapi_statements_by_authority ON xapi_statements (authority_key, seq);
)sql"},
};

}  // namespace

const std::vector<store::Migration>& StatementStore::Migrations() { return kMigrations; }

}  // namespace osh::xapi
