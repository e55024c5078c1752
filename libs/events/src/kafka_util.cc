#include "kafka_util.h"

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "osh/core/log.h"

namespace osh::events::internal {

bool IsPermanentPublishFailure(RdKafka::ErrorCode error) {
  switch (error) {
    case RdKafka::ERR_MSG_SIZE_TOO_LARGE:     // above message.max.bytes (producer's or broker's)
    case RdKafka::ERR_INVALID_MSG_SIZE:       // the broker read a nonsensical size
    case RdKafka::ERR_RECORD_LIST_TOO_LARGE:  // the batch holding only it is too large
    case RdKafka::ERR_INVALID_RECORD:         // the broker's record validation refused it
    case RdKafka::ERR_INVALID_MSG:            // corrupt after librdkafka's own retries ran out
    case RdKafka::ERR_INVALID_TIMESTAMP:      // outside message.timestamp.difference.max.ms
    case RdKafka::ERR_TOPIC_EXCEPTION:        // a topic name the broker refuses
    case RdKafka::ERR__BAD_MSG:               // librdkafka cannot encode it
    case RdKafka::ERR__INVALID_ARG:           // produce() refused its arguments
      return true;
    default:
      return false;
  }
}

std::unique_ptr<RdKafka::Conf> MakeConf(const std::map<std::string, std::string>& properties, std::string* error) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  for (const auto& [name, value] : properties) {
    std::string why;
    if (conf->set(name, value, why) != RdKafka::Conf::CONF_OK) {
      *error = "kafka property " + name + ": " + why;
      return nullptr;
    }
  }
  return conf;
}

RdKafka::Headers* HeadersOf(const Event& e) {
  RdKafka::Headers* h = RdKafka::Headers::create();
  h->add(header::kSpecVersion, kSpecVersion);
  h->add(header::kId, e.id);
  h->add(header::kSource, e.source);
  h->add(header::kType, e.type);
  h->add(header::kTime, e.time);
  h->add(header::kContentType, kContentTypeProtobuf);
  if (!e.traceparent.empty()) h->add(header::kTraceparent, e.traceparent);
  return h;
}

Event EventOf(RdKafka::Message& m) {
  Event e;
  e.topic = m.topic_name();
  e.partition = m.partition();
  e.offset = m.offset();
  if (m.key() != nullptr) e.key = *m.key();
  if (m.payload() != nullptr) e.payload.assign(static_cast<const char*>(m.payload()), m.len());
  if (RdKafka::Headers* h = m.headers(); h != nullptr) {
    auto value = [h](const char* name) {
      RdKafka::Headers::Header last = h->get_last(name);
      if (last.err() != RdKafka::ERR_NO_ERROR || last.value() == nullptr) return std::string();
      return std::string(static_cast<const char*>(last.value()), last.value_size());
    };
    e.id = value(header::kId);
    e.source = value(header::kSource);
    e.type = value(header::kType);
    e.time = value(header::kTime);
    e.traceparent = value(header::kTraceparent);
  }
  return e;
}

bool ProduceAndWait(RdKafka::Producer& producer, const std::string& topic, const std::string& key,
                    const std::string& payload, RdKafka::Headers* headers, int timeout_ms, std::string* error,
                    RdKafka::ErrorCode* code) {
  auto delivery = std::make_unique<SingleDelivery>();
  const RdKafka::ErrorCode rc = producer.produce(
      topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(payload.data()),
      payload.size(), key.data(), key.size(), 0, headers, delivery.get());
  if (rc != RdKafka::ERR_NO_ERROR) {
    delete headers;  // still ours when produce() fails
    *error = RdKafka::err2str(rc);
    if (code != nullptr) *code = rc;
    return false;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!delivery->done.load() && std::chrono::steady_clock::now() < deadline) producer.poll(50);
  if (!delivery->done.load()) {
    // The report may still arrive and would then touch freed memory: keep it.
    (void)delivery.release();
    *error = "delivery not confirmed in time";
    if (code != nullptr) *code = RdKafka::ERR__TIMED_OUT;
    return false;
  }
  if (delivery->error != RdKafka::ERR_NO_ERROR) {
    *error = RdKafka::err2str(delivery->error);
    if (code != nullptr) *code = delivery->error;
    return false;
  }
  return true;
}

void CloseWithin(std::unique_ptr<RdKafka::KafkaConsumer> consumer, std::chrono::milliseconds timeout,
                 const std::string& group_id) {
  if (!consumer) return;
  auto closing = std::make_shared<std::promise<void>>();
  auto closed = closing->get_future();
  RdKafka::KafkaConsumer* handle = consumer.release();
  std::thread([handle, closing] {
    handle->close();
    delete handle;
    closing->set_value();
  }).detach();
  if (closed.wait_for(timeout) != std::future_status::ready) {
    core::log::Warn("kafka consumer did not close in time; abandoning it", {{"group_id", group_id}});
  }
}

}  // namespace osh::events::internal
