#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace osh::core::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// Sets the fields every line carries. Call once at start; lines before it carry
// service "unknown".
void Init(std::string_view service, std::string_view province, Level min_level = Level::kInfo);
std::optional<Level> ParseLevel(std::string_view name);

// Writes one JSON line to stdout: ts, level, service, province, msg, trace_id and
// span_id of the thread's current trace (core::CurrentTrace) when it has one, then
// `fields` (an object; request_id belongs there when there is one).
void Write(Level level, std::string_view message, const nlohmann::json& fields = nlohmann::json::object());

inline void Debug(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) { Write(Level::kDebug, m, f); }
inline void Info(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) { Write(Level::kInfo, m, f); }
inline void Warn(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) { Write(Level::kWarn, m, f); }
inline void Error(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) { Write(Level::kError, m, f); }

// Personal data never reaches a log line whole: these keep just enough to tell
// records apart ("138****5678", "4403**********1234").
std::string MaskPhone(std::string_view phone);
std::string MaskIdNumber(std::string_view id_number);

// Renders a line without writing it (tests).
std::string Render(Level level, std::string_view message, const nlohmann::json& fields);

}  // namespace osh::core::log
