#include "content_grpc.h"

#include "osh/service/grpc_front.h"

namespace osh::content {

ContentGrpcService::ContentGrpcService(Content& content, const auth::TokenVerifier& verifier)
    : content_(content), verifier_(verifier) {}

grpc::ServerUnaryReactor* ContentGrpcService::Serve(Ctx* ctx, const std::function<grpc::Status(const Caller&)>& call) {
  return service::ServeAuthenticated(ctx, verifier_, "content", call);
}

grpc::ServerUnaryReactor* ContentGrpcService::ServePublic(Ctx* ctx,
                                                          const std::function<grpc::Status(const Caller&)>& call) {
  return service::ServeAllowingAnonymous(ctx, verifier_, call);
}

#define OSH_CONTENT_METHOD(Method, Request, Response, Front)                                               \
  grpc::ServerUnaryReactor* ContentGrpcService::Method(Ctx* ctx, const Request* req, Response* resp) {     \
    return Front(ctx, [&](const Caller& c) { return content_.Method(c, *req, resp); });                    \
  }

// Why a macro: twelve methods that differ only in names and in whether anonymous callers pass.
OSH_CONTENT_METHOD(CreateArticle, v1::CreateArticleRequest, v1::Article, Serve)
OSH_CONTENT_METHOD(GetArticle, v1::GetArticleRequest, v1::Article, ServePublic)
OSH_CONTENT_METHOD(UpdateArticle, v1::UpdateArticleRequest, v1::Article, Serve)
OSH_CONTENT_METHOD(ListArticles, v1::ListArticlesRequest, v1::ListArticlesResponse, ServePublic)
OSH_CONTENT_METHOD(SearchArticles, v1::SearchArticlesRequest, v1::SearchArticlesResponse, ServePublic)
OSH_CONTENT_METHOD(SubmitArticle, v1::ArticleTransitionRequest, v1::Article, Serve)
OSH_CONTENT_METHOD(ReturnArticle, v1::ArticleTransitionRequest, v1::Article, Serve)
OSH_CONTENT_METHOD(PublishArticle, v1::ArticleTransitionRequest, v1::Article, Serve)
OSH_CONTENT_METHOD(WithdrawArticle, v1::ArticleTransitionRequest, v1::Article, Serve)
OSH_CONTENT_METHOD(ListArticleRevisions, v1::ListArticleRevisionsRequest, v1::ListArticleRevisionsResponse, Serve)
OSH_CONTENT_METHOD(GetArticleRevision, v1::GetArticleRevisionRequest, v1::ArticleRevision, Serve)
OSH_CONTENT_METHOD(DiffArticleRevisions, v1::DiffArticleRevisionsRequest, v1::ArticleDiff, Serve)

#undef OSH_CONTENT_METHOD

}  // namespace osh::content
