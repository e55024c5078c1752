#pragma once

// Small helpers shared by the relay and the consumer around librdkafka's C++ API.

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "osh/events/event.h"

namespace osh::events::internal {

// True for a produce or delivery error that no retry of the same message can
// cure: the message itself is refused (too large, an invalid record, a topic
// name the broker rejects, a timestamp outside the broker's window). The relay
// parks such a row. Everything else (broker down, timeouts, leader changes,
// missing topic, authorisation) is the broker's state and may pass: retried.
bool IsPermanentPublishFailure(RdKafka::ErrorCode error);

// Builds a librdkafka configuration; returns null with *error naming the
// property librdkafka refused.
std::unique_ptr<RdKafka::Conf> MakeConf(const std::map<std::string, std::string>& properties, std::string* error);

// CloudEvents binary-mode headers of an event (ownership passes to produce()).
RdKafka::Headers* HeadersOf(const Event& event);

// The event carried by a consumed message (attributes empty when absent).
Event EventOf(RdKafka::Message& message);  // non-const: librdkafka's headers() is

// Delivery report of exactly one message, found through the message's opaque.
struct SingleDelivery {
  std::atomic<bool> done{false};
  RdKafka::ErrorCode error = RdKafka::ERR_NO_ERROR;
};

// The delivery-report callback of producers used with ProduceAndWait.
class SingleDeliveryReports : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    auto* delivery = static_cast<SingleDelivery*>(message.msg_opaque());
    if (delivery == nullptr) return;
    delivery->error = message.err();
    delivery->done.store(true);
  }
};

// Produces one message and waits for its delivery report. Used for the rare,
// must-not-lose writes (dead letters); the relay pipelines instead.
// *code (when given) receives librdkafka's error code of a failure.
bool ProduceAndWait(RdKafka::Producer& producer, const std::string& topic, const std::string& key,
                    const std::string& payload, RdKafka::Headers* headers, int timeout_ms, std::string* error,
                    RdKafka::ErrorCode* code = nullptr);

// close() commits offsets and leaves the group, and with librdkafka 2.0 it can
// block for as long as the broker is unreachable. A service must still stop
// promptly: this waits up to `timeout`, then abandons the handle (the process
// is exiting; offsets not committed only mean a harmless redelivery).
void CloseWithin(std::unique_ptr<RdKafka::KafkaConsumer> consumer, std::chrono::milliseconds timeout,
                 const std::string& group_id);

}  // namespace osh::events::internal
