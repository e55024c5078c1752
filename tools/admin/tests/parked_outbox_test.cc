// Parked outbox rows of a real SQLite file listed and re-queued, as
// `osh-admin outbox list|replay` does against a service's database.
#include "parked_outbox.h"

#include <gtest/gtest.h>

#include "osh/events/v1/registry_events.pb.h"
#include "osh/store/database.h"
#include "osh/store/testing/scratch_dir.h"

namespace osh::admin {
namespace {

class ParkedOutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = store::Database::Open({.path = path_},
                                {events::Outbox::Migration(1), events::Outbox::ParkingMigration(2),
                                 events::Outbox::TraceMigration(3)});
    db_->Write([&](store::Tx& tx) {
      for (int i = 0; i < 4; ++i) {
        events::v1::EnterpriseRegistered payload;
        payload.mutable_employer()->set_credit_code("key-" + std::to_string(i));
        auto event = events::MakeEvent(payload, "44", "registry", "key-" + std::to_string(i));
        event.topic = "osh.registry.events";
        events::Outbox::Append(tx, event);
        ids_.push_back(event.id);
      }
      const auto rows = events::Outbox::Pending(tx, 0, 10);
      events::Outbox::Park(tx, rows[1].seq, "Broker: Message size too large");
      events::Outbox::Park(tx, rows[3].seq, "Broker: Invalid record");
    });
  }

  std::vector<std::string> PendingIds() {
    return db_->Read([](store::Tx& tx) {
      std::vector<std::string> ids;
      for (const auto& row : events::Outbox::Pending(tx, 0, 100)) ids.push_back(row.event.id);
      return ids;
    });
  }

  store::testing::ScratchDir dir_{"admin-outbox"};
  std::string path_ = dir_.File("registry.db");
  std::unique_ptr<store::Database> db_;
  std::vector<std::string> ids_;
};

TEST_F(ParkedOutboxTest, ListShowsEveryParkedRowWithItsError) {
  std::string error;
  const auto rows = ListParkedRows(path_, &error);
  ASSERT_TRUE(rows) << error;
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].event_id, ids_[1]);
  EXPECT_EQ((*rows)[0].error, "Broker: Message size too large");
  EXPECT_EQ((*rows)[0].type, "osh.events.v1.EnterpriseRegistered");
  EXPECT_EQ((*rows)[1].event_id, ids_[3]);
}

TEST_F(ParkedOutboxTest, AReplayedRowIsPendingAgainInItsPlaceAndTheOthersStayParked) {
  std::string error;
  auto dry = RequeueParkedRows(path_, {ids_[3]}, /*dry_run=*/true, &error);
  ASSERT_TRUE(dry) << error;
  EXPECT_EQ(dry->requeued, std::vector<std::string>{ids_[3]});
  EXPECT_EQ(PendingIds(), (std::vector<std::string>{ids_[0], ids_[2]})) << "a dry run changes nothing";

  auto summary = RequeueParkedRows(path_, {ids_[3], "no-such-event"}, /*dry_run=*/false, &error);
  ASSERT_TRUE(summary) << error;
  EXPECT_EQ(summary->requeued, std::vector<std::string>{ids_[3]});
  EXPECT_EQ(summary->not_found, std::vector<std::string>{"no-such-event"});
  // What the relay reads next round, in commit order.
  EXPECT_EQ(PendingIds(), (std::vector<std::string>{ids_[0], ids_[2], ids_[3]}));
  const auto still = ListParkedRows(path_, &error);
  ASSERT_TRUE(still) << error;
  ASSERT_EQ(still->size(), 1u);
  EXPECT_EQ(still->front().event_id, ids_[1]);

  // A row no longer parked is not found a second time.
  summary = RequeueParkedRows(path_, {ids_[3]}, false, &error);
  ASSERT_TRUE(summary) << error;
  EXPECT_TRUE(summary->requeued.empty());
  EXPECT_EQ(summary->not_found, std::vector<std::string>{ids_[3]});
}

TEST_F(ParkedOutboxTest, ReplayWithoutIdsRequeuesEveryParkedRow) {
  std::string error;
  const auto summary = RequeueParkedRows(path_, {}, false, &error);
  ASSERT_TRUE(summary) << error;
  EXPECT_EQ(summary->requeued, (std::vector<std::string>{ids_[1], ids_[3]}));
  EXPECT_EQ(PendingIds(), ids_);
}

TEST_F(ParkedOutboxTest, AMissingFileOrOneWithoutAnOutboxIsAnErrorAndNothingIsCreated) {
  std::string error;
  EXPECT_FALSE(ListParkedRows(dir_.File("absent.db"), &error));
  EXPECT_NE(error.find("is not a file"), std::string::npos) << error;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("absent.db")));
  store::Database::Open({.path = dir_.File("other.db")}, {{1, "t", "CREATE TABLE t (x INTEGER)"}});
  error.clear();
  EXPECT_FALSE(RequeueParkedRows(dir_.File("other.db"), {}, false, &error));
  EXPECT_NE(error.find("no outbox"), std::string::npos) << error;
}

}  // namespace
}  // namespace osh::admin
