#include "osh/core/grpc_server.h"

#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "osh/core/admin_http.h"

namespace osh::core {
namespace {

// Calls grpc.health.v1.Health/Check with raw bytes so the test needs no extra
// generated code: an empty request asks for the server's overall status, and
// the answer {status: SERVING} is the two bytes 08 01.
grpc::Status CheckHealth(grpc::Channel& channel, std::string* response_bytes, std::string* request_id_out = nullptr,
                         const std::string& request_id = "", const std::string& method = "/grpc.health.v1.Health/Check") {
  grpc::GenericStub stub(std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  if (!request_id.empty()) ctx.AddMetadata("x-request-id", request_id);
  grpc::Slice empty_message("");  // a ByteBuffer without a slice is no message at all
  grpc::ByteBuffer request(&empty_message, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) { done.set_value(s); });
  auto status = done.get_future().get();
  if (status.ok()) {
    std::vector<grpc::Slice> slices;
    (void)response.Dump(&slices);
    response_bytes->clear();
    for (auto& s : slices) response_bytes->append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  if (request_id_out != nullptr) {
    auto md = ctx.GetServerInitialMetadata();
    auto it = md.find("x-request-id");
    if (it != md.end()) request_id_out->assign(it->second.data(), it->second.size());
  }
  return status;
}

TEST(GrpcServerTest, ServesHealthOverARealSocketAndCountsCalls) {
  MetricsRegistry metrics;
  GrpcServer server({.address = "127.0.0.1:0", .access_log = false}, &metrics);
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  ASSERT_GT(server.port(), 0);
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server.port()), grpc::InsecureChannelCredentials());
  std::string bytes;
  std::string echoed;
  auto status = CheckHealth(*channel, &bytes, &echoed, "req-123");
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));
  EXPECT_EQ(echoed, "req-123");

  // A call without a request id gets one generated.
  std::string generated;
  ASSERT_TRUE(CheckHealth(*channel, &bytes, &generated).ok());
  EXPECT_EQ(generated.size(), 16u);

  // Metrics are recorded when the call object is torn down, just after the client has its answer.
  std::string text;
  for (int i = 0; i < 50; ++i) {
    text = metrics.RenderText();
    if (text.find("code=\"OK\",method=\"/grpc.health.v1.Health/Check\"} 2") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(text.find("osh_grpc_server_handled_total{code=\"OK\",method=\"/grpc.health.v1.Health/Check\"} 2"),
            std::string::npos)
      << text;
}

TEST(GrpcServerTest, UnknownMethodStaysUnimplemented) {
  MetricsRegistry metrics;
  GrpcServer server({.address = "127.0.0.1:0", .access_log = false}, &metrics);
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server.port()), grpc::InsecureChannelCredentials());
  std::string bytes;
  auto status = CheckHealth(*channel, &bytes, nullptr, "", "/osh.nothing.v1.Nothing/Call");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
}

// Counts the series of one metric family in the Prometheus text.
size_t SeriesOf(const std::string& text, const std::string& family) {
  size_t count = 0;
  for (size_t at = text.find("\n" + family + "{"); at != std::string::npos; at = text.find("\n" + family + "{", at + 1)) {
    ++count;
  }
  return count;
}

TEST(GrpcServerTest, MethodsTheServerDoesNotServeShareOneMetricSeries) {
  MetricsRegistry metrics;
  GrpcServer server({.address = "127.0.0.1:0", .access_log = true}, &metrics);
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server.port()), grpc::InsecureChannelCredentials());
  std::string bytes;
  ASSERT_TRUE(CheckHealth(*channel, &bytes).ok());
  constexpr int kBogus = 50;
  for (int i = 0; i < kBogus; ++i) {
    const auto status =
        CheckHealth(*channel, &bytes, nullptr, "", "/osh.bogus.v1.Bogus" + std::to_string(i) + "/Call" + std::to_string(i));
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  }
  // A method of a service that exists, but that the server did not register.
  EXPECT_EQ(CheckHealth(*channel, &bytes, nullptr, "", "/grpc.health.v1.Health/Nope").error_code(),
            grpc::StatusCode::UNIMPLEMENTED);

  // Metrics are recorded when the call object is torn down, just after the client has its answer.
  const std::string unknown = "osh_grpc_server_handled_total{code=\"UNIMPLEMENTED\",method=\"unknown\"} " +
                              std::to_string(kBogus + 1);
  std::string text;
  for (int i = 0; i < 250 && text.find(unknown) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    text = metrics.RenderText();
  }
  EXPECT_NE(text.find(unknown), std::string::npos) << text;
  // The health check and the unknown ones: two series per family, whatever the client sent.
  EXPECT_EQ(SeriesOf(text, "osh_grpc_server_handled_total"), 2u) << text;
  EXPECT_EQ(SeriesOf(text, "osh_grpc_server_handling_seconds_count"), 2u) << text;
  EXPECT_EQ(text.find("Bogus"), std::string::npos) << text;
  EXPECT_NE(text.find("method=\"/grpc.health.v1.Health/Check\""), std::string::npos) << text;
}

TEST(GrpcServerTest, HealthTurnsNotServingDuringGraceThenStops) {
  MetricsRegistry metrics;
  GrpcServer server({.address = "127.0.0.1:0", .access_log = false}, &metrics);
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server.port()), grpc::InsecureChannelCredentials());
  std::string bytes;
  ASSERT_TRUE(CheckHealth(*channel, &bytes).ok());

  auto stopping = std::async(std::launch::async, [&] {
    server.Shutdown(std::chrono::milliseconds(3000), std::chrono::milliseconds(1000));
  });
  // Still accepting during the grace period, but reporting NOT_SERVING (2): polled
  // until it says so (the grace is long enough that a poll sees it).
  grpc::Status status;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  do {
    status = CheckHealth(*channel, &bytes);
  } while (status.ok() && bytes != std::string("\x08\x02", 2) && std::chrono::steady_clock::now() < until);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(bytes, std::string("\x08\x02", 2));
  stopping.get();
  EXPECT_FALSE(CheckHealth(*channel, &bytes).ok());
}

TEST(AdminHttpServerTest, BindsPortZeroAndStops) {
  AdminHttpServer admin;
  admin.Handle("/metrics", [] { return AdminHttpServer::Response{200, "text/plain", "x 1\n"}; });
  std::string error;
  ASSERT_TRUE(admin.Start("127.0.0.1", 0, &error)) << error;
  EXPECT_GT(admin.port(), 0);
  admin.Stop();
}

TEST(AdminHttpServerTest, RefusesABadAddress) {
  AdminHttpServer admin;
  std::string error;
  EXPECT_FALSE(admin.Start("not-an-ip", 0, &error));
  EXPECT_NE(error.find("not-an-ip"), std::string::npos);
}

}  // namespace
}  // namespace osh::core
