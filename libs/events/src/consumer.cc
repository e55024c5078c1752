#include "osh/events/consumer.h"

#include <librdkafka/rdkafkacpp.h>

#include "kafka_util.h"
#include "osh/core/log.h"

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

bool EventConsumer::ApplyOnce(store::Database& db, const Handler& handler, const Event& event) {
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
  if (kafka_ && kafka_->consumer) {
    kafka_->consumer->close();  // commits the stored offsets
    kafka_->consumer.reset();
  }
}

namespace {

void Count(core::MetricsRegistry* metrics, const char* name, const char* help, const std::string& topic) {
  if (metrics != nullptr) metrics->GetCounter(name, help, {{"topic", topic}}).Inc();
}

}  // namespace

void EventConsumer::Run() {
  auto sleep_unless_stopping = [this](std::chrono::milliseconds d) {
    const auto until = std::chrono::steady_clock::now() + d;
    while (!stopping_ && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  };

  while (!stopping_) {
    std::unique_ptr<RdKafka::Message> message(kafka_->consumer->consume(200));
    if (message->err() == RdKafka::ERR__TIMED_OUT || message->err() == RdKafka::ERR__PARTITION_EOF) continue;
    if (message->err() != RdKafka::ERR_NO_ERROR) {
      core::log::Warn("kafka consume error", {{"error", message->errstr()}});
      continue;
    }
    const Event event = internal::EventOf(*message);
    std::string failure = ValidateAttributes(event);
    bool done = false;
    if (failure.empty()) {
      auto backoff = options_.initial_backoff;
      for (int attempt = 1; attempt <= options_.max_attempts && !stopping_; ++attempt) {
        try {
          if (ApplyOnce(db_, handler_, event)) {
            ++applied_;
            Count(metrics_, "osh_events_applied_total", "events applied", event.topic);
          } else {
            ++duplicates_;
            Count(metrics_, "osh_events_duplicates_total", "redelivered events ignored", event.topic);
          }
          done = true;
          break;
        } catch (const std::exception& e) {
          failure = e.what();
        } catch (...) {
          failure = "unknown error";
        }
        core::log::Warn("event handler failed", {{"event_id", event.id}, {"type", event.type}, {"attempt", attempt},
                                                  {"error", failure}});
        if (attempt < options_.max_attempts) {
          sleep_unless_stopping(backoff);
          backoff = std::min(backoff * 2, options_.max_backoff);
        }
      }
      if (stopping_ && !done) return;  // not stored: re-read after restart
    }
    if (!done) {
      // Dead-letter it; keep trying until the copy is durable, since storing the
      // offset without it would lose the event.
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
          break;
        }
        core::log::Error("dead-letter publish failed; retrying", {{"error", error}});
        sleep_unless_stopping(std::chrono::milliseconds(1000));
      }
      if (stopping_) return;
    }
    std::vector<RdKafka::TopicPartition*> position = {
        RdKafka::TopicPartition::create(message->topic_name(), message->partition(), message->offset() + 1)};
    kafka_->consumer->offsets_store(position);
    RdKafka::TopicPartition::destroy(position);
  }
}

}  // namespace osh::events
