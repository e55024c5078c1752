// The gateway's relay of a backend's stream of file parts, against a real
// gRPC server on a loopback port answering ExportEmployers as told.
#include "download_stream.h"

#include <gtest/gtest.h>

#include <future>
#include <mutex>

#include "osh/registry/v1/registry.grpc.pb.h"
#include "osh/service/testing/loopback_server.h"

namespace osh::gateway {
namespace {

namespace v1 = ::osh::registry::v1;

// A guard against hanging, never a measure of speed.
constexpr auto kPatience = std::chrono::seconds(20);

// Streams `parts`, then ends with `end`, or, with `hold_open`, waits to be cancelled.
class FakeExport final : public v1::RegistryService::CallbackService {
 public:
  std::vector<std::string> parts;
  grpc::Status end = grpc::Status::OK;
  bool hold_open = false;
  std::atomic<bool> cancelled{false};

  grpc::ServerWriteReactor<google::api::HttpBody>* ExportEmployers(grpc::CallbackServerContext*,
                                                                  const v1::ExportEmployersRequest*) override {
    return new Writer(*this);
  }

 private:
  class Writer final : public grpc::ServerWriteReactor<google::api::HttpBody> {
   public:
    explicit Writer(FakeExport& fake) : fake_(fake) { Next(); }
    void OnWriteDone(bool ok) override {
      if (!ok) return End(grpc::Status(grpc::StatusCode::CANCELLED, "gone"));
      Next();
    }
    void OnCancel() override {
      fake_.cancelled = true;
      End(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
    }
    void OnDone() override { delete this; }

   private:
    void Next() {
      if (next_ < fake_.parts.size()) {
        body_.set_content_type("text/csv");
        body_.set_data(fake_.parts[next_++]);
        return StartWrite(&body_);
      }
      if (!fake_.hold_open) End(fake_.end);
    }
    void End(const grpc::Status& status) {
      std::lock_guard lock(mu_);
      if (finished_) return;
      finished_ = true;
      Finish(status);
    }
    FakeExport& fake_;
    google::api::HttpBody body_;
    size_t next_ = 0;
    std::mutex mu_;
    bool finished_ = false;
  };
};

struct Delivered {
  std::optional<std::string> part;
  bool complete = false;
};

class DownloadStreamTest : public ::testing::Test {
 protected:
  DownloadStart Start() {
    server_ = std::make_unique<service::testing::LoopbackServer>(std::vector<grpc::Service*>{&fake_});
    stub_ = std::make_unique<MessageStub>(server_->channel());
    auto call = std::make_shared<Call>();
    request_.set_format(v1::EXPORT_FORMAT_CSV);
    std::promise<DownloadStart> started;
    StartDownload(*stub_, &call->context, "/osh.registry.v1.RegistryService/ExportEmployers", request_, call,
                  [&started](DownloadStart s) { started.set_value(std::move(s)); });
    auto future = started.get_future();
    EXPECT_EQ(future.wait_for(kPatience), std::future_status::ready);
    return future.get();
  }
  static Delivered Take(http::BodySource& source) {
    std::promise<Delivered> delivered;
    source.next([&delivered](std::optional<std::string> part, bool complete) {
      delivered.set_value({std::move(part), complete});
    });
    auto future = delivered.get_future();
    EXPECT_EQ(future.wait_for(kPatience), std::future_status::ready);
    return future.get();
  }

  struct Call {
    grpc::ClientContext context;
  };
  FakeExport fake_;
  v1::ExportEmployersRequest request_;
  std::unique_ptr<service::testing::LoopbackServer> server_;
  std::unique_ptr<MessageStub> stub_;
};

TEST_F(DownloadStreamTest, PartsArriveInOrderAndTheEndOfTheStreamEndsTheBody) {
  fake_.parts = {"id,name\r\n", "", "1,甲\r\n"};
  auto start = Start();
  ASSERT_TRUE(start.status.ok()) << start.status.error_message();
  EXPECT_EQ(start.content_type, "text/csv");
  ASSERT_NE(start.source, nullptr);
  EXPECT_EQ(Take(*start.source).part, "id,name\r\n");
  EXPECT_EQ(Take(*start.source).part, "");
  EXPECT_EQ(Take(*start.source).part, "1,甲\r\n");
  const auto end = Take(*start.source);
  EXPECT_FALSE(end.part.has_value());
  EXPECT_TRUE(end.complete);
}

TEST_F(DownloadStreamTest, AFailureAfterTheFirstPartEndsTheBodyAsIncomplete) {
  fake_.parts = {"id,name\r\n", "1,甲\r\n"};
  fake_.end = grpc::Status(grpc::StatusCode::UNAVAILABLE, "the store went away");
  auto start = Start();
  ASSERT_TRUE(start.status.ok());
  EXPECT_EQ(Take(*start.source).part, "id,name\r\n");
  EXPECT_EQ(Take(*start.source).part, "1,甲\r\n");
  const auto end = Take(*start.source);
  EXPECT_FALSE(end.part.has_value());
  EXPECT_FALSE(end.complete);
}

TEST_F(DownloadStreamTest, AFailureBeforeAnyPartIsTheAnswersStatus) {
  fake_.end = grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "not yours");
  auto start = Start();
  EXPECT_EQ(start.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(start.source, nullptr);
}

TEST_F(DownloadStreamTest, AClientThatLeavesCancelsTheBackendsStream) {
  fake_.parts = {"id,name\r\n"};
  fake_.hold_open = true;
  auto start = Start();
  ASSERT_TRUE(start.status.ok());
  EXPECT_EQ(Take(*start.source).part, "id,name\r\n");
  start.source->cancel();
  const auto until = std::chrono::steady_clock::now() + kPatience;
  while (!fake_.cancelled && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(fake_.cancelled);
}

}  // namespace
}  // namespace osh::gateway
