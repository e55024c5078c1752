#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "osh/auth/jwt.h"
#include "osh/service/test_tokens.h"
#include "osh/store/testing/postgres.h"
#include "osh/store/testing/scratch_dir.h"
#include "osh/core/grpc_server.h"
#include "osh/events/consumer.h"
#include "osh/reporting/v1/reporting.grpc.pb.h"
#include "reporting.h"
#include "reporting_grpc.h"
#include "rollup_projector.h"
#include "rollup_store.h"
#include "simulated_registry.h"

namespace osh::reporting::testing {

inline constexpr const char* kSecret = service::testing::kTestSecret;

using service::testing::Token;

// Reporting behind a real gRPC server on a loopback port, over a SQLite file
// in a fresh directory. Events reach the rollups as the consumer applies them
// (EventConsumer::ApplyOnce with the projector); the clock of reports is the
// fixture's `now_`.
class ReportingFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    verifier_ = auth::TokenVerifier::Create({.hs256_secret = kSecret}, &error);
    ASSERT_TRUE(verifier_) << error;
    database_ = std::make_unique<store::testing::TestDatabase>(dir_.File("reporting.db"));
    db_ = store::Database::Open(database_->Options(), RollupStore::Migrations());
    Reporting::Options options;
    options.indicator_targets = {{v1::INDICATOR_DECLARATION_RATE, 0.5}};
    options.clock = [this] { return now_; };
    reporting_ = std::make_unique<Reporting>(*db_, options);
    service_ = std::make_unique<ReportingGrpcService>(*reporting_, *verifier_);
    server_ = std::make_unique<core::GrpcServer>(core::GrpcServer::Options{.access_log = false}, &metrics_);
    server_->AddService(service_.get());
    ASSERT_TRUE(server_->Start(&error)) << error;
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()), grpc::InsecureChannelCredentials());
    stub_ = v1::ReportingService::NewStub(channel_);
  }

  void TearDown() override {
    stub_.reset();
    channel_.reset();
    if (server_) server_->Shutdown(std::chrono::milliseconds(0), std::chrono::milliseconds(2000));
    server_.reset();
    service_.reset();
    reporting_.reset();
    db_.reset();
  }

  void Apply(const events::Event& e) { events::EventConsumer::ApplyOnce(*db_, projector_.AsHandler(), e); }
  void PlayTheYear() {
    world_.PlayTheYear([this](const events::Event& e) { Apply(e); });
  }

  std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
    return ctx;
  }

  store::testing::ScratchDir dir_{"reporting-svc"};

  // SQLite file, or under the label postgres a PostgreSQL database; outlives db_.

  std::unique_ptr<store::testing::TestDatabase> database_;
  std::unique_ptr<auth::TokenVerifier> verifier_;
  core::MetricsRegistry metrics_;
  std::unique_ptr<store::Database> db_;
  RollupProjector projector_;
  std::unique_ptr<Reporting> reporting_;
  std::unique_ptr<ReportingGrpcService> service_;
  std::unique_ptr<core::GrpcServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ReportingService::Stub> stub_;
  ThreeProvinces world_;
  std::chrono::system_clock::time_point now_ = TimeAt("2024-12-01");

  const std::string national_ = Token("national_admin", "", "", "nat");
  const std::string gd_admin_ = Token("province_admin", "44", "", "admin44");
  const std::string gd_inspector_ = Token("inspector", "44", "", "inspector44");
  const std::string js_admin_ = Token("province_admin", "32", "", "admin32");
};

}  // namespace osh::reporting::testing
