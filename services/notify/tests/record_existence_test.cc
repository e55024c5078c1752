// Templates, rules, deliveries and inbox items a caller may not see: the same
// answer whether the id exists or not.
#include "notify_fixture.h"
#include "osh/service/testing/existence.h"

namespace osh::notify::testing {
namespace {

using service::testing::kMissingId;
using service::testing::SameAnswerWhetherItExists;

class NotifyExistenceTest : public NotifyFixture {
 protected:
  // Every call that names one template or rule, as `token`.
  std::vector<std::pair<std::string, std::function<grpc::Status(const std::string&)>>> TemplateCalls(
      const std::string& token) {
    return {
        {"GetTemplate", [this, token](const std::string& id) {
           v1::GetTemplateRequest req;
           req.set_id(id);
           v1::Template out;
           return stub_->GetTemplate(Ctx(token).get(), req, &out);
         }},
        {"PreviewTemplate", [this, token](const std::string& id) {
           v1::PreviewTemplateRequest req;
           req.set_id(id);
           v1::PreviewTemplateResponse out;
           return stub_->PreviewTemplate(Ctx(token).get(), req, &out);
         }},
        {"UpdateTemplate", [this, token](const std::string& id) {
           v1::UpdateTemplateRequest req;
           req.set_id(id);
           req.set_version(1);
           req.set_body("{{name}}");
           v1::Template out;
           return stub_->UpdateTemplate(Ctx(token).get(), req, &out);
         }},
    };
  }
  std::vector<std::pair<std::string, std::function<grpc::Status(const std::string&)>>> RuleCalls(
      const std::string& token) {
    return {
        {"GetRule", [this, token](const std::string& id) {
           v1::GetRuleRequest req;
           req.set_id(id);
           v1::Rule out;
           return stub_->GetRule(Ctx(token).get(), req, &out);
         }},
        {"SetRuleEnabled", [this, token](const std::string& id) {
           v1::SetRuleEnabledRequest req;
           req.set_id(id);
           req.set_version(1);
           v1::Rule out;
           return stub_->SetRuleEnabled(Ctx(token).get(), req, &out);
         }},
    };
  }

  const std::string other_admin_ = Token("province_admin", "32", "", "admin32");
  const std::string editor_ = Token("editor", "44", "", "editor44");
  const std::string worker_ = Token("worker", "44", kEmployerCode, "worker");
};

TEST_F(NotifyExistenceTest, TemplatesAndRulesAnswerOutsidersAsIfMissing) {
  const auto inbox = MakeTemplate(v1::CHANNEL_INBOX, "新登记", "{{name}}");
  const auto rule = MakeRule({Role("province_admin")}, inbox.id());
  for (const auto* token : {&employer_, &worker_, &editor_, &other_admin_}) {
    for (const auto& [method, call] : TemplateCalls(*token)) {
      EXPECT_TRUE(SameAnswerWhetherItExists(inbox.id(), call)) << method;
    }
    for (const auto& [method, call] : RuleCalls(*token)) {
      EXPECT_TRUE(SameAnswerWhetherItExists(rule.id(), call)) << method;
    }
  }
}

TEST_F(NotifyExistenceTest, ProvinceStaffAreToldWhatIsMissing) {
  for (const auto& [method, call] : TemplateCalls(admin_)) {
    EXPECT_EQ(call(kMissingId).error_code(), grpc::StatusCode::NOT_FOUND) << method;
  }
  for (const auto& [method, call] : RuleCalls(admin_)) {
    EXPECT_EQ(call(kMissingId).error_code(), grpc::StatusCode::NOT_FOUND) << method;
  }
}

TEST_F(NotifyExistenceTest, SomeoneElsesInboxItemAnswersLikeAMissingOne) {
  const auto inbox = MakeTemplate(v1::CHANNEL_INBOX, "新登记", "{{name}}");
  MakeRule({Organisation()}, inbox.id());
  Route(Registered("某某有限公司"));
  const auto items = Inbox(employer_);
  ASSERT_EQ(items.items_size(), 1);
  EXPECT_TRUE(SameAnswerWhetherItExists(items.items(0).id(), [&](const std::string& id) {
    v1::MarkInboxReadRequest req;
    req.set_id(id);
    v1::InboxItem out;
    return stub_->MarkInboxRead(Ctx(other_employer_).get(), req, &out);
  }));
}

}  // namespace
}  // namespace osh::notify::testing
