#pragma once

#include <grpcpp/support/status.h>

#include <chrono>
#include <functional>
#include <string>

#include "content_events.h"
#include "content_store.h"
#include "osh/content/v1/content.pb.h"
#include "osh/service/call.h"
#include "osh/store/database.h"

namespace osh::content {

using service::Caller;  // principal is null for anonymous readers

// The content library's rules, free of gRPC plumbing: articles with every
// revision kept, the editorial workflow, the public view and its search.
// Every write validates, authorises (auth::AuthorizeEditorial), and commits
// its change, its audit line and its event in one transaction, idempotent on
// the request id.
class Content {
 public:
  struct Options {
    std::string province;  // the province this deployment serves
    int default_page_size = 20;
    int max_page_size = 100;
    size_t max_body_bytes = 1 << 20;
    int max_search_offset = 1000;  // deeper pages are refused: refine the query instead
    // Counting matches stops here: an exact count of a term in most articles
    // costs as much as the search itself and tells a reader nothing more.
    int64_t max_counted_hits = 10000;
    std::function<std::chrono::system_clock::time_point()> clock = [] { return std::chrono::system_clock::now(); };
    std::function<void()> after_commit;  // wakes the outbox relay
  };

  Content(store::Database& db, const ContentStore& store, Options options);

  grpc::Status CreateArticle(const Caller& caller, const v1::CreateArticleRequest& request, v1::Article* response);
  grpc::Status GetArticle(const Caller& caller, const v1::GetArticleRequest& request, v1::Article* response);
  grpc::Status UpdateArticle(const Caller& caller, const v1::UpdateArticleRequest& request, v1::Article* response);
  grpc::Status ListArticles(const Caller& caller, const v1::ListArticlesRequest& request,
                            v1::ListArticlesResponse* response);
  grpc::Status SearchArticles(const Caller& caller, const v1::SearchArticlesRequest& request,
                              v1::SearchArticlesResponse* response);

  grpc::Status SubmitArticle(const Caller& caller, const v1::ArticleTransitionRequest& request,
                             v1::Article* response);
  grpc::Status ReturnArticle(const Caller& caller, const v1::ArticleTransitionRequest& request,
                             v1::Article* response);
  grpc::Status PublishArticle(const Caller& caller, const v1::ArticleTransitionRequest& request,
                              v1::Article* response);
  grpc::Status WithdrawArticle(const Caller& caller, const v1::ArticleTransitionRequest& request,
                               v1::Article* response);

  grpc::Status ListArticleRevisions(const Caller& caller, const v1::ListArticleRevisionsRequest& request,
                                    v1::ListArticleRevisionsResponse* response);
  grpc::Status GetArticleRevision(const Caller& caller, const v1::GetArticleRevisionRequest& request,
                                  v1::ArticleRevision* response);
  grpc::Status DiffArticleRevisions(const Caller& caller, const v1::DiffArticleRevisionsRequest& request,
                                    v1::ArticleDiff* response);

 private:
  enum class Transition { kSubmit, kReturn, kPublish, kWithdraw };
  grpc::Status Transit(const Caller& caller, Transition transition, const v1::ArticleTransitionRequest& request,
                       v1::Article* response);
  void Committed() const;

  store::Database& db_;
  const ContentStore& store_;
  Options options_;
  ContentEvents events_;
};

}  // namespace osh::content
