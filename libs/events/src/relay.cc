#include "osh/events/relay.h"

#include <optional>

#include <librdkafka/rdkafkacpp.h>
#include <nlohmann/json.hpp>

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
  // Sends suspect rows each on its own (created when first needed), so that a
  // row is never parked for a refusal of the batch it happened to share. Its
  // results are indexed by the slot of the round, like `reports`.
  BatchReports isolation;
  std::unique_ptr<RdKafka::Producer> alone;
};

OutboxRelay::OutboxRelay(store::Database& db, Options options, core::MetricsRegistry* metrics)
    : db_(db), options_(std::move(options)), metrics_(metrics), lease_(db.NewLease("osh.outbox.relay")) {}

OutboxRelay::~OutboxRelay() { Stop(); }

bool OutboxRelay::Start(std::string* error) {
  if (!CreateProducer(error)) return false;
  thread_ = std::thread([this] { Run(); });
  return true;
}

std::map<std::string, std::string> OutboxRelay::ProducerProperties() const {
  std::map<std::string, std::string> props = {
      {"bootstrap.servers", options_.brokers},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"linger.ms", "5"},
      {"message.timeout.ms", std::to_string(options_.delivery_timeout.count())},
      {"client.id", "osh-outbox-relay"},
  };
  for (const auto& [k, v] : options_.producer_properties) props[k] = v;
  return props;
}

bool OutboxRelay::CreateProducer(std::string* error) {
  auto fresh = std::make_unique<Producer>();
  auto conf = internal::MakeConf(ProducerProperties(), error);
  if (!conf) return false;
  std::string why;
  if (conf->set("dr_cb", &fresh->reports, why) != RdKafka::Conf::CONF_OK) {
    *error = "dr_cb: " + why;
    return false;
  }
  fresh->producer.reset(RdKafka::Producer::create(conf.get(), why));
  if (!fresh->producer) {
    *error = "kafka producer: " + why;
    return false;
  }
  producer_ = std::move(fresh);
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
  if (producer_ && producer_->alone) {
    producer_->alone->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
  }
}

bool OutboxRelay::CreateIsolationProducer(std::string* error) {
  auto props = ProducerProperties();
  // One message per request, so the broker judges each row by itself; many
  // such requests in flight at once. Not idempotent: a retried copy is
  // harmless (consumers drop it by ce_id), and a permanent refusal must not
  // make this producer drain and bump its epoch between rows.
  props["batch.num.messages"] = "1";
  props["enable.idempotence"] = "false";
  props["message.timeout.ms"] = std::to_string(options_.isolation_timeout.count());
  auto conf = internal::MakeConf(props, error);
  if (!conf) return false;
  std::string why;
  if (conf->set("dr_cb", &producer_->isolation, why) != RdKafka::Conf::CONF_OK) {
    *error = "dr_cb: " + why;
    return false;
  }
  producer_->alone.reset(RdKafka::Producer::create(conf.get(), why));
  if (!producer_->alone) *error = "kafka producer for single rows: " + why;
  return producer_->alone != nullptr;
}

void OutboxRelay::Isolate(size_t slot, int64_t seq) {
  auto& isolation = producer_->isolation;
  if (isolation.results.size() <= slot) isolation.results.resize(slot + 1, RdKafka::ERR__IN_PROGRESS);
  const auto settle = [&](RdKafka::ErrorCode code) {
    isolation.results[slot] = code;
    ++isolation.reported;
  };
  auto rows = db_.Read([&](store::Tx& tx) { return Outbox::Pending(tx, seq - 1, 1); });
  if (rows.empty() || rows.front().seq != seq) return settle(RdKafka::ERR_NO_ERROR);  // no longer pending
  std::string why;
  if (!producer_->alone && !CreateIsolationProducer(&why)) {
    core::log::Error("kafka producer for single rows not created", {{"error", why}});
    return settle(RdKafka::ERR__FAIL);
  }
  const Event& e = rows.front().event;
  RdKafka::Headers* headers = internal::HeadersOf(e);
  const auto rc = producer_->alone->produce(e.topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                                            const_cast<char*>(e.payload.data()), e.payload.size(), e.key.data(),
                                            e.key.size(), 0, headers, isolation.Opaque(slot));
  if (rc != RdKafka::ERR_NO_ERROR) {
    delete headers;  // still ours when produce() fails
    settle(rc);
  }
}

void OutboxRelay::ParkRow(int64_t seq, const std::string& event_id, const std::string& error) {
  db_.Write([&](store::Tx& tx) { Outbox::Park(tx, seq, error); });
  ++parked_;
  if (metrics_ != nullptr) {
    metrics_->GetCounter("osh_outbox_parked_total", "outbox rows Kafka refused for good, set aside").Inc();
  }
  core::log::Error("outbox row parked: Kafka refuses it for good; the rows after it go on",
                   {{"seq", seq}, {"event_id", event_id}, {"error", error}});
}

int OutboxRelay::PublishPending(std::string* error) {
  // One round: keep up to a window of rows in flight (reading more while the
  // broker acknowledges earlier ones), and mark the delivered prefix sent as it
  // grows. A row refused for good is parked and passed over; a row after one
  // that failed otherwise, or is unanswered, stays pending and is sent again,
  // after it, next round: one aggregate's events keep their order.
  auto& reports = producer_->reports;
  auto& producer = *producer_->producer;
  ++reports.generation;
  reports.results.clear();
  reports.reported = 0;
  // Rows refused for good in their batch, each sent again on its own.
  auto& isolation = producer_->isolation;
  ++isolation.generation;
  isolation.results.clear();
  isolation.reported = 0;
  std::vector<bool> isolating;  // slot -> sent on its own this round
  std::vector<int64_t> seqs;     // slot -> outbox seq, in commit order
  std::vector<std::string> ids;  // slot -> event id, for the log of a parked row
  std::vector<bool> parked;      // slot -> parked this round
  size_t marked = 0;             // slots [0, marked) are marked sent or parked
  int64_t read_after = 0;
  bool source_drained = false;
  bool failed = false;
  const size_t window = static_cast<size_t>(options_.batch_size) * 4;
  auto last_progress = std::chrono::steady_clock::now();
  auto last_mark = last_progress;
  std::optional<std::chrono::steady_clock::time_point> stop_seen;
  int published = 0;

  while (true) {
    if (!failed && !source_drained && seqs.size() - marked < window && !lease_->Held()) {
      // Another replica's relay has the outbox now: finish what is in flight, read no more.
      source_drained = true;
    }
    if (!failed && !source_drained && seqs.size() - marked < window) {
      auto rows = db_.Read([&](store::Tx& tx) { return Outbox::Pending(tx, read_after, options_.batch_size); });
      source_drained = static_cast<int>(rows.size()) < options_.batch_size;
      for (const auto& row : rows) {
        const Event& e = row.event;
        const size_t slot = seqs.size();
        seqs.push_back(row.seq);
        ids.push_back(e.id);
        parked.push_back(false);
        isolating.push_back(false);
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
          if (!internal::IsPermanentPublishFailure(rc)) {
            failed = true;
            break;
          }
        } else {
          ++produced_;
        }
        read_after = row.seq;
      }
    }
    const bool window_full = seqs.size() - marked >= window;
    const size_t reported_before = reports.reported + isolation.reported;
    producer.poll(source_drained || failed || window_full ? 20 : 0);
    if (producer_->alone) producer_->alone->poll(0);
    if (reports.reported + isolation.reported != reported_before) last_progress = std::chrono::steady_clock::now();

    // The settled prefix: delivered rows, and rows refused for good (parked
    // as the prefix reaches them, so that they are parked in commit order).
    size_t end = marked;
    bool awaiting_isolation = false;
    while (end < seqs.size()) {
      const auto result = reports.results[end];
      if (result == RdKafka::ERR_NO_ERROR || parked[end]) {
        ++end;
      } else if (result != RdKafka::ERR__IN_PROGRESS && internal::IsPermanentPublishFailure(result)) {
        // Refused for good, perhaps only as part of its batch: alone, it is
        // published, parked, or (refused for a passing reason) retried. Every
        // row of the window refused so far is sent on its own now, together.
        if (!isolating[end]) {
          for (size_t slot = end; slot < seqs.size(); ++slot) {
            const auto r = reports.results[slot];
            if (isolating[slot] || r == RdKafka::ERR__IN_PROGRESS || !internal::IsPermanentPublishFailure(r)) continue;
            isolating[slot] = true;
            Isolate(slot, seqs[slot]);
          }
        }
        const auto alone = isolation.results[end];
        if (alone == RdKafka::ERR__IN_PROGRESS) {
          awaiting_isolation = true;
          break;
        }
        if (alone == RdKafka::ERR_NO_ERROR) {
          reports.results[end] = RdKafka::ERR_NO_ERROR;
        } else if (internal::IsPermanentPublishFailure(alone)) {
          ParkRow(seqs[end], ids[end], RdKafka::err2str(alone));
          parked[end] = true;
        } else {
          reports.results[end] = alone;
          break;
        }
        ++end;
      } else {
        break;
      }
    }
    if (end < seqs.size() && !awaiting_isolation && reports.results[end] != RdKafka::ERR__IN_PROGRESS) {
      failed = true;
      if (error->empty()) error->assign("delivery: " + RdKafka::err2str(reports.results[end]));
    }
    const auto now = std::chrono::steady_clock::now();
    const bool settle = end == seqs.size() && (source_drained || failed);
    if (end > marked && (end - marked >= static_cast<size_t>(options_.batch_size) || settle || failed ||
                         now - last_mark > std::chrono::milliseconds(200))) {
      std::vector<int64_t> delivered;
      for (size_t slot = marked; slot < end; ++slot) {
        if (!parked[slot]) delivered.push_back(seqs[slot]);
      }
      if (!delivered.empty()) db_.Write([&](store::Tx& tx) { Outbox::MarkSent(tx, delivered); });
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
    if (failed && reports.reported == seqs.size() && !awaiting_isolation) break;  // nothing more this round
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

void OutboxRelay::UpdateGauges() {
  if (metrics_ == nullptr) return;
  try {
    const auto [pending, parked] = db_.Read([](store::Tx& tx) {
      return std::pair{Outbox::CountPending(tx), Outbox::CountParked(tx)};
    });
    metrics_->GetGauge("osh_outbox_pending", "events committed but not yet confirmed by Kafka")
        .Set(static_cast<double>(pending));
    metrics_->GetGauge("osh_outbox_parked", "outbox rows set aside because Kafka refuses them for good")
        .Set(static_cast<double>(parked));
  } catch (const std::exception&) {
  }
}

void OutboxRelay::Run() {
  auto backoff = std::chrono::milliseconds(100);
  while (true) {
    {
      std::unique_lock lock(mu_);
      if (stopping_) return;
    }
    const bool leading = lease_->Held();
    if (leading != leading_) {
      leading_ = leading;
      core::log::Info(leading ? "outbox relay leads: this replica publishes the outbox"
                              : "outbox relay stands by: another replica publishes the outbox");
    }
    if (!leading) {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, options_.idle_poll * 5, [&] { return stopping_.load(); });
      continue;
    }
    std::string error;
    int published = 0;
    try {
      published = PublishPending(&error);
    } catch (const std::exception& e) {
      error = e.what();
    }
    UpdateGauges();
    if (!error.empty()) {
      core::log::Warn("outbox relay could not publish; will retry", {{"error", error}, {"published", published}});
      if (metrics_ != nullptr) metrics_->GetCounter("osh_outbox_failures_total", "failed publish rounds").Inc();
      // An idempotent producer that hit a fatal error refuses every later
      // message: start over with a fresh one (its rows are still pending).
      std::string fatal;
      if (producer_->producer->fatal_error(fatal) != RdKafka::ERR_NO_ERROR) {
        core::log::Error("kafka producer failed fatally; creating a new one", {{"error", fatal}});
        producer_->producer->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
        std::string why;
        if (!CreateProducer(&why)) core::log::Error("kafka producer not recreated", {{"error", why}});
      }
      // The same for the producer of single rows (made again when next needed):
      // one that failed for good would otherwise refuse every suspect row, and
      // hold the stream at the first, round after round.
      if (producer_->alone && producer_->alone->fatal_error(fatal) != RdKafka::ERR_NO_ERROR) {
        core::log::Error("kafka producer for single rows failed fatally; replacing it", {{"error", fatal}});
        producer_->alone.reset();
      }
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

void ServeParkedRows(core::AdminHttpServer& admin, store::Database& db) {
  admin.Handle("/outbox/parked", [&db] {
    constexpr int kLimit = 1000;
    try {
      auto [count, rows] = db.Read([](store::Tx& tx) {
        return std::pair{Outbox::CountParked(tx), Outbox::ListParked(tx, 0, kLimit)};
      });
      nlohmann::json out = {{"parked", count}, {"truncated", count > static_cast<int64_t>(rows.size())}};
      auto& list = out["rows"] = nlohmann::json::array();
      for (const auto& r : rows) {
        list.push_back({{"seq", r.seq},
                        {"event_id", r.event_id},
                        {"type", r.type},
                        {"topic", r.topic},
                        {"key", r.key},
                        {"payload_bytes", r.payload_bytes},
                        {"created_at", r.created_at},
                        {"parked_at", r.parked_at},
                        {"error", r.error}});
      }
      return core::AdminHttpServer::Response{200, "application/json", out.dump() + "\n"};
    } catch (const std::exception& e) {
      return core::AdminHttpServer::Response{500, "application/json",
                                             nlohmann::json{{"error", e.what()}}.dump() + "\n"};
    }
  });
}

}  // namespace osh::events
