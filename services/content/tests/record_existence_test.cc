// Articles that a caller may not see: the same answer whether the id exists
// or not, so the answer tells nothing about unpublished work.
#include "content_fixture.h"
#include "osh/service/testing/existence.h"

namespace osh::content::testing {
namespace {

using service::testing::kMissingId;
using service::testing::SameAnswerWhetherItExists;

class ArticleExistenceTest : public ContentFixture {
 protected:
  // Every call that names one article, as `token`.
  std::vector<std::pair<std::string, std::function<grpc::Status(const std::string&)>>> Calls(const std::string& token) {
    return {
        {"GetArticle WORKING", [this, token](const std::string& id) {
           v1::GetArticleRequest req;
           req.set_id(id);
           req.set_view(v1::ARTICLE_VIEW_WORKING);
           v1::Article out;
           return stub_->GetArticle(Ctx(token).get(), req, &out);
         }},
        {"ListArticleRevisions", [this, token](const std::string& id) {
           v1::ListArticleRevisionsRequest req;
           req.set_id(id);
           v1::ListArticleRevisionsResponse out;
           return stub_->ListArticleRevisions(Ctx(token).get(), req, &out);
         }},
        {"GetArticleRevision", [this, token](const std::string& id) {
           v1::GetArticleRevisionRequest req;
           req.set_id(id);
           req.set_revision(1);
           v1::ArticleRevision out;
           return stub_->GetArticleRevision(Ctx(token).get(), req, &out);
         }},
        {"DiffArticleRevisions", [this, token](const std::string& id) {
           v1::DiffArticleRevisionsRequest req;
           req.set_id(id);
           req.set_from_revision(1);
           v1::ArticleDiff out;
           return stub_->DiffArticleRevisions(Ctx(token).get(), req, &out);
         }},
        {"UpdateArticle", [this, token](const std::string& id) {
           v1::UpdateArticleRequest req;
           req.mutable_article()->set_id(id);
           req.mutable_article()->set_version(1);
           *req.mutable_article()->mutable_content() = Sample("改", "改");
           v1::Article out;
           return stub_->UpdateArticle(Ctx(token).get(), req, &out);
         }},
        {"SubmitArticle", [this, token](const std::string& id) {
           v1::ArticleTransitionRequest req;
           req.set_id(id);
           req.set_version(1);
           v1::Article out;
           return stub_->SubmitArticle(Ctx(token).get(), req, &out);
         }},
        {"PublishArticle", [this, token](const std::string& id) {
           v1::ArticleTransitionRequest req;
           req.set_id(id);
           req.set_version(1);
           v1::Article out;
           return stub_->PublishArticle(Ctx(token).get(), req, &out);
         }},
    };
  }
};

TEST_F(ArticleExistenceTest, CallersWhoMayNotSeeADraftGetTheAnswerOfAMissingOne) {
  const auto draft = Create(Sample("未发布的草稿", "正文"));
  for (const auto& [who, token] : std::vector<std::pair<std::string, std::string>>{
           {"inspector", inspector_},
           {"editor of another province", other_editor_},
           {"employer", Token("employer", "44", "91440101MA59UQXX1A")},
           {"worker", Token("worker", "44", "91440101MA59UQXX1A")}}) {
    for (const auto& [method, call] : Calls(token)) {
      EXPECT_TRUE(SameAnswerWhetherItExists(draft.id(), call)) << who << " " << method;
    }
  }
  // Anonymous callers may ask for articles, not for their working copies.
  v1::GetArticleRequest req;
  req.set_view(v1::ARTICLE_VIEW_WORKING);
  EXPECT_TRUE(SameAnswerWhetherItExists(draft.id(), [&](const std::string& id) {
    req.set_id(id);
    v1::Article out;
    return stub_->GetArticle(Ctx("").get(), req, &out);
  }));
}

TEST_F(ArticleExistenceTest, TheirEditorsLearnThatAnIdIsMissing) {
  for (const auto& [method, call] : Calls(editor_)) {
    EXPECT_EQ(call(kMissingId).error_code(), grpc::StatusCode::NOT_FOUND) << method;
  }
}

TEST_F(ArticleExistenceTest, TheAnswersOfTheWrongRoleArePermissionDenied) {
  const auto draft = Create(Sample("草稿", "正文"));
  for (const auto& [method, call] : Calls(inspector_)) {
    EXPECT_EQ(call(draft.id()).error_code(), grpc::StatusCode::PERMISSION_DENIED) << method;
  }
}

}  // namespace
}  // namespace osh::content::testing
