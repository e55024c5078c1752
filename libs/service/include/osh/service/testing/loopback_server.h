#pragma once

// For service tests: gRPC services on a real loopback port (never an
// in-process shortcut) and client contexts carrying a bearer token.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "osh/core/grpc_server.h"
#include "osh/core/metrics.h"

namespace osh::service::testing {

class LoopbackServer {
 public:
  // Starts a server for `services` on 127.0.0.1:0; a failure fails the test.
  explicit LoopbackServer(const std::vector<grpc::Service*>& services) {
    server_ = std::make_unique<core::GrpcServer>(core::GrpcServer::Options{.access_log = false}, &metrics_);
    for (auto* s : services) server_->AddService(s);
    std::string error;
    started_ = server_->Start(&error);
    EXPECT_TRUE(started_) << error;
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()), grpc::InsecureChannelCredentials());
  }

  ~LoopbackServer() {
    channel_.reset();
    if (started_) server_->Shutdown(std::chrono::milliseconds(0), std::chrono::milliseconds(2000));
  }

  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  std::shared_ptr<grpc::Channel> channel() const { return channel_; }

 private:
  core::MetricsRegistry metrics_;
  std::unique_ptr<core::GrpcServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  bool started_ = false;
};

// A call context with a 10 s deadline and, unless `token` is empty, the bearer token.
inline std::unique_ptr<grpc::ClientContext> CallContext(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  return ctx;
}

}  // namespace osh::service::testing
