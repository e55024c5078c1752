#pragma once

#include <google/protobuf/message.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/impl/codegen/proto_utils.h>  // SerializationTraits for protobuf messages
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "download_stream.h"

namespace osh::gateway {

// The gRPC services behind the gateway, each reached over a few pooled
// channels (each its own HTTP/2 connection, so one busy connection does not
// serialise every call) with the callback API: no thread waits on a call.
class Backends {
 public:
  // Parses "osh.registry.v1.RegistryService=host:port,osh.reporting.v1.ReportingService=host:port".
  static std::optional<std::map<std::string, std::string>> ParseUpstreams(std::string_view text, std::string* error);

  Backends(const std::map<std::string, std::string>& upstreams, int channels_per_upstream);

  bool Has(const std::string& service) const { return upstreams_.count(service) > 0; }

  // Starts `grpc_path` on `service`'s backend; `done` runs on a gRPC thread.
  // `context`, `request` and `response` must stay alive until then.
  void Call(const std::string& service, const std::string& grpc_path, grpc::ClientContext* context,
            const google::protobuf::Message* request, google::protobuf::Message* response,
            std::function<void(grpc::Status)> done);

  // Starts a download: `grpc_path`, a server stream of google.api.HttpBody,
  // on `service`'s backend (download_stream.h tells the rest).
  void Download(const std::string& service, const std::string& grpc_path, grpc::ClientContext* context,
                const google::protobuf::Message& request, std::shared_ptr<void> keep_alive,
                std::function<void(DownloadStart)> started);

  // Connectivity of each upstream's first channel, for /readyz.
  nlohmann::json State() const;

 private:
  using Stub = MessageStub;
  struct Upstream {
    std::string address;
    std::vector<std::shared_ptr<grpc::Channel>> channels;
    std::vector<std::unique_ptr<Stub>> stubs;
    std::atomic<uint64_t> next{0};
  };
  std::map<std::string, std::unique_ptr<Upstream>> upstreams_;
};

}  // namespace osh::gateway
