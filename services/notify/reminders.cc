#include "reminders.h"

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>

#include <set>

#include "osh/core/ids.h"
#include "osh/domain/civil_date.h"

namespace osh::notify {
namespace {

using google::protobuf::util::TimeUtil;
using std::chrono::system_clock;

constexpr int kMaxReminders = 10;
constexpr int kMaxDaysBefore = 366;
constexpr auto kChinaOffset = std::chrono::hours(8);

google::protobuf::Timestamp Stamp(system_clock::time_point t) {
  return TimeUtil::MillisecondsToTimestamp(
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

bool Matches(const v1::Rule& rule, v1::DeadlineKind kind, const std::string& province) {
  return rule.has_schedule() && rule.schedule().deadline() == kind &&
         (rule.source_province() == "*" || rule.source_province() == province);
}

// Cancels what is still scheduled for `reference` (its item closed, its certificate revoked).
void CancelScheduled(store::Tx& tx, const std::string& reference, const std::string& reason,
                     system_clock::time_point now) {
  for (auto& r : NotifyStore::ScheduledRemindersOf(tx, reference)) {
    CancelReminder(r, v1::REMINDER_STATUS_CANCELLED, reason, now);
    NotifyStore::UpdateReminder(tx, r);
  }
}

}  // namespace

system_clock::time_point ReminderDueTime(std::chrono::sys_days deadline, int days_before, int send_hour) {
  return deadline - std::chrono::days(days_before) + std::chrono::hours(send_hour) - kChinaOffset;
}

bool IsAnnualDate(std::string_view annual_date) {
  if (annual_date.size() != 7 || annual_date.substr(0, 2) != "--" || annual_date == "--02-29") return false;
  // Any non-leap year tells whether the month-day exists every year.
  return domain::IsCivilDate("2025" + std::string(annual_date.substr(1)));
}

std::string NextAnnualDate(std::string_view annual_date, std::string_view today) {
  const std::string month_day(annual_date.substr(1));  // "-MM-DD"
  const std::string this_year = std::string(today.substr(0, 4)) + month_day;
  if (this_year >= today) return this_year;
  return fmt::format("{:04d}{}", std::stoi(std::string(today.substr(0, 4))) + 1, month_day);
}

void CheckSchedule(const v1::Rule& rule, core::FieldErrors& errors) {
  const bool reminder_type = rule.event_type() == kDeadlineReminderType;
  if (!rule.has_schedule()) {
    if (reminder_type) errors.Add("rule.schedule", "is required: deadline reminders come from a schedule");
    return;
  }
  const auto& s = rule.schedule();
  if (!reminder_type) errors.Add("rule.event_type", std::string("must be ") + kDeadlineReminderType + " for a schedule");
  if (s.deadline() == v1::DEADLINE_KIND_UNSPECIFIED || !v1::DeadlineKind_IsValid(s.deadline())) {
    errors.Add("rule.schedule.deadline",
               "must be DEADLINE_KIND_RECTIFICATION, DEADLINE_KIND_ANNUAL_DATE or DEADLINE_KIND_CERTIFICATE_EXPIRY");
  }
  if (s.days_before_size() == 0 || s.days_before_size() > kMaxReminders) {
    errors.Add("rule.schedule.days_before", "must name 1 to 10 days");
  }
  std::set<int> seen;
  for (int i = 0; i < s.days_before_size(); ++i) {
    const int d = s.days_before(i);
    const std::string at = fmt::format("rule.schedule.days_before[{}]", i);
    if (d < 0 || d > kMaxDaysBefore) errors.Add(at, "must be 0 to 366");
    if (!seen.insert(d).second) errors.Add(at, fmt::format("{} appears twice", d));
  }
  if (s.deadline() == v1::DEADLINE_KIND_ANNUAL_DATE) {
    if (!IsAnnualDate(s.annual_date())) {
      errors.Add("rule.schedule.annual_date", "must be --MM-DD, a day every year has (e.g. --12-15)");
    }
    for (int i = 0; i < rule.recipients_size(); ++i) {
      if (rule.recipients(i).has_event_organisation()) {
        errors.Add(fmt::format("rule.recipients[{}].event_organisation", i), "an annual date is about no organisation");
      }
    }
  } else if (!s.annual_date().empty()) {
    errors.Add("rule.schedule.annual_date", "only for DEADLINE_KIND_ANNUAL_DATE");
  }
}

void CancelReminder(v1::Reminder& r, v1::ReminderStatus status, const std::string& reason, system_clock::time_point now) {
  r.set_status(status);
  r.set_reason(reason);
  *r.mutable_update_time() = Stamp(now);
}

int ReminderPlanner::Plan(store::Tx& tx, const v1::Rule& rule, const std::string& reference,
                          const events::v1::DeadlineReminder& event, system_clock::time_point now) const {
  const auto deadline = domain::ParseCivilDate(event.deadline());
  if (!deadline) return 0;  // producers check their dates; a bad one plans nothing rather than stopping the consumer
  const std::string stored_event = event.SerializeAsString();
  int planned = 0;
  for (int days : rule.schedule().days_before()) {
    const auto due = ReminderDueTime(*deadline, days, options_.send_hour);
    if (due <= now) continue;
    v1::Reminder r;
    r.set_id(core::NewUuidV7(now));
    r.set_rule_id(rule.id());
    r.set_reference(reference);
    r.set_deadline(event.deadline());
    r.set_days_before(days);
    *r.mutable_due_time() = Stamp(due);
    r.set_status(v1::REMINDER_STATUS_SCHEDULED);
    r.set_credit_code(event.credit_code());
    *r.mutable_update_time() = Stamp(now);
    if (NotifyStore::InsertReminder(tx, r, stored_event)) ++planned;
  }
  return planned;
}

void ReminderPlanner::RectificationOpened(store::Tx& tx, const events::v1::RectificationOpened& opened,
                                          const std::string& province, system_clock::time_point now) const {
  // A reopening moves the deadline: what was planned for the old one goes.
  for (auto& r : NotifyStore::ScheduledRemindersOf(tx, opened.item_id())) {
    if (r.deadline() == opened.deadline()) continue;
    CancelReminder(r, v1::REMINDER_STATUS_CANCELLED, "the item was reopened with deadline " + opened.deadline(), now);
    NotifyStore::UpdateReminder(tx, r);
  }
  events::v1::DeadlineReminder event;
  event.set_kind("rectification");
  event.set_deadline(opened.deadline());
  event.set_province(province);
  event.set_item_id(opened.item_id());
  event.set_inspection_id(opened.inspection_id());
  event.set_credit_code(opened.credit_code());
  event.set_division_code(opened.division_code());
  event.set_factor_code(opened.factor_code());
  for (const auto& rule : NotifyStore::EnabledRulesFor(tx, kDeadlineReminderType)) {
    if (Matches(rule, v1::DEADLINE_KIND_RECTIFICATION, province)) Plan(tx, rule, opened.item_id(), event, now);
  }
}

void ReminderPlanner::RectificationClosed(store::Tx& tx, const events::v1::RectificationClosed& closed,
                                          system_clock::time_point now) const {
  CancelScheduled(tx, closed.item_id(), "the item was closed", now);
}

void ReminderPlanner::CertificateIssued(store::Tx& tx, const events::v1::CertificateIssued& issued,
                                        const std::string& province, system_clock::time_point now) const {
  if (issued.expiry_date().empty()) return;  // a course without a validity period
  events::v1::DeadlineReminder event;
  event.set_kind("certificate_expiry");
  event.set_deadline(issued.expiry_date());
  event.set_province(province);
  event.set_credit_code(issued.org());
  event.set_certificate_id(issued.certificate_id());
  event.set_course_id(issued.course_id());
  event.set_course_title(issued.course_title());
  for (const auto& rule : NotifyStore::EnabledRulesFor(tx, kDeadlineReminderType)) {
    if (Matches(rule, v1::DEADLINE_KIND_CERTIFICATE_EXPIRY, province)) {
      Plan(tx, rule, "certificate:" + issued.certificate_id(), event, now);
    }
  }
}

void ReminderPlanner::CertificateRevoked(store::Tx& tx, const events::v1::CertificateRevoked& revoked,
                                         system_clock::time_point now) const {
  CancelScheduled(tx, "certificate:" + revoked.certificate_id(), "the certificate was revoked", now);
}

void ReminderPlanner::PlanAnnual(store::Tx& tx, const v1::Rule& rule, system_clock::time_point now) const {
  const std::string deadline = NextAnnualDate(rule.schedule().annual_date(), domain::ChinaDateOf(now));
  events::v1::DeadlineReminder event;
  event.set_kind("annual_date");
  event.set_deadline(deadline);
  event.set_province(rule.province());
  Plan(tx, rule, "annual:" + deadline, event, now);
}

void ReminderPlanner::PlanEveryAnnualRule(store::Tx& tx, system_clock::time_point now) const {
  for (const auto& rule : NotifyStore::EnabledRulesFor(tx, kDeadlineReminderType)) {
    if (rule.has_schedule() && rule.schedule().deadline() == v1::DEADLINE_KIND_ANNUAL_DATE) PlanAnnual(tx, rule, now);
  }
}

}  // namespace osh::notify
