#pragma once

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "content.h"
#include "content_grpc.h"
#include "content_store.h"
#include "osh/auth/jwt.h"
#include "osh/content/v1/content.grpc.pb.h"
#include "osh/service/test_tokens.h"
#include "osh/service/testing/loopback_server.h"
#include "osh/store/testing/postgres.h"
#include "osh/store/testing/scratch_dir.h"

namespace osh::content::testing {

using service::testing::Token;

// A real osh-content behind a real gRPC server on a loopback port, over a
// SQLite file in a fresh directory (or, under the label postgres, a fresh
// PostgreSQL database); Restart() reopens the same one.
class ContentFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    verifier_ = auth::TokenVerifier::Create({.hs256_secret = service::testing::kTestSecret}, &error);
    ASSERT_TRUE(verifier_) << error;
    Start();
  }
  void TearDown() override { Stop(); }

  virtual Content::Options MakeOptions() {
    Content::Options o;
    o.province = "44";
    o.max_body_bytes = 64 * 1024;
    return o;
  }

  void Start() {
    if (!database_) database_ = std::make_unique<store::testing::TestDatabase>((dir_.path() / "content.db").string());
    db_ = store::Database::Open(database_->Options(), store_.Migrations());
    content_ = std::make_unique<Content>(*db_, store_, MakeOptions());
    service_ = std::make_unique<ContentGrpcService>(*content_, *verifier_);
    server_ = std::make_unique<service::testing::LoopbackServer>(std::vector<grpc::Service*>{service_.get()});
    stub_ = v1::ContentService::NewStub(server_->channel());
  }

  void Stop() {
    stub_.reset();
    server_.reset();
    service_.reset();
    content_.reset();
    db_.reset();
  }

  void Restart() {
    Stop();
    Start();
  }

  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) {
    return service::testing::CallContext(token);
  }

  static v1::ArticleContent Sample(const std::string& title, const std::string& body) {
    v1::ArticleContent c;
    c.set_title(title);
    c.set_summary("摘要");
    c.set_body(body);
    c.set_body_format(v1::BODY_FORMAT_PLAIN_TEXT);
    c.set_category(v1::ARTICLE_CATEGORY_SCIENCE);
    c.add_tags("职业健康");
    c.add_audiences(v1::AUDIENCE_WORKERS);
    c.add_hazard_categories(common::v1::HAZARD_CATEGORY_DUST);
    c.set_locale("zh-CN");
    return c;
  }

  v1::Article Create(const v1::ArticleContent& c, const std::string& token = "") {
    v1::CreateArticleRequest req;
    *req.mutable_content() = c;
    v1::Article out;
    auto status = stub_->CreateArticle(Ctx(token.empty() ? editor_ : token).get(), req, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  grpc::Status Transition(const char* verb, const v1::Article& a, v1::Article* out, const std::string& reason = "",
                          const std::string& token = "") {
    v1::ArticleTransitionRequest req;
    req.set_id(a.id());
    req.set_version(a.version());
    req.set_reason(reason);
    auto ctx = Ctx(token.empty() ? editor_ : token);
    const std::string v(verb);
    if (v == "submit") return stub_->SubmitArticle(ctx.get(), req, out);
    if (v == "return") return stub_->ReturnArticle(ctx.get(), req, out);
    if (v == "publish") return stub_->PublishArticle(ctx.get(), req, out);
    return stub_->WithdrawArticle(ctx.get(), req, out);
  }

  // Creates, submits and publishes; returns the published article.
  v1::Article Publish(const v1::ArticleContent& c) {
    v1::Article a = Create(c);
    for (const char* verb : {"submit", "publish"}) {
      v1::Article next;
      auto status = Transition(verb, a, &next);
      EXPECT_TRUE(status.ok()) << verb << ": " << status.error_message();
      a = next;
    }
    return a;
  }

  store::testing::ScratchDir dir_{"content"};
  // SQLite file, or under the label postgres a PostgreSQL database; outlives db_.
  std::unique_ptr<store::testing::TestDatabase> database_;
  std::unique_ptr<auth::TokenVerifier> verifier_;
  ContentStore store_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Content> content_;
  std::unique_ptr<ContentGrpcService> service_;
  std::unique_ptr<service::testing::LoopbackServer> server_;
  std::unique_ptr<v1::ContentService::Stub> stub_;

  const std::string editor_ = Token("editor", "44", "", "editor44");
  const std::string admin_ = Token("province_admin", "44", "", "admin44");
  const std::string inspector_ = Token("inspector", "44", "", "inspector44");
  const std::string other_editor_ = Token("editor", "32", "", "editor32");
  const std::string national_ = Token("national_admin", "", "", "nat");
};

}  // namespace osh::content::testing
