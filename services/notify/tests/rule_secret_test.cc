// Webhook secrets at rest: shown once to the rule's creator, kept sealed in the
// SQLite file (the rule's copy and the stored answer a retried create returns),
// opened only to sign deliveries.
#include <fstream>
#include <iterator>

#include "http_receiver.h"
#include "notify_fixture.h"
#include "osh/service/records.h"
#include "webhook.h"

namespace osh::notify::testing {
namespace {

class RuleSecretTest : public NotifyFixture {
 protected:
  v1::CreateRuleRequest WebhookRule(const std::string& url, const std::string& request_id) {
    const auto hook = MakeTemplate(v1::CHANNEL_WEBHOOK, "", R"({"employer": "{{name}}"})");
    v1::CreateRuleRequest req;
    req.set_request_id(request_id);
    auto* r = req.mutable_rule();
    r->set_name("hook");
    r->set_event_type("osh.events.v1.EnterpriseRegistered");
    *r->add_recipients() = Webhook(url);
    r->set_webhook_template_id(hook.id());
    return req;
  }

  v1::Rule Create(const v1::CreateRuleRequest& req) {
    v1::Rule out;
    const auto status = stub_->CreateRule(Ctx(admin_).get(), req, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  // Every byte SQLite keeps for the service: the database and its write-ahead
  // log; on PostgreSQL every value of every live row.
  std::string FileBytes() const {
    if (database_->postgres()) return database_->LiveValues();
    std::string bytes;
    for (const char* name : {"notify.db", "notify.db-wal"}) {
      std::ifstream in(dir_.path() / name, std::ios::binary);
      bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return bytes;
  }

  // Routes one registration and returns the signature check of what the receiver got.
  bool DeliveredSignedWith(HttpReceiver& receiver, const std::string& secret) {
    Route(Registered("签名检查"));
    for (int i = 0; i < 250 && receiver.requests().empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const auto requests = receiver.requests();
    if (requests.empty()) return false;
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    return VerifyWebhookSignature(requests.back().headers.at("x-osh-signature"), secret, requests.back().body, now,
                                  300);
  }
};

TEST_F(RuleSecretTest, ARetriedCreateAnswersWithTheSecretWhileTheFileHoldsItOnlySealed) {
  HttpReceiver receiver;
  const auto req = WebhookRule(receiver.url(), "create-hook-1");
  const auto first = Create(req);
  ASSERT_EQ(first.webhook_secret().size(), 64u);
  const auto retried = Create(req);
  EXPECT_EQ(retried.id(), first.id());
  EXPECT_EQ(retried.webhook_secret(), first.webhook_secret()) << "a lost answer can be fetched again by its creator";

  const std::string bytes = FileBytes();
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.find(first.webhook_secret()), std::string::npos) << "the secret is in the SQLite file in clear";
  EXPECT_TRUE(DeliveredSignedWith(receiver, first.webhook_secret()));
}

TEST_F(RuleSecretTest, AnotherKeyRingCannotOpenTheStoredSecret) {
  HttpReceiver receiver;
  const auto rule = Create(WebhookRule(receiver.url(), "create-hook-2"));
  const auto stored = db_->Read([&](store::Tx& tx) { return NotifyStore::RuleSecret(tx, rule.id()); });
  EXPECT_EQ(OpenRuleSecret(*secrets_, rule.id(), stored), rule.webhook_secret());
  EXPECT_EQ(OpenRuleSecret(*crypto::FieldCipher::ForTesting(), rule.id(), stored), std::nullopt);
  EXPECT_EQ(OpenRuleSecret(*secrets_, "another-rule", stored), std::nullopt) << "bound to its rule";
}

TEST_F(RuleSecretTest, SecretsEarlierVersionsStoredInClearAreSealed) {
  HttpReceiver receiver;
  const auto req = WebhookRule(receiver.url(), "create-hook-3");
  const auto rule = Create(req);
  const std::string& secret = rule.webhook_secret();
  // What an earlier version wrote: the secret in clear in the rule and in the stored answer.
  db_->Write([&](store::Tx& tx) {
    tx.Prepare("UPDATE rules SET webhook_secret = ? WHERE id = ?").BindAll(secret, rule.id()).Run();
    service::RewriteAnswers(tx, "CreateRule", [&](const std::string&) -> std::optional<std::string> {
      return rule.SerializeAsString();
    });
  });

  EXPECT_EQ(db_->Write([&](store::Tx& tx) { return NotifyStore::SealClearSecrets(tx, *secrets_); }), 2);
  EXPECT_EQ(db_->Write([&](store::Tx& tx) { return NotifyStore::SealClearSecrets(tx, *secrets_); }), 0)
      << "sealed values are left alone";
  const auto stored = db_->Read([&](store::Tx& tx) { return NotifyStore::RuleSecret(tx, rule.id()); });
  EXPECT_NE(stored, secret);
  EXPECT_EQ(OpenRuleSecret(*secrets_, rule.id(), stored), secret);
  const auto answer = db_->Read([&](store::Tx& tx) { return service::FindAnswer(tx, "admin44", "CreateRule", "create-hook-3"); });
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->response_bytes.find(secret), std::string::npos);
  EXPECT_EQ(Create(req).webhook_secret(), secret);
  EXPECT_TRUE(DeliveredSignedWith(receiver, secret));
}

}  // namespace
}  // namespace osh::notify::testing
