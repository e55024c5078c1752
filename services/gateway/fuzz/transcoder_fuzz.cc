// Fuzzes the gateway's HTTP → gRPC transcoding over the platform's real routes
// (every service compiled into the gateway): one route picked by the input,
// its path variables, a raw query string and a JSON body from the input.
// What must hold for every input:
// - ParseQuery and BuildRequest never crash and refuse with a field and a
//   message that are valid UTF-8 (they become a JSON 400 body);
// - a request that was accepted survives protobuf's JSON mapping: printed as
//   JSON and read back it serializes to the same bytes, so what the backend
//   receives is exactly what the client's JSON said.
#include <fuzzer/FuzzedDataProvider.h>

#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "compiled_services.h"
#include "osh/domain/text.h"
#include "route_table.h"
#include "transcoder.h"

#include "fuzz_require.h"

namespace {

using namespace osh::gateway;
namespace pb = google::protobuf;

const RouteTable& Routes() {
  static const RouteTable table = [] {
    std::string error;
    auto t = RouteTable::FromServices(CompiledServices(), &error);
    FUZZ_REQUIRE(t.has_value() && !t->routes().empty());
    return *t;
  }();
  return table;
}

std::string Deterministic(const pb::Message& m) {
  std::string out;
  {
    pb::io::StringOutputStream stream(&out);
    pb::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    FUZZ_REQUIRE(m.SerializeToCodedStream(&coded));
  }
  return out;
}

void RequireUtf8(const std::string& text) {
  if (osh::domain::Utf8Error(text)) std::fprintf(stderr, "not UTF-8: %s\n", text.c_str());
  FUZZ_REQUIRE(!osh::domain::Utf8Error(text));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const auto& routes = Routes().routes();
  const Route& route = routes[in.ConsumeIntegralInRange<std::size_t>(0, routes.size() - 1)];

  PathTemplate::Bindings bindings;
  for (const auto& field : route.path.VariableFields()) bindings.emplace_back(field, in.ConsumeRandomLengthString(64));
  const std::string raw_query = in.ConsumeRandomLengthString(256);
  const std::string body = in.ConsumeRemainingBytesAsString();

  std::string error;
  const auto query = ParseQuery(raw_query, &error);
  if (!query) {
    FUZZ_REQUIRE(!error.empty());
    RequireUtf8(error);
    return 0;
  }
  for (const auto& [name, value] : *query) FUZZ_REQUIRE(!name.empty());

  const pb::Message* prototype = pb::MessageFactory::generated_factory()->GetPrototype(route.method->input_type());
  FUZZ_REQUIRE(prototype != nullptr);
  std::unique_ptr<pb::Message> request(prototype->New());
  if (const auto refused = BuildRequest(route, bindings, *query, body, request.get())) {
    FUZZ_REQUIRE(!refused->field.empty() && !refused->message.empty());
    RequireUtf8(refused->field);
    RequireUtf8(refused->message);
    return 0;
  }

  std::string json;
  FUZZ_REQUIRE(pb::util::MessageToJsonString(*request, &json).ok());
  std::unique_ptr<pb::Message> again(prototype->New());
  FUZZ_REQUIRE(pb::util::JsonStringToMessage(json, again.get()).ok());
  FUZZ_REQUIRE(Deterministic(*again) == Deterministic(*request));
  return 0;
}
