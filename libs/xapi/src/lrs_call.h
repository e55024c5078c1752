#pragma once

// Inside the LRS handler only: the request being answered.

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "lrs_error.h"
#include "osh/xapi/credentials.h"
#include "osh/xapi/lrs_http_handler.h"
#include "request_params.h"

namespace osh::xapi {

// On every answer to a statements query (Communication 2.1.3).
inline constexpr const char* kConsistentThrough = "x-experience-api-consistent-through";

// One request being answered: its parameters, headers and who sent it.
struct LrsHttpHandler::Call {
  std::string method;
  std::string resource;  // path under the prefix, e.g. "statements"
  std::map<std::string, std::string> headers;  // lower-case names
  std::vector<Param> params;
  std::string body;
  LrsClient client;
  std::chrono::system_clock::time_point now;

  const std::string* Header(const std::string& lower_name) const {
    const auto it = headers.find(lower_name);
    return it == headers.end() ? nullptr : &it->second;
  }
  const Param* Find(std::string_view name) const {
    for (const auto& p : params) {
      if (p.name == name) return &p;
    }
    return nullptr;
  }
  std::string ContentType() const {
    const auto* type = Header("content-type");
    if (type == nullptr) return "";
    return Lower(type->substr(0, type->find(';')));
  }
};

}  // namespace osh::xapi
