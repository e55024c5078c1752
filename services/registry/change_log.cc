#include "change_log.h"

namespace osh::registry {
namespace {

struct ResourceInfo {
  const char* name;   // the entries' `resource` value and the feed's name
  const char* read;   // the page query: after-sequence, limit
};

// One constant query per resource (table names are never taken from input).
const ResourceInfo& Info(ChangeLog::Resource resource) {
  static const ResourceInfo kEmployers{
      "employers",
      "SELECT c.seq, c.version, t.record FROM record_changes c JOIN employers t ON t.id = c.record_id"
      " WHERE c.resource = 'employers' AND c.seq > ? ORDER BY c.seq LIMIT ?"};
  static const ResourceInfo kDeclarations{
      "declarations",
      "SELECT c.seq, c.version, t.record FROM record_changes c JOIN declarations t ON t.id = c.record_id"
      " WHERE c.resource = 'declarations' AND c.seq > ? ORDER BY c.seq LIMIT ?"};
  static const ResourceInfo kInspections{
      "inspections",
      "SELECT c.seq, c.version, t.record FROM record_changes c JOIN inspections t ON t.id = c.record_id"
      " WHERE c.resource = 'inspections' AND c.seq > ? ORDER BY c.seq LIMIT ?"};
  static const ResourceInfo kItems{
      "rectification_items",
      "SELECT c.seq, c.version, t.record FROM record_changes c JOIN rectification_items t ON t.id = c.record_id"
      " WHERE c.resource = 'rectification_items' AND c.seq > ? ORDER BY c.seq LIMIT ?"};
  switch (resource) {
    case ChangeLog::Resource::kEmployers:
      return kEmployers;
    case ChangeLog::Resource::kDeclarations:
      return kDeclarations;
    case ChangeLog::Resource::kInspections:
      return kInspections;
    case ChangeLog::Resource::kRectificationItems:
      return kItems;
  }
  return kEmployers;
}

}  // namespace

store::Migration ChangeLog::Migration(int version) {
  // `seq INTEGER NOT NULL PRIMARY KEY` is SQLite's rowid and a plain BIGINT key
  // on PostgreSQL (no identity): Append always names the value itself.
  return {version, "record_changes", R"sql(
CREATE TABLE record_changes (
  seq INTEGER NOT NULL PRIMARY KEY,
  resource TEXT NOT NULL,
  record_id TEXT NOT NULL,
  version INTEGER NOT NULL
);
CREATE INDEX record_changes_by_resource ON record_changes(resource, seq);
CREATE INDEX record_changes_by_record ON record_changes(resource, record_id);
INSERT INTO record_changes (seq, resource, record_id, version)
SELECT ROW_NUMBER() OVER (ORDER BY kind, id), resource, id, version FROM (
  SELECT 1 AS kind, 'employers' AS resource, id, version FROM employers
  UNION ALL SELECT 2, 'declarations', id, 1 FROM declarations
  UNION ALL SELECT 3, 'inspections', id, 1 FROM inspections
  UNION ALL SELECT 4, 'rectification_items', id, 0 FROM rectification_items
) AS existing;
)sql"};
}

void ChangeLog::Append(store::Tx& tx, Resource resource, const std::string& record_id, int64_t version) {
  const char* name = Info(resource).name;
  if (version <= 0) {
    auto count = tx.Prepare("SELECT COUNT(*) FROM record_changes WHERE resource = ? AND record_id = ?");
    count.BindAll(name, record_id);
    version = count.Step() ? count.Int(0) + 1 : 1;
  }
  // Two statements rather than INSERT … SELECT MAX()+1: PostgreSQL cannot
  // infer the types of untyped parameters in a SELECT list.
  auto last = tx.Prepare("SELECT COALESCE(MAX(seq), 0) FROM record_changes");
  const int64_t sequence = last.Step() ? last.Int(0) + 1 : 1;
  auto insert = tx.Prepare("INSERT INTO record_changes (seq, resource, record_id, version) VALUES (?, ?, ?, ?)");
  insert.BindAll(sequence, name, record_id, version);
  insert.Run();
}

std::vector<ChangeLog::Entry> ChangeLog::After(store::Tx& tx, Resource resource, int64_t after_sequence, int limit) {
  auto s = tx.Prepare(Info(resource).read);
  s.BindAll(after_sequence, static_cast<int64_t>(limit));
  std::vector<Entry> out;
  while (s.Step()) out.push_back({s.Int(0), s.Int(1), s.Blob(2)});
  return out;
}

std::string_view ChangeLog::Name(Resource resource) { return Info(resource).name; }

}  // namespace osh::registry
