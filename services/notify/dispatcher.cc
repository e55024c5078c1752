#include "dispatcher.h"

#include <google/protobuf/util/time_util.h>

#include <nlohmann/json.hpp>

#include "osh/core/log.h"

namespace osh::notify {
namespace {

using google::protobuf::util::TimeUtil;

int64_t EpochMs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

google::protobuf::Timestamp ToTimestamp(std::chrono::system_clock::time_point t) {
  return TimeUtil::MillisecondsToTimestamp(EpochMs(t));
}

// Without anything due, look again now and then: retries scheduled by a
// previous process are found without a notification.
constexpr std::chrono::milliseconds kIdleWait{1000};

}  // namespace

WebhookDispatcher::WebhookDispatcher(store::Database& db, const crypto::FieldCipher& secrets, Options options,
                                     core::MetricsRegistry* metrics)
    : db_(db), secrets_(secrets), options_(std::move(options)), metrics_(metrics) {}

WebhookDispatcher::~WebhookDispatcher() { Stop(); }

void WebhookDispatcher::Start() {
  for (int i = 0; i < std::max(1, options_.senders); ++i) senders_.emplace_back([this] { Send(); });
  thread_ = std::thread([this] { Run(); });
}

void WebhookDispatcher::Stop() {
  stopping_ = true;
  Notify();
  work_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (auto& t : senders_) {
    if (t.joinable()) t.join();
  }
  senders_.clear();
}

void WebhookDispatcher::Notify() {
  {
    std::lock_guard lock(mu_);
    notified_ = true;
  }
  cv_.notify_one();
}

void WebhookDispatcher::Run() {
  // Due rows read but not yet handed over (their receivers were busy). Nobody
  // else sends them, so they stay current until handed; the store is read
  // again when they run out, when new deliveries commit, or after kIdleWait.
  std::deque<DueDelivery> backlog;
  bool read = true;
  while (!stopping_) {
    std::optional<int64_t> next_ms;
    if (read) {
      std::vector<DueDelivery> due;
      {
        std::lock_guard lock(mu_);
        finished_during_read_.clear();
      }
      try {
        const int64_t now_ms = EpochMs(options_.clock());
        due = db_.Read([&](store::Tx& tx) { return NotifyStore::DueDeliveries(tx, now_ms, options_.batch); });
        if (due.empty()) next_ms = db_.Read([](store::Tx& tx) { return NotifyStore::NextDueMs(tx); });
      } catch (const std::exception& e) {
        core::log::Error("webhook dispatcher cannot read deliveries", {{"error", e.what()}});
      }
      std::lock_guard lock(mu_);
      backlog.clear();
      for (auto& d : due) {
        // Still with a sender (its record says PENDING until the attempt is written), or
        // finished while we read (the row we hold may predate the attempt's record).
        if (in_flight_.count(d.delivery.id()) != 0 || finished_during_read_.count(d.delivery.id()) != 0) continue;
        backlog.push_back(std::move(d));
      }
    }
    size_t handed = 0;
    {
      std::lock_guard lock(mu_);
      for (auto it = backlog.begin(); it != backlog.end();) {
        int& busy = per_recipient_[it->delivery.recipient()];
        if (busy >= options_.per_recipient) {
          ++it;
          continue;
        }
        ++busy;
        in_flight_.insert(it->delivery.id());
        queue_.push_back(std::move(*it));
        it = backlog.erase(it);
        ++handed;
      }
    }
    if (handed > 0) work_cv_.notify_all();
    auto wait = kIdleWait;
    if (next_ms) {
      wait = std::min(wait, std::chrono::milliseconds(std::max<int64_t>(0, *next_ms - EpochMs(options_.clock()))));
    }
    std::unique_lock lock(mu_);
    const bool woken = cv_.wait_for(lock, wait, [this] { return notified_ || freed_ || stopping_.load(); });
    // New deliveries, an empty backlog or a quiet second: read again; a freed receiver only: hand out the backlog.
    read = notified_ || backlog.empty() || !woken;
    notified_ = false;
    freed_ = false;
  }
}

void WebhookDispatcher::Send() {
  while (true) {
    DueDelivery due;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [this] { return stopping_.load() || !queue_.empty(); });
      if (stopping_) return;  // what is queued stays PENDING in the store and is sent after the next start
      due = std::move(queue_.front());
      queue_.pop_front();
    }
    Attempt(due);
    {
      std::lock_guard lock(mu_);
      in_flight_.erase(due.delivery.id());
      finished_during_read_.insert(due.delivery.id());
      if (--per_recipient_[due.delivery.recipient()] <= 0) per_recipient_.erase(due.delivery.recipient());
      freed_ = true;  // the coordinator may hand this receiver its next delivery
    }
    cv_.notify_one();
  }
}

void WebhookDispatcher::Attempt(const DueDelivery& due) {
  v1::Delivery d = due.delivery;
  auto* attempt = d.add_attempts();
  bool delivered = false;
  bool retryable = false;
  if (d.channel() == v1::CHANNEL_EMAIL) {
    const auto message = nlohmann::json::parse(due.payload, nullptr, false);
    EmailResult sent;
    if (options_.smtp.url.empty() || !message.is_object()) {
      sent = {.retryable = false, .error = options_.smtp.url.empty() ? "email is not configured" : "bad payload"};
    } else {
      sent = SendEmail(options_.smtp, d.recipient(), message.value("subject", ""), message.value("body", ""),
                       d.id() + "@osh-notify");
    }
    attempt->set_smtp_code(sent.smtp_code);
    attempt->set_error(sent.error);
    delivered = sent.delivered;
    retryable = sent.retryable;
  } else {
    const auto secret = OpenRuleSecret(secrets_, d.rule_id(), due.sealed_secret);
    // A key ring without the key that sealed it will not get it back by waiting.
    const auto posted =
        secret ? PostWebhook(d.recipient(), due.payload, *secret, d.event_id(), d.id(), options_.timeout,
                             options_.allow_private_webhooks)
               : WebhookResult{.error = "the rule's webhook secret does not open with this deployment's key ring"};
    attempt->set_http_status(posted.http_status);
    attempt->set_error(posted.error);
    delivered = posted.delivered;
    retryable = posted.retryable;
  }
  const auto now = options_.clock();
  *attempt->mutable_time() = ToTimestamp(now);
  const char* outcome = "delivered";
  if (delivered) {
    d.set_status(v1::DELIVERY_STATUS_DELIVERED);
    *d.mutable_delivered_time() = ToTimestamp(now);
    d.clear_next_attempt_time();
  } else {
    std::optional<std::chrono::milliseconds> delay;
    if (retryable) {
      double jitter = 0;
      {
        std::lock_guard lock(random_mu_);
        jitter = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
      }
      delay = NextRetryDelay(options_.retry, d.attempts_size(), jitter);
    }
    if (delay) {
      outcome = "retry";
      d.set_status(v1::DELIVERY_STATUS_PENDING);
      *d.mutable_next_attempt_time() = ToTimestamp(now + *delay);
    } else {
      outcome = "dead_letter";
      d.set_status(v1::DELIVERY_STATUS_DEAD_LETTER);
      d.clear_next_attempt_time();
      core::log::Warn("delivery dead-lettered", {{"delivery_id", d.id()},
                                                 {"channel", v1::Channel_Name(d.channel())},
                                                 {"attempts", d.attempts_size()},
                                                 {"error", attempt->error()}});
    }
  }
  try {
    db_.Write([&](store::Tx& tx) { NotifyStore::UpdateDelivery(tx, d); });
  } catch (const std::exception& e) {
    core::log::Error("cannot record a delivery attempt", {{"delivery_id", d.id()}, {"error", e.what()}});
  }
  if (metrics_ != nullptr) {
    metrics_->GetCounter("osh_notify_delivery_attempts_total", "webhook and email attempts by outcome",
                         {{"channel", v1::Channel_Name(d.channel())}, {"outcome", outcome}})
        .Inc();
    if (delivered) {
      const double seconds =
          static_cast<double>(EpochMs(now) - TimeUtil::TimestampToMilliseconds(d.event_time())) / 1000.0;
      metrics_->GetHistogram("osh_notify_event_to_delivery_seconds", "from the event's time to its delivery", {})
          .Observe(seconds);
    }
  }
}

}  // namespace osh::notify
