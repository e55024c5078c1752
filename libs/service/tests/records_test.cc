#include "osh/service/records.h"

#include <google/protobuf/wrappers.pb.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "osh/service/checks.h"
#include "osh/store/testing/scratch_dir.h"

namespace osh::service {
namespace {

class RecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = store::Database::Open({.path = dir_.File("records.db")},
                                {RecordsMigration(1), {2, "t", "CREATE TABLE writes (n INTEGER)"}});
  }
  int64_t Writes() {
    return db_->Read([](store::Tx& tx) {
      auto s = tx.Prepare("SELECT COUNT(*) FROM writes");
      s.Step();
      return s.Int(0);
    });
  }
  store::testing::ScratchDir dir_{"records"};
  std::unique_ptr<store::Database> db_;
  auth::Principal alice_{"alice", auth::Role::kProvinceAdmin, "44", ""};
  Caller caller_{&alice_, "req"};
};

TEST_F(RecordsTest, RetryReturnsTheFirstAnswerAndWritesOnce) {
  google::protobuf::StringValue request;
  request.set_value("create x");
  for (int attempt = 0; attempt < 3; ++attempt) {
    google::protobuf::Int64Value response;
    db_->Write([&](store::Tx& tx) {
      Idempotent(tx, caller_, "Create", "r-1", request, &response, [&] {
        tx.Prepare("INSERT INTO writes VALUES (1)").Run();
        response.set_value(100 + attempt);
      });
    });
    EXPECT_EQ(response.value(), 100);  // the first answer, every time
  }
  EXPECT_EQ(Writes(), 1);
}

TEST_F(RecordsTest, SameIdForADifferentRequestIsRefused) {
  google::protobuf::StringValue first, second;
  first.set_value("a");
  second.set_value("b");
  google::protobuf::Int64Value response;
  db_->Write([&](store::Tx& tx) { Idempotent(tx, caller_, "Create", "r-2", first, &response, [] {}); });
  try {
    db_->Write([&](store::Tx& tx) { Idempotent(tx, caller_, "Create", "r-2", second, &response, [] {}); });
    FAIL() << "expected a refusal";
  } catch (const Refusal& r) {
    EXPECT_EQ(r.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(r.status.error_message().find("request_id"), std::string::npos);
  }
  // Another caller may use the same id.
  auth::Principal bob{"bob", auth::Role::kInspector, "44", ""};
  Caller other{&bob, "req"};
  EXPECT_NO_THROW(db_->Write([&](store::Tx& tx) { Idempotent(tx, other, "Create", "r-2", second, &response, [] {}); }));
}

TEST_F(RecordsTest, ASealedAnswerIsStoredSealedAndOpenedForTheRetry) {
  google::protobuf::StringValue request;
  request.set_value("create with a secret");
  // A stand-in for real sealing: what matters is which copy each side sees.
  const AnswerSealing sealing{
      .seal = [](google::protobuf::Message& m) {
        auto& v = static_cast<google::protobuf::StringValue&>(m);
        v.set_value("sealed:" + v.value());
      },
      .open = [](google::protobuf::Message& m) {
        auto& v = static_cast<google::protobuf::StringValue&>(m);
        v.set_value(v.value().substr(7));
      }};
  for (int attempt = 0; attempt < 2; ++attempt) {
    google::protobuf::StringValue response;
    db_->Write([&](store::Tx& tx) {
      Idempotent(tx, caller_, "Create", "r-3", request, &response, [&] { response.set_value("s3cret"); }, &sealing);
    });
    EXPECT_EQ(response.value(), "s3cret") << attempt;
  }
  const auto stored = db_->Read([&](store::Tx& tx) { return FindAnswer(tx, "alice", "Create", "r-3"); });
  ASSERT_TRUE(stored.has_value());
  google::protobuf::StringValue kept;
  ASSERT_TRUE(kept.ParseFromString(stored->response_bytes));
  EXPECT_EQ(kept.value(), "sealed:s3cret");
}

TEST_F(RecordsTest, RewriteAnswersChangesOnlyWhatItReturns) {
  google::protobuf::StringValue request;
  google::protobuf::StringValue response;
  db_->Write([&](store::Tx& tx) {
    request.set_value("1");
    Idempotent(tx, caller_, "Create", "a", request, &response, [&] { response.set_value("clear"); });
    request.set_value("2");
    Idempotent(tx, caller_, "Create", "b", request, &response, [&] { response.set_value("fine"); });
    request.set_value("3");
    Idempotent(tx, caller_, "Other", "c", request, &response, [&] { response.set_value("clear"); });
  });
  const int changed = db_->Write([&](store::Tx& tx) {
    return RewriteAnswers(tx, "Create", [](const std::string& bytes) -> std::optional<std::string> {
      google::protobuf::StringValue v;
      if (!v.ParseFromString(bytes) || v.value() != "clear") return std::nullopt;
      v.set_value("sealed");
      return v.SerializeAsString();
    });
  });
  EXPECT_EQ(changed, 1);
  const auto value_of = [&](const char* method, const char* id) {
    google::protobuf::StringValue v;
    v.ParseFromString(db_->Read([&](store::Tx& tx) { return FindAnswer(tx, "alice", method, id); })->response_bytes);
    return v.value();
  };
  EXPECT_EQ(value_of("Create", "a"), "sealed");
  EXPECT_EQ(value_of("Create", "b"), "fine");
  EXPECT_EQ(value_of("Other", "c"), "clear");
}

TEST_F(RecordsTest, AuditCountsEntriesPerEntity) {
  db_->Write([&](store::Tx& tx) {
    Audit(tx, caller_, "create", "employer", "e1");
    Audit(tx, caller_, "update", "employer", "e1");
    Audit(tx, caller_, "create", "employer", "e2");
  });
  EXPECT_EQ(db_->Read([](store::Tx& tx) { return CountAudit(tx, "e1"); }), 2);
}

TEST(GuardTest, RefusalsPassAndFailuresBecomeInternalWithoutTheirText) {
  auth::Principal p{"x", auth::Role::kWorker, "44", ""};
  Caller c{&p, "rid-7"};
  EXPECT_EQ(Guard(c, "M", [] { Refuse(grpc::StatusCode::NOT_FOUND, "no such"); }).error_code(),
            grpc::StatusCode::NOT_FOUND);
  auto status = Guard(c, "M", [] { throw store::StoreError(1, "SELECT secret FROM t"); });
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(status.error_message().find("SELECT"), std::string::npos);
  EXPECT_NE(status.error_message().find("rid-7"), std::string::npos);
}

TEST(GuardTest, AStoreThatCannotWriteForNowAnswersUnavailableWithoutItsText) {
  auth::Principal p{"x", auth::Role::kWorker, "44", ""};
  Caller c{&p, "rid-8"};
  auto status = Guard(c, "M", [] { throw store::StoreError(13 /* SQLITE_FULL */, "INSERT INTO t: disk is full"); });
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(status.error_message().find("INSERT"), std::string::npos);
  EXPECT_NE(status.error_message().find("rid-8"), std::string::npos);
  EXPECT_NE(status.error_message().find("nothing was written"), std::string::npos);
}

TEST(ChecksTest, RequestIdTextAndPageSize) {
  core::FieldErrors e;
  CheckRequestId("ok-123", e);
  CheckRequestId("has space", e);
  CheckRequestId(std::string(65, 'a'), e);
  EXPECT_EQ(e.size(), 2u);
  core::FieldErrors t;
  CheckText("", "name", 10, true, t);
  CheckText("\xff", "x", 10, false, t);
  CheckText("尘肺病", "y", 3, true, t);
  EXPECT_EQ(t.size(), 2u);
  core::FieldErrors p;
  EXPECT_EQ(PageSize(0, 50, 500, p), 50);
  EXPECT_EQ(PageSize(9999, 50, 500, p), 500);
  EXPECT_TRUE(p.empty());
  PageSize(-1, 50, 500, p);
  EXPECT_EQ(p.size(), 1u);
}

}  // namespace
}  // namespace osh::service
