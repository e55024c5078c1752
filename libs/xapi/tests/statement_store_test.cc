#include "osh/xapi/statement_store.h"

#include <gtest/gtest.h>

#include "osh/store/testing/postgres.h"
#include "osh/store/testing/scratch_dir.h"
#include "osh/xapi/formats.h"
#include "osh/xapi/validation.h"

namespace osh::xapi {
namespace {

using nlohmann::json;

class StatementStoreTest : public ::testing::Test {
 protected:
  StatementStoreTest()
      : dir_("xapi-store"),
        database_(dir_.File("xapi.db")),
        db_(store::Database::Open(database_.Options(), StatementStore::Migrations())),
        store_(*db_, [this] { return now_; }) {}

  // A statement as the handler would complete it.
  static NewStatement Make(const std::string& id, const std::string& actor_mail, const std::string& verb,
                           const std::string& activity) {
    json s = {{"id", id},
              {"actor", {{"mbox", "mailto:" + actor_mail}}},
              {"verb", {{"id", verb}}},
              {"object", {{"id", activity}}}};
    return NewStatement{s, s};
  }
  // The store's clock at `second` past a fixed instant.
  void At(int second) { now_ = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000 + second)); }
  static int64_t Micros(int second) { return (int64_t{1'700'000'000} + second) * 1'000'000; }
  static std::string Id(int n) {
    char buf[37];
    std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012d", n);
    return buf;
  }
  std::vector<std::string> Ids(const StatementPage& page) {
    std::vector<std::string> out;
    for (const auto& s : page.statements) out.push_back(s["id"]);
    return out;
  }

  std::chrono::system_clock::time_point now_ = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  store::testing::ScratchDir dir_;
  // The SQLite file, or under the label postgres a PostgreSQL database.
  store::testing::TestDatabase database_;
  std::unique_ptr<store::Database> db_;
  StatementStore store_;
};

TEST_F(StatementStoreTest, SameIdSameContentIsNoChangeOtherContentConflicts) {
  auto first = Make(Id(1), "a@example.com", "http://v/done", "http://act/1");
  At(1);
  EXPECT_EQ(store_.Save("44", {first}).outcome, SaveResult::Outcome::kStored);
  At(2);
  EXPECT_EQ(store_.Save("44", {first}).outcome, SaveResult::Outcome::kStored);
  const auto stored = store_.Get("44", Id(1), false);
  EXPECT_EQ(stored->at("stored"), FormatTimestamp(Micros(1)));  // unchanged
  EXPECT_EQ(stored->at("timestamp"), FormatTimestamp(Micros(1)));

  auto other = Make(Id(1), "b@example.com", "http://v/done", "http://act/1");
  auto fresh = Make(Id(2), "a@example.com", "http://v/done", "http://act/1");
  const auto result = store_.Save("44", {fresh, other});
  EXPECT_EQ(result.outcome, SaveResult::Outcome::kConflict);
  EXPECT_EQ(result.statement_id, Id(1));
  EXPECT_FALSE(store_.Get("44", Id(2), false)) << "a conflicting batch is stored not at all";
}

TEST_F(StatementStoreTest, ProvincesDoNotSeeEachOther) {
  ASSERT_EQ(store_.Save("44", {Make(Id(1), "a@example.com", "http://v/done", "http://act/1")}).outcome,
            SaveResult::Outcome::kStored);
  EXPECT_FALSE(store_.Get("11", Id(1), false));
  EXPECT_TRUE(store_.Query("11", {}).statements.empty());
  // The same id in another province is another statement.
  EXPECT_EQ(store_.Save("11", {Make(Id(1), "b@example.com", "http://v/done", "http://act/1")}).outcome,
            SaveResult::Outcome::kStored);
}

TEST_F(StatementStoreTest, FiltersByAgentVerbActivityRegistrationAndTime) {
  auto with_context = Make(Id(3), "c@example.com", "http://v/tried", "http://act/2");
  with_context.statement["context"] = {
      {"registration", "ec531277-b57b-4c15-8d91-d292c5b2b8f7"},
      {"instructor", {{"mbox", "mailto:teacher@example.com"}}},
      {"contextActivities", {{"parent", json::array({{{"id", "http://act/program"}}})}}}};
  At(1);
  ASSERT_EQ(store_.Save("44", {Make(Id(1), "a@example.com", "http://v/done", "http://act/1")}).outcome,
            SaveResult::Outcome::kStored);
  At(2);
  ASSERT_EQ(store_.Save("44", {Make(Id(2), "b@example.com", "http://v/done", "http://act/2")}).outcome,
            SaveResult::Outcome::kStored);
  At(3);
  ASSERT_EQ(store_.Save("44", {with_context}).outcome, SaveResult::Outcome::kStored);
  StatementQuery q;
  q.agent_key = AgentKey({{"mbox", "mailto:a@example.com"}});
  EXPECT_EQ(Ids(store_.Query("44", q)), std::vector<std::string>{Id(1)});
  q = {};
  q.verb_id = "http://v/done";
  EXPECT_EQ(Ids(store_.Query("44", q)), (std::vector<std::string>{Id(2), Id(1)}));
  q.ascending = true;
  EXPECT_EQ(Ids(store_.Query("44", q)), (std::vector<std::string>{Id(1), Id(2)}));
  q = {};
  q.activity_id = "http://act/program";
  EXPECT_TRUE(store_.Query("44", q).statements.empty());
  q.related_activities = true;
  EXPECT_EQ(Ids(store_.Query("44", q)), std::vector<std::string>{Id(3)});
  q = {};
  q.agent_key = AgentKey({{"mbox", "mailto:teacher@example.com"}});
  EXPECT_TRUE(store_.Query("44", q).statements.empty());
  q.related_agents = true;
  EXPECT_EQ(Ids(store_.Query("44", q)), std::vector<std::string>{Id(3)});
  q = {};
  q.registration = "ec531277-b57b-4c15-8d91-d292c5b2b8f7";
  EXPECT_EQ(Ids(store_.Query("44", q)), std::vector<std::string>{Id(3)});
  q = {};
  q.since_micros = Micros(1);
  q.until_micros = Micros(2);
  EXPECT_EQ(Ids(store_.Query("44", q)), std::vector<std::string>{Id(2)});
}

TEST_F(StatementStoreTest, PagesFollowOnFromThePosition) {
  std::vector<NewStatement> batch;
  for (int i = 1; i <= 5; ++i) batch.push_back(Make(Id(i), "a@example.com", "http://v/done", "http://act/1"));
  ASSERT_EQ(store_.Save("44", batch).outcome, SaveResult::Outcome::kStored);
  StatementQuery q;
  q.limit = 2;
  auto page = store_.Query("44", q);
  EXPECT_EQ(Ids(page), (std::vector<std::string>{Id(5), Id(4)}));
  ASSERT_TRUE(page.next_position);
  q.after_position = page.next_position;
  page = store_.Query("44", q);
  EXPECT_EQ(Ids(page), (std::vector<std::string>{Id(3), Id(2)}));
  q.after_position = page.next_position;
  page = store_.Query("44", q);
  EXPECT_EQ(Ids(page), std::vector<std::string>{Id(1)});
  EXPECT_FALSE(page.next_position);
}

TEST_F(StatementStoreTest, VoidingHidesTheTargetAndRefsStillMatch) {
  auto target = Make(Id(1), "a@example.com", "http://v/done", "http://act/1");
  auto voiding = Make(Id(2), "admin@example.com", kVoidedVerbId, "");
  voiding.statement["object"] = {{"objectType", "StatementRef"}, {"id", Id(1)}};
  ASSERT_EQ(store_.Save("44", {target, voiding}).outcome, SaveResult::Outcome::kStored);
  EXPECT_FALSE(store_.Get("44", Id(1), false));
  EXPECT_TRUE(store_.Get("44", Id(1), true));
  EXPECT_FALSE(store_.Get("44", Id(2), true));
  StatementQuery q;
  q.activity_id = "http://act/1";
  // The voided statement is gone; the voiding statement targets it, so it matches.
  EXPECT_EQ(Ids(store_.Query("44", q)), std::vector<std::string>{Id(2)});

  auto void_the_voider = Make(Id(3), "admin@example.com", kVoidedVerbId, "");
  void_the_voider.statement["object"] = {{"objectType", "StatementRef"}, {"id", Id(2)}};
  EXPECT_EQ(store_.Save("44", {void_the_voider}).outcome, SaveResult::Outcome::kVoidingTargetIsVoiding);
}

TEST_F(StatementStoreTest, AStatementArrivingAfterItsVoiderIsStoredVoided) {
  auto voiding = Make(Id(2), "admin@example.com", kVoidedVerbId, "");
  voiding.statement["object"] = {{"objectType", "StatementRef"}, {"id", Id(1)}};
  ASSERT_EQ(store_.Save("44", {voiding}).outcome, SaveResult::Outcome::kStored);
  ASSERT_EQ(store_.Save("44", {Make(Id(1), "a@example.com", "http://v/done", "http://act/1")}).outcome,
            SaveResult::Outcome::kStored);
  EXPECT_FALSE(store_.Get("44", Id(1), false));
  EXPECT_TRUE(store_.Get("44", Id(1), true));
}

// Past a few thousand candidates the store walks statements in order instead
// of collecting them through the index; both plans must give the same answers.
TEST_F(StatementStoreTest, CommonAndRareFiltersAgree) {
  std::vector<NewStatement> batch;
  for (int i = 1; i <= 2100; ++i) {
    batch.push_back(Make(Id(i), i % 700 == 0 ? "rare@example.com" : "common@example.com", "http://v/done",
                         "http://act/" + std::to_string(i % 3)));
  }
  auto ref = Make(Id(2101), "other@example.com", "http://v/cites", "");
  ref.statement["object"] = {{"objectType", "StatementRef"}, {"id", Id(700)}};
  batch.push_back(ref);
  ASSERT_EQ(store_.Save("44", batch).outcome, SaveResult::Outcome::kStored);

  StatementQuery rare;
  rare.agent_key = AgentKey({{"mbox", "mailto:rare@example.com"}});
  EXPECT_EQ(Ids(store_.Query("44", rare)), (std::vector<std::string>{Id(2101), Id(2100), Id(1400), Id(700)}));

  StatementQuery common;
  common.verb_id = "http://v/done";
  common.activity_id = "http://act/0";
  common.limit = 2;
  const auto page = store_.Query("44", common);
  EXPECT_EQ(Ids(page), (std::vector<std::string>{Id(2100), Id(2097)}));
  EXPECT_TRUE(page.next_position);

  StatementQuery cited;
  cited.verb_id = "http://v/done";
  cited.agent_key = AgentKey({{"mbox", "mailto:common@example.com"}});
  cited.limit = 3;
  EXPECT_EQ(Ids(store_.Query("44", cited)), (std::vector<std::string>{Id(2099), Id(2098), Id(2097)}));
}

TEST_F(StatementStoreTest, ActivitiesGatherTheirDefinitions) {
  auto english = Make(Id(1), "a@example.com", "http://v/done", "http://act/1");
  english.statement["object"]["definition"] = {{"name", {{"en-US", "Dust"}}}, {"type", "http://type/old"}};
  english.statement["context"] = {{"contextActivities", {{"parent", json::array({{{"id", "http://course/1"}}})}}}};
  auto chinese = Make(Id(2), "b@example.com", "http://v/done", "http://act/1");
  chinese.statement["object"]["definition"] = {{"name", {{"zh-CN", "粉尘"}}}, {"type", "http://type/new"}};
  ASSERT_EQ(store_.Save("44", {english, chinese}).outcome, SaveResult::Outcome::kStored);
  const auto activity = store_.GetActivity("44", "http://act/1");
  ASSERT_TRUE(activity);
  EXPECT_EQ(activity->at("definition"),
            json({{"name", {{"en-US", "Dust"}, {"zh-CN", "粉尘"}}}, {"type", "http://type/new"}}));
  EXPECT_EQ(*store_.GetActivity("44", "http://course/1"), json({{"objectType", "Activity"}, {"id", "http://course/1"}}));
  EXPECT_FALSE(store_.GetActivity("11", "http://act/1"));
  EXPECT_FALSE(store_.GetActivity("44", "http://act/unknown"));
}

TEST_F(StatementStoreTest, ConsistentThroughFollowsTheClock) {
  At(5);
  EXPECT_EQ(store_.ConsistentThrough(), FormatTimestamp(Micros(5)));
}

TEST(AgentKeyTest, OneKeyPerIdentifier) {
  EXPECT_EQ(AgentKey({{"mbox", "mailto:a@b.c"}, {"name", "A"}}), "mbox|mailto:a@b.c");
  EXPECT_EQ(AgentKey({{"mbox_sha1sum", "ABC"}}), "mbox_sha1sum|abc");
  EXPECT_EQ(AgentKey({{"account", {{"homePage", "http://h"}, {"name", "n"}}}}), "account|http://h|n");
  EXPECT_EQ(AgentKey({{"objectType", "Group"}, {"member", json::array()}}), "");
}

// A statement by `actor_mail` that client `client` stored.
NewStatement StoredBy(const std::string& id, const std::string& actor_mail, const std::string& client) {
  json s = {{"id", id},
            {"actor", {{"mbox", "mailto:" + actor_mail}}},
            {"verb", {{"id", "http://v/done"}}},
            {"object", {{"id", "http://act/1"}}}};
  const json submitted = s;
  s["authority"] = {{"objectType", "Agent"}, {"account", {{"homePage", "urn:test"}, {"name", client}}}};
  return NewStatement{s, submitted};
}

NewStatement VoidingBy(const std::string& id, const std::string& actor_mail, const std::string& target) {
  json s = {{"id", id},
            {"actor", {{"mbox", "mailto:" + actor_mail}}},
            {"verb", {{"id", kVoidedVerbId}}},
            {"object", {{"objectType", "StatementRef"}, {"id", target}}}};
  return NewStatement{s, s};
}

TEST_F(StatementStoreTest, ReadsAndQueriesStayInsideTheReadersScope) {
  ASSERT_EQ(store_.Save("44", {StoredBy(Id(1), "a@example.com", "lms-1"), StoredBy(Id(2), "b@example.com", "lms-1"),
                               StoredBy(Id(3), "a@example.com", "lms-2")})
                .outcome,
            SaveResult::Outcome::kStored);
  const auto actor_a = StatementScope::Actor("mbox|mailto:a@example.com");
  const auto lms_1 = StatementScope::Authority("account|urn:test|lms-1");
  StatementQuery q;
  q.scope = actor_a;
  EXPECT_EQ(Ids(store_.Query("44", q)), (std::vector<std::string>{Id(3), Id(1)}));
  q.scope = lms_1;
  EXPECT_EQ(Ids(store_.Query("44", q)), (std::vector<std::string>{Id(2), Id(1)}));
  // Filters narrow a scope, never widen it.
  q.agent_key = "mbox|mailto:a@example.com";
  EXPECT_EQ(Ids(store_.Query("44", q)), (std::vector<std::string>{Id(1)}));
  q.verb_id = "http://v/done";
  EXPECT_EQ(Ids(store_.Query("44", q)), (std::vector<std::string>{Id(1)}));
  q = StatementQuery{};
  q.scope = StatementScope::Actor("mbox|mailto:nobody@example.com");
  EXPECT_TRUE(store_.Query("44", q).statements.empty());

  EXPECT_TRUE(store_.Get("44", Id(2), false, lms_1));
  EXPECT_FALSE(store_.Get("44", Id(2), false, actor_a));
  EXPECT_FALSE(store_.Get("44", Id(3), false, lms_1));
  EXPECT_FALSE(store_.Get("44", Id(1), false, StatementScope::Actor("")));
}

TEST_F(StatementStoreTest, VoidingNeedsTheTargetInTheVoidersScope) {
  ASSERT_EQ(store_.Save("44", {StoredBy(Id(1), "a@example.com", "lms-1")}).outcome, SaveResult::Outcome::kStored);
  const auto refused = store_.Save("44", {VoidingBy(Id(2), "b@example.com", Id(1))}, {},
                                   StatementScope::Actor("mbox|mailto:b@example.com"));
  EXPECT_EQ(refused.outcome, SaveResult::Outcome::kNotAllowed);
  EXPECT_EQ(refused.statement_id, Id(2));
  EXPECT_FALSE(store_.Get("44", Id(2), false));  // nothing of the batch was stored
  EXPECT_TRUE(store_.Get("44", Id(1), false));
  EXPECT_EQ(store_.Save("44", {VoidingBy(Id(3), "a@example.com", Id(1))}, {},
                        StatementScope::Authority("account|urn:test|lms-1"))
                .outcome,
            SaveResult::Outcome::kStored);
  EXPECT_TRUE(store_.Get("44", Id(1), true));
}

TEST_F(StatementStoreTest, AVoiderSentFirstVoidsOnlyAStatementInItsScope) {
  const auto b_only = StatementScope::Actor("mbox|mailto:b@example.com");
  ASSERT_EQ(store_.Save("44", {VoidingBy(Id(10), "b@example.com", Id(1))}, {}, b_only).outcome,
            SaveResult::Outcome::kStored);
  ASSERT_EQ(store_.Save("44", {VoidingBy(Id(11), "b@example.com", Id(2))}, {}, b_only).outcome,
            SaveResult::Outcome::kStored);
  ASSERT_EQ(store_.Save("44", {StoredBy(Id(1), "a@example.com", "lms-1")}).outcome, SaveResult::Outcome::kStored);
  ASSERT_EQ(store_.Save("44", {StoredBy(Id(2), "b@example.com", "lms-1")}).outcome, SaveResult::Outcome::kStored);
  EXPECT_TRUE(store_.Get("44", Id(1), false));  // a's statement: b could not void it
  EXPECT_TRUE(store_.Get("44", Id(2), true));   // b's own: voided
}

// Statements stored before scopes existed get their actor and authority
// keys from their JSON when the database is migrated.
TEST(StatementStoreMigrationTest, ExistingStatementsGetTheirActorAndAuthorityKeys) {
  store::testing::ScratchDir dir("xapi-migrate");
  const store::testing::TestDatabase database(dir.File("xapi.db"));
  const auto& all = StatementStore::Migrations();
  ASSERT_EQ(all.back().version, 5);
  {
    auto old = store::Database::Open(database.Options(),
                                     std::vector<store::Migration>(all.begin(), all.end() - 1));
    old->Write([](store::Tx& tx) {
      const json statement = {{"id", "00000000-0000-4000-8000-000000000001"},
                              {"actor", {{"mbox_sha1sum", "ABCDEF0123456789ABCDEF0123456789ABCDEF01"}}},
                              {"verb", {{"id", "http://v/done"}}},
                              {"object", {{"id", "http://act/1"}}},
                              {"authority", {{"account", {{"homePage", "urn:test"}, {"name", "lms-1"}}}}},
                              {"stored", "2024-01-01T00:00:00.000Z"}};
      auto insert = tx.Prepare(
          "INSERT INTO xapi_statements (province, id, stored_us, verb_id, submitted, statement) "
          "VALUES ('44', ?1, 1, 'http://v/done', '{}', ?2)");
      insert.BindAll(statement["id"].get<std::string>(), statement.dump()).Run();
    });
  }
  auto db = store::Database::Open(database.Options(), all);
  StatementStore store(*db);
  StatementQuery q;
  q.scope = StatementScope::Actor("mbox_sha1sum|abcdef0123456789abcdef0123456789abcdef01");
  EXPECT_EQ(store.Query("44", q).statements.size(), 1u);
  q.scope = StatementScope::Authority("account|urn:test|lms-1");
  EXPECT_EQ(store.Query("44", q).statements.size(), 1u);
}

}  // namespace
}  // namespace osh::xapi
