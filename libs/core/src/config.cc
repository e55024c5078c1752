#include "osh/core/config.h"

#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace osh::core {
namespace {

const ConfigKey* FindKey(const std::vector<ConfigKey>& keys, std::string_view name) {
  for (const auto& k : keys) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

}  // namespace

std::string Config::EnvName(std::string_view key) {
  std::string env = "OSH_";
  for (char c : key) {
    env += (c == '-' || c == '.') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return env;
}

std::optional<Config> Config::Load(const std::vector<ConfigKey>& keys, int argc, const char* const* argv,
                                   std::string* error) {
  Config config;
  for (const auto& k : keys) {
    config.values_[k.name] = k.default_value;
    if (const char* env = std::getenv(EnvName(k.name).c_str()); env != nullptr) {
      config.values_[k.name] = env;
    }
  }
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (!arg.starts_with("--")) {
      *error = "unexpected argument '" + std::string(arg) + "'";
      return std::nullopt;
    }
    arg.remove_prefix(2);
    std::string name;
    std::string value;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    } else {
      name = arg;
      if (i + 1 >= argc) {
        *error = "flag --" + name + " needs a value";
        return std::nullopt;
      }
      value = argv[++i];
    }
    if (FindKey(keys, name) == nullptr) {
      *error = "unknown flag --" + name;
      return std::nullopt;
    }
    config.values_[name] = value;
  }
  return config;
}

Config Config::FromValues(const std::vector<ConfigKey>& keys, const std::map<std::string, std::string>& values) {
  Config config;
  for (const auto& k : keys) config.values_[k.name] = k.default_value;
  for (const auto& [k, v] : values) config.values_[k] = v;
  return config;
}

bool Config::Has(std::string_view name) const { return values_.find(name) != values_.end(); }

std::string Config::GetString(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw std::invalid_argument("unknown configuration key '" + std::string(name) + "'");
  return it->second;
}

int64_t Config::GetInt(std::string_view name) const {
  const std::string v = GetString(name);
  try {
    size_t used = 0;
    int64_t n = std::stoll(v, &used);
    if (used != v.size()) throw std::invalid_argument("trailing characters");
    return n;
  } catch (const std::exception&) {
    throw std::invalid_argument("configuration key '" + std::string(name) + "' must be an integer, got '" + v + "'");
  }
}

double Config::GetDouble(std::string_view name) const {
  const std::string v = GetString(name);
  try {
    size_t used = 0;
    double n = std::stod(v, &used);
    if (used != v.size()) throw std::invalid_argument("trailing characters");
    return n;
  } catch (const std::exception&) {
    throw std::invalid_argument("configuration key '" + std::string(name) + "' must be a number, got '" + v + "'");
  }
}

bool Config::GetBool(std::string_view name) const {
  const std::string v = GetString(name);
  if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
  if (v == "0" || v == "false" || v == "no" || v == "off" || v.empty()) return false;
  throw std::invalid_argument("configuration key '" + std::string(name) + "' must be true or false, got '" + v + "'");
}

std::string Config::Help(const std::vector<ConfigKey>& keys) {
  std::string out;
  for (const auto& k : keys) {
    out += "  --" + k.name + " (" + EnvName(k.name) + ", default '" + k.default_value + "')\n      " + k.help + "\n";
  }
  return out;
}

std::vector<std::string> SplitList(std::string_view text, char separator) {
  std::vector<std::string> items;
  while (true) {
    const auto end = text.find(separator);
    if (const auto item = text.substr(0, end); !item.empty()) items.emplace_back(item);
    if (end == std::string_view::npos) return items;
    text.remove_prefix(end + 1);
  }
}

}  // namespace osh::core
