#include "osh/events/consumer.h"

#include <librdkafka/rdkafkacpp.h>

#include <future>
#include <optional>

#include "kafka_util.h"
#include "osh/core/log.h"
#include "osh/core/trace.h"

namespace osh::events {

struct EventConsumer::Kafka {
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  internal::SingleDeliveryReports dead_letter_reports;
  std::unique_ptr<RdKafka::Producer> dead_letters;
};

store::Migration EventConsumer::Migration(int version) {
  return {version, "events_processed", R"sql(
CREATE TABLE events_processed (
  source TEXT NOT NULL,
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  processed_at INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER)),
  PRIMARY KEY (source, event_id)
);
)sql"};
}

store::Migration EventConsumer::RetentionMigration(int version) {
  return {version, "events_processed_retention",
          "CREATE INDEX events_processed_by_age ON events_processed(processed_at);"};
}

std::string EventConsumer::TooOld(const Event& event, std::chrono::system_clock::time_point now,
                                  std::chrono::seconds max_age) {
  if (max_age.count() <= 0) return "";
  const auto time = ParseEventTime(event.time);
  if (!time) return "ce_time '" + event.time.substr(0, 64) + "' is not RFC 3339 UTC";
  if (*time >= now - max_age) return "";
  return "ce_time " + event.time + " is older than " + std::to_string(max_age.count() / 3600) +
         " h, beyond the horizon for which this consumer remembers applied events";
}

namespace {

// The consumer's span of the trace the event carries (a new trace when it has
// none): the handler's log lines and the events it writes carry it on.
core::TraceContext TraceOfEvent(const Event& event) { return core::ContinueOrStartTrace(event.traceparent); }

}  // namespace

bool EventConsumer::ApplyOnce(store::Database& db, const Handler& handler, const Event& event) {
  // Within the consumer loop the event's trace is current already (ApplyWithRetries).
  std::optional<core::ScopedTrace> trace;
  if (core::CurrentTrace() == nullptr) trace.emplace(TraceOfEvent(event));
  return db.Write([&](store::Tx& tx) {
    auto seen = tx.Prepare("SELECT 1 FROM events_processed WHERE source = ? AND event_id = ?");
    seen.BindAll(event.source, event.id);
    if (seen.Step()) return false;
    handler(tx, event);
    tx.Prepare("INSERT INTO events_processed (source, event_id, type) VALUES (?, ?, ?)")
        .BindAll(event.source, event.id, event.type)
        .Run();
    return true;
  });
}

EventConsumer::EventConsumer(store::Database& db, Options options, Handler handler, core::MetricsRegistry* metrics)
    : db_(db), options_(std::move(options)), handler_(std::move(handler)), metrics_(metrics) {}

EventConsumer::~EventConsumer() { Stop(); }

bool EventConsumer::Start(std::string* error) {
  if (options_.group_id.empty() || options_.topics.empty()) {
    *error = "event consumer needs a group id and topics";
    return false;
  }
  kafka_ = std::make_unique<Kafka>();
  std::map<std::string, std::string> props = {
      {"bootstrap.servers", options_.brokers},
      {"group.id", options_.group_id},
      {"auto.offset.reset", "earliest"},
      // Offsets are stored by hand after each event is applied (or dead-lettered)
      // and committed in the background from there: never ahead of the store.
      {"enable.auto.offset.store", "false"},
      {"enable.auto.commit", "true"},
      {"auto.commit.interval.ms", "500"},
      {"client.id", "osh-consumer-" + options_.group_id},
      // A topic created after the consumer started (its first event) is found
      // within seconds instead of librdkafka's default five minutes.
      {"topic.metadata.refresh.interval.ms", "5000"},
      // A consumer that died without leaving its group (SIGKILL, OOM, a lost
      // node) holds its partitions until its session times out: 10 s instead of
      // the broker's default 45 s is how long its successor waits to resume.
      {"session.timeout.ms", "10000"},
      {"heartbeat.interval.ms", "3000"},
  };
  for (const auto& [k, v] : options_.consumer_properties) props[k] = v;
  auto conf = internal::MakeConf(props, error);
  if (!conf) return false;
  std::string why;
  kafka_->consumer.reset(RdKafka::KafkaConsumer::create(conf.get(), why));
  if (!kafka_->consumer) {
    *error = "kafka consumer: " + why;
    return false;
  }
  auto producer_conf = internal::MakeConf(
      {{"bootstrap.servers", options_.brokers}, {"enable.idempotence", "true"}, {"acks", "all"},
       {"client.id", "osh-dead-letters-" + options_.group_id}},
      error);
  if (!producer_conf) return false;
  producer_conf->set("dr_cb", &kafka_->dead_letter_reports, why);
  kafka_->dead_letters.reset(RdKafka::Producer::create(producer_conf.get(), why));
  if (!kafka_->dead_letters) {
    *error = "kafka dead-letter producer: " + why;
    return false;
  }
  if (auto rc = kafka_->consumer->subscribe(options_.topics); rc != RdKafka::ERR_NO_ERROR) {
    *error = "subscribe: " + RdKafka::err2str(rc);
    return false;
  }
  thread_ = std::thread([this] { Run(); });
  return true;
}

void EventConsumer::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (!kafka_ || !kafka_->consumer) return;
  internal::CloseWithin(std::move(kafka_->consumer), options_.close_timeout, options_.group_id);
}

namespace {

void Count(core::MetricsRegistry* metrics, const char* name, const char* help, const std::string& topic) {
  if (metrics != nullptr) metrics->GetCounter(name, help, {{"topic", topic}}).Inc();
}

}  // namespace

namespace {

void SleepUnlessStopping(const std::atomic<bool>& stopping, std::chrono::milliseconds d) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (!stopping && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

bool EventConsumer::ApplyBatch(const std::vector<Event>& batch) {
  size_t applied = 0;
  try {
    db_.Write([&](store::Tx& tx) {
      auto seen = tx.Prepare("SELECT 1 FROM events_processed WHERE source = ? AND event_id = ?");
      auto mark = tx.Prepare("INSERT INTO events_processed (source, event_id, type) VALUES (?, ?, ?)");
      for (const auto& event : batch) {
        seen.Reset().BindAll(event.source, event.id);
        if (seen.Step()) continue;
        core::ScopedTrace trace(TraceOfEvent(event));
        handler_(tx, event);
        core::log::Debug("event applied", {{"event_id", event.id}, {"type", event.type}, {"topic", event.topic}});
        mark.Reset().BindAll(event.source, event.id, event.type).Run();
        ++applied;
      }
    });
  } catch (...) {
    return false;  // rolled back whole; the caller goes event by event
  }
  applied_ += applied;
  duplicates_ += batch.size() - applied;
  if (applied > 0 && options_.after_commit) options_.after_commit();
  if (metrics_ != nullptr && !batch.empty()) {
    metrics_->GetCounter("osh_events_applied_total", "events applied", {{"topic", batch.front().topic}})
        .Inc(static_cast<double>(applied));
    metrics_->GetCounter("osh_events_duplicates_total", "redelivered events ignored", {{"topic", batch.front().topic}})
        .Inc(static_cast<double>(batch.size() - applied));
  }
  return true;
}

bool EventConsumer::ApplyWithRetries(const Event& event) {
  // Every line about this event, down to its dead-lettering, carries its trace.
  core::ScopedTrace trace(TraceOfEvent(event));
  std::string failure = ValidateAttributes(event);
  if (!failure.empty()) return DeadLetter(event, failure);
  failure = TooOld(event, options_.clock(), options_.max_event_age);
  if (!failure.empty()) {
    ++expired_;
    Count(metrics_, "osh_events_expired_total", "events older than the dedup horizon, dead-lettered", event.topic);
    return DeadLetter(event, failure);
  }
  auto backoff = options_.initial_backoff;
  for (int attempt = 1; attempt <= options_.max_attempts && !stopping_; ++attempt) {
    bool transient = false;
    try {
      if (ApplyOnce(db_, handler_, event)) {
        core::log::Debug("event applied", {{"event_id", event.id}, {"type", event.type}, {"topic", event.topic}});
        ++applied_;
        if (options_.after_commit) options_.after_commit();
        Count(metrics_, "osh_events_applied_total", "events applied", event.topic);
      } else {
        ++duplicates_;
        Count(metrics_, "osh_events_duplicates_total", "redelivered events ignored", event.topic);
      }
      return true;
    } catch (const store::StoreError& e) {
      failure = e.what();
      transient = e.IsTransient();
    } catch (const UndecodableEvent& e) {
      // Deterministic: the same bytes will not decode on a retry.
      ++undecodable_;
      Count(metrics_, "osh_events_undecodable_total", "events a handler could not decode, dead-lettered",
            event.topic);
      return DeadLetter(event, e.what());
    } catch (const std::exception& e) {
      failure = e.what();
    } catch (...) {
      failure = "unknown error";
    }
    if (transient) {
      // The store, not the event, failed (disk full, I/O, busy): dead-lettering
      // would drop a good event's effect for good. Hold this partition and try
      // again until the store recovers or the consumer stops; nothing after it
      // is applied meanwhile, so order is kept too.
      --attempt;
      Count(metrics_, "osh_events_store_unavailable_total", "event applications retried because the store failed",
            event.topic);
      core::log::Warn("store unavailable; retrying the event", {{"event_id", event.id}, {"type", event.type},
                                                               {"error", failure}});
      SleepUnlessStopping(stopping_, backoff);
      backoff = std::min(backoff * 2, options_.max_backoff);
      continue;
    }
    core::log::Warn("event handler failed",
                    {{"event_id", event.id}, {"type", event.type}, {"attempt", attempt}, {"error", failure}});
    if (attempt < options_.max_attempts) {
      SleepUnlessStopping(stopping_, backoff);
      backoff = std::min(backoff * 2, options_.max_backoff);
    }
  }
  if (stopping_) return false;
  return DeadLetter(event, failure);
}

bool EventConsumer::DeadLetter(const Event& event, const std::string& failure) {
  // Keep trying until the copy is durable: storing the offset without it would lose the event.
  while (!stopping_) {
    RdKafka::Headers* headers = internal::HeadersOf(event);
    headers->add(header::kError, failure);
    headers->add(header::kOriginalTopic, event.topic);
    headers->add(header::kOriginalPartition, std::to_string(event.partition));
    headers->add(header::kOriginalOffset, std::to_string(event.offset));
    std::string error;
    if (internal::ProduceAndWait(*kafka_->dead_letters, event.topic + options_.dead_letter_suffix, event.key,
                                 event.payload, headers, 10000, &error)) {
      ++dead_lettered_;
      Count(metrics_, "osh_events_dead_lettered_total", "events sent to the dead-letter topic", event.topic);
      core::log::Warn("event dead-lettered", {{"event_id", event.id}, {"topic", event.topic}, {"error", failure}});
      return true;
    }
    core::log::Error("dead-letter publish failed; retrying", {{"error", error}});
    SleepUnlessStopping(stopping_, std::chrono::milliseconds(1000));
  }
  return false;
}

void EventConsumer::Run() {
  std::vector<std::unique_ptr<RdKafka::Message>> messages;
  while (!stopping_) {
    // A batch: wait for the first message, then take whatever else is already here.
    messages.clear();
    std::unique_ptr<RdKafka::Message> first(kafka_->consumer->consume(200));
    for (std::unique_ptr<RdKafka::Message> m = std::move(first); m;) {
      if (m->err() == RdKafka::ERR_NO_ERROR) {
        messages.push_back(std::move(m));
      } else if (m->err() != RdKafka::ERR__TIMED_OUT && m->err() != RdKafka::ERR__PARTITION_EOF) {
        core::log::Warn("kafka consume error", {{"error", m->errstr()}});
      }
      if (messages.empty() || static_cast<int>(messages.size()) >= options_.max_batch) break;
      m.reset(kafka_->consumer->consume(0));
      if (m->err() == RdKafka::ERR__TIMED_OUT) break;
    }
    if (messages.empty()) continue;

    std::vector<Event> events;
    events.reserve(messages.size());
    bool all_valid = true;
    for (auto& m : messages) {
      events.push_back(internal::EventOf(*m));
      all_valid = all_valid && ValidateAttributes(events.back()).empty() &&
                  TooOld(events.back(), options_.clock(), options_.max_event_age).empty();
    }
    size_t done = 0;
    if (all_valid && ApplyBatch(events)) {
      done = events.size();
    } else {
      for (; done < events.size(); ++done) {
        if (!ApplyWithRetries(events[done])) break;  // stopping: leave the rest unstored
      }
    }
    if (done == 0) continue;
    std::vector<RdKafka::TopicPartition*> positions;
    for (size_t i = 0; i < done; ++i) {
      positions.push_back(RdKafka::TopicPartition::create(messages[i]->topic_name(), messages[i]->partition(),
                                                          messages[i]->offset() + 1));
    }
    kafka_->consumer->offsets_store(positions);
    RdKafka::TopicPartition::destroy(positions);
  }
}

}  // namespace osh::events
