#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "notify_store.h"
#include "osh/core/errors.h"
#include "osh/events/v1/notify_events.pb.h"
#include "osh/events/v1/registry_events.pb.h"
#include "osh/events/v1/training_events.pb.h"
#include "osh/store/database.h"

namespace osh::notify {

// What schedule rules' templates render (a message of osh.events.v1).
inline constexpr char kDeadlineReminderType[] = "osh.events.v1.DeadlineReminder";

// The instant a reminder `days_before` a deadline goes out: that day at
// `send_hour` o'clock China Standard Time.
std::chrono::system_clock::time_point ReminderDueTime(std::chrono::sys_days deadline, int days_before, int send_hour);

// "--MM-DD": a day every year has (so not --02-29).
bool IsAnnualDate(std::string_view annual_date);
// The date (YYYY-MM-DD) `annual_date` next falls on, `today` included.
std::string NextAnnualDate(std::string_view annual_date, std::string_view today);

// A rule's schedule as CreateRule accepts it; errors under rule.schedule.*,
// rule.event_type and rule.recipients[i].
void CheckSchedule(const v1::Rule& rule, core::FieldErrors& errors);

// Turns known deadlines into reminder rows, one per (rule, deadline, days
// before) however often it is asked, and cancels what a closed item no longer
// needs. Reminders whose time has already passed when the deadline becomes
// known are not planned.
class ReminderPlanner {
 public:
  struct Options {
    int send_hour = 9;  // China Standard Time
  };
  explicit ReminderPlanner(Options options) : options_(options) {}

  // Every enabled rectification rule whose source province matches plans the
  // item's deadline; a plan for an earlier deadline of the same item is cancelled.
  void RectificationOpened(store::Tx& tx, const events::v1::RectificationOpened& opened, const std::string& province,
                           std::chrono::system_clock::time_point now) const;
  void RectificationClosed(store::Tx& tx, const events::v1::RectificationClosed& closed,
                           std::chrono::system_clock::time_point now) const;
  // Every enabled certificate-expiry rule of the province plans the
  // certificate's expiry date (reference "certificate:<id>"); a revocation
  // cancels what is still to come.
  void CertificateIssued(store::Tx& tx, const events::v1::CertificateIssued& issued, const std::string& province,
                         std::chrono::system_clock::time_point now) const;
  void CertificateRevoked(store::Tx& tx, const events::v1::CertificateRevoked& revoked,
                          std::chrono::system_clock::time_point now) const;
  // The next occurrence of an annual-date rule (this year's until it has
  // passed, then next year's).
  void PlanAnnual(store::Tx& tx, const v1::Rule& rule, std::chrono::system_clock::time_point now) const;
  void PlanEveryAnnualRule(store::Tx& tx, std::chrono::system_clock::time_point now) const;

 private:
  // One reminder row per days_before still ahead; returns how many were new.
  int Plan(store::Tx& tx, const v1::Rule& rule, const std::string& reference, const events::v1::DeadlineReminder& event,
           std::chrono::system_clock::time_point now) const;

  Options options_;
};

void CancelReminder(v1::Reminder& r, v1::ReminderStatus status, const std::string& reason,
                    std::chrono::system_clock::time_point now);

}  // namespace osh::notify
