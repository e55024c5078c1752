// Annual reports a caller may not read: the same answer whether the id exists
// or not, so another province's reports cannot be probed for.
#include "osh/service/testing/existence.h"
#include "reporting_fixture.h"

namespace osh::reporting::testing {
namespace {

using grpc::StatusCode;
using service::testing::kMissingId;
using service::testing::SameAnswerWhetherItExists;

class ReportExistenceTest : public ReportingFixture {
 protected:
  v1::AnnualReport Generate44() {
    v1::GenerateAnnualReportRequest req;
    req.set_province("44");
    req.set_year(2024);
    v1::AnnualReport report;
    const auto status = stub_->GenerateAnnualReport(Ctx(gd_admin_).get(), req, &report);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return report;
  }

  std::vector<std::pair<std::string, std::function<grpc::Status(const std::string&)>>> Calls(const std::string& token) {
    return {
        {"GetAnnualReport", [this, token](const std::string& id) {
           v1::GetAnnualReportRequest req;
           req.set_id(id);
           v1::AnnualReport out;
           return stub_->GetAnnualReport(Ctx(token).get(), req, &out);
         }},
        {"CompareReportWithLive", [this, token](const std::string& id) {
           v1::CompareReportWithLiveRequest req;
           req.set_id(id);
           v1::ReportComparison out;
           return stub_->CompareReportWithLive(Ctx(token).get(), req, &out);
         }},
        {"SubmitAnnualReport", [this, token](const std::string& id) {
           v1::SubmitAnnualReportRequest req;
           req.set_id(id);
           v1::AnnualReport out;
           return stub_->SubmitAnnualReport(Ctx(token).get(), req, &out);
         }},
    };
  }
};

TEST_F(ReportExistenceTest, AnotherProvincesReportAnswersLikeAMissingOne) {
  const auto report = Generate44();
  ASSERT_FALSE(report.id().empty());
  for (const auto& token : {js_admin_, Token("inspector", "32", "", "inspector32")}) {
    for (const auto& [method, call] : Calls(token)) {
      EXPECT_TRUE(SameAnswerWhetherItExists(report.id(), call)) << method;
      EXPECT_EQ(call(report.id()).error_code(), StatusCode::NOT_FOUND) << method;
    }
  }
}

TEST_F(ReportExistenceTest, RolesWithoutReportsAreRefusedWhateverTheId) {
  const auto report = Generate44();
  for (const auto& token : {Token("employer", "44", "91440101MA59UQXX1A", "boss"), Token("editor", "44", "", "ed")}) {
    for (const auto& [method, call] : Calls(token)) {
      EXPECT_TRUE(SameAnswerWhetherItExists(report.id(), call)) << method;
      EXPECT_EQ(call(report.id()).error_code(), StatusCode::PERMISSION_DENIED) << method;
    }
  }
}

TEST_F(ReportExistenceTest, TheProvincesStaffAreToldWhatIsMissing) {
  for (const auto& [method, call] : Calls(gd_admin_)) {
    EXPECT_EQ(call(kMissingId).error_code(), StatusCode::NOT_FOUND) << method;
  }
}

}  // namespace
}  // namespace osh::reporting::testing
