#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "notify.h"
#include "osh/core/metrics.h"
#include "osh/store/database.h"

namespace osh::notify {

// The time-driven half of notify: sends the reminders schedule rules planned
// when they fall due, plans each annual date's next occurrence, and once a
// day, at the digest hour, folds every mailbox's low-priority mail into one
// digest email. What it does for one reminder or one day's digest commits in
// the same transaction that marks it done, and deliveries are unique per
// (reminder, rule, recipient, channel): a crash or restart neither loses nor
// repeats a reminder.
class ReminderScheduler {
 public:
  struct Options {
    int digest_hour = 8;  // China Standard Time
    int batch = 100;
    // Longest sleep: annual dates and the digest hour are noticed at least this often.
    std::chrono::milliseconds idle_wait{30'000};
    std::function<std::chrono::system_clock::time_point()> clock = [] { return std::chrono::system_clock::now(); };
  };
  // What one pass did.
  struct Pass {
    int sent = 0;
    int skipped = 0;
    int cancelled = 0;
    int digests = 0;
  };

  ReminderScheduler(store::Database& db, const Notify& notify, Options options, std::function<void()> after_commit,
                    core::MetricsRegistry* metrics);
  ~ReminderScheduler();

  Pass RunOnce();
  void Start();
  void Stop();
  void Wake();

 private:
  void Run();
  void SendDue(store::Tx& tx, std::chrono::system_clock::time_point now, Pass& pass);
  void RunDigest(store::Tx& tx, std::chrono::system_clock::time_point now, Pass& pass);
  void Count(const char* outcome, int n);

  store::Database& db_;
  const Notify& notify_;
  Options options_;
  std::function<void()> after_commit_;
  core::MetricsRegistry* metrics_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace osh::notify
