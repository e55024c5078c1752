// grpc-gateway-peer: grpc-gateway v2 (Go) in front of osh.registry.v1.RegistryService,
// the reference that bench/gateway/gateway_bench.sh compares osh-gateway with.
// Not part of the platform; built by bench/gateway/build-peer.sh outside the
// C++ build, with the handlers that protoc-gen-grpc-gateway generates.
//
//	grpc-gateway-peer --listen 127.0.0.1:8080 --upstream 127.0.0.1:7101
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/encoding/protojson"

	registryv1 "osh-platform/bench/gateway/peer/gen/osh/registry/v1"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8080", "host:port of the HTTP/JSON API")
	upstream := flag.String("upstream", "127.0.0.1:7101", "host:port of osh-registry's gRPC API")
	flag.Parse()

	conn, err := grpc.NewClient(*upstream, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		log.Fatalf("upstream %s: %v", *upstream, err)
	}
	defer conn.Close()

	// protobuf's canonical JSON mapping: lowerCamelCase names, default values
	// left out (grpc-gateway's own default emits them), unknown fields rejected.
	// The Authorization header goes upstream as `authorization` metadata: the
	// runtime passes it through unprefixed by default (runtime.AnnotateContext).
	mux := runtime.NewServeMux(runtime.WithMarshalerOption(runtime.MIMEWildcard, &runtime.HTTPBodyMarshaler{
		Marshaler: &runtime.JSONPb{
			MarshalOptions:   protojson.MarshalOptions{EmitUnpopulated: false, UseProtoNames: false},
			UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: false},
		},
	}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := registryv1.RegisterRegistryServiceHandler(ctx, mux, conn); err != nil {
		log.Fatalf("register handlers: %v", err)
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("listen %s: %v", *listen, err)
	}
	server := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = server.Shutdown(shutdown)
	}()
	log.Printf("grpc-gateway-peer listening on %s, upstream %s", ln.Addr(), *upstream)
	if err := server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("serve: %v", err)
	}
}
