#include "osh/events/listener.h"

#include "kafka_util.h"
#include "osh/core/log.h"
#include "osh/core/trace.h"

namespace osh::events {

struct EventListener::Kafka {
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
};

EventListener::EventListener(Options options, Handler handler, core::MetricsRegistry* metrics)
    : options_(std::move(options)), handler_(std::move(handler)), metrics_(metrics) {}

EventListener::~EventListener() { Stop(); }

bool EventListener::Start(std::string* error) {
  if (options_.group_id.empty() || options_.topics.empty()) {
    *error = "event listener needs a group id and topics";
    return false;
  }
  std::map<std::string, std::string> props = {
      {"bootstrap.servers", options_.brokers},
      {"group.id", options_.group_id},
      {"auto.offset.reset", "latest"},
      {"enable.auto.commit", "true"},
      {"client.id", "osh-listener-" + options_.group_id},
      // A topic that does not exist yet (no event published so far) is not an error,
      // and is noticed within seconds once it does (librdkafka's default is 5 minutes).
      // Its very first events may pass unseen ("latest"); cached answers still expire.
      {"allow.auto.create.topics", "false"},
      {"topic.metadata.refresh.interval.ms", "5000"},
  };
  for (const auto& [k, v] : options_.consumer_properties) props[k] = v;
  auto conf = internal::MakeConf(props, error);
  if (!conf) return false;
  kafka_ = std::make_unique<Kafka>();
  std::string why;
  kafka_->consumer.reset(RdKafka::KafkaConsumer::create(conf.get(), why));
  if (!kafka_->consumer) {
    *error = "kafka consumer: " + why;
    return false;
  }
  if (auto rc = kafka_->consumer->subscribe(options_.topics); rc != RdKafka::ERR_NO_ERROR) {
    *error = "subscribe: " + RdKafka::err2str(rc);
    return false;
  }
  thread_ = std::thread([this] { Run(); });
  return true;
}

void EventListener::Run() {
  while (!stopping_) {
    std::unique_ptr<RdKafka::Message> message(kafka_->consumer->consume(200));
    if (!message) continue;
    if (message->err() == RdKafka::ERR__TIMED_OUT || message->err() == RdKafka::ERR__PARTITION_EOF) continue;
    if (message->err() != RdKafka::ERR_NO_ERROR) {
      // UNKNOWN_TOPIC_OR_PART until the first event is published: expected, quiet.
      if (message->err() != RdKafka::ERR_UNKNOWN_TOPIC_OR_PART) {
        core::log::Warn("event listener", {{"group_id", options_.group_id}, {"error", message->errstr()}});
      }
      continue;
    }
    const Event event = internal::EventOf(*message);
    ++received_;
    if (metrics_ != nullptr) {
      metrics_->GetCounter("osh_event_listener_received_total", "Events a listener reacted to",
                           {{"topic", event.topic}})
          .Inc();
    }
    try {
      core::ScopedTrace trace(core::ContinueOrStartTrace(event.traceparent));
      handler_(event);
    } catch (const std::exception& e) {
      core::log::Warn("event listener handler failed", {{"topic", event.topic}, {"error", e.what()}});
    }
  }
}

void EventListener::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (kafka_) internal::CloseWithin(std::move(kafka_->consumer), options_.close_timeout, options_.group_id);
}

}  // namespace osh::events
