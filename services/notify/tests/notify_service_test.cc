// osh-notify over real gRPC and a real webhook receiver: template authoring
// errors, rules, routing events into inboxes and signed webhooks, exactly one
// delivery per (event, rule, recipient, channel), retries then dead letter.
#include <nlohmann/json.hpp>

#include "http_receiver.h"
#include "notify_fixture.h"
#include "osh/core/errors.h"
#include "osh/events/v1/training_events.pb.h"
#include "osh/service/retention.h"
#include "webhook.h"

namespace osh::notify::testing {
namespace {

class NotifyServiceTest : public NotifyFixture {
 protected:
  v1::Delivery WaitForDelivery(const std::string& event_id, v1::DeliveryStatus until) {
    v1::Delivery last;
    for (int i = 0; i < 200; ++i) {
      v1::ListDeliveriesRequest req;
      req.set_event_id(event_id);
      v1::ListDeliveriesResponse resp;
      EXPECT_TRUE(stub_->ListDeliveries(Ctx(admin_).get(), req, &resp).ok());
      for (const auto& d : resp.deliveries()) {
        if (d.channel() == v1::CHANNEL_WEBHOOK) last = d;
      }
      if (last.status() == until) return last;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return last;
  }
};

TEST_F(NotifyServiceTest, SettledDeliveriesArePrunedAfterTheirHorizonAndPendingOnesAreKept) {
  Stop();
  Start(/*dispatch=*/false);  // the webhook delivery stays pending
  SetNow("2026-03-01T00:00:00Z");
  const auto inbox = MakeTemplate(v1::CHANNEL_INBOX, "{{name}}", "{{name}}");
  const auto hook = MakeTemplate(v1::CHANNEL_WEBHOOK, "", R"({"n": "{{name}}"})");
  MakeRule({Organisation(), Webhook("http://127.0.0.1:1/hook")}, inbox.id(), hook.id());
  Route(Registered("甲公司"));
  const auto count = [&](const char* where) {
    return db_->Read([&](store::Tx& tx) {
      auto s = tx.Prepare(std::string("SELECT COUNT(*) FROM deliveries WHERE ") + where);
      s.Step();
      return s.Int(0);
    });
  };
  ASSERT_EQ(count("status = 2"), 1);  // the inbox item, delivered at once
  ASSERT_EQ(count("status = 1"), 1);  // the webhook, pending

  const auto prune_at = [&](const std::string& rfc3339) {
    SetNow(rfc3339);
    service::RetentionPruner pruner(*db_, {NotifyStore::SettledDeliveries(std::chrono::hours(24 * 90))},
                                    {.clock = [this] { return Now(); }}, &metrics_);
    return pruner.PruneOnce()["deliveries"];
  };
  EXPECT_EQ(prune_at("2026-05-29T00:00:00Z"), 0);  // 89 days after it settled
  EXPECT_EQ(prune_at("2026-06-01T00:00:00Z"), 1);  // 92 days
  EXPECT_EQ(count("1 = 1"), 1);
  EXPECT_EQ(count("status = 1"), 1) << "a pending delivery is never pruned, however old";
  EXPECT_EQ(Inbox(employer_).items_size(), 1) << "the inbox item itself stays";
}

TEST_F(NotifyServiceTest, TemplatesAreCheckedWhenWrittenNotWhenSent) {
  const auto t = MakeTemplate(v1::CHANNEL_INBOX, "{{name}} 已登记", "信用代码 {{ employer.credit_code }}");
  EXPECT_EQ(t.version(), 1);
  EXPECT_GT(t.variables_size(), 3) << "authors see what they may use";

  v1::CreateTemplateRequest bad;
  auto* b = bad.mutable_template_();
  b->set_name("bad");
  b->set_event_type("osh.events.v1.EnterpriseRegistered");
  b->set_channel(v1::CHANNEL_INBOX);
  b->set_locale("zh-CN");
  b->set_subject("{{nmae}}");
  b->set_body("{{employer}}");
  v1::Template out;
  auto status = stub_->CreateTemplate(Ctx(admin_).get(), bad, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const auto fields = FieldsOf(status);
  EXPECT_NE(fields.find("template.subject"), std::string::npos) << fields;
  EXPECT_NE(fields.find("nmae"), std::string::npos) << fields;
  EXPECT_NE(fields.find("template.body"), std::string::npos) << fields;

  b->set_subject("ok");
  b->set_body("{{name}}");
  b->set_event_type("osh.registry.v1.Employer");
  EXPECT_EQ(stub_->CreateTemplate(Ctx(admin_).get(), bad, &out).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  b->set_event_type("osh.events.v1.EnterpriseRegistered");
  b->set_channel(v1::CHANNEL_WEBHOOK);
  b->set_body("name={{name}}");  // not JSON
  status = stub_->CreateTemplate(Ctx(admin_).get(), bad, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(FieldsOf(status).find("JSON"), std::string::npos) << FieldsOf(status);
  // Valid JSON for an empty event, not once the fields have values.
  // Found by fuzzing: a number after a '-' or a digit is JSON for 12 and 0 but
  // not for -12 ("--12"), so those bodies are refused too.
  for (const char* body : {R"({"name": {{name}}})", R"({"kind": {{employer.size_class}}})",
                           R"({"workers": [{{employer.total_workers}}], "hazards": {{employer.hazard_categories}}})",
                           R"({"workers": -{{employer.total_workers}}})", R"({"workers": 1{{employer.total_workers}}})"}) {
    b->set_body(body);
    status = stub_->CreateTemplate(Ctx(admin_).get(), bad, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << body;
    EXPECT_NE(FieldsOf(status).find("template.body"), std::string::npos) << body;
  }
  b->set_body(R"({"workers": {{employer.total_workers}}, "name": "{{name}}"})");  // a number needs no quotes
  EXPECT_EQ(stub_->CreateTemplate(Ctx(admin_).get(), bad, &out).error_code(), grpc::StatusCode::OK);
  b->set_body(R"({"name": "{{name}}"})");
  EXPECT_EQ(stub_->CreateTemplate(Ctx(inspector_).get(), bad, &out).error_code(), grpc::StatusCode::OK)
      << "province staff write their province's templates";
  EXPECT_EQ(stub_->CreateTemplate(Ctx(employer_).get(), bad, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->CreateTemplate(Ctx("").get(), bad, &out).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(NotifyServiceTest, TemplatesAreVersionedAndPreviewed) {
  const auto t = MakeTemplate(v1::CHANNEL_INBOX, "{{name}}", "旧");
  v1::UpdateTemplateRequest up;
  up.set_id(t.id());
  up.set_version(1);
  up.set_subject("{{name}} 登记完成");
  up.set_body("新：{{employer.total_workers}} 名劳动者");
  v1::Template v2;
  ASSERT_TRUE(stub_->UpdateTemplate(Ctx(admin_).get(), up, &v2).ok());
  EXPECT_EQ(v2.version(), 2);
  EXPECT_EQ(stub_->UpdateTemplate(Ctx(admin_).get(), up, &v2).error_code(), grpc::StatusCode::ABORTED);

  v1::GetTemplateRequest get;
  get.set_id(t.id());
  get.set_version(1);
  v1::Template v1_again;
  ASSERT_TRUE(stub_->GetTemplate(Ctx(admin_).get(), get, &v1_again).ok());
  EXPECT_EQ(v1_again.body(), "旧");

  v1::PreviewTemplateRequest preview;
  preview.set_id(t.id());
  preview.set_sample_event_json(R"({"name": "示例有限公司", "employer": {"totalWorkers": 42}})");
  v1::PreviewTemplateResponse shown;
  ASSERT_TRUE(stub_->PreviewTemplate(Ctx(admin_).get(), preview, &shown).ok());
  EXPECT_EQ(shown.subject(), "示例有限公司 登记完成");
  EXPECT_EQ(shown.body(), "新：42 名劳动者");
  preview.set_sample_event_json("{not json");
  auto status = stub_->PreviewTemplate(Ctx(admin_).get(), preview, &shown);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(FieldsOf(status).find("sample_event_json"), std::string::npos);
}

TEST_F(NotifyServiceTest, RulesNeedRecipientsAndMatchingTemplates) {
  const auto inbox = MakeTemplate(v1::CHANNEL_INBOX, "{{name}}", "b");
  v1::CreateRuleRequest req;
  auto* r = req.mutable_rule();
  r->set_name("r");
  r->set_event_type("osh.events.v1.EnterpriseRegistered");
  v1::Rule out;
  auto status = stub_->CreateRule(Ctx(admin_).get(), req, &out);
  EXPECT_NE(FieldsOf(status).find("rule.recipients"), std::string::npos);
  *r->add_recipients() = Webhook("ftp://example.cn/x");
  *r->add_recipients() = Role("chief");
  status = stub_->CreateRule(Ctx(admin_).get(), req, &out);
  EXPECT_NE(FieldsOf(status).find("rule.recipients[0].webhook_url"), std::string::npos);
  EXPECT_NE(FieldsOf(status).find("rule.recipients[1].province_role"), std::string::npos);
  r->clear_recipients();
  *r->add_recipients() = Organisation();
  r->set_inbox_template_id("no-such-template");
  status = stub_->CreateRule(Ctx(admin_).get(), req, &out);
  EXPECT_NE(FieldsOf(status).find("rule.inbox_template_id"), std::string::npos);
  r->set_inbox_template_id(inbox.id());
  ASSERT_TRUE(stub_->CreateRule(Ctx(admin_).get(), req, &out).ok());
  EXPECT_TRUE(out.enabled());
  EXPECT_EQ(out.source_province(), "44");
  EXPECT_TRUE(out.webhook_secret().empty()) << "no webhook, no secret";
}

TEST_F(NotifyServiceTest, EventsReachTheInboxesTheyAreAddressedTo) {
  const auto t = MakeTemplate(v1::CHANNEL_INBOX, "{{name}} 已登记", "信用代码 {{employer.credit_code}}");
  MakeRule({Organisation(), Role("province_admin")}, t.id());

  const auto event = Registered("东莞市示例五金制品有限公司");
  Route(event);
  Route(event);  // the same event again (a redelivery): nothing more

  auto mine = Inbox(employer_);
  ASSERT_EQ(mine.items_size(), 1);
  EXPECT_EQ(mine.items(0).subject(), "东莞市示例五金制品有限公司 已登记");
  EXPECT_EQ(mine.items(0).body(), std::string("信用代码 ") + kEmployerCode);
  EXPECT_EQ(mine.unread(), 1);
  EXPECT_EQ(Inbox(admin_).items_size(), 1) << "addressed to the province's admins";
  EXPECT_EQ(Inbox(other_employer_).items_size(), 0);
  EXPECT_EQ(Inbox(inspector_).items_size(), 0);

  v1::MarkInboxReadRequest read;
  read.set_id(mine.items(0).id());
  v1::InboxItem item;
  EXPECT_EQ(stub_->MarkInboxRead(Ctx(other_employer_).get(), read, &item).error_code(), grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(stub_->MarkInboxRead(Ctx(employer_).get(), read, &item).ok());
  EXPECT_TRUE(item.read());
  EXPECT_EQ(Inbox(employer_, true).items_size(), 0);
  EXPECT_EQ(Inbox(employer_).unread(), 0);

  // Another province's event does not match a rule of this province.
  Route(Registered("外省企业", "32", "91320100MA1XXXXX0X"));
  EXPECT_EQ(Inbox(admin_).items_size(), 1);
  // A disabled rule routes nothing.
  v1::ListRulesResponse rules;
  ASSERT_TRUE(stub_->ListRules(Ctx(admin_).get(), v1::ListRulesRequest(), &rules).ok());
  v1::SetRuleEnabledRequest off;
  off.set_id(rules.rules(0).id());
  off.set_version(rules.rules(0).version());
  off.set_enabled(false);
  v1::Rule disabled;
  ASSERT_TRUE(stub_->SetRuleEnabled(Ctx(admin_).get(), off, &disabled).ok());
  Route(Registered("第二家企业"));
  EXPECT_EQ(Inbox(admin_).items_size(), 1);
}

TEST_F(NotifyServiceTest, RectificationDeadlinesReachTheEmployer) {
  v1::CreateTemplateRequest t;
  auto* tt = t.mutable_template_();
  tt->set_name("deadline");
  tt->set_event_type("osh.events.v1.RectificationOpened");
  tt->set_channel(v1::CHANNEL_INBOX);
  tt->set_locale("zh-CN");
  tt->set_subject("整改期限 {{deadline}}");
  tt->set_body("检查发现的问题须在 {{deadline}} 前整改完毕（{{factor_code}}）。");
  v1::Template inbox;
  ASSERT_TRUE(stub_->CreateTemplate(Ctx(admin_).get(), t, &inbox).ok());
  v1::CreateRuleRequest r;
  r.mutable_rule()->set_name("deadlines");
  r.mutable_rule()->set_event_type("osh.events.v1.RectificationOpened");
  *r.mutable_rule()->add_recipients() = Organisation();
  r.mutable_rule()->set_inbox_template_id(inbox.id());
  v1::Rule rule;
  ASSERT_TRUE(stub_->CreateRule(Ctx(admin_).get(), r, &rule).ok());

  events::v1::RectificationOpened opened;
  opened.set_item_id("item-1");
  opened.set_credit_code(kEmployerCode);
  opened.set_province("44");
  opened.set_deadline("2026-12-20");
  opened.set_factor_code("D001");
  Route(events::MakeEvent(opened, "44", "registry", kEmployerCode));
  const auto inbox_items = Inbox(employer_);
  ASSERT_EQ(inbox_items.items_size(), 1);
  EXPECT_EQ(inbox_items.items(0).subject(), "整改期限 2026-12-20");
  EXPECT_EQ(inbox_items.items(0).body(), "检查发现的问题须在 2026-12-20 前整改完毕（D001）。");
}

TEST_F(NotifyServiceTest, CertificatesReachTheLearnersOrganisation) {
  const auto inbox = MakeTemplate(v1::CHANNEL_INBOX, "培训证书已颁发", "课程 {{course_id}}，证书 {{certificate_id}}",
                                  "osh.events.v1.CertificateIssued");
  v1::CreateRuleRequest r;
  r.mutable_rule()->set_name("certificates");
  r.mutable_rule()->set_event_type("osh.events.v1.CertificateIssued");
  *r.mutable_rule()->add_recipients() = Organisation();
  r.mutable_rule()->set_inbox_template_id(inbox.id());
  v1::Rule rule;
  ASSERT_TRUE(stub_->CreateRule(Ctx(admin_).get(), r, &rule).ok());
  events::v1::CertificateIssued issued;
  issued.set_certificate_id("cert-1");
  issued.set_course_id("course-9");
  issued.set_org(kEmployerCode);
  issued.set_province("44");
  Route(events::MakeEvent(issued, "44", "training", "cert-1"));
  const auto mine = Inbox(employer_);
  ASSERT_EQ(mine.items_size(), 1);
  EXPECT_EQ(mine.items(0).body(), "课程 course-9，证书 cert-1");
  EXPECT_EQ(Inbox(other_employer_).items_size(), 0);
}

TEST_F(NotifyServiceTest, PreferencesSilenceACategoryButNotLegallyRequiredNotices) {
  const auto t = MakeTemplate(v1::CHANNEL_INBOX, "{{name}} 已登记", "b");
  for (bool required : {false, true}) {
    v1::CreateRuleRequest r;
    r.mutable_rule()->set_name(required ? "required" : "optional");
    r.mutable_rule()->set_event_type("osh.events.v1.EnterpriseRegistered");
    r.mutable_rule()->set_category(required ? "exam_results" : "registration");
    r.mutable_rule()->set_legally_required(required);
    *r.mutable_rule()->add_recipients() = Organisation();
    r.mutable_rule()->set_inbox_template_id(t.id());
    v1::Rule out;
    ASSERT_TRUE(stub_->CreateRule(Ctx(admin_).get(), r, &out).ok());
  }
  Route(Registered("偏好测试有限公司"));
  ASSERT_EQ(Inbox(employer_).items_size(), 2);

  v1::SetPreferenceRequest off;
  v1::Preference saved;
  for (const char* category : {"registration", "exam_results"}) {
    off.set_category(category);
    off.set_channel(v1::CHANNEL_INBOX);
    off.set_enabled(false);
    ASSERT_TRUE(stub_->SetPreference(Ctx(employer_).get(), off, &saved).ok());
  }
  auto inbox = Inbox(employer_);
  ASSERT_EQ(inbox.items_size(), 1) << "the legally required one stays";
  EXPECT_TRUE(inbox.items(0).legally_required());
  EXPECT_EQ(inbox.unread(), 1);
  EXPECT_EQ(Inbox(admin_).items_size(), 0) << "admins are not addressed by these rules";

  v1::ListPreferencesResponse mine;
  ASSERT_TRUE(stub_->ListPreferences(Ctx(employer_).get(), v1::ListPreferencesRequest(), &mine).ok());
  EXPECT_EQ(mine.preferences_size(), 2);
  off.set_category("registration");
  off.set_enabled(true);
  ASSERT_TRUE(stub_->SetPreference(Ctx(employer_).get(), off, &saved).ok());
  EXPECT_EQ(Inbox(employer_).items_size(), 2);
  off.set_category("Bad Category");
  EXPECT_EQ(stub_->SetPreference(Ctx(employer_).get(), off, &saved).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(NotifyServiceTest, ASlowReceiverDoesNotHoldBackAnother) {
  HttpReceiver slow([](const ReceivedRequest&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    return 200;
  });
  HttpReceiver fast;
  const auto hook = MakeTemplate(v1::CHANNEL_WEBHOOK, "", R"({"employer": "{{name}}"})");
  MakeRule({Webhook(slow.url()), Webhook(fast.url())}, "", hook.id());
  for (const char* name : {"一厂", "二厂", "三厂"}) Route(Registered(name));
  for (int i = 0; i < 200 && fast.requests().size() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(fast.requests().size(), 3u);
  EXPECT_LT(slow.requests().size(), 3u) << "the fast receiver had to wait for the slow one";
  // Done when no delivery is pending any more: then nothing can be sent again.
  const auto pending = [&] {
    v1::ListDeliveriesRequest req;
    req.set_status(v1::DELIVERY_STATUS_PENDING);
    v1::ListDeliveriesResponse resp;
    EXPECT_TRUE(stub_->ListDeliveries(Ctx(admin_).get(), req, &resp).ok());
    return resp.deliveries_size();
  };
  for (int i = 0; i < 400 && pending() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(pending(), 0);
  v1::ListDeliveriesRequest delivered;
  delivered.set_status(v1::DELIVERY_STATUS_DELIVERED);
  v1::ListDeliveriesResponse all;
  ASSERT_TRUE(stub_->ListDeliveries(Ctx(admin_).get(), delivered, &all).ok());
  EXPECT_EQ(all.deliveries_size(), 6);
  for (const auto& d : all.deliveries()) EXPECT_EQ(d.attempts_size(), 1) << d.recipient();
  EXPECT_EQ(slow.requests().size(), 3u);
  EXPECT_EQ(fast.requests().size(), 3u);
}

TEST_F(NotifyServiceTest, WebhooksAreSignedAndDeliveredOnce) {
  HttpReceiver receiver;
  const auto hook = MakeTemplate(v1::CHANNEL_WEBHOOK, "", R"({"employer": "{{name}}", "code": "{{employer.credit_code}}"})");
  const auto rule = MakeRule({Webhook(receiver.url())}, "", hook.id());
  ASSERT_EQ(rule.webhook_secret().size(), 64u) << "the secret is shown once, at creation";
  v1::GetRuleRequest get;
  get.set_id(rule.id());
  v1::Rule again;
  ASSERT_TRUE(stub_->GetRule(Ctx(admin_).get(), get, &again).ok());
  EXPECT_TRUE(again.webhook_secret().empty());

  const auto event = Registered("引号\"与<标签>有限公司");
  Route(event);
  Route(event);
  const auto d = WaitForDelivery(event.id, v1::DELIVERY_STATUS_DELIVERED);
  ASSERT_EQ(d.status(), v1::DELIVERY_STATUS_DELIVERED);
  EXPECT_EQ(d.attempts_size(), 1);
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& request = requests[0];
  EXPECT_EQ(request.method, "POST");
  const auto body = nlohmann::json::parse(request.body);
  EXPECT_EQ(body["employer"], "引号\"与<标签>有限公司") << "JSON-escaped into a valid payload";
  EXPECT_EQ(request.headers.at("x-osh-event-id"), event.id);
  EXPECT_EQ(request.headers.at("x-osh-delivery-id"), d.id());
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_TRUE(VerifyWebhookSignature(request.headers.at("x-osh-signature"), rule.webhook_secret(), request.body, now, 300));
  EXPECT_FALSE(VerifyWebhookSignature(request.headers.at("x-osh-signature"), "wrong", request.body, now, 300));
}

TEST_F(NotifyServiceTest, FailingWebhooksAreRetriedThenDeadLettered) {
  HttpReceiver unavailable([](const ReceivedRequest&) { return 503; });
  const auto hook = MakeTemplate(v1::CHANNEL_WEBHOOK, "", R"({"employer": "{{name}}"})");
  MakeRule({Webhook(unavailable.url())}, "", hook.id());
  const auto e1 = Registered("一");
  Route(e1);
  auto d = WaitForDelivery(e1.id, v1::DELIVERY_STATUS_DEAD_LETTER);
  EXPECT_EQ(d.status(), v1::DELIVERY_STATUS_DEAD_LETTER);
  EXPECT_EQ(d.attempts_size(), 3) << "max_attempts";
  EXPECT_EQ(d.attempts(0).http_status(), 503);
  EXPECT_EQ(unavailable.requests().size(), 3u);
}

TEST_F(NotifyServiceTest, ARefusalIsNotRetried) {
  HttpReceiver refusing([](const ReceivedRequest&) { return 400; });
  const auto hook = MakeTemplate(v1::CHANNEL_WEBHOOK, "", R"({"employer": "{{name}}"})");
  MakeRule({Webhook(refusing.url())}, "", hook.id());
  const auto e = Registered("二");
  Route(e);
  const auto d = WaitForDelivery(e.id, v1::DELIVERY_STATUS_DEAD_LETTER);
  EXPECT_EQ(d.status(), v1::DELIVERY_STATUS_DEAD_LETTER);
  EXPECT_EQ(d.attempts_size(), 1);
}

TEST_F(NotifyServiceTest, PendingDeliveriesSurviveARestart) {
  HttpReceiver receiver;
  const auto hook = MakeTemplate(v1::CHANNEL_WEBHOOK, "", R"({"employer": "{{name}}"})");
  MakeRule({Webhook(receiver.url())}, "", hook.id());
  Stop();
  Start(/*dispatch=*/false);  // routed, but nothing sends
  const auto e = Registered("重启");
  Route(e);
  EXPECT_EQ(WaitForDelivery(e.id, v1::DELIVERY_STATUS_PENDING).status(), v1::DELIVERY_STATUS_PENDING);
  Stop();
  Start();
  EXPECT_EQ(WaitForDelivery(e.id, v1::DELIVERY_STATUS_DELIVERED).status(), v1::DELIVERY_STATUS_DELIVERED);
  EXPECT_EQ(receiver.requests().size(), 1u);
}

TEST_F(NotifyServiceTest, DeliveriesAreForProvinceStaff) {
  v1::ListDeliveriesResponse resp;
  EXPECT_EQ(stub_->ListDeliveries(Ctx(employer_).get(), v1::ListDeliveriesRequest(), &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(stub_->ListDeliveries(Ctx(inspector_).get(), v1::ListDeliveriesRequest(), &resp).ok());
}

}  // namespace
}  // namespace osh::notify::testing
