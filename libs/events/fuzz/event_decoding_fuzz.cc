// Fuzzes what a consumer does with a Kafka message before its handler runs:
// the CloudEvents binary-mode headers read into an Event (any names, repeats,
// null values, arbitrary bytes), the attribute check that decides between
// applying and dead-lettering, and the payload decoded as the message type
// ce_type names. What must hold:
// - EventOf takes the last header of each attribute name, byte for byte;
// - an event ValidateAttributes accepts names an osh source whose province and
//   service rebuild it (SourceFor), an id and a type within their limits;
// - the headers a dead-lettered copy carries (HeadersOf) read back as the
//   same attributes, so a re-driven dead letter is the same event;
// - a payload that decodes re-encodes to bytes that decode the same.
#include <fuzzer/FuzzedDataProvider.h>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/message.h>
#include <google/protobuf/stubs/logging.h>
#include <librdkafka/rdkafkacpp.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kafka_util.h"
#include "osh/events/event.h"
#include "osh/events/v1/content_events.pb.h"
#include "osh/events/v1/notify_events.pb.h"
#include "osh/events/v1/registry_events.pb.h"
#include "osh/events/v1/training_events.pb.h"

#include "fuzz_require.h"

namespace {

namespace pb = google::protobuf;
using osh::events::Event;

// A consumed message as librdkafka hands it over, made from the input.
class FuzzedMessage : public RdKafka::Message {
 public:
  FuzzedMessage(std::string payload, std::optional<std::string> key, RdKafka::Headers* headers)
      : payload_(std::move(payload)), key_(std::move(key)), headers_(headers) {}
  ~FuzzedMessage() override { delete headers_; }

  std::string errstr() const override { return ""; }
  RdKafka::ErrorCode err() const override { return RdKafka::ERR_NO_ERROR; }
  RdKafka::Topic* topic() const override { return nullptr; }
  std::string topic_name() const override { return "osh.registry.events"; }
  int32_t partition() const override { return 3; }
  void* payload() const override { return payload_.empty() ? nullptr : const_cast<char*>(payload_.data()); }
  size_t len() const override { return payload_.size(); }
  const std::string* key() const override { return key_ ? &*key_ : nullptr; }
  const void* key_pointer() const override { return key_ ? key_->data() : nullptr; }
  size_t key_len() const override { return key_ ? key_->size() : 0; }
  int64_t offset() const override { return 42; }
  RdKafka::MessageTimestamp timestamp() const override { return {}; }
  void* msg_opaque() const override { return nullptr; }
  int64_t latency() const override { return -1; }
  struct rd_kafka_message_s* c_ptr() override { return nullptr; }
  Status status() const override { return MSG_STATUS_PERSISTED; }
  RdKafka::Headers* headers() override { return headers_; }
  RdKafka::Headers* headers(RdKafka::ErrorCode* err) override {
    *err = RdKafka::ERR_NO_ERROR;
    return headers_;
  }
  int32_t broker_id() const override { return 1; }

 private:
  std::string payload_;
  std::optional<std::string> key_;
  RdKafka::Headers* headers_;
};

const std::vector<std::string>& EventTypeNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const pb::FileDescriptor* file :
         {osh::events::v1::EnterpriseRegistered::descriptor()->file(),
          osh::events::v1::ArticlePublished::descriptor()->file(),
          osh::events::v1::DeadlineReminder::descriptor()->file(),
          osh::events::v1::CertificateIssued::descriptor()->file()}) {
      for (int i = 0; i < file->message_type_count(); ++i) out.push_back(file->message_type(i)->full_name());
    }
    return out;
  }();
  return names;
}

const char* const kAttributeHeaders[] = {osh::events::header::kSpecVersion, osh::events::header::kId,
                                         osh::events::header::kSource,      osh::events::header::kType,
                                         osh::events::header::kTime,        osh::events::header::kContentType};

std::string HeaderValue(FuzzedDataProvider& in, const std::string& name) {
  if (name == osh::events::header::kType && in.ConsumeBool()) {
    const auto& names = EventTypeNames();
    return names[in.ConsumeIntegralInRange<std::size_t>(0, names.size() - 1)];
  }
  if (name == osh::events::header::kSource && in.ConsumeBool()) {
    return osh::events::SourceFor(in.ConsumeRandomLengthString(4), in.ConsumeRandomLengthString(12));
  }
  return in.ConsumeRandomLengthString(64);
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

void CheckAttributes(const Event& e) {
  const std::string failure = osh::events::ValidateAttributes(e);
  std::string province;
  std::string service;
  const bool osh_source = osh::events::ParseSource(e.source, &province, &service);
  if (osh_source) {
    FUZZ_REQUIRE(!province.empty() && !service.empty());
    FUZZ_REQUIRE(osh::events::SourceFor(province, service) == e.source);
    FUZZ_REQUIRE(e.Province() == province && e.Service() == service);
  } else {
    FUZZ_REQUIRE(e.Province().empty() && e.Service().empty());
  }
  if (!failure.empty()) return;
  FUZZ_REQUIRE(osh_source);
  FUZZ_REQUIRE(!e.id.empty() && e.id.size() <= 128);
  FUZZ_REQUIRE(!e.type.empty() && e.type.size() <= 256);
  FUZZ_REQUIRE(e.time.size() >= 20);
}

// The dead-letter copy's headers, read back, carry the same attributes.
void CheckDeadLetterRoundTrip(const Event& e) {
  RdKafka::Headers* headers = osh::events::internal::HeadersOf(e);
  headers->add(osh::events::header::kError, "handler failed");
  FuzzedMessage copy(e.payload, e.key, headers);
  const Event again = osh::events::internal::EventOf(copy);
  FUZZ_REQUIRE(again.id == e.id && again.source == e.source && again.type == e.type && again.time == e.time);
  FUZZ_REQUIRE(again.payload == e.payload && again.key == e.key && again.traceparent == e.traceparent);
}

void CheckDecoding(const Event& e) {
  const pb::Descriptor* type = pb::DescriptorPool::generated_pool()->FindMessageTypeByName(e.type);
  if (type == nullptr) return;
  const pb::Message* prototype = pb::MessageFactory::generated_factory()->GetPrototype(type);
  std::unique_ptr<pb::Message> message(prototype->New());
  if (!osh::events::Unpack(e, message.get())) return;
  const std::string bytes = Deterministic(*message);
  std::unique_ptr<pb::Message> again(prototype->New());
  FUZZ_REQUIRE(again->ParseFromString(bytes));
  FUZZ_REQUIRE(Deterministic(*again) == bytes);
}

}  // namespace

// Protobuf logs every string field with invalid UTF-8 it refuses to parse:
// expected here, and the logging would slow the fuzzer down tenfold.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  RdKafka::Headers* headers = RdKafka::Headers::create();
  std::map<std::string, std::string> last;  // what EventOf must read: the last value of each name
  const int count = in.ConsumeIntegralInRange<int>(0, 10);
  for (int h = 0; h < count; ++h) {
    const std::string name = in.ConsumeBool()
                                 ? kAttributeHeaders[in.ConsumeIntegralInRange<std::size_t>(0, 5)]
                                 : in.ConsumeRandomLengthString(16);
    if (in.ConsumeIntegralInRange<int>(0, 7) == 0) {
      headers->add(name, nullptr, 0);  // a header without a value
      last[name] = "";
    } else {
      const std::string value = HeaderValue(in, name);
      headers->add(name, value.data(), value.size());
      last[name] = value;
    }
  }
  std::optional<std::string> key;
  if (in.ConsumeBool()) key = in.ConsumeRandomLengthString(32);
  FuzzedMessage message(in.ConsumeRemainingBytesAsString(), key, headers);

  const Event e = osh::events::internal::EventOf(message);
  FUZZ_REQUIRE(e.id == last[osh::events::header::kId]);
  FUZZ_REQUIRE(e.source == last[osh::events::header::kSource]);
  FUZZ_REQUIRE(e.type == last[osh::events::header::kType]);
  FUZZ_REQUIRE(e.time == last[osh::events::header::kTime]);
  FUZZ_REQUIRE(e.key == key.value_or(""));
  FUZZ_REQUIRE(e.topic == "osh.registry.events" && e.partition == 3 && e.offset == 42);

  CheckAttributes(e);
  CheckDeadLetterRoundTrip(e);
  CheckDecoding(e);
  return 0;
}
