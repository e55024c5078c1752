#include "notify_store.h"

#include "osh/events/consumer.h"
#include "osh/service/records.h"
#include "osh/service/retention.h"

namespace osh::notify {
namespace {

constexpr int kAudienceSlots = 3;  // a principal matches its subject, its organisation and its role

// An inbox item the principal (bound to the one parameter) has not turned off
// by category; legally required notices always pass.
#define OSH_INBOX_WANTED_SQL                                                                                     \
  "(i.legally_required = 1 OR NOT EXISTS (SELECT 1 FROM preferences p WHERE p.subject = ? AND "     \
  "p.category = i.category AND p.channel = 1 AND p.enabled = 0))"

std::string SecretContext(const std::string& rule_id) { return "notify.rule.webhook_secret:" + rule_id; }

// What FieldCipher::Seal writes starts so; the clear secrets of earlier
// versions are 64 hex digits.
bool IsSealed(std::string_view stored) { return stored.starts_with("v1."); }

template <typename M>
std::vector<M> Rows(store::Statement& s) {
  std::vector<M> out;
  while (s.Step()) out.push_back(store::ParseRecord<M>(s.Blob(0)));
  return out;
}

}  // namespace

std::string SealRuleSecret(const crypto::FieldCipher& cipher, const std::string& rule_id, std::string_view secret) {
  return cipher.Seal(secret, SecretContext(rule_id));
}

std::optional<std::string> OpenRuleSecret(const crypto::FieldCipher& cipher, const std::string& rule_id,
                                          std::string_view sealed) {
  return cipher.Open(sealed, SecretContext(rule_id));
}

std::vector<store::Migration> NotifyStore::Migrations() {
  return {
      {1, "notify", R"sql(
CREATE TABLE templates (
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  province TEXT NOT NULL,
  event_type TEXT NOT NULL,
  record BLOB NOT NULL,
  PRIMARY KEY (id, version)
) WITHOUT ROWID;
CREATE TABLE rules (
  id TEXT PRIMARY KEY,
  province TEXT NOT NULL,
  event_type TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  webhook_secret TEXT NOT NULL,
  record BLOB NOT NULL
);
CREATE INDEX rules_by_event_type ON rules(event_type, enabled);
CREATE TABLE deliveries (
  id TEXT PRIMARY KEY,
  dedup_key TEXT NOT NULL UNIQUE,
  event_id TEXT NOT NULL,
  status INTEGER NOT NULL,
  channel INTEGER NOT NULL,
  next_attempt_ms INTEGER NOT NULL,
  payload BLOB NOT NULL,
  record BLOB NOT NULL
);
CREATE INDEX deliveries_due ON deliveries(status, next_attempt_ms);
CREATE INDEX deliveries_by_event ON deliveries(event_id, id);
CREATE TABLE inbox (
  id TEXT PRIMARY KEY,
  audience TEXT NOT NULL,
  create_seconds INTEGER NOT NULL,
  record BLOB NOT NULL
);
CREATE INDEX inbox_by_audience ON inbox(audience, create_seconds DESC, id);
CREATE TABLE inbox_reads (
  item_id TEXT NOT NULL REFERENCES inbox(id),
  subject TEXT NOT NULL,
  read_seconds INTEGER NOT NULL,
  PRIMARY KEY (item_id, subject)
) WITHOUT ROWID;
)sql"},
      service::RecordsMigration(2),
      events::EventConsumer::Migration(3),
      {4, "preferences", R"sql(
ALTER TABLE inbox ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE inbox ADD COLUMN legally_required INTEGER NOT NULL DEFAULT 0;
CREATE TABLE preferences (
  subject TEXT NOT NULL,
  category TEXT NOT NULL,
  channel INTEGER NOT NULL,
  enabled INTEGER NOT NULL,
  PRIMARY KEY (subject, category, channel)
) WITHOUT ROWID;
)sql"},
      {5, "reminders and digests", R"sql(
CREATE TABLE reminders (
  id TEXT PRIMARY KEY,
  rule_id TEXT NOT NULL,
  reference TEXT NOT NULL,
  deadline TEXT NOT NULL,
  days_before INTEGER NOT NULL,
  due_ms INTEGER NOT NULL,
  status INTEGER NOT NULL,
  record BLOB NOT NULL,
  event BLOB NOT NULL,
  UNIQUE (rule_id, reference, deadline, days_before)
);
CREATE INDEX reminders_due ON reminders(status, due_ms);
CREATE INDEX reminders_by_reference ON reminders(reference, status);
CREATE TABLE digest_runs (
  day TEXT PRIMARY KEY,
  run_ms INTEGER NOT NULL
) WITHOUT ROWID;
)sql"},
      // Reliability (issue 23): indexes for retention, and when a delivery
      // settled (delivered, dead-lettered, digested) so that it can be pruned
      // after retention-deliveries-days. Settled rows older than this
      // migration count from it.
      events::EventConsumer::RetentionMigration(6),
      service::RecordsRetentionMigration(7),
      {8, "delivery settlement time", R"sql(
ALTER TABLE deliveries ADD COLUMN settled_ms INTEGER;
UPDATE deliveries SET settled_ms = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  WHERE status IN (2, 3, 5);
CREATE INDEX deliveries_settled ON deliveries(settled_ms) WHERE settled_ms IS NOT NULL;
)sql",
       // PostgreSQL has no julianday: the same "now" in milliseconds since the epoch.
       R"sql(
ALTER TABLE deliveries ADD COLUMN settled_ms BIGINT;
UPDATE deliveries SET settled_ms = CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT)
  WHERE status IN (2, 3, 5);
CREATE INDEX deliveries_settled ON deliveries(settled_ms) WHERE settled_ms IS NOT NULL;
)sql"},
      // The order deliveries were made in, which digests keep, as a column of
      // its own: it was SQLite's rowid, which PostgreSQL has no equivalent of.
      // InsertDelivery numbers each new row after the largest (writes are
      // serialised on both stores); rows of before count in their old order.
      {9, "delivery order", R"sql(
ALTER TABLE deliveries ADD COLUMN made_order INTEGER NOT NULL DEFAULT 0;
UPDATE deliveries SET made_order = rowid;
CREATE INDEX deliveries_by_made_order ON deliveries(made_order);
CREATE INDEX deliveries_by_status_in_order ON deliveries(status, made_order);
)sql",
       // No rowid here: ids are UUIDv7, in the order they were made but for a millisecond's ties.
       R"sql(
ALTER TABLE deliveries ADD COLUMN made_order BIGINT NOT NULL DEFAULT 0;
UPDATE deliveries SET made_order = ordered.n
  FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM deliveries) AS ordered
  WHERE deliveries.id = ordered.id;
CREATE INDEX deliveries_by_made_order ON deliveries(made_order);
CREATE INDEX deliveries_by_status_in_order ON deliveries(status, made_order);
)sql"},
  };
}

void NotifyStore::InsertTemplate(store::Tx& tx, const v1::Template& t) {
  auto s = tx.Prepare("INSERT INTO templates(id, version, province, event_type, record) VALUES (?, ?, ?, ?, ?)");
  s.Bind(1, t.id()).Bind(2, t.version()).Bind(3, t.province()).Bind(4, t.event_type());
  s.BindBlob(5, t.SerializeAsString()).Run();
}

std::optional<v1::Template> NotifyStore::FindTemplate(store::Tx& tx, const std::string& id, int64_t version) {
  auto s = tx.Prepare(
      "SELECT record FROM templates WHERE id = ? AND (? = 0 OR version = ?) ORDER BY version DESC LIMIT 1");
  s.Bind(1, id).Bind(2, version).Bind(3, version);
  if (!s.Step()) return std::nullopt;
  return store::ParseRecord<v1::Template>(s.Blob(0));
}

std::vector<v1::Template> NotifyStore::ListTemplates(store::Tx& tx, const std::string& province,
                                                     const std::string& event_type, const std::string& after_id,
                                                     int limit) {
  // The newest version of each template.
  auto s = tx.Prepare(
      "SELECT t.record FROM templates t WHERE t.province = ? AND (? = '' OR t.event_type = ?) AND t.id > ? "
      "AND t.version = (SELECT MAX(version) FROM templates WHERE id = t.id) ORDER BY t.id LIMIT ?");
  s.Bind(1, province).Bind(2, event_type).Bind(3, event_type).Bind(4, after_id).Bind(5, limit);
  return Rows<v1::Template>(s);
}

void NotifyStore::PutRule(store::Tx& tx, const v1::Rule& rule, const std::string& webhook_secret, bool insert) {
  v1::Rule stored = rule;
  stored.clear_webhook_secret();
  if (insert) {
    auto s = tx.Prepare(
        "INSERT INTO rules(id, province, event_type, enabled, webhook_secret, record) VALUES (?, ?, ?, ?, ?, ?)");
    s.Bind(1, rule.id()).Bind(2, rule.province()).Bind(3, rule.event_type()).Bind(4, rule.enabled());
    s.Bind(5, webhook_secret).BindBlob(6, stored.SerializeAsString()).Run();
    return;
  }
  auto s = tx.Prepare("UPDATE rules SET enabled = ?, record = ? WHERE id = ?");
  s.Bind(1, rule.enabled()).BindBlob(2, stored.SerializeAsString()).Bind(3, rule.id()).Run();
}

std::optional<v1::Rule> NotifyStore::FindRule(store::Tx& tx, const std::string& id) {
  auto s = tx.Prepare("SELECT record FROM rules WHERE id = ?");
  s.Bind(1, id);
  if (!s.Step()) return std::nullopt;
  return store::ParseRecord<v1::Rule>(s.Blob(0));
}

std::string NotifyStore::RuleSecret(store::Tx& tx, const std::string& id) {
  auto s = tx.Prepare("SELECT webhook_secret FROM rules WHERE id = ?");
  s.Bind(1, id);
  return s.Step() ? s.Text(0) : std::string();
}

int NotifyStore::SealClearSecrets(store::Tx& tx, const crypto::FieldCipher& cipher) {
  std::vector<std::pair<std::string, std::string>> clear;  // rule id, secret
  auto s = tx.Prepare("SELECT id, webhook_secret FROM rules WHERE webhook_secret != ''");
  while (s.Step()) {
    if (!IsSealed(s.Text(1))) clear.emplace_back(s.Text(0), s.Text(1));
  }
  for (const auto& [id, secret] : clear) {
    tx.Prepare("UPDATE rules SET webhook_secret = ? WHERE id = ?").BindAll(SealRuleSecret(cipher, id, secret), id).Run();
  }
  const int answers = service::RewriteAnswers(tx, "CreateRule", [&](const std::string& bytes) -> std::optional<std::string> {
    v1::Rule answer;
    if (!answer.ParseFromString(bytes) || answer.webhook_secret().empty() || IsSealed(answer.webhook_secret())) {
      return std::nullopt;
    }
    answer.set_webhook_secret(SealRuleSecret(cipher, answer.id(), answer.webhook_secret()));
    return answer.SerializeAsString();
  });
  return static_cast<int>(clear.size()) + answers;
}

std::vector<v1::Rule> NotifyStore::ListRules(store::Tx& tx, const std::string& province,
                                             const std::string& event_type, const std::string& after_id, int limit) {
  auto s = tx.Prepare(
      "SELECT record FROM rules WHERE province = ? AND (? = '' OR event_type = ?) AND id > ? ORDER BY id LIMIT ?");
  s.Bind(1, province).Bind(2, event_type).Bind(3, event_type).Bind(4, after_id).Bind(5, limit);
  return Rows<v1::Rule>(s);
}

std::vector<v1::Rule> NotifyStore::EnabledRulesFor(store::Tx& tx, const std::string& event_type) {
  auto s = tx.Prepare("SELECT record FROM rules WHERE event_type = ? AND enabled = 1 ORDER BY id");
  s.Bind(1, event_type);
  return Rows<v1::Rule>(s);
}

namespace {

int64_t Millis(const google::protobuf::Timestamp& t) { return t.seconds() * 1000 + t.nanos() / 1000000; }

// When a delivery reached a final status (delivered, dead-lettered, carried by
// a digest); unset (NULL) while it may still be sent.
std::optional<int64_t> SettledMs(const v1::Delivery& d) {
  switch (d.status()) {
    case v1::DELIVERY_STATUS_DELIVERED:
    case v1::DELIVERY_STATUS_DEAD_LETTER:
    case v1::DELIVERY_STATUS_DIGESTED:
      if (d.has_delivered_time()) return Millis(d.delivered_time());
      if (d.attempts_size() > 0) return Millis(d.attempts(d.attempts_size() - 1).time());
      return Millis(d.create_time());
    default:
      return std::nullopt;
  }
}

void BindSettled(store::Statement& s, int index, const v1::Delivery& d) {
  if (const auto ms = SettledMs(d)) {
    s.Bind(index, *ms);
  } else {
    s.BindNull(index);
  }
}

}  // namespace

service::RetainedTable NotifyStore::SettledDeliveries(std::chrono::seconds horizon) {
  return {"deliveries", "settled_ms", service::TimeColumn::kUnixMillis, horizon, "settled_ms IS NOT NULL"};
}

bool NotifyStore::InsertDelivery(store::Tx& tx, const v1::Delivery& d, const std::string& payload) {
  const std::string dedup_key =
      d.event_id() + "|" + d.rule_id() + "|" + std::to_string(d.channel()) + "|" + d.recipient();
  auto s = tx.Prepare(
      "INSERT INTO deliveries(id, dedup_key, event_id, status, channel, next_attempt_ms, payload, record, settled_ms,"
      " made_order) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(made_order), 0) + 1 FROM deliveries))"
      " ON CONFLICT(dedup_key) DO NOTHING");
  const int64_t next_ms = d.next_attempt_time().seconds() * 1000 + d.next_attempt_time().nanos() / 1000000;
  s.Bind(1, d.id()).Bind(2, dedup_key).Bind(3, d.event_id()).Bind(4, d.status()).Bind(5, d.channel());
  s.Bind(6, next_ms).BindBlob(7, payload).BindBlob(8, d.SerializeAsString());
  BindSettled(s, 9, d);
  return s.Run() == 1;
}

std::optional<v1::Delivery> NotifyStore::FindDelivery(store::Tx& tx, const std::string& id) {
  auto s = tx.Prepare("SELECT record FROM deliveries WHERE id = ?");
  s.Bind(1, id);
  if (!s.Step()) return std::nullopt;
  return store::ParseRecord<v1::Delivery>(s.Blob(0));
}

void NotifyStore::UpdateDelivery(store::Tx& tx, const v1::Delivery& d) {
  auto s = tx.Prepare("UPDATE deliveries SET status = ?, next_attempt_ms = ?, record = ?, settled_ms = ? WHERE id = ?");
  const int64_t next_ms = d.next_attempt_time().seconds() * 1000 + d.next_attempt_time().nanos() / 1000000;
  s.Bind(1, d.status()).Bind(2, next_ms).BindBlob(3, d.SerializeAsString());
  BindSettled(s, 4, d);
  s.Bind(5, d.id()).Run();
}

std::vector<DueDelivery> NotifyStore::DueDeliveries(store::Tx& tx, int64_t now_ms, int limit) {
  auto due = tx.Prepare(
      "SELECT record, payload FROM deliveries WHERE status = ? AND next_attempt_ms <= ? "
      "ORDER BY next_attempt_ms LIMIT ?");
  due.Bind(1, static_cast<int>(v1::DELIVERY_STATUS_PENDING)).Bind(2, now_ms).Bind(3, limit);
  std::vector<DueDelivery> out;
  while (due.Step()) {
    DueDelivery w;
    w.delivery = store::ParseRecord<v1::Delivery>(due.Blob(0));
    w.payload = due.Blob(1);
    out.push_back(std::move(w));
  }
  for (auto& w : out) {
    if (w.delivery.channel() == v1::CHANNEL_WEBHOOK) w.sealed_secret = RuleSecret(tx, w.delivery.rule_id());
  }
  return out;
}

std::optional<int64_t> NotifyStore::NextDueMs(store::Tx& tx) {
  auto s = tx.Prepare("SELECT MIN(next_attempt_ms) FROM deliveries WHERE status = ?");
  s.Bind(1, static_cast<int>(v1::DELIVERY_STATUS_PENDING));
  if (!s.Step() || s.IsNull(0)) return std::nullopt;
  return s.Int(0);
}

std::vector<v1::Delivery> NotifyStore::ListDeliveries(store::Tx& tx, int status, const std::string& event_id,
                                                      const std::string& after_id, int limit) {
  auto s = tx.Prepare(
      "SELECT record FROM deliveries WHERE (? = 0 OR status = ?) AND (? = '' OR event_id = ?) AND id > ? "
      "ORDER BY id LIMIT ?");
  s.Bind(1, status).Bind(2, status).Bind(3, event_id).Bind(4, event_id).Bind(5, after_id).Bind(6, limit);
  return Rows<v1::Delivery>(s);
}

void NotifyStore::InsertInboxItem(store::Tx& tx, const v1::InboxItem& item, const std::string& audience) {
  auto s = tx.Prepare(
      "INSERT INTO inbox(id, audience, create_seconds, record, category, legally_required) VALUES (?, ?, ?, ?, ?, ?)");
  s.Bind(1, item.id()).Bind(2, audience).Bind(3, item.create_time().seconds()).BindBlob(4, item.SerializeAsString());
  s.Bind(5, item.category()).Bind(6, item.legally_required()).Run();
}

std::vector<v1::InboxItem> NotifyStore::ListInbox(store::Tx& tx, const std::vector<std::string>& audiences,
                                                  const std::string& subject, bool unread_only, int64_t after_seconds,
                                                  const std::string& after_id, int limit) {
  auto s = tx.Prepare(
      "SELECT i.record, r.subject IS NOT NULL FROM inbox i LEFT JOIN inbox_reads r ON r.item_id = i.id AND "
      "r.subject = ? WHERE i.audience IN (?, ?, ?) AND (? = 0 OR r.subject IS NULL) AND (? = '' OR "
      "i.create_seconds < ? OR (i.create_seconds = ? AND i.id > ?)) AND " OSH_INBOX_WANTED_SQL
      " ORDER BY i.create_seconds DESC, i.id LIMIT ?");
  s.Bind(1, subject);
  for (int i = 0; i < kAudienceSlots; ++i) {
    s.Bind(2 + i, i < static_cast<int>(audiences.size()) ? audiences[static_cast<size_t>(i)] : std::string());
  }
  s.Bind(5, unread_only).Bind(6, after_id).Bind(7, after_seconds).Bind(8, after_seconds).Bind(9, after_id);
  s.Bind(10, subject).Bind(11, limit);
  std::vector<v1::InboxItem> out;
  while (s.Step()) {
    auto item = store::ParseRecord<v1::InboxItem>(s.Blob(0));
    item.set_read(s.Int(1) != 0);
    out.push_back(std::move(item));
  }
  return out;
}

int64_t NotifyStore::CountUnread(store::Tx& tx, const std::vector<std::string>& audiences, const std::string& subject) {
  auto s = tx.Prepare(
      "SELECT COUNT(*) FROM inbox i WHERE i.audience IN (?, ?, ?) AND NOT EXISTS "
      "(SELECT 1 FROM inbox_reads r WHERE r.item_id = i.id AND r.subject = ?) AND " OSH_INBOX_WANTED_SQL);
  for (int i = 0; i < kAudienceSlots; ++i) {
    s.Bind(1 + i, i < static_cast<int>(audiences.size()) ? audiences[static_cast<size_t>(i)] : std::string());
  }
  s.Bind(4, subject).Bind(5, subject);
  s.Step();
  return s.Int(0);
}

std::optional<std::string> NotifyStore::InboxAudience(store::Tx& tx, const std::string& id) {
  auto s = tx.Prepare("SELECT audience FROM inbox WHERE id = ?");
  s.Bind(1, id);
  if (!s.Step()) return std::nullopt;
  return s.Text(0);
}

std::optional<v1::InboxItem> NotifyStore::FindInboxItem(store::Tx& tx, const std::string& id,
                                                        const std::string& subject) {
  auto s = tx.Prepare(
      "SELECT i.record, r.subject IS NOT NULL FROM inbox i LEFT JOIN inbox_reads r ON r.item_id = i.id AND "
      "r.subject = ? WHERE i.id = ?");
  s.Bind(1, subject).Bind(2, id);
  if (!s.Step()) return std::nullopt;
  auto item = store::ParseRecord<v1::InboxItem>(s.Blob(0));
  item.set_read(s.Int(1) != 0);
  return item;
}

void NotifyStore::PutPreference(store::Tx& tx, const std::string& subject, const v1::Preference& p) {
  auto s = tx.Prepare(
      "INSERT INTO preferences(subject, category, channel, enabled) VALUES (?, ?, ?, ?) "
      "ON CONFLICT(subject, category, channel) DO UPDATE SET enabled = excluded.enabled");
  s.Bind(1, subject).Bind(2, p.category()).Bind(3, p.channel()).Bind(4, p.enabled()).Run();
}

std::vector<v1::Preference> NotifyStore::ListPreferences(store::Tx& tx, const std::string& subject) {
  auto s = tx.Prepare("SELECT category, channel, enabled FROM preferences WHERE subject = ? ORDER BY category, channel");
  s.Bind(1, subject);
  std::vector<v1::Preference> out;
  while (s.Step()) {
    v1::Preference p;
    p.set_category(s.Text(0));
    p.set_channel(static_cast<v1::Channel>(s.Int(1)));
    p.set_enabled(s.Int(2) != 0);
    out.push_back(std::move(p));
  }
  return out;
}

void NotifyStore::MarkRead(store::Tx& tx, const std::string& item_id, const std::string& subject, int64_t seconds) {
  auto s = tx.Prepare(
      "INSERT INTO inbox_reads(item_id, subject, read_seconds) VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
  s.Bind(1, item_id).Bind(2, subject).Bind(3, seconds).Run();
}

bool NotifyStore::InsertReminder(store::Tx& tx, const v1::Reminder& r, const std::string& event) {
  auto s = tx.Prepare(
      "INSERT INTO reminders(id, rule_id, reference, deadline, days_before, due_ms, status, record, event) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(rule_id, reference, deadline, days_before) DO NOTHING");
  s.Bind(1, r.id()).Bind(2, r.rule_id()).Bind(3, r.reference()).Bind(4, r.deadline()).Bind(5, r.days_before());
  s.Bind(6, r.due_time().seconds() * 1000).Bind(7, r.status()).BindBlob(8, r.SerializeAsString()).BindBlob(9, event);
  return s.Run() == 1;
}

void NotifyStore::UpdateReminder(store::Tx& tx, const v1::Reminder& r) {
  auto s = tx.Prepare("UPDATE reminders SET status = ?, record = ? WHERE id = ?");
  s.Bind(1, r.status()).BindBlob(2, r.SerializeAsString()).Bind(3, r.id()).Run();
}

std::vector<v1::Reminder> NotifyStore::ScheduledRemindersOf(store::Tx& tx, const std::string& reference) {
  auto s = tx.Prepare("SELECT record FROM reminders WHERE reference = ? AND status = ? ORDER BY id");
  s.Bind(1, reference).Bind(2, static_cast<int>(v1::REMINDER_STATUS_SCHEDULED));
  return Rows<v1::Reminder>(s);
}

std::vector<DueReminder> NotifyStore::DueReminders(store::Tx& tx, int64_t now_ms, int limit) {
  auto s = tx.Prepare(
      "SELECT record, event FROM reminders WHERE status = ? AND due_ms <= ? ORDER BY due_ms, id LIMIT ?");
  s.Bind(1, static_cast<int>(v1::REMINDER_STATUS_SCHEDULED)).Bind(2, now_ms).Bind(3, limit);
  std::vector<DueReminder> out;
  while (s.Step()) out.push_back({store::ParseRecord<v1::Reminder>(s.Blob(0)), s.Blob(1)});
  return out;
}

bool NotifyStore::HasLaterDueReminder(store::Tx& tx, const v1::Reminder& r, int64_t now_ms) {
  auto s = tx.Prepare(
      "SELECT 1 FROM reminders WHERE rule_id = ? AND reference = ? AND deadline = ? AND status = ? AND "
      "due_ms <= ? AND days_before < ? LIMIT 1");
  s.Bind(1, r.rule_id()).Bind(2, r.reference()).Bind(3, r.deadline());
  s.Bind(4, static_cast<int>(v1::REMINDER_STATUS_SCHEDULED)).Bind(5, now_ms).Bind(6, r.days_before());
  return s.Step();
}

std::optional<int64_t> NotifyStore::NextReminderDueMs(store::Tx& tx) {
  auto s = tx.Prepare("SELECT MIN(due_ms) FROM reminders WHERE status = ?");
  s.Bind(1, static_cast<int>(v1::REMINDER_STATUS_SCHEDULED));
  if (!s.Step() || s.IsNull(0)) return std::nullopt;
  return s.Int(0);
}

std::vector<v1::Reminder> NotifyStore::ListReminders(store::Tx& tx, int status, const std::string& rule_id,
                                                     int64_t after_seconds, const std::string& after_id, int limit) {
  auto s = tx.Prepare(
      "SELECT record FROM reminders WHERE (? = 0 OR status = ?) AND (? = '' OR rule_id = ?) AND "
      "(? = '' OR due_ms > ? OR (due_ms = ? AND id > ?)) ORDER BY due_ms, id LIMIT ?");
  s.Bind(1, status).Bind(2, status).Bind(3, rule_id).Bind(4, rule_id);
  s.Bind(5, after_id).Bind(6, after_seconds * 1000).Bind(7, after_seconds * 1000).Bind(8, after_id).Bind(9, limit);
  return Rows<v1::Reminder>(s);
}

std::vector<DueDelivery> NotifyStore::DeliveriesInDigest(store::Tx& tx, int limit) {
  // In the order they were made; ids made within one millisecond do not tell.
  auto s = tx.Prepare("SELECT record, payload FROM deliveries WHERE status = ? ORDER BY made_order LIMIT ?");
  s.Bind(1, static_cast<int>(v1::DELIVERY_STATUS_IN_DIGEST)).Bind(2, limit);
  std::vector<DueDelivery> out;
  while (s.Step()) {
    DueDelivery d;
    d.delivery = store::ParseRecord<v1::Delivery>(s.Blob(0));
    d.payload = s.Blob(1);
    out.push_back(std::move(d));
  }
  return out;
}

bool NotifyStore::DigestRan(store::Tx& tx, const std::string& day) {
  auto s = tx.Prepare("SELECT 1 FROM digest_runs WHERE day = ?");
  s.Bind(1, day);
  return s.Step();
}

void NotifyStore::MarkDigestRun(store::Tx& tx, const std::string& day, int64_t now_ms) {
  auto s = tx.Prepare("INSERT INTO digest_runs(day, run_ms) VALUES (?, ?)");
  s.Bind(1, day).Bind(2, now_ms).Run();
}

}  // namespace osh::notify
