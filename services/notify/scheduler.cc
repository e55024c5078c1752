#include "scheduler.h"

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "osh/core/ids.h"
#include "osh/core/log.h"
#include "osh/domain/civil_date.h"
#include "reminders.h"

namespace osh::notify {
namespace {

using google::protobuf::util::TimeUtil;
using std::chrono::system_clock;

constexpr size_t kDigestItemsPerMail = 50;
constexpr int kDigestBatch = 5000;  // more in one day wait for the next day's digest

int64_t EpochMs(system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

int ChinaHourOf(system_clock::time_point t) {
  const auto since_midnight = (t + std::chrono::hours(8)) - std::chrono::floor<std::chrono::days>(t + std::chrono::hours(8));
  return static_cast<int>(std::chrono::duration_cast<std::chrono::hours>(since_midnight).count());
}

// One digest email: every notice's subject and body, numbered.
std::string DigestPayload(const std::string& day, const std::vector<const DueDelivery*>& items) {
  std::string body = fmt::format("{} 条通知 / {} notice(s), {}\n\n", items.size(), items.size(), day);
  for (size_t i = 0; i < items.size(); ++i) {
    const auto mail = nlohmann::json::parse(items[i]->payload, nullptr, false);
    const std::string subject = mail.is_object() ? mail.value("subject", "") : "";
    const std::string text = mail.is_object() ? mail.value("body", "") : "";
    body += fmt::format("{}. {}\n{}\n\n", i + 1, subject, text);
  }
  return nlohmann::json{{"subject", fmt::format("通知摘要 Notice digest {}（{}）", day, items.size())},
                        {"body", body}}
      .dump();
}

}  // namespace

ReminderScheduler::ReminderScheduler(store::Database& db, const Notify& notify, Options options,
                                     std::function<void()> after_commit, core::MetricsRegistry* metrics)
    : db_(db), notify_(notify), options_(std::move(options)), after_commit_(std::move(after_commit)),
      metrics_(metrics) {}

ReminderScheduler::~ReminderScheduler() { Stop(); }

void ReminderScheduler::Start() { thread_ = std::thread([this] { Run(); }); }

void ReminderScheduler::Stop() {
  stopping_ = true;
  Wake();
  if (thread_.joinable()) thread_.join();
}

void ReminderScheduler::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_one();
}

ReminderScheduler::Pass ReminderScheduler::RunOnce() {
  const auto now = options_.clock();
  Pass pass;
  db_.Write([&](store::Tx& tx) {
    notify_.planner().PlanEveryAnnualRule(tx, now);
    SendDue(tx, now, pass);
    RunDigest(tx, now, pass);
  });
  if ((pass.sent > 0 || pass.digests > 0) && after_commit_) after_commit_();
  Count("sent", pass.sent);
  Count("skipped", pass.skipped);
  Count("cancelled", pass.cancelled);
  return pass;
}

void ReminderScheduler::SendDue(store::Tx& tx, system_clock::time_point now, Pass& pass) {
  const int64_t now_ms = EpochMs(now);
  const std::string today = domain::ChinaDateOf(now);
  for (auto& [reminder, stored_event] : NotifyStore::DueReminders(tx, now_ms, options_.batch)) {
    const auto rule = NotifyStore::FindRule(tx, reminder.rule_id());
    if (!rule || !rule->enabled()) {
      CancelReminder(reminder, v1::REMINDER_STATUS_CANCELLED, "the rule is disabled", now);
      ++pass.cancelled;
    } else if (today > reminder.deadline()) {
      CancelReminder(reminder, v1::REMINDER_STATUS_SKIPPED, "the deadline passed before it could be sent", now);
      ++pass.skipped;
    } else if (NotifyStore::HasLaterDueReminder(tx, reminder, now_ms)) {
      CancelReminder(reminder, v1::REMINDER_STATUS_SKIPPED, "a reminder closer to the deadline is due too", now);
      ++pass.skipped;
    } else {
      events::v1::DeadlineReminder event;
      if (!event.ParseFromString(stored_event)) throw std::runtime_error("reminder " + reminder.id() + " is corrupt");
      event.set_reminder_id(reminder.id());
      event.set_days_left(domain::DaysBetween(today, reminder.deadline()));
      Notify::EventFacts facts{.id = reminder.id(), .type = kDeadlineReminderType, .province = event.province(),
                               .time = reminder.due_time()};
      notify_.Deliver(tx, *rule, facts, event);
      CancelReminder(reminder, v1::REMINDER_STATUS_SENT, "", now);
      ++pass.sent;
    }
    NotifyStore::UpdateReminder(tx, reminder);
  }
}

void ReminderScheduler::RunDigest(store::Tx& tx, system_clock::time_point now, Pass& pass) {
  const std::string day = domain::ChinaDateOf(now);
  if (ChinaHourOf(now) < options_.digest_hour || NotifyStore::DigestRan(tx, day)) return;
  auto waiting = NotifyStore::DeliveriesInDigest(tx, kDigestBatch);
  std::map<std::string, std::vector<DueDelivery*>> by_mailbox;
  // In the order things happened; the store's order (as made) breaks ties.
  std::stable_sort(waiting.begin(), waiting.end(), [](const DueDelivery& a, const DueDelivery& b) {
    return TimeUtil::TimestampToMilliseconds(a.delivery.event_time()) <
           TimeUtil::TimestampToMilliseconds(b.delivery.event_time());
  });
  for (auto& d : waiting) by_mailbox[d.delivery.recipient()].push_back(&d);
  const auto stamp = TimeUtil::MillisecondsToTimestamp(EpochMs(now));
  for (auto& [mailbox, items] : by_mailbox) {
    for (size_t first = 0; first < items.size(); first += kDigestItemsPerMail) {
      const std::vector<const DueDelivery*> chunk(items.begin() + static_cast<std::ptrdiff_t>(first),
                                                  items.begin() + static_cast<std::ptrdiff_t>(
                                                                      std::min(items.size(), first + kDigestItemsPerMail)));
      v1::Delivery digest;
      digest.set_id(core::NewUuidV7(now));
      digest.set_event_id(fmt::format("digest:{}:{}", day, first / kDigestItemsPerMail));
      digest.set_event_type("digest");
      digest.set_channel(v1::CHANNEL_EMAIL);
      digest.set_recipient(mailbox);
      digest.set_status(v1::DELIVERY_STATUS_PENDING);
      *digest.mutable_create_time() = stamp;
      *digest.mutable_event_time() = stamp;
      *digest.mutable_next_attempt_time() = stamp;
      if (!NotifyStore::InsertDelivery(tx, digest, DigestPayload(day, chunk))) continue;
      ++pass.digests;
      for (const auto* item : chunk) {
        v1::Delivery d = item->delivery;
        d.set_status(v1::DELIVERY_STATUS_DIGESTED);
        d.set_digest_delivery_id(digest.id());
        d.clear_next_attempt_time();
        NotifyStore::UpdateDelivery(tx, d);
      }
    }
  }
  NotifyStore::MarkDigestRun(tx, day, EpochMs(now));
}

void ReminderScheduler::Count(const char* outcome, int n) {
  if (metrics_ == nullptr || n == 0) return;
  metrics_->GetCounter("osh_notify_reminders_total", "due reminders by outcome", {{"outcome", outcome}})
      .Inc(static_cast<double>(n));
}

void ReminderScheduler::Run() {
  while (!stopping_) {
    std::optional<int64_t> next_ms;
    try {
      RunOnce();
      next_ms = db_.Read([](store::Tx& tx) { return NotifyStore::NextReminderDueMs(tx); });
    } catch (const std::exception& e) {
      core::log::Error("reminder scheduler pass failed", {{"error", e.what()}});
    }
    auto wait = options_.idle_wait;
    if (next_ms) {
      wait = std::min(wait, std::chrono::milliseconds(std::max<int64_t>(0, *next_ms - EpochMs(options_.clock()))));
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, wait, [this] { return woken_ || stopping_.load(); });
    woken_ = false;
  }
}

}  // namespace osh::notify
