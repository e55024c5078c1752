// osh-grpc-floor: a bare gRPC C++ callback server answering one tiny unary
// RPC (Greeter.SayHello), the floor that bench/registry_floor_bench.sh puts
// osh-registry's GetEmployer against. Built from the same gRPC and protobuf
// as the services, with gRPC's defaults: no interceptors, no auth, no store.
//
//   osh-grpc-floor --address 127.0.0.1:0 --port-file F
//
// Writes the bound port to F once it serves, then serves until SIGINT/SIGTERM.
#include <grpcpp/grpcpp.h>

#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

#include "osh/bench/floor/v1/greeter.grpc.pb.h"

namespace {

namespace v1 = osh::bench::floor::v1;

class Greeter final : public v1::Greeter::CallbackService {
  grpc::ServerUnaryReactor* SayHello(grpc::CallbackServerContext* ctx, const v1::HelloRequest* request,
                                     v1::HelloReply* reply) override {
    reply->set_message("Hello, " + request->name());
    auto* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string address = "127.0.0.1:0";
  std::string port_file;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--address") == 0) {
      address = argv[i + 1];
    } else if (std::strcmp(argv[i], "--port-file") == 0) {
      port_file = argv[i + 1];
    } else {
      std::cerr << "usage: osh-grpc-floor [--address HOST:PORT] [--port-file F]\n";
      return 2;
    }
  }
  // Blocked before gRPC starts its threads, so that they inherit the mask and
  // the signal is taken here by sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  Greeter greeter;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&greeter);
  auto server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::cerr << "cannot listen on " << address << "\n";
    return 1;
  }
  if (!port_file.empty()) {
    // Written whole under another name, then renamed: a reader never sees half a port.
    const std::string partial = port_file + ".partial";
    std::ofstream(partial) << port << "\n";
    std::rename(partial.c_str(), port_file.c_str());
  }
  int signal = 0;
  sigwait(&stop_signals, &signal);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  return 0;
}
