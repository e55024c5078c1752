#pragma once

// For tests only: a fresh PostgreSQL database per test on the shared test
// server of the ctest fixture `postgres` (OSH_TEST_POSTGRES_URL), dropped again
// when the test is done, so tests never see each other's rows.

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "osh/store/database.h"

namespace osh::store::testing {

// The URL of the shared test server, or "" when the test runs without it.
inline std::string TestPostgresUrl() {
  const char* url = std::getenv("OSH_TEST_POSTGRES_URL");
  return url != nullptr ? url : "";
}

// The port above the shared server's, free for a crash test's private server.
inline int SparePostgresPort() {
  const std::string url = TestPostgresUrl();
  const auto colon = url.rfind(':');
  return colon == std::string::npos ? 0 : std::atoi(url.c_str() + colon + 1) + 1;
}

// Runs one statement over its own connection to `url`; throws with the server's message.
inline void PostgresAdmin(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);  // "does not exist, skipping"
    PGresult* r = PQexec(conn, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) error = PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(conn);
  if (!error.empty()) throw std::runtime_error(sql + ": " + error);
}

// `url` (…/postgres) with its database name replaced.
inline std::string WithDatabase(const std::string& url, const std::string& name) {
  const auto slash = url.rfind('/');
  const auto query = url.find('?', slash);
  return url.substr(0, slash + 1) + name + (query == std::string::npos ? "" : url.substr(query));
}

class ScratchPostgres {
 public:
  // `server_url` defaults to the shared test server.
  explicit ScratchPostgres(std::string server_url = TestPostgresUrl()) : server_(std::move(server_url)) {
    if (server_.empty()) throw std::runtime_error("OSH_TEST_POSTGRES_URL is not set (run under the postgres fixture)");
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const std::string test = info != nullptr ? std::string(info->test_suite_name()) + "." + info->name() : "outside";
    name_ = "osh_t" + std::to_string(::getpid()) + "_" + std::to_string(std::hash<std::string>{}(test) % 100000000);
    PostgresAdmin(server_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    PostgresAdmin(server_, "CREATE DATABASE " + name_);
  }
  ~ScratchPostgres() {
    try {
      PostgresAdmin(server_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (...) {
      // The server may be gone (crash tests); its directory goes with the test.
    }
  }
  ScratchPostgres(const ScratchPostgres&) = delete;
  ScratchPostgres& operator=(const ScratchPostgres&) = delete;

  const std::string& name() const { return name_; }
  std::string url() const { return WithDatabase(server_, name_); }

 private:
  std::string server_;
  std::string name_;
};

// The database a service test opens: the SQLite file `path`, or, when the test
// runs under the label postgres (OSH_TEST_POSTGRES_URL set), a fresh PostgreSQL
// database of its own on the test server. Reopening gives the same data either way.
class TestDatabase {
 public:
  explicit TestDatabase(std::string path) : path_(std::move(path)) {
    if (!TestPostgresUrl().empty()) pg_ = std::make_unique<ScratchPostgres>();
  }
  Database::Options Options() const { return {.path = path_, .url = pg_ ? pg_->url() : ""}; }
  bool postgres() const { return pg_ != nullptr; }

  // On PostgreSQL, every value of every live row of every table, concatenated:
  // what a test that looks for clear text in the SQLite file searches there
  // instead (the server's files are not the test's to read).
  std::string LiveValues() const {
    auto db = Database::Open(Options(), {});
    return db->Read([](Tx& tx) {
      std::vector<std::pair<std::string, std::string>> columns;
      for (auto s = tx.Prepare("SELECT table_name, column_name FROM information_schema.columns"
                               " WHERE table_schema = 'public'");
           s.Step();) {
        columns.emplace_back(s.Text(0), s.Text(1));
      }
      std::string all;
      for (const auto& [table, column] : columns) {
        for (auto s = tx.Prepare("SELECT \"" + column + "\" FROM \"" + table + "\""); s.Step();) all += s.Blob(0);
      }
      return all;
    });
  }

 private:
  std::string path_;
  std::unique_ptr<ScratchPostgres> pg_;
};

}  // namespace osh::store::testing
