// osh-devtoken: mints an HS256 token for local runs and prints it.
//
//   osh-devtoken --secret-file F --sub alice --role province_admin --province 44
//                [--org CODE] [--ttl 3600] [--iss ISSUER] [--aud AUDIENCE]
//
// Without --secret-file the secret comes from $OSH_JWT_HS256_SECRET. The token is
// checked with the same verifier the services use before it is printed, so a
// token this tool prints is one they accept.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

#include "osh/auth/jwt.h"

namespace {

constexpr std::string_view kSecretEnv = "OSH_JWT_HS256_SECRET";

int Usage(std::string_view problem) {
  std::cerr << "osh-devtoken: " << problem << "\n"
            << "usage: osh-devtoken [--secret-file F] --sub SUBJECT --role ROLE [--province NN]\n"
            << "                    [--org CREDIT_CODE] [--ttl SECONDS] [--iss ISSUER] [--aud "
               "AUDIENCE]\n"
            << "roles: national_admin province_admin inspector institution employer worker\n"
            << "without --secret-file the secret is read from $" << kSecretEnv << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> options{{"--ttl", "3600"}};
  const std::map<std::string_view, bool> known{
      {"--secret-file", true}, {"--sub", true}, {"--role", true}, {"--province", true},
      {"--org", true},         {"--ttl", true}, {"--iss", true},  {"--aud", true}};
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") return Usage("mints an HS256 token for local runs");
    if (!known.contains(flag)) return Usage("unknown option " + std::string(flag));
    if (i + 1 >= argc) return Usage(std::string(flag) + " needs a value");
    options[std::string(flag)] = argv[++i];
  }
  if (options["--sub"].empty()) return Usage("--sub is required");
  if (options["--role"].empty()) return Usage("--role is required");

  long long ttl_seconds = 0;
  try {
    size_t used = 0;
    ttl_seconds = std::stoll(options["--ttl"], &used);
    if (used != options["--ttl"].size() || ttl_seconds <= 0) throw std::invalid_argument("ttl");
  } catch (const std::exception&) {
    return Usage("--ttl must be a positive number of seconds");
  }

  std::string error;
  const std::string secret = osh::auth::LoadSecret(options["--secret-file"], kSecretEnv, &error);
  if (secret.empty()) {
    std::cerr << "osh-devtoken: " << error << "\n";
    return 1;
  }

  const auto now = std::chrono::system_clock::now();
  const long long issued_at =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  nlohmann::json claims{{"sub", options["--sub"]},
                        {"role", options["--role"]},
                        {"iat", issued_at},
                        {"exp", issued_at + ttl_seconds}};
  if (!options["--province"].empty()) claims["province"] = options["--province"];
  if (!options["--org"].empty()) claims["org"] = options["--org"];
  if (!options["--iss"].empty()) claims["iss"] = options["--iss"];
  if (!options["--aud"].empty()) claims["aud"] = options["--aud"];
  const std::string token = osh::auth::SignHs256(claims, secret);

  osh::auth::VerifierConfig config;
  config.hs256_secret = secret;
  config.issuer = options["--iss"];
  config.audience = options["--aud"];
  const auto verifier = osh::auth::TokenVerifier::Create(config, &error);
  if (!verifier) {
    std::cerr << "osh-devtoken: " << error << "\n";
    return 1;
  }
  const auto verified = verifier->Verify(token, now);
  if (!verified.ok()) {
    std::cerr << "osh-devtoken: services would reject this token: " << verified.error << "\n";
    return 1;
  }
  std::cout << token << "\n";
  return 0;
}
