#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace osh::core {

// One configuration key with its default and what it is for; the help text and
// the list of accepted flags come from these, so a typo in a flag is an error
// instead of a silently ignored setting.
struct ConfigKey {
  std::string name;  // dotted or dashed, e.g. "grpc-port"
  std::string default_value;
  std::string help;
};

// Configuration from (lowest to highest precedence) defaults, OSH_* environment
// variables and command-line flags `--name=value` / `--name value`.
// The environment name of `grpc-port` is OSH_GRPC_PORT.
class Config {
 public:
  // Returns nullopt and sets *error on an unknown flag or a flag without value.
  static std::optional<Config> Load(const std::vector<ConfigKey>& keys, int argc, const char* const* argv,
                                    std::string* error);
  // Builds from explicit values (tests).
  static Config FromValues(const std::vector<ConfigKey>& keys, const std::map<std::string, std::string>& values);

  std::string GetString(std::string_view name) const;
  // Throws std::invalid_argument naming the key when the value is not a number.
  int64_t GetInt(std::string_view name) const;
  double GetDouble(std::string_view name) const;
  bool GetBool(std::string_view name) const;
  bool Has(std::string_view name) const;

  static std::string EnvName(std::string_view key);
  static std::string Help(const std::vector<ConfigKey>& keys);

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// The items of a list such as "a,b,,c": split at `separator`, empty items
// dropped, nothing else changed (a blank is part of its item). For list-valued
// configuration and list headers.
std::vector<std::string> SplitList(std::string_view text, char separator = ',');

}  // namespace osh::core
