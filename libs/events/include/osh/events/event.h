#pragma once

#include <google/protobuf/message.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace osh::events {

// CloudEvents 1.0 binary-mode header names used on Kafka (DESIGN.md).
namespace header {
inline constexpr char kSpecVersion[] = "ce_specversion";
inline constexpr char kId[] = "ce_id";
inline constexpr char kSource[] = "ce_source";
inline constexpr char kType[] = "ce_type";
inline constexpr char kTime[] = "ce_time";
inline constexpr char kContentType[] = "content-type";
// W3C trace context of the request that made the event (CloudEvents' distributed
// tracing extension attribute `traceparent`, binary mode on Kafka): consumers
// continue its trace, so their log lines carry the request's trace_id.
inline constexpr char kTraceparent[] = "ce_traceparent";
// Added on dead-lettered copies.
inline constexpr char kError[] = "osh_error";
inline constexpr char kOriginalTopic[] = "osh_original_topic";
inline constexpr char kOriginalPartition[] = "osh_original_partition";
inline constexpr char kOriginalOffset[] = "osh_original_offset";
}  // namespace header

inline constexpr char kSpecVersion[] = "1.0";
inline constexpr char kContentTypeProtobuf[] = "application/protobuf";

// One domain event as it travels: CloudEvents attributes, the Kafka topic and
// key, and the protobuf payload.
struct Event {
  std::string id;       // ce_id: unique per event (UUIDv7), the consumers' dedup key
  std::string source;   // ce_source: osh://<province>/<service>
  std::string type;     // ce_type: full protobuf message name of the payload
  std::string time;     // ce_time: RFC 3339, UTC
  std::string topic;    // osh.<service>.events
  std::string key;      // aggregate id (credit code, article id ...)
  std::string payload;  // serialized protobuf message
  // W3C traceparent of the span that made the event; empty when none (optional attribute).
  std::string traceparent;
  // Where a consumed event was read from; -1 when not consumed.
  int32_t partition = -1;
  int64_t offset = -1;

  // Province and service named by `source`; empty when it is not an osh source.
  std::string Province() const;
  std::string Service() const;
};

// osh://<province>/<service>
std::string SourceFor(std::string_view province, std::string_view service);
bool ParseSource(std::string_view source, std::string* province, std::string* service);

// osh.<service>.events
std::string TopicFor(std::string_view service);

// Wraps a message as an event of `service` in `province`, with a fresh id and
// the thread's current trace (core::CurrentTrace), if any.
Event MakeEvent(const google::protobuf::Message& payload, std::string_view province, std::string_view service,
                std::string key, std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// True, with *message filled, when the event's type is the message's type and
// its payload parses.
bool Unpack(const Event& event, google::protobuf::Message* message);

// Thrown by a consumer's handler for an event it cannot decode (its payload
// does not parse as its ce_type) or whose content it can never apply (an
// invalid code, a province writing about another's records): no retry can
// help, so the consumer dead-letters it at once and counts it, instead of
// retrying or dropping it.
class UndecodableEvent : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Unpack, or UndecodableEvent naming the event when the payload does not parse.
void UnpackOrThrow(const Event& event, google::protobuf::Message* message);

// ce_time as a point in time; nullopt when it is not RFC 3339 UTC
// (YYYY-MM-DDTHH:MM:SS[.fraction]Z).
std::optional<std::chrono::system_clock::time_point> ParseEventTime(std::string_view time);

// Returns an error text when the CloudEvents attributes are missing or
// malformed (consumers dead-letter such events), empty when valid.
std::string ValidateAttributes(const Event& event);

}  // namespace osh::events
