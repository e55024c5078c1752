// forward: what the backend call carries besides the request message.
#include "client_address.h"
#include "stages.h"
#include "transcoder.h"

namespace osh::gateway::stages {

void PrepareForward(const HttpRequest& request, const Route& route, const std::string& request_id,
                    const core::TraceContext& trace, const ForwardOptions& options, grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() + (TakesFile(route)         ? options.upload_timeout
                                                          : route.server_streaming ? options.download_timeout
                                                                                   : options.request_timeout));
  if (const auto* authorization = request.Header("authorization")) context.AddMetadata("authorization", *authorization);
  context.AddMetadata("x-request-id", request_id);
  context.AddMetadata(core::kTraceparentHeader, trace.Traceparent());
  if (!request.remote_address.empty()) {
    context.AddMetadata("x-forwarded-for", ForwardedFor(request.remote_address, request.Header("x-forwarded-for")));
  }
}

bool MarkedNoStore(const grpc::ClientContext& context) {
  const auto& server_metadata = context.GetServerInitialMetadata();
  const auto cache_control = server_metadata.find("cache-control");
  return cache_control != server_metadata.end() &&
         std::string_view(cache_control->second.data(), cache_control->second.size()).find("no-store") !=
             std::string_view::npos;
}

}  // namespace osh::gateway::stages
