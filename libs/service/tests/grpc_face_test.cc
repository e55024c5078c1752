#include <gtest/gtest.h>

#include "osh/content/v1/content.grpc.pb.h"
#include "osh/notify/v1/notify.grpc.pb.h"
#include "osh/service/grpc_front.h"
#include "osh/service/test_tokens.h"

namespace osh::service {
namespace {

class GrpcFaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    verifier_ = auth::TokenVerifier::Create({.hs256_secret = testing::kTestSecret}, &error);
    ASSERT_NE(verifier_, nullptr) << error;
    // A service's own messages bring its proto file into the generated pool;
    // this test binary uses none of them otherwise.
    ASSERT_NE(content::v1::GetArticleRequest::descriptor(), nullptr);
    ASSERT_NE(notify::v1::ListInboxRequest::descriptor(), nullptr);
  }
  std::unique_ptr<auth::TokenVerifier> verifier_;
};

TEST_F(GrpcFaceTest, WhetherAMethodIsPublicIsReadFromItsProto) {
  GrpcFace content(content::v1::ContentService::service_full_name(), *verifier_);
  EXPECT_TRUE(content.AllowsAnonymous("GetArticle"));
  EXPECT_TRUE(content.AllowsAnonymous("SearchArticles"));
  EXPECT_FALSE(content.AllowsAnonymous("CreateArticle"));
  EXPECT_FALSE(content.AllowsAnonymous("PublishArticle"));
  // A name the proto does not have is never public.
  EXPECT_FALSE(content.AllowsAnonymous("getarticle"));
  GrpcFace notify(notify::v1::NotifyService::service_full_name(), *verifier_);
  for (const char* method : {"ListInbox", "CreateRule", "ListTemplates"}) EXPECT_FALSE(notify.AllowsAnonymous(method));
}

TEST_F(GrpcFaceTest, AServiceTheProtosDoNotHaveFailsTheStart) {
  EXPECT_THROW(GrpcFace("osh.content.v1.NoSuchService", *verifier_), std::invalid_argument);
}

}  // namespace
}  // namespace osh::service
