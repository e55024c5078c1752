#pragma once

// W3C Trace Context (https://www.w3.org/TR/trace-context/): one trace id follows a
// request from the gateway through the services' gRPC metadata and the events'
// Kafka headers to their consumers, and every log line written while a traced
// request or event is handled carries it (`trace_id`), so one request can be
// followed through every service's logs.

#include <optional>
#include <string>
#include <string_view>

namespace osh::core {

// The gRPC metadata key and HTTP header.
inline constexpr char kTraceparentHeader[] = "traceparent";

struct TraceContext {
  std::string trace_id;  // 32 lowercase hex digits, not all zero
  std::string span_id;   // 16 lowercase hex digits, not all zero: the sender's span
  std::string flags = "01";  // trace-flags; 01 = sampled

  // "00-<trace_id>-<span_id>-<flags>"
  std::string Traceparent() const;
  bool operator==(const TraceContext&) const = default;
};

// A traceparent header value, or nullopt when it is malformed (then a receiver
// starts a new trace, as the specification says). Versions above 00 are read
// by their first four fields; version ff is invalid.
std::optional<TraceContext> ParseTraceparent(std::string_view header);

// A new trace (fresh trace and span ids).
TraceContext NewTrace();
// The same trace with a new span: what a receiver passes on.
TraceContext ChildSpan(const TraceContext& parent);
// The child of a received header, or a new trace when it is missing or malformed.
TraceContext ContinueOrStartTrace(std::string_view traceparent_or_empty);

// The trace of the work this thread is doing now (nullptr: none). Log lines
// written meanwhile carry its trace_id; events made meanwhile carry it on.
const TraceContext* CurrentTrace();

// Makes `trace` the current one of this thread for its lifetime, restoring the
// previous one after (so scopes nest).
class ScopedTrace {
 public:
  explicit ScopedTrace(TraceContext trace);
  ~ScopedTrace();
  ScopedTrace(const ScopedTrace&) = delete;
  ScopedTrace& operator=(const ScopedTrace&) = delete;

 private:
  TraceContext trace_;
  const TraceContext* previous_;
};

}  // namespace osh::core
