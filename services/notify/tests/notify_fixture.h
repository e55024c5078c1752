#pragma once

#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "dispatcher.h"
#include "notify.h"
#include "notify_grpc.h"
#include "notify_store.h"
#include "scheduler.h"
#include "osh/auth/jwt.h"
#include "osh/core/errors.h"
#include "osh/events/event.h"
#include "osh/events/v1/registry_events.pb.h"
#include "osh/notify/v1/notify.grpc.pb.h"
#include "osh/service/test_tokens.h"
#include "osh/service/testing/loopback_server.h"
#include "osh/store/testing/postgres.h"
#include "osh/store/testing/scratch_dir.h"

namespace osh::notify::testing {

using service::testing::Token;

inline constexpr char kEmployerCode[] = "91440101MA59UQXX1A";

// A real osh-notify business layer behind a real gRPC server on a loopback
// port, over a SQLite file; the webhook dispatcher runs with quick retries.
class NotifyFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    verifier_ = auth::TokenVerifier::Create({.hs256_secret = service::testing::kTestSecret}, &error);
    ASSERT_TRUE(verifier_) << error;
    Start();
  }
  void TearDown() override { Stop(); }

  virtual WebhookDispatcher::Options DispatchOptions() {
    WebhookDispatcher::Options o;
    o.retry = {.max_attempts = 3, .base = std::chrono::milliseconds(20), .cap = std::chrono::milliseconds(40)};
    o.timeout = std::chrono::milliseconds(2000);
    o.allow_private_webhooks = true;  // the receivers are on loopback
    return o;
  }

  // The time every component sees: the real clock until a test sets one.
  std::chrono::system_clock::time_point Now() const {
    const int64_t ms = now_ms_.load();
    return ms == 0 ? std::chrono::system_clock::now()
                   : std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
  }
  void SetNow(const std::string& rfc3339) {
    google::protobuf::Timestamp t;
    ASSERT_TRUE(google::protobuf::util::TimeUtil::FromString(rfc3339, &t)) << rfc3339;
    now_ms_ = google::protobuf::util::TimeUtil::TimestampToMilliseconds(t);
  }

  void Start(bool dispatch = true) {
    if (!database_) database_ = std::make_unique<store::testing::TestDatabase>(dir_.File("notify.db"));
    db_ = store::Database::Open(database_->Options(), NotifyStore::Migrations());
    auto dispatch_options = DispatchOptions();
    dispatch_options.clock = [this] { return Now(); };
    dispatcher_ = std::make_unique<WebhookDispatcher>(*db_, *secrets_, dispatch_options, &metrics_);
    if (dispatch) dispatcher_->Start();
    notify_ = std::make_unique<Notify>(
        *db_, *secrets_, Notify::Options{.province = "44", .clock = [this] { return Now(); }, .email_enabled = email_enabled_});
    scheduler_ = std::make_unique<ReminderScheduler>(
        *db_, *notify_, ReminderScheduler::Options{.clock = [this] { return Now(); }}, nullptr, &metrics_);
    service_ = std::make_unique<NotifyGrpcService>(*notify_, *verifier_);
    server_ = std::make_unique<service::testing::LoopbackServer>(std::vector<grpc::Service*>{service_.get()});
    stub_ = v1::NotifyService::NewStub(server_->channel());
  }

  void Stop() {
    stub_.reset();
    server_.reset();
    service_.reset();
    scheduler_.reset();
    notify_.reset();
    dispatcher_.reset();
    db_.reset();
  }

  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) {
    return service::testing::CallContext(token);
  }

  v1::Template MakeTemplate(v1::Channel channel, const std::string& subject, const std::string& body,
                            const std::string& event_type = "osh.events.v1.EnterpriseRegistered") {
    v1::CreateTemplateRequest req;
    auto* t = req.mutable_template_();
    t->set_name("t");
    t->set_event_type(event_type);
    t->set_channel(channel);
    t->set_locale("zh-CN");
    t->set_subject(subject);
    t->set_body(body);
    v1::Template out;
    auto status = stub_->CreateTemplate(Ctx(admin_).get(), req, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  v1::Rule MakeRule(const std::vector<v1::Recipient>& recipients, const std::string& inbox_template,
                    const std::string& webhook_template = "") {
    v1::CreateRuleRequest req;
    auto* r = req.mutable_rule();
    r->set_name("rule");
    r->set_event_type("osh.events.v1.EnterpriseRegistered");
    for (const auto& x : recipients) *r->add_recipients() = x;
    r->set_inbox_template_id(inbox_template);
    r->set_webhook_template_id(webhook_template);
    v1::Rule out;
    auto status = stub_->CreateRule(Ctx(admin_).get(), req, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  v1::ListInboxResponse Inbox(const std::string& token, bool unread_only = false) {
    v1::ListInboxRequest req;
    req.set_unread_only(unread_only);
    v1::ListInboxResponse out;
    auto status = stub_->ListInbox(Ctx(token).get(), req, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  // "field: description" lines of an INVALID_ARGUMENT's BadRequest.
  static std::string FieldsOf(const grpc::Status& status) {
    std::string fields;
    for (const auto& [field, description] : core::FieldViolationsOf(status)) fields += field + ": " + description + "\n";
    return fields;
  }

  static events::Event Registered(const std::string& name, const std::string& province = "44",
                                  const std::string& credit_code = kEmployerCode) {
    events::v1::EnterpriseRegistered m;
    m.set_name(name);
    m.mutable_employer()->set_credit_code(credit_code);
    m.mutable_employer()->set_province(province);
    m.mutable_employer()->set_total_workers(120);
    return events::MakeEvent(m, province, "registry", credit_code);
  }

  void Route(const events::Event& e) {
    db_->Write([&](store::Tx& tx) { notify_->Route(tx, e); });
    dispatcher_->Notify();
  }

  store::testing::ScratchDir dir_{"notify"};
  // SQLite file, or under the label postgres a PostgreSQL database; outlives db_.
  std::unique_ptr<store::testing::TestDatabase> database_;
  std::unique_ptr<auth::TokenVerifier> verifier_;
  core::MetricsRegistry metrics_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<WebhookDispatcher> dispatcher_;
  std::unique_ptr<Notify> notify_;
  // One key ring for the life of the test, restarts included (like the key file of a deployment).
  std::unique_ptr<crypto::FieldCipher> secrets_ = crypto::FieldCipher::ForTesting();
  std::unique_ptr<ReminderScheduler> scheduler_;  // not started: tests run its passes
  std::unique_ptr<NotifyGrpcService> service_;
  std::atomic<int64_t> now_ms_{0};
  bool email_enabled_ = false;
  std::unique_ptr<service::testing::LoopbackServer> server_;
  std::unique_ptr<v1::NotifyService::Stub> stub_;

  const std::string admin_ = Token("province_admin", "44", "", "admin44");
  const std::string inspector_ = Token("inspector", "44", "", "inspector44");
  const std::string employer_ = Token("employer", "44", kEmployerCode, "boss");
  const std::string other_employer_ = Token("employer", "44", "91440300MA5FXXXX0X", "other");
};

inline v1::Recipient Organisation() {
  v1::Recipient r;
  r.set_event_organisation(true);
  return r;
}
inline v1::Recipient Role(const std::string& role) {
  v1::Recipient r;
  r.set_province_role(role);
  return r;
}
inline v1::Recipient Webhook(const std::string& url) {
  v1::Recipient r;
  r.set_webhook_url(url);
  return r;
}

}  // namespace osh::notify::testing
