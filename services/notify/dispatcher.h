#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <set>
#include <vector>
#include <functional>
#include <mutex>
#include <random>
#include <thread>

#include "notify_store.h"
#include "osh/core/metrics.h"
#include "osh/store/database.h"
#include "email.h"
#include "webhook.h"

namespace osh::notify {

// Sends pending webhook and email deliveries: a coordinator thread takes what
// is due and hands it to a few sender threads, at most `per_recipient` at a
// time to one receiver or mailbox, so a slow receiver holds its own
// deliveries back and nobody else's. A sender sends outside any transaction
// and records the attempt — delivered, due again
// after an exponential backoff with full jitter, or dead-lettered when the
// attempts are spent or the receiver refuses for good (4xx). A delivery is
// sent at least once: a crash between the POST and its record sends it again,
// with the same X-OSH-Delivery-Id (Message-ID for email) for the receiver to
// drop the repeat.
class WebhookDispatcher {
 public:
  struct Options {
    RetryPolicy retry;
    std::chrono::milliseconds timeout{5000};
    SmtpServer smtp;  // url empty: email is not configured
    bool allow_private_webhooks = false;  // tests and closed networks only
    int batch = 256;
    int senders = 4;        // threads sending at once
    int per_recipient = 2;  // of which at most this many to one receiver
    std::function<std::chrono::system_clock::time_point()> clock = [] { return std::chrono::system_clock::now(); };
  };

  // `secrets` opens the rules' webhook secrets (OpenRuleSecret).
  WebhookDispatcher(store::Database& db, const crypto::FieldCipher& secrets, Options options,
                    core::MetricsRegistry* metrics);
  ~WebhookDispatcher();

  void Start();
  void Stop();
  // Something may be due now (a route committed new deliveries).
  void Notify();

 private:
  void Run();
  void Send();
  void Attempt(const DueDelivery& due);

  store::Database& db_;
  const crypto::FieldCipher& secrets_;
  Options options_;
  core::MetricsRegistry* metrics_;
  std::mt19937_64 random_{std::random_device{}()};
  std::mutex mu_;
  std::condition_variable cv_;       // wakes the coordinator
  std::condition_variable work_cv_;  // wakes senders
  bool notified_ = false;  // deliveries were committed
  bool freed_ = false;     // a sender finished one
  std::atomic<bool> stopping_{false};
  std::deque<DueDelivery> queue_;                 // handed over, not yet taken by a sender
  std::set<std::string> in_flight_;               // delivery ids queued or being sent
  std::map<std::string, int> per_recipient_;      // recipient -> deliveries queued or being sent
  std::set<std::string> finished_during_read_;    // attempted since the coordinator began its last read
  std::mutex random_mu_;
  std::thread thread_;
  std::vector<std::thread> senders_;
};

}  // namespace osh::notify
