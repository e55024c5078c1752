#pragma once

// Inside the HTTP server only: what connections may hold at once.

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "osh/http/http_server.h"

namespace osh::http {

// Counts connections and reserved body bytes, in all and per client address,
// against the limits of HttpServer::Options (0: no limit). Thread-safe.
class HttpServer::Admission {
 public:
  enum class Verdict { kAdmitted, kServerFull, kClientFull };

  Admission(int max_connections, int max_connections_per_client, uint64_t max_body_bytes,
            uint64_t max_body_bytes_per_client);

  Verdict OpenConnection(const std::string& client);
  void CloseConnection(const std::string& client);
  Verdict ReserveBody(const std::string& client, uint64_t bytes);
  void ReleaseBody(const std::string& client, uint64_t bytes);
  void CountRefusal();

  int64_t connections() const;
  uint64_t body_bytes() const;
  int64_t refused() const;

 private:
  struct Use {
    int64_t connections = 0;
    uint64_t body_bytes = 0;
  };
  void ForgetIfIdle(const std::string& client);

  const int64_t max_connections_;
  const int64_t max_connections_per_client_;
  const uint64_t max_body_bytes_;
  const uint64_t max_body_bytes_per_client_;
  mutable std::mutex mu_;
  int64_t connections_ = 0;
  uint64_t body_bytes_ = 0;
  int64_t refused_ = 0;
  // Only clients holding something are kept, so the map is bounded by the
  // connections open.
  std::unordered_map<std::string, Use> by_client_;
};

}  // namespace osh::http
