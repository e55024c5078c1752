#include "backends.h"

#include "osh/core/config.h"

namespace osh::gateway {

std::optional<std::map<std::string, std::string>> Backends::ParseUpstreams(std::string_view text,
                                                                            std::string* error) {
  std::map<std::string, std::string> out;
  for (const auto& item : core::SplitList(text)) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size() ||
        item.find(':', eq + 1) == std::string::npos) {
      *error = "upstream '" + item + "' is not <grpc service>=<host:port>";
      return std::nullopt;
    }
    out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  if (out.empty()) {
    *error = "no upstreams configured";
    return std::nullopt;
  }
  return out;
}

Backends::Backends(const std::map<std::string, std::string>& upstreams, int channels_per_upstream) {
  for (const auto& [service, address] : upstreams) {
    auto upstream = std::make_unique<Upstream>();
    upstream->address = address;
    for (int i = 0; i < std::max(1, channels_per_upstream); ++i) {
      grpc::ChannelArguments args;
      // Without a local subchannel pool, channels to one address share one connection.
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
      args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30'000);
      args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10'000);
      args.SetInt(GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, 16 * 1024 * 1024);
      // Backends are restarted in rolling updates: come back quickly.
      args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2'000);
      auto channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
      upstream->stubs.push_back(std::make_unique<Stub>(channel));
      upstream->channels.push_back(std::move(channel));
    }
    upstreams_[service] = std::move(upstream);
  }
}

void Backends::Call(const std::string& service, const std::string& grpc_path, grpc::ClientContext* context,
                    const google::protobuf::Message* request, google::protobuf::Message* response,
                    std::function<void(grpc::Status)> done) {
  auto it = upstreams_.find(service);
  if (it == upstreams_.end()) {
    done(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no upstream serves " + service));
    return;
  }
  auto& upstream = *it->second;
  auto& stub = *upstream.stubs[upstream.next++ % upstream.stubs.size()];
  stub.UnaryCall(context, grpc_path, grpc::StubOptions(), request, response, std::move(done));
}

void Backends::Download(const std::string& service, const std::string& grpc_path, grpc::ClientContext* context,
                        const google::protobuf::Message& request, std::shared_ptr<void> keep_alive,
                        std::function<void(DownloadStart)> started) {
  auto it = upstreams_.find(service);
  if (it == upstreams_.end()) {
    started({grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no upstream serves " + service), "", nullptr});
    return;
  }
  auto& upstream = *it->second;
  StartDownload(*upstream.stubs[upstream.next++ % upstream.stubs.size()], context, grpc_path, request,
                std::move(keep_alive), std::move(started));
}

nlohmann::json Backends::State() const {
  static constexpr const char* kNames[] = {"idle", "connecting", "ready", "transient_failure", "shutdown"};
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [service, upstream] : upstreams_) {
    const auto state = upstream->channels.front()->GetState(/*try_to_connect=*/true);
    out[service] = {{"address", upstream->address}, {"state", kNames[static_cast<int>(state)]}};
  }
  return out;
}

}  // namespace osh::gateway
