// The registry over real gRPC sockets against a real SQLite file.
#include <grpcpp/generic/generic_stub.h>

#include <future>
#include <set>

#include "osh/core/errors.h"
#include "osh/service/records.h"
#include "registry_fixture.h"

namespace osh::registry::testing {
namespace {

using grpc::StatusCode;

class RegistryServiceTest : public RegistryFixture {};

TEST_F(RegistryServiceTest, CreatesAndReadsAnEmployerByIdAndCreditCode) {
  const auto code = MakeCreditCode("441900", 1);
  auto created = CreateEmployer(SampleEmployer(code));
  EXPECT_EQ(created.id().size(), 36u);
  EXPECT_EQ(created.province(), "44");
  EXPECT_EQ(created.version(), 1);
  EXPECT_EQ(created.status(), v1::EMPLOYER_STATUS_ACTIVE);
  EXPECT_TRUE(created.has_create_time());

  v1::GetEmployerRequest get;
  get.set_id(created.id());
  v1::Employer by_id;
  ASSERT_TRUE(stub_->GetEmployer(Ctx(inspector_).get(), get, &by_id).ok());
  EXPECT_EQ(by_id.name(), "东莞市示例五金制品有限公司");
  EXPECT_EQ(by_id.total_workers(), 120);

  v1::GetEmployerByCreditCodeRequest by_code_req;
  by_code_req.set_credit_code(code);
  v1::Employer by_code;
  ASSERT_TRUE(stub_->GetEmployerByCreditCode(Ctx(admin_).get(), by_code_req, &by_code).ok());
  EXPECT_EQ(by_code.id(), created.id());
}

TEST_F(RegistryServiceTest, OutputOnlyFieldsOfTheRequestAreIgnored) {
  auto e = SampleEmployer(MakeCreditCode("441900", 2));
  e.set_id("chosen-by-client");
  e.set_version(99);
  e.set_declaration_status(v1::DECLARATION_STATUS_APPROVED);
  e.set_province("11");
  auto created = CreateEmployer(e);
  EXPECT_NE(created.id(), "chosen-by-client");
  EXPECT_EQ(created.version(), 1);
  EXPECT_EQ(created.province(), "44");
  EXPECT_EQ(created.declaration_status(), v1::DECLARATION_STATUS_UNSPECIFIED);
}

TEST_F(RegistryServiceTest, RetryWithTheSameRequestIdReturnsTheFirstResult) {
  const auto e = SampleEmployer(MakeCreditCode("441900", 3));
  auto first = CreateEmployer(e, "req-1");
  auto second = CreateEmployer(e, "req-1");
  EXPECT_EQ(first.id(), second.id());

  // Same id, different request: refused, naming request_id.
  v1::CreateEmployerRequest req;
  *req.mutable_employer() = SampleEmployer(MakeCreditCode("441900", 4));
  req.set_request_id("req-1");
  v1::Employer out;
  auto status = stub_->CreateEmployer(Ctx(admin_).get(), req, &out);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("request_id"), std::string::npos);
}

TEST_F(RegistryServiceTest, SecondEmployerWithTheSameCreditCodeIsAlreadyExists) {
  const auto code = MakeCreditCode("441900", 5);
  auto first = CreateEmployer(SampleEmployer(code));
  v1::CreateEmployerRequest req;
  *req.mutable_employer() = SampleEmployer(code);
  v1::Employer out;
  auto status = stub_->CreateEmployer(Ctx(admin_).get(), req, &out);
  EXPECT_EQ(status.error_code(), StatusCode::ALREADY_EXISTS);
  EXPECT_NE(status.error_message().find(first.id()), std::string::npos);
}

TEST_F(RegistryServiceTest, UpdateAppliesTheMaskAndRefusesStaleVersions) {
  auto created = CreateEmployer(SampleEmployer(MakeCreditCode("441900", 6)));
  v1::UpdateEmployerRequest req;
  req.mutable_employer()->set_id(created.id());
  req.mutable_employer()->set_version(created.version());
  req.mutable_employer()->set_total_workers(150);
  req.mutable_employer()->set_name("ignored because not in the mask");
  req.mutable_update_mask()->add_paths("total_workers");
  v1::Employer updated;
  auto status = stub_->UpdateEmployer(Ctx(admin_).get(), req, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(updated.total_workers(), 150);
  EXPECT_EQ(updated.name(), created.name());
  EXPECT_EQ(updated.version(), 2);

  // The same update again is now stale.
  status = stub_->UpdateEmployer(Ctx(admin_).get(), req, &updated);
  EXPECT_EQ(status.error_code(), StatusCode::ABORTED);
}

TEST_F(RegistryServiceTest, UpdateRefusesUnknownPathsAndInvalidMergedRecords) {
  auto created = CreateEmployer(SampleEmployer(MakeCreditCode("441900", 7)));
  v1::UpdateEmployerRequest req;
  req.mutable_employer()->set_id(created.id());
  req.mutable_employer()->set_version(1);
  req.mutable_update_mask()->add_paths("credit_code");
  v1::Employer out;
  auto status = stub_->UpdateEmployer(Ctx(admin_).get(), req, &out);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("update_mask"), std::string::npos);

  // Moving the workplace to Jiangsu is a transfer, not an update.
  req.mutable_update_mask()->Clear();
  req.mutable_update_mask()->add_paths("division_code");
  req.mutable_employer()->set_division_code("320500");
  status = stub_->UpdateEmployer(Ctx(admin_).get(), req, &out);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("employer.division_code"), std::string::npos);
}

TEST_F(RegistryServiceTest, ListPagesInAStableOrderWithFilters) {
  std::set<std::string> manufacturing;
  for (int i = 0; i < 23; ++i) {
    auto e = SampleEmployer(MakeCreditCode("441900", 100 + i), i % 2 == 0 ? "441900" : "440300");
    e.set_industry_section(i % 3 == 0 ? "B" : "C");
    e.clear_industry_code();
    auto created = CreateEmployer(e);
    if (i % 3 != 0) manufacturing.insert(created.id());
  }
  std::set<std::string> seen;
  std::string token;
  std::string last_id;
  int pages = 0;
  do {
    v1::ListEmployersRequest req;
    req.set_page_size(4);
    req.set_industry_section("C");
    req.set_page_token(token);
    v1::ListEmployersResponse resp;
    auto status = stub_->ListEmployers(Ctx(inspector_).get(), req, &resp);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const auto& e : resp.employers()) {
      EXPECT_GT(e.id(), last_id);  // ascending, never repeated
      last_id = e.id();
      EXPECT_TRUE(seen.insert(e.id()).second);
    }
    token = resp.next_page_token();
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(seen, manufacturing);
  EXPECT_EQ(pages, 4);  // 15 rows in pages of 4

  v1::ListEmployersRequest by_division;
  by_division.set_division_prefix("4403");
  v1::ListEmployersResponse resp;
  ASSERT_TRUE(stub_->ListEmployers(Ctx(inspector_).get(), by_division, &resp).ok());
  EXPECT_EQ(resp.employers_size(), 11);
  for (const auto& e : resp.employers()) EXPECT_EQ(e.division_code(), "440300");
}

TEST_F(RegistryServiceTest, PageTokenOfOneQueryIsRefusedForAnother) {
  for (int i = 0; i < 3; ++i) CreateEmployer(SampleEmployer(MakeCreditCode("441900", 200 + i)));
  v1::ListEmployersRequest req;
  req.set_page_size(1);
  v1::ListEmployersResponse resp;
  ASSERT_TRUE(stub_->ListEmployers(Ctx(admin_).get(), req, &resp).ok());
  ASSERT_FALSE(resp.next_page_token().empty());
  req.set_page_token(resp.next_page_token());
  req.set_industry_section("B");
  auto status = stub_->ListEmployers(Ctx(admin_).get(), req, &resp);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("page_token"), std::string::npos);
}

v1::Declaration SampleDeclaration() {
  v1::Declaration d;
  d.set_type(v1::DECLARATION_TYPE_INITIAL);
  auto* dust = d.add_exposures();
  dust->set_factor_code("D001");
  dust->set_workplace("打磨车间");
  dust->set_post("打磨工");
  dust->set_exposed_workers(30);
  dust->set_protective_measures("湿式作业，局部排风，发放KN95口罩");
  auto* noise = d.add_exposures();
  noise->set_factor_code("P001");
  noise->set_workplace("打磨车间");
  noise->set_post("打磨工");
  noise->set_exposed_workers(30);
  auto* benzene = d.add_exposures();
  benzene->set_factor_code("C001");
  benzene->set_workplace("喷漆车间");
  benzene->set_post("喷漆工");
  benzene->set_exposed_workers(8);
  d.set_total_exposed_workers(38);
  return d;
}

TEST_F(RegistryServiceTest, DeclarationIsSubmittedReviewedAndUpdatesTheEmployer) {
  const auto code = MakeCreditCode("441900", 300);
  auto employer = CreateEmployer(SampleEmployer(code));
  const auto employer_token = Token("employer", "44", code, "boss");

  v1::SubmitDeclarationRequest submit;
  submit.set_employer_id(employer.id());
  *submit.mutable_declaration() = SampleDeclaration();
  v1::Declaration submitted;
  auto status = stub_->SubmitDeclaration(Ctx(employer_token).get(), submit, &submitted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(submitted.status(), v1::DECLARATION_STATUS_SUBMITTED);
  EXPECT_EQ(submitted.credit_code(), code);
  EXPECT_EQ(submitted.total_workers(), 120);
  EXPECT_EQ(submitted.submitted_by().subject(), "boss");
  ASSERT_EQ(submitted.category_totals_size(), 3);
  EXPECT_EQ(submitted.exposures(2).category(), common::v1::HAZARD_CATEGORY_CHEMICAL);

  // A second submission while one awaits review is refused.
  v1::Declaration again;
  EXPECT_EQ(stub_->SubmitDeclaration(Ctx(employer_token).get(), submit, &again).error_code(),
            StatusCode::FAILED_PRECONDITION);

  // The employer cannot approve its own declaration.
  v1::ReviewDeclarationRequest review;
  review.set_id(submitted.id());
  review.set_approve(true);
  v1::Declaration reviewed;
  EXPECT_EQ(stub_->ReviewDeclaration(Ctx(employer_token).get(), review, &reviewed).error_code(),
            StatusCode::PERMISSION_DENIED);

  status = stub_->ReviewDeclaration(Ctx(inspector_).get(), review, &reviewed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(reviewed.status(), v1::DECLARATION_STATUS_APPROVED);
  ASSERT_EQ(reviewed.reviews_size(), 1);
  EXPECT_EQ(reviewed.reviews(0).reviewer().subject(), "inspector44");

  // Deciding twice is refused.
  EXPECT_EQ(stub_->ReviewDeclaration(Ctx(inspector_).get(), review, &reviewed).error_code(),
            StatusCode::FAILED_PRECONDITION);

  v1::GetEmployerRequest get;
  get.set_id(employer.id());
  v1::Employer after;
  ASSERT_TRUE(stub_->GetEmployer(Ctx(employer_token).get(), get, &after).ok());
  EXPECT_EQ(after.declaration_status(), v1::DECLARATION_STATUS_APPROVED);
  EXPECT_EQ(after.exposed_workers(), 38);
  std::set<int> categories(after.hazard_categories().begin(), after.hazard_categories().end());
  EXPECT_EQ(categories, (std::set<int>{common::v1::HAZARD_CATEGORY_DUST, common::v1::HAZARD_CATEGORY_CHEMICAL,
                                       common::v1::HAZARD_CATEGORY_PHYSICAL}));

  // Now filterable by hazard category and declaration status.
  v1::ListEmployersRequest list;
  list.set_hazard_category(common::v1::HAZARD_CATEGORY_CHEMICAL);
  list.set_declaration_status(v1::DECLARATION_STATUS_APPROVED);
  v1::ListEmployersResponse listed;
  ASSERT_TRUE(stub_->ListEmployers(Ctx(admin_).get(), list, &listed).ok());
  ASSERT_EQ(listed.employers_size(), 1);
  list.set_hazard_category(common::v1::HAZARD_CATEGORY_RADIOACTIVE);
  ASSERT_TRUE(stub_->ListEmployers(Ctx(admin_).get(), list, &listed).ok());
  EXPECT_EQ(listed.employers_size(), 0);

  // An initial declaration after approval must be a change instead.
  EXPECT_EQ(stub_->SubmitDeclaration(Ctx(employer_token).get(), submit, &again).error_code(),
            StatusCode::FAILED_PRECONDITION);
  submit.mutable_declaration()->set_type(v1::DECLARATION_TYPE_CHANGE);
  submit.mutable_declaration()->set_change_reason(v1::CHANGE_REASON_PROCESS_OR_MATERIALS);
  ASSERT_TRUE(stub_->SubmitDeclaration(Ctx(employer_token).get(), submit, &again).ok());

  // A rejection needs a reason.
  v1::ReviewDeclarationRequest reject;
  reject.set_id(again.id());
  reject.set_approve(false);
  status = stub_->ReviewDeclaration(Ctx(admin_).get(), reject, &reviewed);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("reason"), std::string::npos);
  reject.set_reason("接触人数与检测报告不符");
  ASSERT_TRUE(stub_->ReviewDeclaration(Ctx(admin_).get(), reject, &reviewed).ok());

  // History: newest first, both kept.
  v1::ListDeclarationsRequest history;
  history.set_employer_id(employer.id());
  v1::ListDeclarationsResponse declarations;
  ASSERT_TRUE(stub_->ListDeclarations(Ctx(employer_token).get(), history, &declarations).ok());
  ASSERT_EQ(declarations.declarations_size(), 2);
  EXPECT_EQ(declarations.declarations(0).status(), v1::DECLARATION_STATUS_REJECTED);
  EXPECT_EQ(declarations.declarations(1).status(), v1::DECLARATION_STATUS_APPROVED);
}

TEST_F(RegistryServiceTest, DeclarationWithBadRowsNamesEachFieldAndWritesNothing) {
  auto employer = CreateEmployer(SampleEmployer(MakeCreditCode("441900", 301)));
  v1::SubmitDeclarationRequest submit;
  submit.set_employer_id(employer.id());
  *submit.mutable_declaration() = SampleDeclaration();
  submit.mutable_declaration()->mutable_exposures(0)->set_factor_code("Z123");
  submit.mutable_declaration()->mutable_exposures(1)->set_exposed_workers(-1);
  v1::Declaration out;
  auto status = stub_->SubmitDeclaration(Ctx(admin_).get(), submit, &out);
  ASSERT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  auto violations = core::FieldViolationsOf(status);
  std::set<std::string> fields;
  for (const auto& [field, description] : violations) fields.insert(field);
  EXPECT_TRUE(fields.count("declaration.exposures[0].factor_code")) << status.error_message();
  EXPECT_TRUE(fields.count("declaration.exposures[1].exposed_workers")) << status.error_message();

  v1::ListDeclarationsRequest history;
  history.set_employer_id(employer.id());
  v1::ListDeclarationsResponse declarations;
  ASSERT_TRUE(stub_->ListDeclarations(Ctx(admin_).get(), history, &declarations).ok());
  EXPECT_EQ(declarations.declarations_size(), 0);
}

TEST_F(RegistryServiceTest, AnonymousAndForgedCallersAreUnauthenticated) {
  v1::ListEmployersRequest req;
  v1::ListEmployersResponse resp;
  auto status = stub_->ListEmployers(Ctx("").get(), req, &resp);
  EXPECT_EQ(status.error_code(), StatusCode::UNAUTHENTICATED);

  auto forged = auth::SignHs256({{"sub", "x"}, {"role", "province_admin"}, {"province", "44"},
                                 {"exp", std::time(nullptr) + 60}},
                                "another-secret-that-is-at-least-32-bytes");
  status = stub_->ListEmployers(Ctx(forged).get(), req, &resp);
  EXPECT_EQ(status.error_code(), StatusCode::UNAUTHENTICATED);
}

TEST_F(RegistryServiceTest, WritesAreAuthorisedByRoleProvinceAndOrganisation) {
  const auto code = MakeCreditCode("441900", 400);
  const auto other = MakeCreditCode("441900", 401);
  v1::CreateEmployerRequest req;
  *req.mutable_employer() = SampleEmployer(code);
  v1::Employer out;

  struct Case {
    std::string name;
    std::string token;
    StatusCode expected;
  };
  const std::vector<Case> refused = {
      {"another employer", Token("employer", "44", other), StatusCode::PERMISSION_DENIED},
      {"another province's admin", other_province_admin_, StatusCode::PERMISSION_DENIED},
      {"national admin", national_, StatusCode::PERMISSION_DENIED},
      {"a worker", Token("worker", "44", code), StatusCode::PERMISSION_DENIED},
  };
  for (const auto& c : refused) {
    auto status = stub_->CreateEmployer(Ctx(c.token).get(), req, &out);
    EXPECT_EQ(status.error_code(), c.expected) << c.name << ": " << status.error_message();
    EXPECT_FALSE(status.error_message().empty()) << c.name;
  }
  // The employer itself may register.
  auto status = stub_->CreateEmployer(Ctx(Token("employer", "44", code)).get(), req, &out);
  ASSERT_TRUE(status.ok()) << status.error_message();

  // Reads: national admin yes, another employer no, another province no.
  v1::GetEmployerRequest get;
  get.set_id(out.id());
  v1::Employer read;
  EXPECT_TRUE(stub_->GetEmployer(Ctx(national_).get(), get, &read).ok());
  EXPECT_EQ(stub_->GetEmployer(Ctx(Token("employer", "44", other)).get(), get, &read).error_code(),
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->GetEmployer(Ctx(other_province_admin_).get(), get, &read).error_code(),
            StatusCode::PERMISSION_DENIED);

  // An employer's list shows only itself; another province's admin may not list ours.
  v1::ListEmployersRequest list;
  v1::ListEmployersResponse listed;
  CreateEmployer(SampleEmployer(other));
  ASSERT_TRUE(stub_->ListEmployers(Ctx(Token("employer", "44", code)).get(), list, &listed).ok());
  ASSERT_EQ(listed.employers_size(), 1);
  EXPECT_EQ(listed.employers(0).credit_code(), code);
  list.set_division_prefix("44");
  EXPECT_EQ(stub_->ListEmployers(Ctx(other_province_admin_).get(), list, &listed).error_code(),
            StatusCode::PERMISSION_DENIED);
}

TEST_F(RegistryServiceTest, EveryInvalidFieldIsNamedAndNothingIsWritten) {
  const auto valid = MakeCreditCode("441900", 500);
  std::string corrupted = valid;
  corrupted[17] = corrupted[17] == '0' ? '1' : '0';
  struct Case {
    std::string field;
    std::function<void(v1::Employer&)> spoil;
  };
  const std::vector<Case> cases = {
      {"employer.credit_code", [&](v1::Employer& e) { e.set_credit_code(corrupted); }},
      {"employer.credit_code", [](v1::Employer& e) { e.set_credit_code("91441900MA4U"); }},
      {"employer.credit_code", [](v1::Employer& e) { e.clear_credit_code(); }},
      {"employer.name", [](v1::Employer& e) { e.set_name("   "); }},
      {"employer.name", [](v1::Employer& e) { e.set_name(std::string(201, 'x')); }},
      {"employer.division_code", [](v1::Employer& e) { e.set_division_code("991900"); }},
      {"employer.division_code", [](v1::Employer& e) { e.set_division_code("44190"); }},
      {"employer.industry_section", [](v1::Employer& e) { e.set_industry_section("Z"); }},
      {"employer.industry_code", [](v1::Employer& e) { e.set_industry_code("0111"); }},  // agriculture under C
      {"employer.size_class", [](v1::Employer& e) { e.set_size_class(common::v1::SIZE_CLASS_UNSPECIFIED); }},
      {"employer.total_workers", [](v1::Employer& e) { e.set_total_workers(-5); }},
      {"employer.osh_staff_part_time", [](v1::Employer& e) { e.set_osh_staff_part_time(-1); }},
      {"employer.cumulative_disease_cases", [](v1::Employer& e) { e.set_cumulative_disease_cases(-1); }},
      {"employer.legal_representative_phone", [](v1::Employer& e) { e.set_legal_representative_phone("call me"); }},
      {"employer.registered_address", [](v1::Employer& e) { e.set_registered_address(std::string(600, 'a')); }},
  };
  for (const auto& c : cases) {
    auto e = SampleEmployer(valid);
    c.spoil(e);
    v1::CreateEmployerRequest req;
    *req.mutable_employer() = e;
    v1::Employer out;
    auto status = stub_->CreateEmployer(Ctx(admin_).get(), req, &out);
    EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_TRUE(status.error_message().starts_with(c.field + ":")) << c.field << " vs " << status.error_message();
  }
  v1::ListEmployersRequest list;
  v1::ListEmployersResponse listed;
  ASSERT_TRUE(stub_->ListEmployers(Ctx(admin_).get(), list, &listed).ok());
  EXPECT_EQ(listed.employers_size(), 0);
}

TEST_F(RegistryServiceTest, NegativePageSizeAndUnknownFiltersAreInvalid) {
  v1::ListEmployersRequest req;
  req.set_page_size(-1);
  v1::ListEmployersResponse resp;
  auto status = stub_->ListEmployers(Ctx(admin_).get(), req, &resp);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(status.error_message().starts_with("page_size:")) << status.error_message();
  req.set_page_size(10);
  req.set_division_prefix("4");
  status = stub_->ListEmployers(Ctx(admin_).get(), req, &resp);
  EXPECT_TRUE(status.error_message().starts_with("division_prefix:")) << status.error_message();
}

TEST_F(RegistryServiceTest, DataSurvivesARestart) {
  auto created = CreateEmployer(SampleEmployer(MakeCreditCode("441900", 600)), "restart-1");
  Restart();
  v1::GetEmployerRequest get;
  get.set_id(created.id());
  v1::Employer after;
  ASSERT_TRUE(stub_->GetEmployer(Ctx(admin_).get(), get, &after).ok());
  EXPECT_EQ(after.credit_code(), created.credit_code());
  // The idempotency record survived too: the retry after restart changes nothing.
  auto retried = CreateEmployer(SampleEmployer(created.credit_code()), "restart-1");
  EXPECT_EQ(retried.id(), created.id());
}

TEST_F(RegistryServiceTest, EveryWriteIsAudited) {
  auto created = CreateEmployer(SampleEmployer(MakeCreditCode("441900", 700)));
  v1::UpdateEmployerRequest req;
  *req.mutable_employer() = created;
  req.mutable_employer()->set_total_workers(121);
  req.mutable_update_mask()->add_paths("total_workers");
  v1::Employer out;
  ASSERT_TRUE(stub_->UpdateEmployer(Ctx(admin_).get(), req, &out).ok());
  const auto count = db_->Read([&](store::Tx& tx) { return service::CountAudit(tx, created.id()); });
  EXPECT_EQ(count, 2);
}

}  // namespace
}  // namespace osh::registry::testing

namespace osh::registry::testing {
namespace {

// Protobuf refuses to parse a proto3 string that is not UTF-8, before our code
// runs; the client must still get INVALID_ARGUMENT rather than a server error.
TEST_F(RegistryServiceTest, InvalidUtf8OnTheWireIsInvalidArgument) {
  v1::CreateEmployerRequest req;
  *req.mutable_employer() = SampleEmployer(MakeCreditCode("441900", 800));
  req.mutable_employer()->set_name("MARKER");
  std::string bytes = req.SerializeAsString();
  bytes.replace(bytes.find("MARKER"), 6, "\xe5\xb0\xff\xfe\x41\x42");
  grpc::GenericStub generic(channel_);
  auto ctx = Ctx(admin_);
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  generic.UnaryCall(ctx.get(), "/osh.registry.v1.RegistryService/CreateEmployer", grpc::StubOptions(), &request,
                    &response, [&](grpc::Status s) { done.set_value(s); });
  auto status = done.get_future().get();
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << status.error_message();
  v1::ListEmployersResponse listed;
  ASSERT_TRUE(stub_->ListEmployers(Ctx(admin_).get(), v1::ListEmployersRequest(), &listed).ok());
  EXPECT_EQ(listed.employers_size(), 0);
}

}  // namespace
}  // namespace osh::registry::testing
