#include "admission.h"

namespace osh::http {

HttpServer::Admission::Admission(int max_connections, int max_connections_per_client, uint64_t max_body_bytes,
                                 uint64_t max_body_bytes_per_client)
    : max_connections_(max_connections),
      max_connections_per_client_(max_connections_per_client),
      max_body_bytes_(max_body_bytes),
      max_body_bytes_per_client_(max_body_bytes_per_client) {}

HttpServer::Admission::Verdict HttpServer::Admission::OpenConnection(const std::string& client) {
  std::lock_guard lock(mu_);
  if (max_connections_ > 0 && connections_ >= max_connections_) return Verdict::kServerFull;
  auto& use = by_client_[client];
  if (max_connections_per_client_ > 0 && use.connections >= max_connections_per_client_) {
    ForgetIfIdle(client);
    return Verdict::kClientFull;
  }
  ++use.connections;
  ++connections_;
  return Verdict::kAdmitted;
}

void HttpServer::Admission::CloseConnection(const std::string& client) {
  std::lock_guard lock(mu_);
  --connections_;
  if (auto it = by_client_.find(client); it != by_client_.end()) {
    --it->second.connections;
    ForgetIfIdle(client);
  }
}

HttpServer::Admission::Verdict HttpServer::Admission::ReserveBody(const std::string& client, uint64_t bytes) {
  std::lock_guard lock(mu_);
  if (max_body_bytes_ > 0 && body_bytes_ + bytes > max_body_bytes_) return Verdict::kServerFull;
  auto& use = by_client_[client];
  if (max_body_bytes_per_client_ > 0 && use.body_bytes + bytes > max_body_bytes_per_client_) {
    ForgetIfIdle(client);
    return Verdict::kClientFull;
  }
  use.body_bytes += bytes;
  body_bytes_ += bytes;
  return Verdict::kAdmitted;
}

void HttpServer::Admission::ReleaseBody(const std::string& client, uint64_t bytes) {
  std::lock_guard lock(mu_);
  body_bytes_ -= bytes;
  if (auto it = by_client_.find(client); it != by_client_.end()) {
    it->second.body_bytes -= bytes;
    ForgetIfIdle(client);
  }
}

void HttpServer::Admission::CountRefusal() {
  std::lock_guard lock(mu_);
  ++refused_;
}

int64_t HttpServer::Admission::connections() const {
  std::lock_guard lock(mu_);
  return connections_;
}

uint64_t HttpServer::Admission::body_bytes() const {
  std::lock_guard lock(mu_);
  return body_bytes_;
}

int64_t HttpServer::Admission::refused() const {
  std::lock_guard lock(mu_);
  return refused_;
}

void HttpServer::Admission::ForgetIfIdle(const std::string& client) {
  if (auto it = by_client_.find(client); it != by_client_.end() && it->second.connections == 0 &&
                                         it->second.body_bytes == 0) {
    by_client_.erase(it);
  }
}

}  // namespace osh::http
