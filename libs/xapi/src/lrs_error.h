#pragma once

// Inside the LRS handler only: how a request is refused.

#include <nlohmann/json.hpp>

#include <cctype>
#include <string>
#include <string_view>

#include "osh/http/http_server.h"

namespace osh::xapi {

// Thrown while answering a call; becomes the response. Keeps the request
// code straight-line instead of threading error returns through every parse.
struct Reply {
  http::HttpResponse response;
};

inline http::HttpResponse JsonResponse(int status, const nlohmann::json& body) {
  return http::HttpResponse{status, {{"content-type", "application/json"}}, body.dump()};
}

[[noreturn]] inline void Fail(int status, std::string message, std::string property = "") {
  nlohmann::json body = {{"error", {{"code", status}, {"message", std::move(message)}}}};
  if (!property.empty()) body["error"]["property"] = std::move(property);
  throw Reply{JsonResponse(status, body)};
}

inline std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace osh::xapi
