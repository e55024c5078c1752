// Fuzzes the notify template engine: template text from the input is
// compiled against one of the platform's event types, then rendered with an
// event whose every field the input fills (negative and extreme numbers,
// NaN and infinities, unknown enum values, times out of range, strings of
// arbitrary bytes — C++ setters do not check UTF-8). What must hold:
// - compiling never crashes; a refusal names the field and says why in UTF-8;
// - a compiled template renders for any event of its type without throwing,
//   in every escaping, to valid UTF-8;
// - HTML escaping leaves no markup from values: with no '<' in the template's
//   own text, the output has none;
// - a webhook body that notify accepts (RendersJsonWhateverTheValues, the
//   check notify.cc makes when a template is saved) renders to JSON for every
//   event, as the check promises.
#include <fuzzer/FuzzedDataProvider.h>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "osh/domain/text.h"
#include "osh/events/v1/content_events.pb.h"
#include "osh/events/v1/notify_events.pb.h"
#include "osh/events/v1/registry_events.pb.h"
#include "osh/events/v1/training_events.pb.h"
#include "template_engine.h"

#include "fuzz_require.h"

namespace {

namespace pb = google::protobuf;
using namespace osh::notify;

// The messages of osh.events.v1: what notify rules react to.
const std::vector<const pb::Descriptor*>& EventTypes() {
  static const std::vector<const pb::Descriptor*> types = [] {
    std::vector<const pb::Descriptor*> out;
    for (const pb::FileDescriptor* file :
         {osh::events::v1::EnterpriseRegistered::descriptor()->file(),
          osh::events::v1::ArticlePublished::descriptor()->file(),
          osh::events::v1::DeadlineReminder::descriptor()->file(),
          osh::events::v1::CertificateIssued::descriptor()->file()}) {
      for (int i = 0; i < file->message_type_count(); ++i) out.push_back(file->message_type(i));
    }
    return out;
  }();
  return types;
}

double AnyDouble(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 5)) {
    case 0: return std::numeric_limits<double>::quiet_NaN();
    case 1: return std::numeric_limits<double>::infinity();
    case 2: return -std::numeric_limits<double>::infinity();
    case 3: return -0.0;
    case 4: return std::numeric_limits<double>::denorm_min();
    default: return in.ConsumeFloatingPoint<double>();
  }
}

// Sets every field of `m` from the input, messages a few levels deep.
void Fill(FuzzedDataProvider& in, pb::Message& m, int depth) {
  const pb::Descriptor* d = m.GetDescriptor();
  const pb::Reflection* r = m.GetReflection();
  for (int i = 0; i < d->field_count() && in.remaining_bytes() > 0; ++i) {
    const pb::FieldDescriptor* f = d->field(i);
    if (f->is_map()) continue;
    const int copies = f->is_repeated() ? in.ConsumeIntegralInRange<int>(0, 3) : (in.ConsumeBool() ? 1 : 0);
    for (int c = 0; c < copies; ++c) {
      const bool add = f->is_repeated();
      switch (f->cpp_type()) {
        case pb::FieldDescriptor::CPPTYPE_STRING: {
          const std::string s = in.ConsumeRandomLengthString(24);
          add ? r->AddString(&m, f, s) : r->SetString(&m, f, s);
          break;
        }
        case pb::FieldDescriptor::CPPTYPE_INT32: {
          const auto v = in.ConsumeIntegral<std::int32_t>();
          add ? r->AddInt32(&m, f, v) : r->SetInt32(&m, f, v);
          break;
        }
        case pb::FieldDescriptor::CPPTYPE_INT64: {
          const auto v = in.ConsumeIntegral<std::int64_t>();
          add ? r->AddInt64(&m, f, v) : r->SetInt64(&m, f, v);
          break;
        }
        case pb::FieldDescriptor::CPPTYPE_UINT32: {
          const auto v = in.ConsumeIntegral<std::uint32_t>();
          add ? r->AddUInt32(&m, f, v) : r->SetUInt32(&m, f, v);
          break;
        }
        case pb::FieldDescriptor::CPPTYPE_UINT64: {
          const auto v = in.ConsumeIntegral<std::uint64_t>();
          add ? r->AddUInt64(&m, f, v) : r->SetUInt64(&m, f, v);
          break;
        }
        case pb::FieldDescriptor::CPPTYPE_DOUBLE: {
          const double v = AnyDouble(in);
          add ? r->AddDouble(&m, f, v) : r->SetDouble(&m, f, v);
          break;
        }
        case pb::FieldDescriptor::CPPTYPE_FLOAT: {
          const auto v = static_cast<float>(in.ConsumeFloatingPoint<float>());
          add ? r->AddFloat(&m, f, v) : r->SetFloat(&m, f, v);
          break;
        }
        case pb::FieldDescriptor::CPPTYPE_BOOL: {
          const bool v = in.ConsumeBool();
          add ? r->AddBool(&m, f, v) : r->SetBool(&m, f, v);
          break;
        }
        case pb::FieldDescriptor::CPPTYPE_ENUM: {
          // proto3 enums are open: unknown numbers arrive from newer producers.
          const auto v = in.ConsumeIntegral<std::int32_t>();
          add ? r->AddEnumValue(&m, f, v) : r->SetEnumValue(&m, f, v);
          break;
        }
        case pb::FieldDescriptor::CPPTYPE_MESSAGE:
          if (depth < 3) Fill(in, add ? *r->AddMessage(&m, f) : *r->MutableMessage(&m, f), depth + 1);
          break;
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const std::string text = in.ConsumeRandomLengthString(kMaxTemplateBytes + 16);
  const auto& types = EventTypes();
  const pb::Descriptor* type = types[in.ConsumeIntegralInRange<std::size_t>(0, types.size() - 1)];

  std::vector<TemplateError> errors;
  const auto compiled = CompileTemplate(text, type, &errors, "body");
  if (!compiled) {
    FUZZ_REQUIRE(!errors.empty());
    for (const auto& e : errors) FUZZ_REQUIRE(e.field == "body" && !e.message.empty() && !osh::domain::Utf8Error(e.message));
    return 0;
  }
  FUZZ_REQUIRE(errors.empty());

  const pb::Message* empty = pb::MessageFactory::generated_factory()->GetPrototype(type);
  std::unique_ptr<pb::Message> event(empty->New());
  Fill(in, *event, 0);

  const std::string plain = Render(*compiled, *event, Escaping::kPlainText);
  const std::string html = Render(*compiled, *event, Escaping::kHtml);
  const std::string json = Render(*compiled, *event, Escaping::kJson);
  for (const auto* out : {&plain, &html, &json}) FUZZ_REQUIRE(!osh::domain::Utf8Error(*out));
  if (text.find('<') == std::string::npos) FUZZ_REQUIRE(html.find('<') == std::string::npos);

  if (RendersJsonWhateverTheValues(*compiled) && !nlohmann::json::accept(json)) {
    std::fprintf(stderr, "template %s\nrendered %s\nevent %s\n", text.c_str(), json.c_str(),
                 event->ShortDebugString().c_str());
    FUZZ_REQUIRE(!"a webhook body accepted when saved renders to JSON for every event");
  }
  return 0;
}
