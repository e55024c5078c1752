#pragma once

#include <google/protobuf/message.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/impl/codegen/proto_utils.h>  // SerializationTraits for protobuf messages
#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>

#include "osh/http/http_server.h"

namespace osh::gateway {

using MessageStub = grpc::TemplatedGenericStub<google::protobuf::Message, google::protobuf::Message>;

// How a download's backend stream began: failed before its first part
// (`status` not OK: the gateway answers the usual JSON error), or with the
// first part's content type and the source of the body.
struct DownloadStart {
  grpc::Status status;
  std::string content_type;
  std::shared_ptr<http::BodySource> source;
};

// Calls `grpc_path`, a server stream of google.api.HttpBody parts (e.g.
// RegistryService.ExportEmployers), and relays it as an HTTP body: `started`
// runs (on a gRPC thread) once the first part arrived or the call failed
// before one; the source then gives the parts in order, reading the next one
// from the backend only when the HTTP side has taken the one before, so the
// gateway holds at most one part per download whatever its size. The end of
// the stream ends the body; a failure after the first part cuts it (the HTTP
// client sees an incomplete chunked transfer, never a short file), and a
// client that goes away cancels the call. `keep_alive` is held until the call
// is done (it owns `context` and `request`).
void StartDownload(MessageStub& stub, grpc::ClientContext* context, const std::string& grpc_path,
                   const google::protobuf::Message& request, std::shared_ptr<void> keep_alive,
                   std::function<void(DownloadStart)> started);

}  // namespace osh::gateway
