// osh-devtoken: mints a token for local runs and tests and prints it.
//
//   osh-devtoken --secret-file F --sub alice --role province_admin --province 44
//                [--org CODE] [--ttl 3600] [--iss ISSUER] [--aud AUDIENCE [--aud AUDIENCE2]]
//
// One --aud makes `aud` a string, several an array (RFC 7519 §4.1.3); tokens
// for a deployment with --jwt-audience need its audience among them.
// Without --secret-file the secret comes from $OSH_JWT_HS256_SECRET (HS256).
// With --alg RS256 or ES256 the token is signed with a PEM private key instead:
//
//   osh-devtoken --alg ES256 --private-key key.pem [--kid K] --sub alice --role ...
//
// and the JWKS that verifies such tokens is printed by
//
//   osh-devtoken --jwks-for key.pem [--kid K] [--jwks-for other.pem --kid K2 ...]
//
// (public or private PEM keys; the i-th --kid names the i-th key). The token is
// checked with the same verifier the services use before it is printed, so a
// token this tool prints is one they accept.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "osh/auth/jwk.h"
#include "osh/auth/jwt.h"

namespace {

constexpr std::string_view kSecretEnv = "OSH_JWT_HS256_SECRET";

int Usage(std::string_view problem) {
  std::cerr << "osh-devtoken: " << problem << "\n"
            << "usage: osh-devtoken [--secret-file F] --sub SUBJECT --role ROLE [--province NN]\n"
            << "                    [--org CREDIT_CODE] [--ttl SECONDS] [--iss ISSUER] [--aud "
               "AUDIENCE]...\n"
            << "       osh-devtoken --alg RS256|ES256 --private-key PEM_FILE [--kid KID] --sub ...\n"
            << "       osh-devtoken --jwks-for PEM_FILE [--kid KID] [--jwks-for PEM_FILE [--kid KID]]...\n"
            << "roles: national_admin province_admin inspector institution employer worker\n"
            << "without --secret-file the HS256 secret is read from $" << kSecretEnv << "\n"
            << "--jwks-for prints the JWKS (public keys only) that verifies tokens of those keys\n";
  return 2;
}

int Fatal(std::string_view problem) {
  std::cerr << "osh-devtoken: " << problem << "\n";
  return 1;
}

// The whole file; false with *error set when it cannot be read.
bool ReadFile(const std::string& path, std::string* content, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    *error = "cannot read '" + path + "'";
    return false;
  }
  *content = std::move(text).str();
  return true;
}

int PrintJwks(const std::vector<std::string>& files, const std::vector<std::string>& kids) {
  if (!kids.empty() && kids.size() != files.size()) {
    return Usage("give one --kid per --jwks-for, or none");
  }
  nlohmann::json keys = nlohmann::json::array();
  for (size_t i = 0; i < files.size(); ++i) {
    std::string pem;
    std::string error;
    if (!ReadFile(files[i], &pem, &error)) return Fatal(error);
    const std::string jwk = osh::auth::PublicJwkFromPem(pem, kids.empty() ? "" : kids[i], &error);
    if (jwk.empty()) return Fatal(files[i] + ": " + error);
    keys.push_back(nlohmann::json::parse(jwk));
  }
  const nlohmann::json jwks{{"keys", keys}};
  // The printed JWKS must be one the services accept.
  osh::auth::VerifierConfig config;
  config.jwks_json = jwks.dump();
  std::string error;
  if (!osh::auth::TokenVerifier::Create(config, &error)) {
    return Fatal("services would reject this JWKS: " + error);
  }
  std::cout << jwks.dump(2) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> options{{"--ttl", "3600"}, {"--alg", "HS256"}};
  const std::map<std::string_view, bool> known{
      {"--secret-file", true}, {"--sub", true},   {"--role", true},        {"--province", true},
      {"--org", true},         {"--ttl", true},   {"--iss", true},         {"--aud", true},
      {"--alg", true},         {"--kid", true},   {"--private-key", true}, {"--jwks-for", true}};
  std::vector<std::string> jwks_files;
  std::vector<std::string> kids;
  std::vector<std::string> audiences;
  bool token_option = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      return Usage("mints a token (HS256, RS256 or ES256) for local runs and tests");
    }
    if (!known.contains(flag)) return Usage("unknown option " + std::string(flag));
    if (i + 1 >= argc) return Usage(std::string(flag) + " needs a value");
    const std::string value = argv[++i];
    if (flag == "--jwks-for") {
      jwks_files.push_back(value);
    } else if (flag == "--kid") {
      kids.push_back(value);
    } else if (flag == "--aud") {
      if (value.empty()) return Usage("--aud needs a non-empty audience");
      audiences.push_back(value);
      token_option = true;
    } else {
      token_option = true;
    }
    options[std::string(flag)] = value;
  }
  if (!jwks_files.empty()) {
    if (token_option) return Usage("--jwks-for takes only --kid");
    return PrintJwks(jwks_files, kids);
  }
  if (kids.size() > 1) return Usage("--kid given more than once");

  const std::string& alg = options["--alg"];
  const bool hs256 = alg == "HS256";
  if (!hs256 && alg != "RS256" && alg != "ES256") return Usage("--alg must be HS256, RS256 or ES256");
  if (hs256 && !options["--private-key"].empty()) return Usage("--private-key needs --alg RS256 or ES256");
  if (hs256 && !kids.empty()) return Usage("--kid needs --alg RS256 or ES256");
  if (!hs256 && !options["--secret-file"].empty()) return Usage("--secret-file is for --alg HS256");
  if (!hs256 && options["--private-key"].empty()) return Usage("--alg " + alg + " needs --private-key");
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
  osh::auth::VerifierConfig config;
  config.issuer = options["--iss"];
  // Checked below as a service would: each audience must be accepted.
  config.audience = audiences.empty() ? "" : audiences.front();
  std::string secret;
  std::string private_key_pem;
  const std::string kid = kids.empty() ? "" : kids.front();
  if (hs256) {
    secret = osh::auth::LoadSecret(options["--secret-file"], kSecretEnv, &error);
    if (secret.empty()) return Fatal(error);
    config.hs256_secret = secret;
  } else {
    if (!ReadFile(options["--private-key"], &private_key_pem, &error)) return Fatal(error);
    const std::string jwk = osh::auth::PublicJwkFromPem(private_key_pem, kid, &error);
    if (jwk.empty()) return Fatal(options["--private-key"] + ": " + error);
    config.jwks_json = "{\"keys\":[" + jwk + "]}";
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
  if (audiences.size() == 1) claims["aud"] = audiences.front();
  if (audiences.size() > 1) claims["aud"] = audiences;
  const std::string token = hs256 ? osh::auth::SignHs256(claims, secret)
                                  : osh::auth::SignAsymmetric(claims, alg, private_key_pem, kid, &error);
  if (token.empty()) return Fatal(options["--private-key"] + ": " + error);

  const auto verifier = osh::auth::TokenVerifier::Create(config, &error);
  if (!verifier) return Fatal(error);
  const auto verified = verifier->Verify(token, now);
  if (!verified.ok()) return Fatal("services would reject this token: " + verified.error);
  std::cout << token << "\n";
  return 0;
}
