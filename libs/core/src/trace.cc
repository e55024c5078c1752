#include "osh/core/trace.h"

#include <fmt/format.h>

#include <cctype>

#include "osh/core/ids.h"

namespace osh::core {
namespace {

thread_local const TraceContext* current_trace = nullptr;

bool IsLowerHex(std::string_view s, size_t length) {
  if (s.size() != length) return false;
  bool nonzero = false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    nonzero = nonzero || c != '0';
  }
  return nonzero;
}

// 16 random hex digits, never all zero (an all-zero id is invalid).
std::string RandomSpanId() {
  for (;;) {
    std::string id = NewRequestId();
    if (id.find_first_not_of('0') != std::string::npos) return id;
  }
}

}  // namespace

std::string TraceContext::Traceparent() const { return fmt::format("00-{}-{}-{}", trace_id, span_id, flags); }

std::optional<TraceContext> ParseTraceparent(std::string_view h) {
  // version "-" trace-id "-" parent-id "-" trace-flags: 2 + 1 + 32 + 1 + 16 + 1 + 2 = 55
  if (h.size() < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-') return std::nullopt;
  const std::string_view version = h.substr(0, 2);
  if (version.size() != 2 || !std::isxdigit(static_cast<unsigned char>(version[0])) ||
      !std::isxdigit(static_cast<unsigned char>(version[1])) || version == "ff") {
    return std::nullopt;
  }
  for (char c : version) {
    if (c >= 'A' && c <= 'F') return std::nullopt;
  }
  // Version 00 is exactly 55 characters; later versions may append "-..." fields.
  if (version == "00" ? h.size() != 55 : (h.size() > 55 && h[55] != '-')) return std::nullopt;
  TraceContext t{.trace_id = std::string(h.substr(3, 32)), .span_id = std::string(h.substr(36, 16)),
                 .flags = std::string(h.substr(53, 2))};
  if (!IsLowerHex(t.trace_id, 32) || !IsLowerHex(t.span_id, 16)) return std::nullopt;
  for (char c : t.flags) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  return t;
}

TraceContext NewTrace() {
  return {.trace_id = RandomSpanId() + NewRequestId(), .span_id = RandomSpanId(), .flags = "01"};
}

TraceContext ChildSpan(const TraceContext& parent) {
  return {.trace_id = parent.trace_id, .span_id = RandomSpanId(), .flags = parent.flags};
}

TraceContext ContinueOrStartTrace(std::string_view traceparent_or_empty) {
  if (auto parent = ParseTraceparent(traceparent_or_empty)) return ChildSpan(*parent);
  return NewTrace();
}

const TraceContext* CurrentTrace() { return current_trace; }

ScopedTrace::ScopedTrace(TraceContext trace) : trace_(std::move(trace)), previous_(current_trace) {
  current_trace = &trace_;
}

ScopedTrace::~ScopedTrace() { current_trace = previous_; }

}  // namespace osh::core
