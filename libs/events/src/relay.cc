#include "osh/events/relay.h"

#include <optional>

#include <librdkafka/rdkafkacpp.h>

#include "kafka_util.h"
#include "osh/core/log.h"
#include "osh/events/outbox.h"

namespace osh::events {

namespace {

// Outcome of one batch, filled by delivery reports. The message opaque holds
// the batch generation and the row's index, so a late report of an earlier,
// timed-out batch is never taken for a row of the current one.
struct BatchReports : public RdKafka::DeliveryReportCb {
  uint64_t generation = 0;
  std::vector<RdKafka::ErrorCode> results;  // per row; ERR__IN_PROGRESS until reported
  size_t reported = 0;

  void* Opaque(size_t index) const { return reinterpret_cast<void*>((generation << 32) | index); }

  void dr_cb(RdKafka::Message& message) override {
    const auto opaque = reinterpret_cast<uintptr_t>(message.msg_opaque());
    if ((opaque >> 32) != (generation & 0xffffffffULL)) return;
    const size_t index = opaque & 0xffffffffULL;
    if (index < results.size() && results[index] == RdKafka::ERR__IN_PROGRESS) {
      results[index] = message.err();
      ++reported;
    }
  }
};

}  // namespace

struct OutboxRelay::Producer {
  BatchReports reports;
  std::unique_ptr<RdKafka::Producer> producer;
};

OutboxRelay::OutboxRelay(store::Database& db, Options options, core::MetricsRegistry* metrics)
    : db_(db), options_(std::move(options)), metrics_(metrics) {}

OutboxRelay::~OutboxRelay() { Stop(); }

bool OutboxRelay::Start(std::string* error) {
  producer_ = std::make_unique<Producer>();
  std::map<std::string, std::string> props = {
      {"bootstrap.servers", options_.brokers},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"linger.ms", "5"},
      {"message.timeout.ms", std::to_string(options_.delivery_timeout.count())},
      {"client.id", "osh-outbox-relay"},
  };
  for (const auto& [k, v] : options_.producer_properties) props[k] = v;
  auto conf = internal::MakeConf(props, error);
  if (!conf) return false;
  std::string why;
  if (conf->set("dr_cb", &producer_->reports, why) != RdKafka::Conf::CONF_OK) {
    *error = "dr_cb: " + why;
    return false;
  }
  producer_->producer.reset(RdKafka::Producer::create(conf.get(), why));
  if (!producer_->producer) {
    *error = "kafka producer: " + why;
    return false;
  }
  thread_ = std::thread([this] { Run(); });
  return true;
}

void OutboxRelay::Notify() {
  {
    std::lock_guard lock(mu_);
    notified_ = true;
  }
  wake_.notify_one();
}

void OutboxRelay::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  if (producer_ && producer_->producer) {
    producer_->producer->flush(1000);
    // What is still queued was never marked sent: it is published after the next start.
    producer_->producer->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
  }
}

int OutboxRelay::PublishPending(std::string* error) {
  // One round: keep up to a window of rows in flight (reading more while the
  // broker acknowledges earlier ones), and mark the delivered prefix sent as it
  // grows. A row after a failed or unanswered one stays pending and is sent
  // again, after it, next round: one aggregate's events keep their order.
  auto& reports = producer_->reports;
  auto& producer = *producer_->producer;
  ++reports.generation;
  reports.results.clear();
  reports.reported = 0;
  std::vector<int64_t> seqs;  // slot -> outbox seq, in commit order
  size_t marked = 0;          // slots [0, marked) are marked sent
  int64_t read_after = 0;
  bool source_drained = false;
  bool failed = false;
  const size_t window = static_cast<size_t>(options_.batch_size) * 4;
  auto last_progress = std::chrono::steady_clock::now();
  auto last_mark = last_progress;
  std::optional<std::chrono::steady_clock::time_point> stop_seen;
  int published = 0;

  while (true) {
    if (!failed && !source_drained && seqs.size() - marked < window) {
      auto rows = db_.Read([&](store::Tx& tx) { return Outbox::Pending(tx, read_after, options_.batch_size); });
      source_drained = static_cast<int>(rows.size()) < options_.batch_size;
      for (const auto& row : rows) {
        const Event& e = row.event;
        const size_t slot = seqs.size();
        seqs.push_back(row.seq);
        reports.results.push_back(RdKafka::ERR__IN_PROGRESS);
        RdKafka::Headers* headers = internal::HeadersOf(e);
        RdKafka::ErrorCode rc;
        // A full local queue is back-pressure, not failure: serve reports and retry.
        while ((rc = producer.produce(e.topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                                      const_cast<char*>(e.payload.data()), e.payload.size(), e.key.data(),
                                      e.key.size(), 0, headers, reports.Opaque(slot))) == RdKafka::ERR__QUEUE_FULL) {
          if (stopping_) break;  // a full queue towards a dead broker must not hold a shutdown
          producer.poll(10);
        }
        if (rc != RdKafka::ERR_NO_ERROR) {
          delete headers;  // still ours when produce() fails
          reports.results[slot] = rc;
          ++reports.reported;
          failed = true;
          break;
        }
        read_after = row.seq;
      }
    }
    const bool window_full = seqs.size() - marked >= window;
    const size_t reported_before = reports.reported;
    producer.poll(source_drained || failed || window_full ? 20 : 0);
    if (reports.reported != reported_before) last_progress = std::chrono::steady_clock::now();

    size_t end = marked;
    while (end < seqs.size() && reports.results[end] == RdKafka::ERR_NO_ERROR) ++end;
    if (end < seqs.size() && reports.results[end] != RdKafka::ERR__IN_PROGRESS) {
      failed = true;
      if (error->empty()) error->assign("delivery: " + RdKafka::err2str(reports.results[end]));
    }
    const auto now = std::chrono::steady_clock::now();
    const bool settle = end == seqs.size() && (source_drained || failed);
    if (end > marked && (end - marked >= static_cast<size_t>(options_.batch_size) || settle || failed ||
                         now - last_mark > std::chrono::milliseconds(200))) {
      std::vector<int64_t> delivered(seqs.begin() + static_cast<std::ptrdiff_t>(marked),
                                     seqs.begin() + static_cast<std::ptrdiff_t>(end));
      db_.Write([&](store::Tx& tx) { Outbox::MarkSent(tx, delivered); });
      published += static_cast<int>(delivered.size());
      published_ += delivered.size();
      if (metrics_ != nullptr) {
        metrics_->GetCounter("osh_outbox_published_total", "events published from the outbox and confirmed by Kafka")
            .Inc(static_cast<double>(delivered.size()));
      }
      marked = end;
      last_mark = now;
    }
    if (marked == seqs.size() && (source_drained || failed)) break;
    if (failed && reports.reported == seqs.size()) break;  // nothing more will be confirmed this round
    if (stopping_ && !stop_seen) {
      stop_seen = now;
      source_drained = true;  // read no more rows; wait briefly for the reports of those in flight
    }
    if (stop_seen && now - *stop_seen > kStopGrace) {
      if (error->empty()) error->assign("stopping with deliveries unconfirmed");
      break;
    }
    if (now - last_progress > options_.delivery_timeout + std::chrono::seconds(5)) {
      if (error->empty()) error->assign("no delivery reports in time");
      break;  // late reports carry this round's generation and are ignored next round
    }
  }
  if (failed && error->empty()) error->assign("produce failed");
  return published;
}

void OutboxRelay::Run() {
  auto backoff = std::chrono::milliseconds(100);
  while (true) {
    {
      std::unique_lock lock(mu_);
      if (stopping_) return;
    }
    std::string error;
    int published = 0;
    try {
      published = PublishPending(&error);
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (metrics_ != nullptr) {
      try {
        const auto pending = db_.Read([](store::Tx& tx) { return Outbox::CountPending(tx); });
        metrics_->GetGauge("osh_outbox_pending", "events committed but not yet confirmed by Kafka")
            .Set(static_cast<double>(pending));
      } catch (const std::exception&) {
      }
    }
    if (!error.empty()) {
      core::log::Warn("outbox relay could not publish; will retry", {{"error", error}, {"published", published}});
      if (metrics_ != nullptr) metrics_->GetCounter("osh_outbox_failures_total", "failed publish rounds").Inc();
    }
    if (std::chrono::steady_clock::now() - last_prune_ > std::chrono::minutes(10)) {
      last_prune_ = std::chrono::steady_clock::now();
      try {
        db_.Write([&](store::Tx& tx) { Outbox::PruneSent(tx, options_.retention.count()); });
      } catch (const std::exception& e) {
        core::log::Warn("outbox prune failed", {{"error", e.what()}});
      }
    }
    std::unique_lock lock(mu_);
    const auto wait = error.empty() ? options_.idle_poll : backoff;
    backoff = error.empty() ? std::chrono::milliseconds(100) : std::min(backoff * 2, std::chrono::milliseconds(5000));
    wake_.wait_for(lock, wait, [&] { return notified_ || stopping_; });
    notified_ = false;
  }
}

}  // namespace osh::events
