#include "content.h"

#include <fmt/format.h>
#include <google/protobuf/util/field_mask_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>

#include "article_validation.h"
#include "osh/auth/authorize.h"
#include "osh/core/ids.h"
#include "osh/domain/civil_date.h"
#include "osh/domain/regions.h"
#include "osh/domain/text.h"
#include "osh/search/highlight.h"
#include "osh/service/actor.h"
#include "osh/service/checks.h"
#include "osh/service/paging.h"
#include "osh/service/records.h"
#include "text_diff.h"

namespace osh::content {
namespace {

using google::protobuf::util::FieldMaskUtil;
using google::protobuf::util::MessageDifferencer;
using google::protobuf::util::TimeUtil;
using service::Guard;
using service::Idempotent;
using service::Refusal;
using service::Refuse;
using service::ThrowIfInvalid;

auth::Resource ResourceOf(const v1::Article& a, bool published_public = false) {
  return {a.province(), "", published_public};
}

void RequireEditorial(const Caller& caller, auth::Action action, const auth::Resource& resource) {
  const auto decision = auth::AuthorizeEditorial(caller.principal, action, resource);
  if (!decision.allowed) Refuse(grpc::StatusCode::PERMISSION_DENIED, decision.reason);
}

using service::Echo;

// The article `id` for a caller who may `action` the editorial content of
// `province` (this deployment's, where every article lives): others are
// refused before the lookup, whether the article exists or not; an article the
// caller still may not touch is answered like a missing one.
v1::Article ArticleFor(store::Tx& tx, const Caller& caller, auth::Action action, const std::string& province,
                       const std::string& id) {
  RequireEditorial(caller, action, {province, "", false});
  return service::VisibleOrRefuse(ContentStore::FindArticle(tx, id), "article", id, [&](const v1::Article& a) {
    return auth::AuthorizeEditorial(caller.principal, action, ResourceOf(a)).allowed;
  });
}

v1::ArticleRevision RevisionOrRefuse(store::Tx& tx, const std::string& id, int64_t revision) {
  auto r = ContentStore::FindRevision(tx, id, revision);
  if (!r) Refuse(grpc::StatusCode::NOT_FOUND, fmt::format("article {} has no revision {}", Echo(id), revision));
  return std::move(*r);
}

// What anyone may see of a published article: its public revision, without
// who edited it or what is being prepared next.
v1::Article PublicView(const v1::Article& a, const v1::ArticleContent& content) {
  v1::Article view = a;
  *view.mutable_content() = content;
  view.set_status(v1::ARTICLE_STATUS_PUBLISHED);
  view.set_revision(a.published_revision());
  view.set_latest_revision(a.published_revision());
  view.clear_status_reason();
  view.clear_created_by();
  view.clear_updated_by();
  view.clear_version();
  return view;
}

v1::Article WithoutBody(v1::Article a) {
  a.mutable_content()->clear_body();
  return a;
}

std::string ArticleStatusName(int status) {
  const auto* d = v1::ArticleStatus_descriptor()->FindValueByNumber(status);
  return d == nullptr ? std::to_string(status) : d->name().substr(std::string("ARTICLE_STATUS_").size());
}

const std::set<std::string>& ContentFields() {
  static const std::set<std::string> fields = [] {
    std::set<std::string> names;
    const auto* d = v1::ArticleContent::descriptor();
    for (int i = 0; i < d->field_count(); ++i) names.insert(d->field(i)->name());
    return names;
  }();
  return fields;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

template <typename Repeated, typename Name>
std::string ListText(const Repeated& values, Name name) {
  std::vector<std::string> parts;
  for (const auto& v : values) parts.push_back(name(v));
  return Join(parts);
}

std::string EnumText(const google::protobuf::EnumDescriptor* d, int value) {
  const auto* v = d->FindValueByNumber(value);
  return v == nullptr ? std::to_string(value) : v->name();
}

void AddLines(v1::FieldChange* change, const std::vector<DiffLineOut>& lines) {
  for (const auto& l : lines) {
    auto* out = change->add_lines();
    out->set_kind(l.kind == DiffLineOut::Kind::kAdded     ? v1::DiffLine::KIND_ADDED
                  : l.kind == DiffLineOut::Kind::kRemoved ? v1::DiffLine::KIND_REMOVED
                                                          : v1::DiffLine::KIND_CONTEXT);
    out->set_text(l.text);
    out->set_from_line(l.from_line);
    out->set_to_line(l.to_line);
  }
}

std::vector<search::Span> Spans(const std::string& marked, v1::SearchHit* hit, bool title) {
  auto spans = search::SplitMarked(marked);
  for (const auto& s : spans) {
    auto* out = title ? hit->add_title() : hit->add_snippet();
    out->set_text(s.text);
    out->set_match(s.match);
  }
  return spans;
}

}  // namespace

Content::Content(store::Database& db, const ContentStore& store, Options options)
    : db_(db), store_(store), options_(std::move(options)), events_(options_.province) {}

void Content::Committed() const {
  if (options_.after_commit) options_.after_commit();
}

grpc::Status Content::CreateArticle(const Caller& caller, const v1::CreateArticleRequest& request,
                                    v1::Article* response) {
  return Guard(caller, "CreateArticle", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    ValidateContent(request.content(), "content", {.max_body_bytes = options_.max_body_bytes}, errors);
    service::CheckText(request.change_note(), "change_note", 500, false, errors);
    ThrowIfInvalid(errors);
    RequireEditorial(caller, auth::Action::kWrite, {options_.province, "", false});

    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "CreateArticle", request.request_id(), request, response, [&] {
        const auto now = TimeUtil::TimeTToTimestamp(std::chrono::system_clock::to_time_t(options_.clock()));
        v1::Article a;
        a.set_id(core::NewUuidV7(options_.clock()));
        a.set_province(options_.province);
        a.set_status(v1::ARTICLE_STATUS_DRAFT);
        a.set_revision(1);
        a.set_latest_revision(1);
        *a.mutable_content() = request.content();
        a.set_version(1);
        *a.mutable_create_time() = now;
        *a.mutable_update_time() = now;
        *a.mutable_created_by() = service::ActorOf(*caller.principal);
        *a.mutable_updated_by() = a.created_by();

        v1::ArticleRevision r;
        r.set_article_id(a.id());
        r.set_revision(1);
        *r.mutable_content() = request.content();
        *r.mutable_author() = a.created_by();
        *r.mutable_create_time() = now;
        r.set_change_note(request.change_note());

        ContentStore::PutArticle(tx, WithoutBody(a), true);
        ContentStore::InsertRevision(tx, r);
        service::Audit(tx, caller, "create", "article", a.id());
        *response = a;
      });
    });
    Committed();
  });
}

grpc::Status Content::GetArticle(const Caller& caller, const v1::GetArticleRequest& request, v1::Article* response) {
  return Guard(caller, "GetArticle", [&] {
    if (request.id().empty()) throw Refusal{core::InvalidArgument("id", "is required")};
    if (!v1::ArticleView_IsValid(request.view())) throw Refusal{core::InvalidArgument("view", "unknown value")};
    const bool working = request.view() == v1::ARTICLE_VIEW_WORKING;
    db_.Read([&](store::Tx& tx) {
      if (working) {
        const auto a = ArticleFor(tx, caller, auth::Action::kRead, options_.province, request.id());
        *response = a;
        *response->mutable_content() = RevisionOrRefuse(tx, a.id(), a.latest_revision()).content();
        return;
      }
      // Unpublished articles do not exist for the public: same answer as a wrong id.
      const auto a = service::VisibleOrRefuse(ContentStore::FindArticle(tx, request.id()), "published article",
                                              request.id(), [](const v1::Article& found) {
                                                return found.published_revision() > 0;
                                              });
      RequireEditorial(caller, auth::Action::kRead, ResourceOf(a, true));
      *response = PublicView(a, RevisionOrRefuse(tx, a.id(), a.published_revision()).content());
    });
  });
}

grpc::Status Content::UpdateArticle(const Caller& caller, const v1::UpdateArticleRequest& request,
                                    v1::Article* response) {
  return Guard(caller, "UpdateArticle", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    if (request.article().id().empty()) errors.Add("article.id", "is required");
    if (request.article().version() <= 0) errors.Add("article.version", "is required (the version you read)");
    service::CheckText(request.change_note(), "change_note", 500, false, errors);
    google::protobuf::FieldMask mask = request.update_mask();
    if (mask.paths_size() == 0) mask.add_paths("content");
    for (const auto& p : mask.paths()) {
      const bool whole = p == "content";
      const bool field = p.rfind("content.", 0) == 0 && ContentFields().count(p.substr(8)) == 1;
      if (!whole && !field) {
        errors.Add("update_mask", "'" + Echo(p) + "' is not content or a content.<field> path");
      }
    }
    ThrowIfInvalid(errors);

    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "UpdateArticle", request.request_id(), request, response, [&] {
        auto a = ArticleFor(tx, caller, auth::Action::kWrite, options_.province, request.article().id());
        service::RequireVersion("article", a.id(), a.version(), request.article().version());
        if (a.status() == v1::ARTICLE_STATUS_IN_REVIEW) {
          Refuse(grpc::StatusCode::FAILED_PRECONDITION,
                 "article " + a.id() + " is in review; return it to draft before changing it");
        }
        const auto latest = RevisionOrRefuse(tx, a.id(), a.latest_revision());
        v1::Article merged;
        *merged.mutable_content() = latest.content();
        FieldMaskUtil::MergeOptions merge;
        merge.set_replace_message_fields(true);
        merge.set_replace_repeated_fields(true);
        FieldMaskUtil::MergeMessageTo(request.article(), mask, merge, &merged);
        core::FieldErrors merged_errors;
        ValidateContent(merged.content(), "article.content", {.max_body_bytes = options_.max_body_bytes},
                        merged_errors);
        ThrowIfInvalid(merged_errors);
        if (MessageDifferencer::Equals(merged.content(), latest.content())) {
          Refuse(grpc::StatusCode::FAILED_PRECONDITION,
                 "the update changes nothing in revision " + std::to_string(latest.revision()));
        }
        const auto now = TimeUtil::TimeTToTimestamp(std::chrono::system_clock::to_time_t(options_.clock()));
        v1::ArticleRevision r;
        r.set_article_id(a.id());
        r.set_revision(a.latest_revision() + 1);
        *r.mutable_content() = merged.content();
        *r.mutable_author() = service::ActorOf(*caller.principal);
        *r.mutable_create_time() = now;
        r.set_change_note(request.change_note());

        a.set_latest_revision(r.revision());
        a.set_revision(r.revision());
        a.set_status(v1::ARTICLE_STATUS_DRAFT);
        a.clear_status_reason();
        a.set_version(a.version() + 1);
        *a.mutable_update_time() = now;
        *a.mutable_updated_by() = r.author();
        *a.mutable_content() = r.content();
        ContentStore::InsertRevision(tx, r);
        ContentStore::PutArticle(tx, WithoutBody(a), false);
        service::Audit(tx, caller, "update", "article", a.id());
        *response = a;
      });
    });
    Committed();
  });
}

grpc::Status Content::SubmitArticle(const Caller& caller, const v1::ArticleTransitionRequest& request,
                                    v1::Article* response) {
  return Transit(caller, Transition::kSubmit, request, response);
}
grpc::Status Content::ReturnArticle(const Caller& caller, const v1::ArticleTransitionRequest& request,
                                    v1::Article* response) {
  return Transit(caller, Transition::kReturn, request, response);
}
grpc::Status Content::PublishArticle(const Caller& caller, const v1::ArticleTransitionRequest& request,
                                     v1::Article* response) {
  return Transit(caller, Transition::kPublish, request, response);
}
grpc::Status Content::WithdrawArticle(const Caller& caller, const v1::ArticleTransitionRequest& request,
                                      v1::Article* response) {
  return Transit(caller, Transition::kWithdraw, request, response);
}

grpc::Status Content::Transit(const Caller& caller, Transition transition, const v1::ArticleTransitionRequest& request,
                              v1::Article* response) {
  static constexpr const char* kMethods[] = {"SubmitArticle", "ReturnArticle", "PublishArticle", "WithdrawArticle"};
  static constexpr const char* kVerbs[] = {"submit", "return", "publish", "withdraw"};
  const int index = static_cast<int>(transition);
  const char* method = kMethods[index];
  return Guard(caller, method, [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    if (request.id().empty()) errors.Add("id", "is required");
    if (request.version() <= 0) errors.Add("version", "is required (the version you read)");
    const bool needs_reason = transition == Transition::kReturn || transition == Transition::kWithdraw;
    service::CheckText(request.reason(), "reason", 500, needs_reason, errors);
    ThrowIfInvalid(errors);

    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, method, request.request_id(), request, response, [&] {
        // Submitting is part of writing; returning, publishing and withdrawing are editorial review.
        auto a = ArticleFor(tx, caller, transition == Transition::kSubmit ? auth::Action::kWrite : auth::Action::kReview,
                            options_.province, request.id());
        service::RequireVersion("article", a.id(), a.version(), request.version());
        const auto refuse_from = [&](const std::string& allowed) {
          Refuse(grpc::StatusCode::FAILED_PRECONDITION,
                 fmt::format("cannot {} article {}: it is {} (allowed from {})", kVerbs[index], a.id(),
                             ArticleStatusName(a.status()), allowed));
        };
        const auto now_tp = options_.clock();
        const auto now = TimeUtil::TimeTToTimestamp(std::chrono::system_clock::to_time_t(now_tp));
        auto latest = RevisionOrRefuse(tx, a.id(), a.latest_revision());
        switch (transition) {
          case Transition::kSubmit: {
            if (a.status() != v1::ARTICLE_STATUS_DRAFT) refuse_from("DRAFT");
            core::FieldErrors publishable;
            CheckPublishable(latest.content(), publishable);
            ThrowIfInvalid(publishable);
            a.set_status(v1::ARTICLE_STATUS_IN_REVIEW);
            a.clear_status_reason();
            break;
          }
          case Transition::kReturn:
            if (a.status() != v1::ARTICLE_STATUS_IN_REVIEW) refuse_from("IN_REVIEW");
            a.set_status(v1::ARTICLE_STATUS_DRAFT);
            a.set_status_reason(request.reason());
            break;
          case Transition::kPublish: {
            if (a.status() != v1::ARTICLE_STATUS_IN_REVIEW) refuse_from("IN_REVIEW");
            const bool first = a.published_revision() == 0;
            a.set_status(v1::ARTICLE_STATUS_PUBLISHED);
            a.clear_status_reason();
            a.set_published_revision(a.latest_revision());
            *a.mutable_publish_time() = now;
            const auto view = PublicView(a, latest.content());
            store_.Publish(tx, view, domain::ChinaDateOf(now_tp));
            events_.Published(tx, view, first);
            break;
          }
          case Transition::kWithdraw: {
            if (a.published_revision() == 0) refuse_from("a published revision");
            const int64_t was_public = a.published_revision();
            store_.Unpublish(tx, a.id());
            a.set_published_revision(0);
            a.clear_publish_time();
            if (a.status() == v1::ARTICLE_STATUS_PUBLISHED) a.set_status(v1::ARTICLE_STATUS_WITHDRAWN);
            a.set_status_reason(request.reason());
            *a.mutable_update_time() = now;  // the event's withdraw_time
            events_.Withdrawn(tx, a, was_public, request.reason());
            break;
          }
        }
        a.set_version(a.version() + 1);
        *a.mutable_update_time() = now;
        *a.mutable_updated_by() = service::ActorOf(*caller.principal);
        a.set_revision(a.latest_revision());
        *a.mutable_content() = latest.content();
        ContentStore::PutArticle(tx, WithoutBody(a), false);
        service::Audit(tx, caller, kVerbs[index], "article", a.id());
        *response = a;
      });
    });
    Committed();
  });
}

grpc::Status Content::ListArticles(const Caller& caller, const v1::ListArticlesRequest& request,
                                   v1::ListArticlesResponse* response) {
  return Guard(caller, "ListArticles", [&] {
    core::FieldErrors errors;
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    if (!v1::ArticleView_IsValid(request.view())) errors.Add("view", "unknown value");
    if (!v1::ArticleCategory_IsValid(request.category())) errors.Add("category", "unknown value");
    if (!v1::Audience_IsValid(request.audience())) errors.Add("audience", "unknown value");
    if (!common::v1::HazardCategory_IsValid(request.hazard_category())) errors.Add("hazard_category", "unknown value");
    if (!v1::ArticleStatus_IsValid(request.status())) errors.Add("status", "unknown value");
    if (!request.locale().empty() && request.locale() != "zh-CN" && request.locale() != "en") {
      errors.Add("locale", "must be zh-CN or en");
    }
    const bool working = request.view() == v1::ARTICLE_VIEW_WORKING;
    if (!working && request.status() != 0) errors.Add("status", "filters the WORKING view only");
    const std::string fingerprint =
        fmt::format("list|{}|{}|{}|{}|{}|{}", static_cast<int>(request.view()), static_cast<int>(request.category()),
                    static_cast<int>(request.audience()), static_cast<int>(request.hazard_category()),
                    request.locale(), static_cast<int>(request.status()));
    const auto after = service::TimeKeyOf(service::PagePosition(request.page_token(), fingerprint, errors), errors);
    if (working && (request.audience() != 0 || request.hazard_category() != 0)) {
      errors.Add(request.audience() != 0 ? "audience" : "hazard_category", "filters the PUBLISHED view only");
    }
    ThrowIfInvalid(errors);

    std::vector<v1::Article> rows;
    if (working) {
      RequireEditorial(caller, auth::Action::kRead, {options_.province, "", false});
      rows = db_.Read([&](store::Tx& tx) {
        return ContentStore::ListWorking(tx, options_.province, request.status(), request.category(), request.locale(),
                                         after.seconds, after.id, page_size + 1);
      });
    } else {
      PublishedFilter filter{.category = request.category(),
                             .audience = request.audience(),
                             .hazard_category = request.hazard_category(),
                             .locale = request.locale()};
      rows = db_.Read([&](store::Tx& tx) {
        return ContentStore::ListPublished(tx, filter, after.seconds, after.id, page_size + 1);
      });
    }
    response->set_next_page_token(service::TrimPage(rows, page_size, fingerprint, [&](const v1::Article& a) {
      return service::EncodeTimeKey(working ? a.update_time().seconds() : a.publish_time().seconds(), a.id());
    }));
    for (auto& a : rows) *response->add_articles() = std::move(a);
  });
}

grpc::Status Content::SearchArticles(const Caller& caller, const v1::SearchArticlesRequest& request,
                                     v1::SearchArticlesResponse* response) {
  return Guard(caller, "SearchArticles", [&] {
    core::FieldErrors errors;
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    std::string query_error;
    const auto query = search::ParseQuery(request.query(), {}, &query_error);
    if (!query) errors.Add("query", query_error);
    if (!v1::ArticleCategory_IsValid(request.category())) errors.Add("category", "unknown value");
    if (!v1::Audience_IsValid(request.audience())) errors.Add("audience", "unknown value");
    if (!common::v1::HazardCategory_IsValid(request.hazard_category())) errors.Add("hazard_category", "unknown value");
    if (!request.locale().empty() && request.locale() != "zh-CN" && request.locale() != "en") {
      errors.Add("locale", "must be zh-CN or en");
    }
    if (!request.province().empty() && domain::FindProvince(request.province()) == nullptr) {
      errors.Add("province", "must be a 2-digit GB/T 2260 province code");
    }
    for (const auto* field : {&request.published_from(), &request.published_to()}) {
      if (!field->empty() && !domain::IsCivilDate(*field)) {
        errors.Add(field == &request.published_from() ? "published_from" : "published_to", "must be YYYY-MM-DD");
      }
    }
    if (domain::IsCivilDate(request.published_from()) && domain::IsCivilDate(request.published_to()) &&
        request.published_from() > request.published_to()) {
      errors.Add("published_to", "is before published_from");
    }
    v1::SearchArticlesRequest identity = request;
    identity.clear_page_token();
    identity.clear_page_size();
    const std::string fingerprint = "search|" + identity.SerializeAsString();
    const std::string position = service::PagePosition(request.page_token(), fingerprint, errors);
    int offset = 0;
    if (!position.empty()) {
      try {
        offset = std::stoi(position);
      } catch (const std::exception&) {
        errors.Add("page_token", "is not a token from this search");
      }
    }
    if (offset > options_.max_search_offset) {
      errors.Add("page_token", "goes deeper than " + std::to_string(options_.max_search_offset) +
                                   " results; narrow the query or add filters");
    }
    ThrowIfInvalid(errors);
    RequireEditorial(caller, auth::Action::kRead, {options_.province, "", true});

    const PublishedFilter filter{.category = request.category(),
                                 .audience = request.audience(),
                                 .hazard_category = request.hazard_category(),
                                 .locale = request.locale(),
                                 .province = request.province(),
                                 .published_from = request.published_from(),
                                 .published_to = request.published_to()};
    auto rows = db_.Read([&](store::Tx& tx) {
      auto found = store_.Search(tx, *query, filter, offset, page_size + 1);
      if (offset == 0 && static_cast<int>(found.size()) <= page_size) {
        response->set_total_hits(static_cast<int64_t>(found.size()));
      } else {
        const int64_t counted = store_.CountMatches(tx, *query, filter, options_.max_counted_hits);
        response->set_total_hits(std::min(counted, options_.max_counted_hits));
        response->set_total_hits_capped(counted > options_.max_counted_hits);
      }
      return found;
    });
    if (static_cast<int>(rows.size()) > page_size) {
      rows.resize(static_cast<size_t>(page_size));
      response->set_next_page_token(core::EncodePageToken(std::to_string(offset + page_size), fingerprint));
    }
    for (auto& row : rows) {
      auto* hit = response->add_hits();
      *hit->mutable_article() = std::move(row.article);
      hit->set_score(row.score);
      Spans(row.marked_title, hit, true);
      Spans(row.marked_snippet, hit, false);
    }
  });
}

grpc::Status Content::ListArticleRevisions(const Caller& caller, const v1::ListArticleRevisionsRequest& request,
                                           v1::ListArticleRevisionsResponse* response) {
  return Guard(caller, "ListArticleRevisions", [&] {
    core::FieldErrors errors;
    if (request.id().empty()) errors.Add("id", "is required");
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    const std::string fingerprint = "revisions|" + request.id();
    const std::string position = service::PagePosition(request.page_token(), fingerprint, errors);
    int64_t before = 0;
    if (!position.empty()) {
      try {
        before = std::stoll(position);
      } catch (const std::exception&) {
        errors.Add("page_token", "is not a token from this listing");
      }
    }
    ThrowIfInvalid(errors);
    auto rows = db_.Read([&](store::Tx& tx) {
      const auto a = ArticleFor(tx, caller, auth::Action::kRead, options_.province, request.id());
      return ContentStore::ListRevisions(tx, a.id(), before, page_size + 1);
    });
    response->set_next_page_token(service::TrimPage(
        rows, page_size, fingerprint, [](const v1::ArticleRevision& r) { return std::to_string(r.revision()); }));
    for (auto& r : rows) {
      r.mutable_content()->clear_body();
      *response->add_revisions() = std::move(r);
    }
  });
}

grpc::Status Content::GetArticleRevision(const Caller& caller, const v1::GetArticleRevisionRequest& request,
                                         v1::ArticleRevision* response) {
  return Guard(caller, "GetArticleRevision", [&] {
    core::FieldErrors errors;
    if (request.id().empty()) errors.Add("id", "is required");
    if (request.revision() <= 0) errors.Add("revision", "must be 1 or more");
    ThrowIfInvalid(errors);
    *response = db_.Read([&](store::Tx& tx) {
      const auto a = ArticleFor(tx, caller, auth::Action::kRead, options_.province, request.id());
      return RevisionOrRefuse(tx, a.id(), request.revision());
    });
  });
}

grpc::Status Content::DiffArticleRevisions(const Caller& caller, const v1::DiffArticleRevisionsRequest& request,
                                           v1::ArticleDiff* response) {
  return Guard(caller, "DiffArticleRevisions", [&] {
    core::FieldErrors errors;
    if (request.id().empty()) errors.Add("id", "is required");
    if (request.from_revision() <= 0) errors.Add("from_revision", "must be 1 or more");
    if (request.to_revision() < 0) errors.Add("to_revision", "must be 0 (the newest) or more");
    ThrowIfInvalid(errors);
    v1::ArticleRevision from;
    v1::ArticleRevision to;
    db_.Read([&](store::Tx& tx) {
      const auto a = ArticleFor(tx, caller, auth::Action::kRead, options_.province, request.id());
      from = RevisionOrRefuse(tx, a.id(), request.from_revision());
      to = RevisionOrRefuse(tx, a.id(), request.to_revision() == 0 ? a.latest_revision() : request.to_revision());
    });
    response->set_article_id(request.id());
    response->set_from_revision(from.revision());
    response->set_to_revision(to.revision());
    const auto& x = from.content();
    const auto& y = to.content();
    const auto scalar = [&](const char* field, const std::string& before, const std::string& after) {
      if (before == after) return;
      auto* change = response->add_changes();
      change->set_field(field);
      change->set_from_value(before);
      change->set_to_value(after);
    };
    const auto text = [&](const char* field, const std::string& before, const std::string& after) {
      if (before == after) return;
      auto* change = response->add_changes();
      change->set_field(field);
      AddLines(change, DiffLines(before, after));
    };
    const auto name = [](const google::protobuf::EnumDescriptor* d) {
      return [d](int v) { return EnumText(d, v); };
    };
    const auto same = [](const std::string& s) { return s; };
    scalar("title", x.title(), y.title());
    text("summary", x.summary(), y.summary());
    text("body", x.body(), y.body());
    scalar("body_format", EnumText(v1::BodyFormat_descriptor(), x.body_format()),
           EnumText(v1::BodyFormat_descriptor(), y.body_format()));
    scalar("category", EnumText(v1::ArticleCategory_descriptor(), x.category()),
           EnumText(v1::ArticleCategory_descriptor(), y.category()));
    scalar("tags", ListText(x.tags(), same), ListText(y.tags(), same));
    scalar("audiences", ListText(x.audiences(), name(v1::Audience_descriptor())),
           ListText(y.audiences(), name(v1::Audience_descriptor())));
    scalar("hazard_categories", ListText(x.hazard_categories(), name(common::v1::HazardCategory_descriptor())),
           ListText(y.hazard_categories(), name(common::v1::HazardCategory_descriptor())));
    scalar("locale", x.locale(), y.locale());
    scalar("source", x.source(), y.source());
    scalar("source_url", x.source_url(), y.source_url());
    scalar("source_date", x.source_date(), y.source_date());
    const auto attachment = [](const v1::Attachment& at) { return at.name() + " <" + at.url() + ">"; };
    scalar("attachments", ListText(x.attachments(), attachment), ListText(y.attachments(), attachment));
  });
}

}  // namespace osh::content
