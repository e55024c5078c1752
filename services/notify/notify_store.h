#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "osh/crypto/field_cipher.h"
#include "osh/notify/v1/notify.pb.h"
#include "osh/service/retention.h"
#include "osh/store/database.h"

namespace osh::notify {

// v1 is osh::notify::v1 here already; an alias of the same name is ill-formed
// (clang refuses it, which the fuzz build uses).

// A webhook or email delivery waiting for its next attempt, with what it must send.
struct DueDelivery {
  v1::Delivery delivery;
  std::string payload;
  std::string sealed_secret;  // the rule's webhook secret as stored (OpenRuleSecret)
};

// A rule's webhook secret at rest — in the rules table and in the stored
// answer of the CreateRule that showed it — is sealed with the deployment's
// key ring (libs/crypto FieldCipher), bound to the rule: a copy of the
// database file does not sign webhooks.
std::string SealRuleSecret(const crypto::FieldCipher& cipher, const std::string& rule_id, std::string_view secret);
// Nullopt when `sealed` was not sealed for this rule by this key ring.
std::optional<std::string> OpenRuleSecret(const crypto::FieldCipher& cipher, const std::string& rule_id,
                                          std::string_view sealed);

// A scheduled reminder that fell due, with the DeadlineReminder it renders
// (everything but days_left and reminder_id, which are filled when it is sent).
struct DueReminder {
  v1::Reminder reminder;
  std::string event;
};

// The notify service's tables: versioned templates, rules (with their webhook
// secret kept apart from the record), inbox items with per-principal read
// marks, and deliveries unique per (event, rule, recipient, channel).
class NotifyStore {
 public:
  static std::vector<store::Migration> Migrations();
  // Settled deliveries (delivered, dead-lettered, digested) under retention:
  // pruned `horizon` after they settled; pending ones are never pruned.
  static service::RetainedTable SettledDeliveries(std::chrono::seconds horizon);

  static void InsertTemplate(store::Tx& tx, const v1::Template& t);
  // version 0: the newest.
  static std::optional<v1::Template> FindTemplate(store::Tx& tx, const std::string& id, int64_t version);
  static std::vector<v1::Template> ListTemplates(store::Tx& tx, const std::string& province,
                                                 const std::string& event_type, const std::string& after_id,
                                                 int limit);

  static void PutRule(store::Tx& tx, const v1::Rule& rule, const std::string& webhook_secret, bool insert);
  static std::optional<v1::Rule> FindRule(store::Tx& tx, const std::string& id);
  // The webhook secret as stored: sealed (OpenRuleSecret), "" without one.
  static std::string RuleSecret(store::Tx& tx, const std::string& id);
  // Seals the webhook secrets earlier versions kept in clear, in the rules and
  // in the stored CreateRule answers; returns how many it sealed. Idempotent.
  static int SealClearSecrets(store::Tx& tx, const crypto::FieldCipher& cipher);
  static std::vector<v1::Rule> ListRules(store::Tx& tx, const std::string& province, const std::string& event_type,
                                         const std::string& after_id, int limit);
  static std::vector<v1::Rule> EnabledRulesFor(store::Tx& tx, const std::string& event_type);

  // False when a delivery with the same (event, rule, recipient, channel)
  // exists already: the caller then does nothing more for it.
  static bool InsertDelivery(store::Tx& tx, const v1::Delivery& d, const std::string& payload);
  static std::optional<v1::Delivery> FindDelivery(store::Tx& tx, const std::string& id);
  static void UpdateDelivery(store::Tx& tx, const v1::Delivery& d);
  static std::vector<DueDelivery> DueDeliveries(store::Tx& tx, int64_t now_ms, int limit);
  static std::optional<int64_t> NextDueMs(store::Tx& tx);
  static std::vector<v1::Delivery> ListDeliveries(store::Tx& tx, int status, const std::string& event_id,
                                                  const std::string& after_id, int limit);

  static void InsertInboxItem(store::Tx& tx, const v1::InboxItem& item, const std::string& audience);
  // Items for any of `audiences`, newest first, with `subject`'s read marks.
  static std::vector<v1::InboxItem> ListInbox(store::Tx& tx, const std::vector<std::string>& audiences,
                                              const std::string& subject, bool unread_only, int64_t after_seconds,
                                              const std::string& after_id, int limit);
  static int64_t CountUnread(store::Tx& tx, const std::vector<std::string>& audiences, const std::string& subject);
  // The item's audience, or nullopt when there is no such item.
  static std::optional<std::string> InboxAudience(store::Tx& tx, const std::string& id);
  // One item with `subject`'s read mark.
  static std::optional<v1::InboxItem> FindInboxItem(store::Tx& tx, const std::string& id, const std::string& subject);
  static void PutPreference(store::Tx& tx, const std::string& subject, const v1::Preference& preference);
  static std::vector<v1::Preference> ListPreferences(store::Tx& tx, const std::string& subject);
  static void MarkRead(store::Tx& tx, const std::string& item_id, const std::string& subject, int64_t seconds);

  // False when the rule has that reminder (reference, deadline, days) already.
  static bool InsertReminder(store::Tx& tx, const v1::Reminder& r, const std::string& event);
  static void UpdateReminder(store::Tx& tx, const v1::Reminder& r);
  static std::vector<v1::Reminder> ScheduledRemindersOf(store::Tx& tx, const std::string& reference);
  static std::vector<DueReminder> DueReminders(store::Tx& tx, int64_t now_ms, int limit);
  // A reminder of the same deadline and rule, closer to it, is due as well:
  // `r` is stale (the service was down while both fell due).
  static bool HasLaterDueReminder(store::Tx& tx, const v1::Reminder& r, int64_t now_ms);
  static std::optional<int64_t> NextReminderDueMs(store::Tx& tx);
  // Soonest due first; the page position is (due second, id).
  static std::vector<v1::Reminder> ListReminders(store::Tx& tx, int status, const std::string& rule_id,
                                                 int64_t after_seconds, const std::string& after_id, int limit);

  static std::vector<DueDelivery> DeliveriesInDigest(store::Tx& tx, int limit);
  static bool DigestRan(store::Tx& tx, const std::string& day);
  static void MarkDigestRun(store::Tx& tx, const std::string& day, int64_t now_ms);
};

}  // namespace osh::notify
