#pragma once

// The LRS on a loopback port, reached over real HTTP, as the xAPI handler
// tests share it (lrs_http_handler_test.cc, lrs_access_test.cc).

// Boost 1.74 asio uses std::exchange without including <utility> under C++20.
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <ctime>
#include <map>

#include "osh/auth/jwt.h"
#include "osh/store/testing/postgres.h"
#include "osh/store/testing/scratch_dir.h"
#include "osh/xapi/lrs_http_handler.h"

namespace osh::xapi::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using nlohmann::json;

inline constexpr char kSecret[] = "xapi-test-secret-that-is-at-least-32-bytes";

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  json Json() const { return json::parse(body); }
};

inline std::string Base64(std::string_view s) {
  std::string out(4 * ((s.size() + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(s.data()),
                  static_cast<int>(s.size()));
  return out;
}

inline std::string Encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// A fresh LRS on a loopback port per test, reached over real HTTP.
class LrsHttpHandlerTest : public ::testing::Test {
 protected:
  LrsHttpHandlerTest()
      : dir_("xapi-http"),
        database_(dir_.File("xapi.db")),
        db_(store::Database::Open(database_.Options(), StatementStore::Migrations())),
        statements_(*db_) {
    std::string error;
    credentials_ = *ClientCredentials::Parse(
        "gd-lms " + Sha256Hex("gd-secret") + " 44\nbj-lms " + Sha256Hex("bj-secret") + " 11\n" +
            "gd-other " + Sha256Hex("other-secret") + " 44\n" +
            "gd-reader " + Sha256Hex("reader-secret") + " 44 statements/read\n" +
            "gd-all " + Sha256Hex("all-secret") + " 44 all\n",
        &error);
    verifier_ = auth::TokenVerifier::Create({.hs256_secret = kSecret}, &error);
    LrsHttpHandler::Options options;
    options.default_limit = 3;
    options.province = "44";
    handler_ = std::make_unique<LrsHttpHandler>(options, statements_, &documents_, &credentials_, verifier_.get());
    // As osh-training mounts it: signing in is checked before a body is read.
    server_ = std::make_unique<http::HttpServer>(
        http::HttpServer::Options{},
        [this](http::HttpRequest&& r, http::Respond respond) { handler_->Handle(std::move(r), respond); },
        [this](const http::HttpRequest& head, uint64_t* body_limit) { return handler_->CheckHeaders(head, body_limit); });
    EXPECT_TRUE(server_->Start(&error)) << error;
  }

  Reply Send(const std::string& method, const std::string& target, const std::string& body = "",
             std::map<std::string, std::string> headers = {}) {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    if (!headers.count("Authorization")) req.set("Authorization", "Basic " + Base64("gd-lms:gd-secret"));
    if (!headers.count("X-Experience-API-Version")) req.set("X-Experience-API-Version", "1.0.3");
    if (!body.empty()) req.set(bhttp::field::content_type, "application/json");
    for (const auto& [name, value] : headers) {
      if (!value.empty()) req.set(name, value);
    }
    req.body() = body;
    req.prepare_payload();
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.skip(method == "HEAD");
    bhttp::read(stream, buffer, parser);
    const auto& res = parser.get();
    Reply reply{static_cast<int>(res.result_int()), {}, res.body()};
    for (const auto& field : res) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      reply.headers[name] = std::string(field.value());
    }
    return reply;
  }

  // The Authorization header of a platform principal.
  static std::map<std::string, std::string> As(const std::string& subject, const std::string& role,
                                               const std::string& province = "44") {
    json claims = {{"sub", subject}, {"role", role}, {"exp", std::time(nullptr) + 3600}};
    if (!province.empty()) claims["province"] = province;
    return {{"Authorization", "Bearer " + auth::SignHs256(claims, kSecret)}};
  }
  static std::map<std::string, std::string> Basic(const std::string& key, const std::string& secret) {
    return {{"Authorization", "Basic " + Base64(key + ":" + secret)}};
  }
  // A statement whose actor is the platform principal `subject`.
  static json StatementBy(const std::string& subject) {
    return {{"actor", {{"objectType", "Agent"}, {"account", {{"homePage", "urn:osh-platform:principal"}, {"name", subject}}}}},
            {"verb", {{"id", "http://adlnet.gov/expapi/verbs/completed"}, {"display", {{"en-US", "completed"}}}}},
            {"object", {{"id", "https://osh.example/courses/dust"}}}};
  }
  static json Voiding(const std::string& actor_subject, const std::string& target) {
    auto s = StatementBy(actor_subject);
    s["verb"] = {{"id", "http://adlnet.gov/expapi/verbs/voided"}};
    s["object"] = {{"objectType", "StatementRef"}, {"id", target}};
    return s;
  }
  static std::string AgentParam(const std::string& subject) {
    return Encode(json({{"account", {{"homePage", "urn:osh-platform:principal"}, {"name", subject}}}}).dump());
  }

  static json Statement(const std::string& mail, const std::string& verb = "http://adlnet.gov/expapi/verbs/completed") {
    return {{"actor", {{"mbox", "mailto:" + mail}}},
            {"verb", {{"id", verb}, {"display", {{"en-US", "did"}}}}},
            {"object", {{"id", "https://osh.example/courses/dust"}}}};
  }

  store::testing::ScratchDir dir_;
  // The SQLite file, or under the label postgres a PostgreSQL database.
  store::testing::TestDatabase database_;
  std::unique_ptr<store::Database> db_;
  StatementStore statements_;
  DocumentStore documents_{*db_};
  ClientCredentials credentials_ = *ClientCredentials::Parse("", nullptr);
  std::unique_ptr<auth::TokenVerifier> verifier_;
  std::unique_ptr<LrsHttpHandler> handler_;
  std::unique_ptr<http::HttpServer> server_;
};

}  // namespace osh::xapi::testing
