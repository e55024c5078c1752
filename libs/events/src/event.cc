#include "osh/events/event.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cctype>
#include <cstdio>
#include <ctime>

#include "osh/core/ids.h"
#include "osh/core/trace.h"

namespace osh::events {
namespace {

constexpr std::string_view kScheme = "osh://";

}  // namespace

std::string SourceFor(std::string_view province, std::string_view service) {
  return fmt::format("{}{}/{}", kScheme, province, service);
}

bool ParseSource(std::string_view source, std::string* province, std::string* service) {
  if (!source.starts_with(kScheme)) return false;
  source.remove_prefix(kScheme.size());
  const auto slash = source.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= source.size()) return false;
  if (source.find('/', slash + 1) != std::string_view::npos) return false;
  if (province) *province = source.substr(0, slash);
  if (service) *service = source.substr(slash + 1);
  return true;
}

std::string Event::Province() const {
  std::string p;
  return ParseSource(source, &p, nullptr) ? p : "";
}

std::string Event::Service() const {
  std::string s;
  return ParseSource(source, nullptr, &s) ? s : "";
}

std::string TopicFor(std::string_view service) { return fmt::format("osh.{}.events", service); }

Event MakeEvent(const google::protobuf::Message& payload, std::string_view province, std::string_view service,
                std::string key, std::chrono::system_clock::time_point now) {
  Event e;
  e.id = core::NewUuidV7(now);
  e.source = SourceFor(province, service);
  e.type = payload.GetDescriptor()->full_name();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  e.time = fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(now)),
                       static_cast<int>(ms));
  e.topic = TopicFor(service);
  e.key = std::move(key);
  payload.SerializeToString(&e.payload);
  if (const core::TraceContext* trace = core::CurrentTrace(); trace != nullptr) e.traceparent = trace->Traceparent();
  return e;
}

bool Unpack(const Event& event, google::protobuf::Message* message) {
  return event.type == message->GetDescriptor()->full_name() && message->ParseFromString(event.payload);
}

void UnpackOrThrow(const Event& event, google::protobuf::Message* message) {
  if (!Unpack(event, message)) {
    throw UndecodableEvent("event " + event.id + " of type " + event.type + " does not decode as " +
                           message->GetDescriptor()->full_name());
  }
}

std::optional<std::chrono::system_clock::time_point> ParseEventTime(std::string_view time) {
  std::tm tm{};
  int consumed = 0;
  const std::string text(time.substr(0, 64));
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
      consumed != 19) {
    return std::nullopt;
  }
  size_t rest = 19;
  int64_t millis = 0;
  if (rest < text.size() && text[rest] == '.') {
    int digits = 0;
    for (++rest; rest < text.size() && std::isdigit(static_cast<unsigned char>(text[rest])); ++rest, ++digits) {
      if (digits < 3) millis = millis * 10 + (text[rest] - '0');
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) millis *= 10;
  }
  if (rest + 1 != text.size() || text[rest] != 'Z') return std::nullopt;
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return std::chrono::system_clock::from_time_t(timegm(&tm)) + std::chrono::milliseconds(millis);
}

std::string ValidateAttributes(const Event& e) {
  if (e.id.empty() || e.id.size() > 128) return "ce_id is missing or longer than 128 bytes";
  if (!ParseSource(e.source, nullptr, nullptr)) return "ce_source '" + e.source.substr(0, 64) + "' is not osh://<province>/<service>";
  if (e.type.empty() || e.type.size() > 256) return "ce_type is missing";
  if (e.time.size() < 20 || e.time[4] != '-' || e.time[10] != 'T') return "ce_time is not RFC 3339";
  return "";
}

}  // namespace osh::events
