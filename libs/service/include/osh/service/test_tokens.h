#pragma once

// For tests only: signed tokens for any role, against one well-known secret.

#include <ctime>
#include <nlohmann/json.hpp>
#include <string>

#include "osh/auth/jwt.h"

namespace osh::service::testing {

inline constexpr char kTestSecret[] = "test-secret-that-is-at-least-32-bytes-long";

inline std::string Token(const std::string& role, const std::string& province, const std::string& org = "",
                         const std::string& sub = "tester") {
  nlohmann::json claims = {{"sub", sub}, {"role", role}, {"exp", std::time(nullptr) + 3600}};
  if (!province.empty()) claims["province"] = province;
  if (!org.empty()) claims["org"] = org;
  return auth::SignHs256(claims, kTestSecret);
}

}  // namespace osh::service::testing
