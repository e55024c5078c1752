#include "osh/core/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <mutex>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "osh/core/trace.h"

namespace osh::core::log {
namespace {

struct State {
  std::mutex mu;
  std::string service = "unknown";
  std::string province;
  std::atomic<int> min_level{static_cast<int>(Level::kInfo)};
  std::shared_ptr<spdlog::logger> sink;
};

State& GetState() {
  static State state;
  return state;
}

std::string_view LevelName(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

std::string NowUtc() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(now)),
                     static_cast<int>(ms.count()));
}

std::string MaskMiddle(std::string_view s, size_t keep_front, size_t keep_back) {
  if (s.size() <= keep_front + keep_back) return std::string(s.size(), '*');
  return std::string(s.substr(0, keep_front)) + std::string(s.size() - keep_front - keep_back, '*') +
         std::string(s.substr(s.size() - keep_back));
}

}  // namespace

void Init(std::string_view service, std::string_view province, Level min_level) {
  auto& st = GetState();
  std::lock_guard lock(st.mu);
  st.service = service;
  st.province = province;
  st.min_level = static_cast<int>(min_level);
  if (!st.sink) {
    st.sink = spdlog::stdout_logger_mt("osh-json");
    st.sink->set_pattern("%v");
    st.sink->flush_on(spdlog::level::info);
  }
}

std::optional<Level> ParseLevel(std::string_view name) {
  if (name == "debug") return Level::kDebug;
  if (name == "info") return Level::kInfo;
  if (name == "warn") return Level::kWarn;
  if (name == "error") return Level::kError;
  return std::nullopt;
}

std::string Render(Level level, std::string_view message, const nlohmann::json& fields) {
  auto& st = GetState();
  // Ordered so every line starts ts, level, service, province, msg for people reading it.
  nlohmann::ordered_json line;
  line["ts"] = NowUtc();
  line["level"] = LevelName(level);
  {
    std::lock_guard lock(st.mu);
    line["service"] = st.service;
    if (!st.province.empty()) line["province"] = st.province;
  }
  line["msg"] = message;
  // The trace of the request or event this thread handles, so one request can be
  // followed through every service's logs; a field given explicitly wins.
  if (const TraceContext* trace = CurrentTrace(); trace != nullptr) {
    line["trace_id"] = trace->trace_id;
    line["span_id"] = trace->span_id;
  }
  if (fields.is_object()) {
    for (const auto& [k, v] : fields.items()) line[k] = v;
  }
  // Invalid UTF-8 in a field must not throw inside a log call.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Write(Level level, std::string_view message, const nlohmann::json& fields) {
  auto& st = GetState();
  if (static_cast<int>(level) < st.min_level.load()) return;
  std::string text = Render(level, message, fields);
  std::shared_ptr<spdlog::logger> sink;
  {
    std::lock_guard lock(st.mu);
    sink = st.sink;
  }
  if (sink) {
    sink->info(text);
  } else {
    std::fputs((text + "\n").c_str(), stdout);
  }
}

std::string MaskPhone(std::string_view phone) { return MaskMiddle(phone, 3, 4); }
std::string MaskIdNumber(std::string_view id_number) { return MaskMiddle(id_number, 4, 4); }

}  // namespace osh::core::log
