#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "osh/auth/jwt.h"
#include "osh/crypto/field_cipher.h"
#include "osh/service/test_tokens.h"
#include "osh/service/testing/loopback_server.h"
#include "osh/store/testing/postgres.h"
#include "osh/store/testing/scratch_dir.h"
#include "osh/core/grpc_server.h"
#include "osh/domain/credit_code.h"
#include "osh/registry/v1/registry.grpc.pb.h"
#include "import/importer.h"
#include "registry.h"
#include "registry_grpc.h"
#include "registry_store.h"
#include "osh/registry/v1/supervision.grpc.pb.h"
#include "supervision.h"
#include "supervision_grpc.h"

namespace osh::registry::testing {

inline constexpr const char* kSecret = service::testing::kTestSecret;

// A valid credit code for a made-up organisation: registration authority 9
// (industry and commerce), entity type 1 (enterprise), the given division and a
// serial in the organisation-code part, with its check character computed.
inline std::string MakeCreditCode(const std::string& division, int serial) {
  char org[16];
  std::snprintf(org, sizeof org, "%09d", serial % 1000000000);
  std::string first17 = "91" + division + std::string(org, 9);
  return first17 + *domain::CreditCodeCheckCharacter(first17);
}

using service::testing::Token;

// A real osh registry behind a real gRPC server on a loopback port, over a
// SQLite file in a fresh directory (or, under the label postgres, a fresh
// PostgreSQL database). Restart() stops everything and opens the same database
// again, as a process restart would.
class RegistryFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    verifier_ = auth::TokenVerifier::Create({.hs256_secret = kSecret}, &error);
    ASSERT_TRUE(verifier_) << error;
    Start();
  }

  void TearDown() override { Stop(); }

  void Start() {
    if (!database_) database_ = std::make_unique<store::testing::TestDatabase>((dir_.path() / "registry.db").string());
    db_ = store::Database::Open(database_->Options(), RegistryStore::Migrations());
    PersonalData(*cipher_).SealBacklog(*db_);  // as osh-registry does at start
    registry_ = std::make_unique<Registry>(*db_, *cipher_, Registry::Options{.province = "44"});
    if (with_importer_) {
      import_options_.province = "44";
      import_options_.dir = dir_.path() / "imports";
      importer_ = std::make_unique<Importer>(*db_, *registry_, import_options_);
      importer_->Start();
    }
    feed_ = std::make_unique<ChangeFeed>(*db_, ChangeFeed::Options{.province = "44"});
    exporter_ = std::make_unique<EmployerExport>(*db_, export_options_);
    service_ =
        std::make_unique<RegistryGrpcService>(*registry_, *verifier_, importer_.get(), feed_.get(), exporter_.get());
    supervision_ = std::make_unique<Supervision>(*db_, Supervision::Options{.province = "44"});
    supervision_service_ = std::make_unique<SupervisionGrpcService>(*supervision_, *verifier_, feed_.get());
    server_ = std::make_unique<service::testing::LoopbackServer>(
        std::vector<grpc::Service*>{service_.get(), supervision_service_.get()});
    channel_ = server_->channel();
    stub_ = v1::RegistryService::NewStub(channel_);
    supervision_stub_ = v1::SupervisionService::NewStub(channel_);
  }

  void Stop() {
    stub_.reset();
    supervision_stub_.reset();
    channel_.reset();
    server_.reset();
    service_.reset();
    supervision_service_.reset();
    supervision_.reset();
    importer_.reset();
    exporter_.reset();
    feed_.reset();
    registry_.reset();
    db_.reset();
  }

  void Restart() {
    Stop();
    Start();
  }

  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) {
    return service::testing::CallContext(token);
  }

  static v1::Employer SampleEmployer(const std::string& credit_code, const std::string& division = "441900") {
    v1::Employer e;
    e.set_credit_code(credit_code);
    e.set_name("东莞市示例五金制品有限公司");
    e.set_division_code(division);
    e.set_registered_address("广东省东莞市长安镇");
    e.set_workplace_address("广东省东莞市长安镇工业路1号");
    e.set_industry_section("C");
    e.set_industry_code("3311");
    e.set_size_class(common::v1::SIZE_CLASS_SMALL);
    e.set_registration_type("有限责任公司");
    e.set_legal_representative("张三");
    e.set_legal_representative_phone("13800138000");
    e.set_has_osh_management_body(true);
    e.set_osh_staff_full_time(1);
    e.set_osh_staff_part_time(2);
    e.set_total_workers(120);
    return e;
  }

  // Creates an employer as the province admin and returns it.
  v1::Employer CreateEmployer(const v1::Employer& e, const std::string& request_id = "") {
    v1::CreateEmployerRequest req;
    *req.mutable_employer() = e;
    req.set_request_id(request_id);
    v1::Employer out;
    auto status = stub_->CreateEmployer(Ctx(admin_).get(), req, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  // Submits the declaration as `submitter` and approves it as the inspector;
  // returns the approved declaration.
  v1::Declaration ApprovedDeclaration(const v1::SubmitDeclarationRequest& submit, const std::string& submitter) {
    v1::Declaration submitted;
    auto status = stub_->SubmitDeclaration(Ctx(submitter).get(), submit, &submitted);
    EXPECT_TRUE(status.ok()) << status.error_message();
    v1::ReviewDeclarationRequest review;
    review.set_id(submitted.id());
    review.set_approve(true);
    v1::Declaration reviewed;
    status = stub_->ReviewDeclaration(Ctx(inspector_).get(), review, &reviewed);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return reviewed;
  }

  store::testing::ScratchDir dir_{"registry"};
  // Declared before db_: the PostgreSQL database outlives every handle on it.
  std::unique_ptr<store::testing::TestDatabase> database_;
  std::unique_ptr<auth::TokenVerifier> verifier_;
  // One key ring for the fixture's life, so restarts open what was sealed before.
  std::unique_ptr<crypto::FieldCipher> cipher_ = crypto::FieldCipher::ForTesting();
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Registry> registry_;
  // Bulk import, when a test sets with_importer_ before Start (import_options_
  // province and dir are the fixture's).
  bool with_importer_ = false;
  Importer::Options import_options_;
  std::unique_ptr<Importer> importer_;
  std::unique_ptr<ChangeFeed> feed_;
  // The export's options (a test may make pages small before Start).
  EmployerExport::Options export_options_{.province = "44"};
  std::unique_ptr<EmployerExport> exporter_;
  std::unique_ptr<RegistryGrpcService> service_;
  std::unique_ptr<service::testing::LoopbackServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RegistryService::Stub> stub_;
  std::unique_ptr<Supervision> supervision_;
  std::unique_ptr<SupervisionGrpcService> supervision_service_;
  std::unique_ptr<v1::SupervisionService::Stub> supervision_stub_;

  const std::string admin_ = Token("province_admin", "44", "", "admin44");
  const std::string inspector_ = Token("inspector", "44", "", "inspector44");
  const std::string national_ = Token("national_admin", "", "", "nat");
  const std::string other_province_admin_ = Token("province_admin", "32", "", "admin32");
};

}  // namespace osh::registry::testing
