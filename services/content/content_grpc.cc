#include "content_grpc.h"

#include "osh/service/grpc_front.h"

namespace osh::content {

ContentGrpcService::ContentGrpcService(Content& content, const auth::TokenVerifier& verifier)
    : content_(content), face_(v1::ContentService::service_full_name(), verifier) {}

OSH_GRPC_UNARY(ContentGrpcService, content_, CreateArticle, v1::CreateArticleRequest, v1::Article)
OSH_GRPC_UNARY(ContentGrpcService, content_, GetArticle, v1::GetArticleRequest, v1::Article)
OSH_GRPC_UNARY(ContentGrpcService, content_, UpdateArticle, v1::UpdateArticleRequest, v1::Article)
OSH_GRPC_UNARY(ContentGrpcService, content_, ListArticles, v1::ListArticlesRequest, v1::ListArticlesResponse)
OSH_GRPC_UNARY(ContentGrpcService, content_, SearchArticles, v1::SearchArticlesRequest, v1::SearchArticlesResponse)
OSH_GRPC_UNARY(ContentGrpcService, content_, SubmitArticle, v1::ArticleTransitionRequest, v1::Article)
OSH_GRPC_UNARY(ContentGrpcService, content_, ReturnArticle, v1::ArticleTransitionRequest, v1::Article)
OSH_GRPC_UNARY(ContentGrpcService, content_, PublishArticle, v1::ArticleTransitionRequest, v1::Article)
OSH_GRPC_UNARY(ContentGrpcService, content_, WithdrawArticle, v1::ArticleTransitionRequest, v1::Article)
OSH_GRPC_UNARY(ContentGrpcService, content_, ListArticleRevisions, v1::ListArticleRevisionsRequest,
               v1::ListArticleRevisionsResponse)
OSH_GRPC_UNARY(ContentGrpcService, content_, GetArticleRevision, v1::GetArticleRevisionRequest, v1::ArticleRevision)
OSH_GRPC_UNARY(ContentGrpcService, content_, DiffArticleRevisions, v1::DiffArticleRevisionsRequest, v1::ArticleDiff)

}  // namespace osh::content
