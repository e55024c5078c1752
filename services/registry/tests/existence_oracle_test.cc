// The registry is no oracle of which records exist: a caller who may not act
// on a record gets the same answer whether it exists or not (RecordAccess).
// Real gRPC sockets, real SQLite file.
#include <fmt/format.h>

#include "registry_fixture.h"

namespace osh::registry::testing {
namespace {

using grpc::StatusCode;

constexpr char kMissingId[] = "0190a0b0-0000-7000-8000-00000000dead";

class ExistenceOracleTest : public RegistryFixture {
 protected:
  void SetUp() override {
    RegistryFixture::SetUp();
    code_ = MakeCreditCode("441900", 1);
    employer_ = CreateEmployer(SampleEmployer(code_));
    v1::SubmitDeclarationRequest submit;
    submit.set_employer_id(employer_.id());
    submit.mutable_declaration()->set_type(v1::DECLARATION_TYPE_INITIAL);
    auto* x = submit.mutable_declaration()->add_exposures();
    x->set_factor_code("D001");
    x->set_workplace("打磨车间");
    x->set_post("打磨工");
    x->set_exposed_workers(10);
    submit.mutable_declaration()->set_total_exposed_workers(10);
    auto status = stub_->SubmitDeclaration(Ctx(admin_).get(), submit, &declaration_);
    ASSERT_TRUE(status.ok()) << status.error_message();
    v1::RecordInspectionRequest inspect;
    inspect.set_employer_id(employer_.id());
    inspect.mutable_inspection()->set_inspected_on("2025-01-10");
    auto* f = inspect.mutable_inspection()->add_findings();
    f->set_description("警示标识缺失");
    f->set_rectification_deadline("2025-02-10");
    status = supervision_stub_->RecordInspection(Ctx(inspector_).get(), inspect, &inspection_);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  struct Lookup {
    std::string name;
    std::string existing;  // the key of a record that exists
    std::string missing;   // one of none
    std::function<grpc::Status(const std::string& token, const std::string& key)> call;
  };

  std::vector<Lookup> Lookups() {
    const auto ctx = [](const std::string& token) { return Ctx(token); };
    return {
        {"GetEmployer", employer_.id(), kMissingId,
         [&, ctx](const std::string& t, const std::string& key) {
           v1::GetEmployerRequest r;
           r.set_id(key);
           v1::Employer out;
           return stub_->GetEmployer(ctx(t).get(), r, &out);
         }},
        {"GetEmployerByCreditCode", code_, MakeCreditCode("441900", 999),
         [&, ctx](const std::string& t, const std::string& key) {
           v1::GetEmployerByCreditCodeRequest r;
           r.set_credit_code(key);
           v1::Employer out;
           return stub_->GetEmployerByCreditCode(ctx(t).get(), r, &out);
         }},
        {"UpdateEmployer", employer_.id(), kMissingId,
         [&, ctx](const std::string& t, const std::string& key) {
           v1::UpdateEmployerRequest r;
           r.mutable_employer()->set_id(key);
           r.mutable_employer()->set_version(1);
           r.mutable_employer()->set_total_workers(1);
           r.mutable_update_mask()->add_paths("total_workers");
           v1::Employer out;
           return stub_->UpdateEmployer(ctx(t).get(), r, &out);
         }},
        {"TransferEmployer", employer_.id(), kMissingId,
         [&, ctx](const std::string& t, const std::string& key) {
           v1::TransferEmployerRequest r;
           r.set_id(key);
           r.set_version(1);
           r.set_to_division_code("320500");
           r.set_reason("moved");
           v1::Employer out;
           return stub_->TransferEmployer(ctx(t).get(), r, &out);
         }},
        {"SubmitDeclaration", employer_.id(), kMissingId,
         [&, ctx](const std::string& t, const std::string& key) {
           v1::SubmitDeclarationRequest r;
           r.set_employer_id(key);
           r.mutable_declaration()->set_type(v1::DECLARATION_TYPE_ANNUAL);
           v1::Declaration out;
           return stub_->SubmitDeclaration(ctx(t).get(), r, &out);
         }},
        {"GetDeclaration", declaration_.id(), kMissingId,
         [&, ctx](const std::string& t, const std::string& key) {
           v1::GetDeclarationRequest r;
           r.set_id(key);
           v1::Declaration out;
           return stub_->GetDeclaration(ctx(t).get(), r, &out);
         }},
        {"ListDeclarations", employer_.id(), kMissingId,
         [&, ctx](const std::string& t, const std::string& key) {
           v1::ListDeclarationsRequest r;
           r.set_employer_id(key);
           v1::ListDeclarationsResponse out;
           return stub_->ListDeclarations(ctx(t).get(), r, &out);
         }},
        {"ReviewDeclaration", declaration_.id(), kMissingId,
         [&, ctx](const std::string& t, const std::string& key) {
           v1::ReviewDeclarationRequest r;
           r.set_id(key);
           r.set_approve(true);
           v1::Declaration out;
           return stub_->ReviewDeclaration(ctx(t).get(), r, &out);
         }},
        {"GetInspection", inspection_.id(), kMissingId,
         [&, ctx](const std::string& t, const std::string& key) {
           v1::GetInspectionRequest r;
           r.set_id(key);
           v1::Inspection out;
           return supervision_stub_->GetInspection(ctx(t).get(), r, &out);
         }},
        {"ListRectifications", employer_.id(), kMissingId,
         [&, ctx](const std::string& t, const std::string& key) {
           v1::ListRectificationsRequest r;
           r.set_employer_id(key);
           v1::ListRectificationsResponse out;
           return supervision_stub_->ListRectifications(ctx(t).get(), r, &out);
         }},
        {"ReportRectificationDone", inspection_.findings(0).rectification_item_id(), kMissingId,
         [&, ctx](const std::string& t, const std::string& key) {
           v1::ReportRectificationDoneRequest r;
           r.set_id(key);
           r.set_version(1);
           r.set_note("已整改");
           v1::RectificationItem out;
           return supervision_stub_->ReportRectificationDone(ctx(t).get(), r, &out);
         }},
        {"GetRiskClassification", employer_.id(), kMissingId,
         [&, ctx](const std::string& t, const std::string& key) {
           v1::GetRiskClassificationRequest r;
           r.set_employer_id(key);
           v1::RiskClassification out;
           return supervision_stub_->GetRiskClassification(ctx(t).get(), r, &out);
         }},
    };
  }

  static std::string WithoutKey(std::string message, const std::string& key) {
    for (auto at = message.find(key); at != std::string::npos; at = message.find(key)) message.replace(at, key.size(), "<key>");
    return message;
  }

  std::string code_;
  v1::Employer employer_;
  v1::Declaration declaration_;
  v1::Inspection inspection_;
};

TEST_F(ExistenceOracleTest, ACallerWithoutRightsGetsTheSameRefusalForAnExistingAndAMissingRecord) {
  const auto other = MakeCreditCode("441900", 2);
  const std::vector<std::pair<std::string, std::string>> strangers = {
      {"another province's admin", other_province_admin_},
      {"another province's inspector", Token("inspector", "32", "", "inspector32")},
      {"another employer", Token("employer", "44", other)},
      {"a worker of another employer", Token("worker", "44", other)},
      {"an institution", Token("institution", "44", other)},
      {"an editor", Token("editor", "44", "", "editor44")},
  };
  for (const auto& lookup : Lookups()) {
    for (const auto& [who, token] : strangers) {
      const auto existing = lookup.call(token, lookup.existing);
      const auto missing = lookup.call(token, lookup.missing);
      EXPECT_EQ(existing.error_code(), StatusCode::PERMISSION_DENIED)
          << lookup.name << ", " << who << ": " << existing.error_message();
      EXPECT_EQ(missing.error_code(), StatusCode::PERMISSION_DENIED)
          << lookup.name << ", " << who << ": " << missing.error_message();
      EXPECT_EQ(WithoutKey(existing.error_message(), lookup.existing),
                WithoutKey(missing.error_message(), lookup.missing))
          << lookup.name << ", " << who;
      if (lookup.existing != code_) {  // else the request names it itself
        EXPECT_EQ(existing.error_message().find(code_), std::string::npos)
            << lookup.name << ", " << who << ": the refusal names the record's organisation";
      }
    }
  }
}

TEST_F(ExistenceOracleTest, NotFoundAnswersOnlyCallersWhoMayReadEveryRecordOfTheProvince) {
  for (const auto& lookup : Lookups()) {
    const auto missing = lookup.call(admin_, lookup.missing);
    EXPECT_EQ(missing.error_code(), StatusCode::NOT_FOUND) << lookup.name << ": " << missing.error_message();
  }
  // The employer itself is refused for a record that is not its own whether or not it exists.
  const auto own = Token("employer", "44", code_);
  v1::GetEmployerRequest get;
  get.set_id(kMissingId);
  v1::Employer out;
  EXPECT_EQ(stub_->GetEmployer(Ctx(own).get(), get, &out).error_code(), StatusCode::PERMISSION_DENIED);
  get.set_id(employer_.id());
  EXPECT_TRUE(stub_->GetEmployer(Ctx(own).get(), get, &out).ok());
  // National roles read every province's records: NOT_FOUND tells them nothing new.
  get.set_id(kMissingId);
  EXPECT_EQ(stub_->GetEmployer(Ctx(national_).get(), get, &out).error_code(), StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace osh::registry::testing
