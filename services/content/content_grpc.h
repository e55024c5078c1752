#pragma once

#include <functional>

#include "content.h"
#include "osh/auth/jwt.h"
#include "osh/content/v1/content.grpc.pb.h"
#include "osh/service/grpc_front.h"

namespace osh::content {

// The thin gRPC face of Content on the callback API. Reads of published
// content accept anonymous callers, as content.proto declares (a token, when
// sent, must still verify); everything else needs a verified token.
class ContentGrpcService final : public v1::ContentService::CallbackService {
 public:
  ContentGrpcService(Content& content, const auth::TokenVerifier& verifier);

  using Ctx = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;

  Reactor* CreateArticle(Ctx* ctx, const v1::CreateArticleRequest* req, v1::Article* resp) override;
  Reactor* GetArticle(Ctx* ctx, const v1::GetArticleRequest* req, v1::Article* resp) override;
  Reactor* UpdateArticle(Ctx* ctx, const v1::UpdateArticleRequest* req, v1::Article* resp) override;
  Reactor* ListArticles(Ctx* ctx, const v1::ListArticlesRequest* req, v1::ListArticlesResponse* resp) override;
  Reactor* SearchArticles(Ctx* ctx, const v1::SearchArticlesRequest* req, v1::SearchArticlesResponse* resp) override;
  Reactor* SubmitArticle(Ctx* ctx, const v1::ArticleTransitionRequest* req, v1::Article* resp) override;
  Reactor* ReturnArticle(Ctx* ctx, const v1::ArticleTransitionRequest* req, v1::Article* resp) override;
  Reactor* PublishArticle(Ctx* ctx, const v1::ArticleTransitionRequest* req, v1::Article* resp) override;
  Reactor* WithdrawArticle(Ctx* ctx, const v1::ArticleTransitionRequest* req, v1::Article* resp) override;
  Reactor* ListArticleRevisions(Ctx* ctx, const v1::ListArticleRevisionsRequest* req,
                                v1::ListArticleRevisionsResponse* resp) override;
  Reactor* GetArticleRevision(Ctx* ctx, const v1::GetArticleRevisionRequest* req, v1::ArticleRevision* resp) override;
  Reactor* DiffArticleRevisions(Ctx* ctx, const v1::DiffArticleRevisionsRequest* req, v1::ArticleDiff* resp) override;

 private:
  Content& content_;
  service::GrpcFace face_;
};

}  // namespace osh::content
