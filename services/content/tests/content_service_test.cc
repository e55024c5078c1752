// osh-content over real gRPC: the editorial workflow, revisions, access,
// bad input, paging, search and the events each change leaves in the outbox.
#include "content_fixture.h"
#include "osh/events/outbox.h"
#include "osh/events/v1/content_events.pb.h"
#include "osh/service/records.h"

namespace osh::content::testing {
namespace {

class ContentServiceTest : public ContentFixture {
 protected:
  grpc::Status GetPublic(const std::string& id, v1::Article* out, const std::string& token = "") {
    v1::GetArticleRequest req;
    req.set_id(id);
    return stub_->GetArticle(Ctx(token).get(), req, out);
  }

  grpc::Status GetWorking(const std::string& id, v1::Article* out, const std::string& token) {
    v1::GetArticleRequest req;
    req.set_id(id);
    req.set_view(v1::ARTICLE_VIEW_WORKING);
    return stub_->GetArticle(Ctx(token).get(), req, out);
  }

  grpc::Status Update(const v1::Article& a, const std::string& title, const std::string& body, v1::Article* out,
                      const std::string& token = "") {
    v1::UpdateArticleRequest req;
    req.mutable_article()->set_id(a.id());
    req.mutable_article()->set_version(a.version());
    req.mutable_article()->mutable_content()->set_title(title);
    req.mutable_article()->mutable_content()->set_body(body);
    req.mutable_update_mask()->add_paths("content.title");
    req.mutable_update_mask()->add_paths("content.body");
    req.set_change_note("edit");
    return stub_->UpdateArticle(Ctx(token.empty() ? editor_ : token).get(), req, out);
  }

  std::vector<events::Event> OutboxEvents() {
    return db_->Read([](store::Tx& tx) {
      std::vector<events::Event> out;
      for (auto& row : events::Outbox::Pending(tx, 0, 100)) out.push_back(row.event);
      return out;
    });
  }

  v1::SearchArticlesResponse Search(const std::string& query, const std::string& token = "",
                                    const std::function<void(v1::SearchArticlesRequest&)>& more = {}) {
    v1::SearchArticlesRequest req;
    req.set_query(query);
    if (more) more(req);
    v1::SearchArticlesResponse out;
    auto status = stub_->SearchArticles(Ctx(token).get(), req, &out);
    EXPECT_TRUE(status.ok()) << query << ": " << status.error_message();
    return out;
  }
};

TEST_F(ContentServiceTest, DraftIsInvisibleToThePublicUntilPublished) {
  const auto a = Create(Sample("粉尘防护知识", "正确佩戴防尘口罩。"));
  EXPECT_EQ(a.status(), v1::ARTICLE_STATUS_DRAFT);
  EXPECT_EQ(a.revision(), 1);
  EXPECT_EQ(a.province(), "44");
  EXPECT_EQ(a.created_by().subject(), "editor44");

  v1::Article out;
  EXPECT_EQ(GetPublic(a.id(), &out).error_code(), grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(GetWorking(a.id(), &out, editor_).ok());
  EXPECT_EQ(out.content().body(), "正确佩戴防尘口罩。");

  v1::Article submitted, published;
  ASSERT_TRUE(Transition("submit", a, &submitted).ok());
  EXPECT_EQ(submitted.status(), v1::ARTICLE_STATUS_IN_REVIEW);
  ASSERT_TRUE(Transition("publish", submitted, &published).ok());
  EXPECT_EQ(published.status(), v1::ARTICLE_STATUS_PUBLISHED);
  EXPECT_EQ(published.published_revision(), 1);

  ASSERT_TRUE(GetPublic(a.id(), &out).ok());  // no token at all
  EXPECT_EQ(out.content().title(), "粉尘防护知识");
  EXPECT_EQ(out.content().body(), "正确佩戴防尘口罩。");
  EXPECT_FALSE(out.has_created_by()) << "the public does not see who edits";
}

TEST_F(ContentServiceTest, EditsOfAPublishedArticleStayPrivateUntilPublishedAgain) {
  const auto p = Publish(Sample("噪声危害", "第一版"));
  v1::Article edited;
  ASSERT_TRUE(Update(p, "噪声危害与防护", "第二版", &edited).ok());
  EXPECT_EQ(edited.status(), v1::ARTICLE_STATUS_DRAFT);
  EXPECT_EQ(edited.latest_revision(), 2);
  EXPECT_EQ(edited.published_revision(), 1);

  v1::Article out;
  ASSERT_TRUE(GetPublic(p.id(), &out).ok());
  EXPECT_EQ(out.content().body(), "第一版");
  EXPECT_EQ(out.revision(), 1);
  EXPECT_EQ(Search("第二版").hits_size(), 0);
  EXPECT_EQ(Search("第一版").hits_size(), 1);

  v1::Article submitted, republished;
  ASSERT_TRUE(Transition("submit", edited, &submitted).ok());
  ASSERT_TRUE(Transition("publish", submitted, &republished).ok());
  ASSERT_TRUE(GetPublic(p.id(), &out).ok());
  EXPECT_EQ(out.content().body(), "第二版");
  EXPECT_EQ(Search("第一版").hits_size(), 0);
  EXPECT_EQ(Search("第二版").hits_size(), 1);

  v1::Article withdrawn;
  ASSERT_TRUE(Transition("withdraw", republished, &withdrawn, "superseded by a new notice").ok());
  EXPECT_EQ(withdrawn.status(), v1::ARTICLE_STATUS_WITHDRAWN);
  EXPECT_EQ(withdrawn.status_reason(), "superseded by a new notice");
  EXPECT_EQ(GetPublic(p.id(), &out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Search("第二版").hits_size(), 0);

  // Every change was audited: create, submit, publish, update, submit, publish, withdraw.
  EXPECT_EQ(db_->Read([&](store::Tx& tx) { return service::CountAudit(tx, p.id()); }), 7);
}

TEST_F(ContentServiceTest, IllegalTransitionsAreFailedPrecondition) {
  const auto a = Create(Sample("标题", "正文"));
  v1::Article out;
  auto s = Transition("publish", a, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("it is DRAFT (allowed from IN_REVIEW)"), std::string::npos) << s.error_message();
  EXPECT_EQ(Transition("return", a, &out, "why").error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Transition("withdraw", a, &out, "why").error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  v1::Article in_review;
  ASSERT_TRUE(Transition("submit", a, &in_review).ok());
  EXPECT_EQ(Transition("submit", in_review, &out).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Update(in_review, "新标题", "正文", &out).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // Returning needs a reason; it then goes back to draft with the reason shown to the author.
  auto no_reason = Transition("return", in_review, &out);
  EXPECT_EQ(no_reason.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(no_reason.error_message().find("reason"), std::string::npos);
  v1::Article returned;
  ASSERT_TRUE(Transition("return", in_review, &returned, "cite the standard").ok());
  EXPECT_EQ(returned.status(), v1::ARTICLE_STATUS_DRAFT);
  EXPECT_EQ(returned.status_reason(), "cite the standard");
  // A stale version is refused.
  EXPECT_EQ(Transition("submit", a, &out).error_code(), grpc::StatusCode::ABORTED);
}

TEST_F(ContentServiceTest, AnEmptyBodyCannotGoToReview) {
  const auto a = Create(Sample("只有标题", ""));
  v1::Article out;
  auto s = Transition("submit", a, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("content.body"), std::string::npos) << s.error_message();
}

TEST_F(ContentServiceTest, OnlyEditorsOfTheProvinceWrite) {
  v1::CreateArticleRequest req;
  *req.mutable_content() = Sample("标题", "正文");
  v1::Article out;
  EXPECT_EQ(stub_->CreateArticle(Ctx("").get(), req, &out).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(stub_->CreateArticle(Ctx(inspector_).get(), req, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->CreateArticle(Ctx(other_editor_).get(), req, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->CreateArticle(Ctx(national_).get(), req, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->CreateArticle(Ctx(Token("employer", "44", "91440101MA59UQXX1A")).get(), req, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub_->CreateArticle(Ctx(admin_).get(), req, &out).ok());

  v1::Article got;
  EXPECT_EQ(GetWorking(out.id(), &got, inspector_).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetWorking(out.id(), &got, other_editor_).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(GetWorking(out.id(), &got, national_).ok()) << "national roles read every province";
  v1::Article submitted;
  EXPECT_EQ(Transition("submit", out, &submitted, "", other_editor_).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Transition("submit", out, &submitted).ok());
  v1::Article published;
  EXPECT_EQ(Transition("publish", submitted, &published, "", inspector_).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Transition("publish", submitted, &published, "", national_).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ContentServiceTest, BadInputNamesTheFieldAndWritesNothing) {
  struct Case {
    std::function<void(v1::ArticleContent&)> spoil;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](auto& c) { c.set_title(""); }, "content.title"},
      {[](auto& c) { c.set_title("  \x01 bell"); }, "content.title"},
      {[](auto& c) { c.set_body(std::string(64 * 1024 + 1, 'x')); }, "content.body"},
      {[](auto& c) { c.set_category(v1::ARTICLE_CATEGORY_UNSPECIFIED); }, "content.category"},
      {[](auto& c) { c.set_locale("fr"); }, "content.locale"},
      {[](auto& c) { c.add_tags("职业健康"); }, "content.tags[1]"},
      {[](auto& c) { c.add_audiences(static_cast<v1::Audience>(99)); }, "content.audiences[1]"},
      {[](auto& c) { c.set_source_date("2024-02-30"); }, "content.source_date"},
      {[](auto& c) { c.set_source_url("javascript:alert(1)"); }, "content.source_url"},
      {[](auto& c) {
         auto* at = c.add_attachments();
         at->set_name("a.pdf");
         at->set_media_type("application/pdf");
         at->set_url("../../etc/passwd");
       },
       "content.attachments[0].url"},
  };
  for (const auto& c : cases) {
    v1::CreateArticleRequest req;
    *req.mutable_content() = Sample("标题", "正文");
    c.spoil(*req.mutable_content());
    v1::Article out;
    auto status = stub_->CreateArticle(Ctx(editor_).get(), req, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_NE(status.error_message().find(c.field), std::string::npos) << status.error_message();
  }
  v1::ListArticlesRequest list;
  list.set_view(v1::ARTICLE_VIEW_WORKING);
  v1::ListArticlesResponse listed;
  ASSERT_TRUE(stub_->ListArticles(Ctx(editor_).get(), list, &listed).ok());
  EXPECT_EQ(listed.articles_size(), 0);
}

TEST_F(ContentServiceTest, InvalidUtf8IsRefusedByTheServiceItself) {
  // gRPC's C++ client would refuse to send it, so call the business layer directly.
  auth::Principal editor{"editor44", auth::Role::kEditor, "44", ""};
  v1::CreateArticleRequest req;
  *req.mutable_content() = Sample("标题", std::string("正文\xC0\xAF"));
  v1::Article out;
  auto status = content_->CreateArticle({&editor, "r1"}, req, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("content.body"), std::string::npos);
  EXPECT_NE(status.error_message().find("UTF-8"), std::string::npos) << status.error_message();
}

TEST_F(ContentServiceTest, RetriedCreateReturnsTheFirstAnswer) {
  v1::CreateArticleRequest req;
  *req.mutable_content() = Sample("标题", "正文");
  req.set_request_id("create-once");
  v1::Article first, second;
  ASSERT_TRUE(stub_->CreateArticle(Ctx(editor_).get(), req, &first).ok());
  ASSERT_TRUE(stub_->CreateArticle(Ctx(editor_).get(), req, &second).ok());
  EXPECT_EQ(first.id(), second.id());
  req.mutable_content()->set_title("另一个标题");
  EXPECT_EQ(stub_->CreateArticle(Ctx(editor_).get(), req, &second).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ContentServiceTest, RevisionsAreKeptAndDiffable) {
  auto a = Create(Sample("旧标题", "第一行\n第二行\n第三行\n"));
  v1::Article b;
  ASSERT_TRUE(Update(a, "新标题", "第一行\n第二行（修订）\n第三行\n", &b).ok());
  v1::Article unchanged;
  EXPECT_EQ(Update(b, "新标题", "第一行\n第二行（修订）\n第三行\n", &unchanged).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  v1::ListArticleRevisionsRequest list;
  list.set_id(a.id());
  v1::ListArticleRevisionsResponse revisions;
  ASSERT_TRUE(stub_->ListArticleRevisions(Ctx(editor_).get(), list, &revisions).ok());
  ASSERT_EQ(revisions.revisions_size(), 2);
  EXPECT_EQ(revisions.revisions(0).revision(), 2);
  EXPECT_EQ(revisions.revisions(0).change_note(), "edit");
  EXPECT_TRUE(revisions.revisions(0).content().body().empty()) << "lists leave bodies out";

  v1::GetArticleRevisionRequest get;
  get.set_id(a.id());
  get.set_revision(1);
  v1::ArticleRevision first;
  ASSERT_TRUE(stub_->GetArticleRevision(Ctx(editor_).get(), get, &first).ok());
  EXPECT_EQ(first.content().title(), "旧标题");
  EXPECT_EQ(stub_->GetArticleRevision(Ctx("").get(), get, &first).error_code(), grpc::StatusCode::UNAUTHENTICATED);

  v1::DiffArticleRevisionsRequest diff_req;
  diff_req.set_id(a.id());
  diff_req.set_from_revision(1);
  v1::ArticleDiff diff;
  ASSERT_TRUE(stub_->DiffArticleRevisions(Ctx(editor_).get(), diff_req, &diff).ok());
  EXPECT_EQ(diff.to_revision(), 2);
  ASSERT_EQ(diff.changes_size(), 2);
  EXPECT_EQ(diff.changes(0).field(), "title");
  EXPECT_EQ(diff.changes(0).from_value(), "旧标题");
  EXPECT_EQ(diff.changes(0).to_value(), "新标题");
  EXPECT_EQ(diff.changes(1).field(), "body");
  int removed = 0, added = 0;
  for (const auto& line : diff.changes(1).lines()) {
    if (line.kind() == v1::DiffLine::KIND_REMOVED) {
      ++removed;
      EXPECT_EQ(line.text(), "第二行");
      EXPECT_EQ(line.from_line(), 2);
    }
    if (line.kind() == v1::DiffLine::KIND_ADDED) {
      ++added;
      EXPECT_EQ(line.text(), "第二行（修订）");
    }
  }
  EXPECT_EQ(removed, 1);
  EXPECT_EQ(added, 1);
  diff_req.set_to_revision(7);
  EXPECT_EQ(stub_->DiffArticleRevisions(Ctx(editor_).get(), diff_req, &diff).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ContentServiceTest, PublishedListPagesNewestFirstWithFilters) {
  for (int i = 0; i < 5; ++i) {
    auto c = Sample("文章" + std::to_string(i), "正文");
    if (i % 2 == 0) c.add_audiences(v1::AUDIENCE_MIGRANT_WORKERS);
    Publish(c);
  }
  Create(Sample("草稿", "正文"));  // never listed publicly

  std::vector<std::string> titles;
  v1::ListArticlesRequest req;
  req.set_page_size(2);
  for (int page = 0; page < 4; ++page) {
    v1::ListArticlesResponse resp;
    ASSERT_TRUE(stub_->ListArticles(Ctx("").get(), req, &resp).ok());
    for (const auto& a : resp.articles()) {
      titles.push_back(a.content().title());
      EXPECT_TRUE(a.content().body().empty());
    }
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  EXPECT_EQ(titles.size(), 5u);

  v1::ListArticlesRequest migrants;
  migrants.set_audience(v1::AUDIENCE_MIGRANT_WORKERS);
  v1::ListArticlesResponse resp;
  ASSERT_TRUE(stub_->ListArticles(Ctx("").get(), migrants, &resp).ok());
  EXPECT_EQ(resp.articles_size(), 3);
  // A token is bound to its filters.
  migrants.set_page_token(req.page_token());
  EXPECT_EQ(stub_->ListArticles(Ctx("").get(), migrants, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::ListArticlesRequest working;
  working.set_view(v1::ARTICLE_VIEW_WORKING);
  working.set_status(v1::ARTICLE_STATUS_DRAFT);
  EXPECT_EQ(stub_->ListArticles(Ctx("").get(), working, &resp).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub_->ListArticles(Ctx(editor_).get(), working, &resp).ok());
  ASSERT_EQ(resp.articles_size(), 1);
  EXPECT_EQ(resp.articles(0).content().title(), "草稿");
}

TEST_F(ContentServiceTest, SearchFindsHighlightsFiltersAndPages) {
  auto dust = Sample("尘肺病的预防", "尘肺病是长期吸入生产性粉尘引起的疾病。");
  dust.set_category(v1::ARTICLE_CATEGORY_SCIENCE);
  Publish(dust);
  auto noise = Sample("噪声聋", "噪声作业工人应佩戴护耳器。");
  noise.set_category(v1::ARTICLE_CATEGORY_NEWS);
  noise.clear_hazard_categories();
  noise.add_hazard_categories(common::v1::HAZARD_CATEGORY_PHYSICAL);
  Publish(noise);
  auto english = Sample("Preventing pneumoconiosis", "Dust control and respirators prevent pneumoconiosis.");
  english.set_locale("en");
  Publish(english);

  auto hits = Search("尘肺病");
  ASSERT_EQ(hits.hits_size(), 1);
  EXPECT_EQ(hits.total_hits(), 1);
  const auto& title = hits.hits(0).title();
  ASSERT_GE(title.size(), 1);
  EXPECT_EQ(title[0].text(), "尘肺病");
  EXPECT_TRUE(title[0].match());
  bool snippet_matched = false;
  for (const auto& s : hits.hits(0).snippet()) snippet_matched = snippet_matched || (s.match() && s.text() == "尘肺病");
  EXPECT_TRUE(snippet_matched);
  EXPECT_GT(hits.hits(0).score(), 0);

  EXPECT_EQ(Search("聋").hits_size(), 1);  // one character
  EXPECT_EQ(Search("粉尘").hits_size(), 1);  // two characters, inside 生产性粉尘引起
  EXPECT_EQ(Search("PNEUMOCONIOSIS").hits_size(), 1);
  EXPECT_EQ(Search("粉尘", "", [](auto& r) { r.set_category(v1::ARTICLE_CATEGORY_NEWS); }).hits_size(), 0);
  EXPECT_EQ(Search("工人", "", [](auto& r) { r.set_hazard_category(common::v1::HAZARD_CATEGORY_PHYSICAL); }).hits_size(),
            1);
  EXPECT_EQ(Search("dust", "", [](auto& r) { r.set_locale("zh-CN"); }).hits_size(), 0);
  EXPECT_EQ(Search("尘肺病", "", [](auto& r) { r.set_published_to("2000-01-01"); }).hits_size(), 0);

  v1::SearchArticlesRequest page_req;
  page_req.set_query("摘要");  // every sample's summary
  page_req.set_page_size(2);
  v1::SearchArticlesResponse page1, page2;
  ASSERT_TRUE(stub_->SearchArticles(Ctx("").get(), page_req, &page1).ok());
  EXPECT_EQ(page1.total_hits(), 3);
  EXPECT_FALSE(page1.total_hits_capped());
  EXPECT_EQ(page1.hits_size(), 2);
  ASSERT_FALSE(page1.next_page_token().empty());
  page_req.set_page_token(page1.next_page_token());
  ASSERT_TRUE(stub_->SearchArticles(Ctx("").get(), page_req, &page2).ok());
  ASSERT_EQ(page2.hits_size(), 1);
  EXPECT_NE(page1.hits(0).article().id(), page2.hits(0).article().id());
  EXPECT_NE(page1.hits(1).article().id(), page2.hits(0).article().id());
  EXPECT_TRUE(page2.next_page_token().empty());

  v1::SearchArticlesRequest bad;
  bad.set_query("  ，。 ");
  v1::SearchArticlesResponse out;
  auto status = stub_->SearchArticles(Ctx("").get(), bad, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("query"), std::string::npos);
  bad.set_query("x");
  bad.set_published_from("2024-13-01");
  EXPECT_EQ(stub_->SearchArticles(Ctx("").get(), bad, &out).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

class CappedCountTest : public ContentServiceTest {
 protected:
  Content::Options MakeOptions() override {
    auto options = ContentServiceTest::MakeOptions();
    options.max_counted_hits = 2;
    return options;
  }
};

TEST_F(CappedCountTest, CountingStopsAtTheCapAndSaysSo) {
  for (int i = 0; i < 3; ++i) Publish(Sample("文章" + std::to_string(i), "正文"));
  v1::SearchArticlesRequest req;
  req.set_query("摘要");
  req.set_page_size(1);
  v1::SearchArticlesResponse resp;
  ASSERT_TRUE(stub_->SearchArticles(Ctx("").get(), req, &resp).ok());
  EXPECT_EQ(resp.total_hits(), 2);
  EXPECT_TRUE(resp.total_hits_capped());
  req.set_query("文章1");
  ASSERT_TRUE(stub_->SearchArticles(Ctx("").get(), req, &resp).ok());
  EXPECT_EQ(resp.total_hits(), 1);
  EXPECT_FALSE(resp.total_hits_capped());
}

TEST_F(ContentServiceTest, PublishAndWithdrawLeaveTheirEventsInTheOutbox) {
  const auto p = Publish(Sample("尘肺病", "正文"));
  v1::Article withdrawn;
  ASSERT_TRUE(Transition("withdraw", p, &withdrawn, "outdated").ok());
  const auto events = OutboxEvents();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, "osh.events.v1.ArticlePublished");
  EXPECT_EQ(events[0].topic, "osh.content.events");
  EXPECT_EQ(events[0].key, p.id());
  EXPECT_EQ(events[0].source, "osh://44/content");
  events::v1::ArticlePublished published;
  ASSERT_TRUE(published.ParseFromString(events[0].payload));
  EXPECT_EQ(published.title(), "尘肺病");
  EXPECT_TRUE(published.first_publication());
  EXPECT_EQ(published.category(), v1::ARTICLE_CATEGORY_SCIENCE);
  EXPECT_EQ(events[1].type, "osh.events.v1.ArticleWithdrawn");
  events::v1::ArticleWithdrawn w;
  ASSERT_TRUE(w.ParseFromString(events[1].payload));
  EXPECT_EQ(w.reason(), "outdated");
  EXPECT_EQ(w.revision(), 1);
}

TEST_F(ContentServiceTest, PublishedContentSurvivesARestart) {
  const auto p = Publish(Sample("重启之后", "仍然可以搜索到。"));
  Restart();
  v1::Article out;
  ASSERT_TRUE(GetPublic(p.id(), &out).ok());
  EXPECT_EQ(Search("搜索").hits_size(), 1);
}

}  // namespace
}  // namespace osh::content::testing
