#include "template_engine.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/text_format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "osh/domain/text.h"
#include "osh/events/v1/content_events.pb.h"
#include "osh/events/v1/registry_events.pb.h"
#include "osh/events/v1/training_events.pb.h"

namespace osh::notify {
namespace {

using events::v1::ArticlePublished;
using events::v1::DeclarationSubmitted;
using events::v1::EnterpriseRegistered;
using events::v1::EnterpriseTransferred;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t k2026_11_25_0130Z = 1795570200;  // 2026-11-25T09:30:00+08:00
constexpr int64_t k2026_12_31_1600Z = 1798732800;  // 2027-01-01T00:00:00+08:00, a year later in China

// Compiles `text` for `type`, failing the test (with the errors) when it does not compile.
CompiledTemplate MustCompile(std::string_view text, const google::protobuf::Descriptor* type) {
  std::vector<TemplateError> errors;
  auto compiled = CompileTemplate(text, type, &errors, "body");
  std::string why;
  for (const auto& e : errors) why += e.field + ": " + e.message + "\n";
  EXPECT_TRUE(compiled.has_value()) << text << "\n" << why;
  EXPECT_TRUE(errors.empty()) << why;
  if (!compiled) throw std::runtime_error("template did not compile");
  return std::move(*compiled);
}

// The one error compiling `text` gives, or "" (and a test failure) otherwise.
std::string OnlyError(std::string_view text, const google::protobuf::Descriptor* type) {
  std::vector<TemplateError> errors;
  const auto compiled = CompileTemplate(text, type, &errors, "subject");
  EXPECT_FALSE(compiled.has_value()) << text;
  EXPECT_EQ(errors.size(), 1u) << text;
  if (errors.size() != 1) return "";
  EXPECT_EQ(errors[0].field, "subject");
  return errors[0].message;
}

std::string RenderAs(std::string_view text, const google::protobuf::Message& event,
                     Escaping escaping = Escaping::kPlainText) {
  return Render(MustCompile(text, event.GetDescriptor()), event, escaping);
}

ArticlePublished SampleArticle() {
  ArticlePublished a;
  a.set_article_id("art-7");
  a.set_province("44");
  a.set_revision(int64_t{9007199254740993});  // above 2^53: must not pass through a double
  a.set_title("职业病防治法解读");
  a.set_category(content::v1::ARTICLE_CATEGORY_POLICY);
  a.set_locale("zh-CN");
  a.add_audiences(content::v1::AUDIENCE_EMPLOYERS);
  a.add_audiences(content::v1::AUDIENCE_MIGRANT_WORKERS);
  a.mutable_publish_time()->set_seconds(k2026_11_25_0130Z);
  a.set_first_publication(true);
  return a;
}

EnterpriseRegistered SampleEnterprise() {
  EnterpriseRegistered e;
  e.set_name("广州市某某化工有限公司");
  e.mutable_employer()->set_credit_code("91440101MA5CXXXX1X");
  e.mutable_employer()->set_total_workers(320);
  e.mutable_employer()->add_hazard_categories(common::v1::HAZARD_CATEGORY_DUST);
  e.mutable_registered_time()->set_seconds(k2026_12_31_1600Z);
  return e;
}

// ---- rendering ------------------------------------------------------------

TEST(TemplateEngineTest, RendersScalarFields) {
  EXPECT_EQ(RenderAs("《{{title}}》第{{ revision }}版 first={{first_publication}} {{locale}}", SampleArticle()),
            "《职业病防治法解读》第9007199254740993版 first=true zh-CN");
  ArticlePublished later = SampleArticle();
  later.set_first_publication(false);
  EXPECT_EQ(RenderAs("{{first_publication}}", later), "false");
}

TEST(TemplateEngineTest, AllowsAnyWhitespaceInsideBraces) {
  EXPECT_EQ(RenderAs("[{{title}}|{{ title }}|{{\ttitle\n}}|{{   title}}]", SampleArticle()),
            "[职业病防治法解读|职业病防治法解读|职业病防治法解读|职业病防治法解读]");
}

TEST(TemplateEngineTest, FollowsNestedPaths) {
  EXPECT_EQ(RenderAs("{{name}}（{{ employer.credit_code }}，{{employer.total_workers}}人）", SampleEnterprise()),
            "广州市某某化工有限公司（91440101MA5CXXXX1X，320人）");
  DeclarationSubmitted d;
  d.mutable_declaration()->mutable_employer()->set_credit_code("91440101MA5CYYYY2Y");
  d.mutable_declaration()->set_year(2026);
  EXPECT_EQ(RenderAs("{{declaration.employer.credit_code}}/{{declaration.year}}", d), "91440101MA5CYYYY2Y/2026");
}

TEST(TemplateEngineTest, UnsetMessagesReadAsDefaults) {
  EnterpriseRegistered bare;
  EXPECT_EQ(RenderAs("[{{employer.credit_code}}][{{employer.total_workers}}][{{registered_time}}]", bare),
            "[][0][]");
}

TEST(TemplateEngineTest, RendersEnumsByName) {
  EXPECT_EQ(RenderAs("{{category}}", SampleArticle()), "ARTICLE_CATEGORY_POLICY");
  ArticlePublished a = SampleArticle();
  a.set_category(static_cast<content::v1::ArticleCategory>(99));  // from a newer producer
  EXPECT_EQ(RenderAs("{{category}}", a), "99");
}

TEST(TemplateEngineTest, RendersTimestampsInChinaStandardTime) {
  EXPECT_EQ(RenderAs("{{publish_time}}", SampleArticle()), "2026-11-25T09:30:00+08:00");
  // 16:00 UTC on New Year's Eve is already the next year in Beijing.
  EXPECT_EQ(RenderAs("{{registered_time}}", SampleEnterprise()), "2027-01-01T00:00:00+08:00");
  ArticlePublished a = SampleArticle();
  a.mutable_publish_time()->set_seconds(k2026_12_31_1600Z - 1);
  a.mutable_publish_time()->set_nanos(999999999);  // seconds are what a reader needs
  EXPECT_EQ(RenderAs("{{publish_time}}", a), "2026-12-31T23:59:59+08:00");
  a.mutable_publish_time()->set_seconds(0);
  EXPECT_EQ(RenderAs("{{publish_time}}", a), "1970-01-01T08:00:00+08:00");
  a.mutable_publish_time()->set_seconds(-62135596800 - 1);  // before 0001-01-01: no valid Timestamp
  EXPECT_EQ(RenderAs("{{publish_time}}", a), "");
}

TEST(TemplateEngineTest, TimestampSecondsAreReachableToo) {
  EXPECT_EQ(RenderAs("{{publish_time.seconds}}", SampleArticle()), std::to_string(k2026_11_25_0130Z));
}

TEST(TemplateEngineTest, JoinsRepeatedEnums) {
  EXPECT_EQ(RenderAs("{{audiences}}", SampleArticle()), "AUDIENCE_EMPLOYERS, AUDIENCE_MIGRANT_WORKERS");
  EXPECT_EQ(RenderAs("{{employer.hazard_categories}}", SampleEnterprise()), "HAZARD_CATEGORY_DUST");
  EXPECT_EQ(RenderAs("[{{hazard_categories}}]", SampleArticle()), "[]");
}

TEST(TemplateEngineTest, KeepsLoneBracesAsText) {
  EXPECT_EQ(RenderAs("{a} } { }} {{title}}}", SampleArticle()), "{a} } { }} 职业病防治法解读}");
}

TEST(TemplateEngineTest, HtmlEscapesValuesButNotTheTemplate) {
  ArticlePublished a = SampleArticle();
  a.set_title("<script>&\"'");
  EXPECT_EQ(RenderAs("<b>{{title}}</b> & co", a, Escaping::kHtml), "<b>&lt;script&gt;&amp;&quot;&#39;</b> & co");
  EXPECT_EQ(RenderAs("<b>{{title}}</b>", a, Escaping::kPlainText), "<b><script>&\"'</b>");
}

TEST(TemplateEngineTest, JsonEscapesValuesIntoAValidString) {
  ArticlePublished a = SampleArticle();
  const std::string nasty = std::string("say \"hi\"\\\nnext\r\t\b\f") + '\x01' + '\x1f' + '\x7f' + "\xE2\x80\xA8中";
  a.set_title(nasty);
  const std::string out = RenderAs(R"({"title":"{{title}}","n":{{revision}}})", a, Escaping::kJson);
  EXPECT_EQ(out, R"({"title":"say \"hi\"\\\nnext\r\t\b\f\u0001\u001f\u007f\u2028中","n":9007199254740993})");
  const auto parsed = nlohmann::json::parse(out);
  EXPECT_EQ(parsed.at("title").get<std::string>(), nasty);
}

// Found by fuzzing: a webhook body with a bare number placeholder passed the
// save-time check, then rendered "-inf" (not JSON) for an event holding one.
TEST(TemplateEngineTest, NonFiniteNumbersAreNullInJsonAndReadableElsewhere) {
  events::v1::LiteracySurveyRecorded survey;
  survey.set_threshold_percent(-std::numeric_limits<double>::infinity());
  const auto body = MustCompile(R"({"threshold": {{threshold_percent}}})", survey.GetDescriptor());
  EXPECT_TRUE(RendersJsonWhateverTheValues(body));
  EXPECT_EQ(Render(body, survey, Escaping::kJson), R"({"threshold": null})");
  EXPECT_EQ(Render(body, survey, Escaping::kPlainText), R"({"threshold": -inf})");
  survey.set_threshold_percent(std::numeric_limits<double>::quiet_NaN());
  EXPECT_TRUE(nlohmann::json::accept(Render(body, survey, Escaping::kJson)));
  survey.set_threshold_percent(-60.5);
  EXPECT_EQ(Render(body, survey, Escaping::kJson), R"({"threshold": -60.5})");
}

TEST(TemplateEngineTest, NumbersAfterAMinusOrADigitAreNotJsonWhateverTheValues) {
  const auto* type = EnterpriseRegistered::descriptor();
  EXPECT_FALSE(RendersJsonWhateverTheValues(MustCompile(R"({"n": -{{employer.total_workers}}})", type)));
  EXPECT_FALSE(RendersJsonWhateverTheValues(MustCompile(R"({"n": 1{{employer.total_workers}}})", type)));
  EXPECT_TRUE(RendersJsonWhateverTheValues(MustCompile(R"({"n": {{employer.total_workers}}})", type)));
  EXPECT_TRUE(RendersJsonWhateverTheValues(MustCompile(R"({"n": "-{{employer.total_workers}}"})", type)));
}

TEST(TemplateEngineTest, ReplacesInvalidUtf8InValues) {
  ArticlePublished a = SampleArticle();
  a.set_title(std::string("ok\xC3(\xF0\x9F\x98") + "中");  // a broken 2-byte and a truncated 4-byte sequence
  const std::string out = RenderAs("{{title}}", a);
  EXPECT_EQ(domain::Utf8Error(out), std::nullopt);
  EXPECT_EQ(out, "ok\xEF\xBF\xBD(\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD中");
}

TEST(TemplateEngineTest, RefusesAnEventOfAnotherType) {
  const CompiledTemplate t = MustCompile("{{title}}", ArticlePublished::descriptor());
  EXPECT_THROW(Render(t, SampleEnterprise(), Escaping::kPlainText), std::invalid_argument);
}

TEST(TemplateEngineTest, ListsPathsInOrder) {
  const CompiledTemplate t =
      MustCompile("{{ name }} {{employer.credit_code}}-{{name}}", EnterpriseRegistered::descriptor());
  EXPECT_EQ(t.paths(), (std::vector<std::string>{"name", "employer.credit_code", "name"}));
  EXPECT_EQ(t.event_type(), EnterpriseRegistered::descriptor());
}

TEST(TemplateEngineTest, RendersTextWithoutPlaceholdersAsIs) {
  EXPECT_EQ(RenderAs("", SampleArticle()), "");
  EXPECT_EQ(RenderAs("新文章已发布 <&>", SampleArticle(), Escaping::kHtml), "新文章已发布 <&>");
}

// ---- authoring errors -----------------------------------------------------

TEST(TemplateEngineTest, UnknownPathIsNamedWithTheChoices) {
  const std::string m = OnlyError("Hi {{ titel }}", ArticlePublished::descriptor());
  EXPECT_THAT(m, HasSubstr("{{ titel }} at byte 3"));
  EXPECT_THAT(m, HasSubstr("osh.events.v1.ArticlePublished has no field \"titel\""));
  EXPECT_THAT(m, HasSubstr("article_id, province, revision, title, category"));
  EXPECT_THAT(m, HasSubstr("first_publication"));
}

TEST(TemplateEngineTest, UnknownNestedPathListsFieldsAtThatLevel) {
  const std::string m = OnlyError("{{name}} {{employer.nme}}", EnterpriseRegistered::descriptor());
  EXPECT_THAT(m, HasSubstr("{{employer.nme}} at byte 9"));
  EXPECT_THAT(m, HasSubstr("osh.events.v1.EmployerFacts has no field \"nme\""));
  EXPECT_THAT(m, HasSubstr("valid here: employer.employer_id, employer.credit_code,"));
}

TEST(TemplateEngineTest, PathIntoAMessageIsRefusedWithAHint) {
  const std::string m = OnlyError("{{employer}}", EnterpriseRegistered::descriptor());
  EXPECT_THAT(m, HasSubstr("employer is a message (osh.events.v1.EmployerFacts), not a value"));
  EXPECT_THAT(m, HasSubstr("e.g. employer.employer_id"));
  EXPECT_THAT(OnlyError("{{declaration.employer}}", DeclarationSubmitted::descriptor()),
              HasSubstr("declaration.employer is a message"));
}

TEST(TemplateEngineTest, RepeatedMessagesAreRefused) {
  EXPECT_THAT(OnlyError("{{declaration.exposures.category}}", DeclarationSubmitted::descriptor()),
              HasSubstr("declaration.exposures is a repeated message; only repeated strings, numbers, bools and "
                        "enums can be shown"));
  EXPECT_THAT(OnlyError("{{declaration.exposures}}", DeclarationSubmitted::descriptor()),
              HasSubstr("declaration.exposures is a repeated message"));
}

TEST(TemplateEngineTest, ScalarsHaveNoFields) {
  EXPECT_THAT(OnlyError("{{title.length}}", ArticlePublished::descriptor()),
              HasSubstr("title is a scalar (string) and has no fields"));
  EXPECT_THAT(OnlyError("{{audiences.first}}", ArticlePublished::descriptor()),
              HasSubstr("audiences is a scalar (enum) and has no fields"));
}

TEST(TemplateEngineTest, BytesAreRefused) {
  EXPECT_THAT(OnlyError("{{employer_record}}", EnterpriseTransferred::descriptor()),
              HasSubstr("employer_record holds bytes"));
  EXPECT_THAT(OnlyError("{{declaration_records}}", EnterpriseTransferred::descriptor()),
              HasSubstr("declaration_records holds bytes"));
}

TEST(TemplateEngineTest, MalformedPlaceholdersAreRefused) {
  EXPECT_THAT(OnlyError("x{{  }}", ArticlePublished::descriptor()),
              HasSubstr("placeholder {{  }} at byte 1: is empty; write a field path such as {{article_id}}"));
  for (const char* bad : {"{{ title-x }}", "{{a..b}}", "{{.title}}", "{{title.}}", "{{1abc}}", "{{{title}}}",
                          "{{ti tle}}", "{{标题}}"}) {
    EXPECT_THAT(OnlyError(bad, ArticlePublished::descriptor()), HasSubstr("is not a field path")) << bad;
  }
}

TEST(TemplateEngineTest, UnclosedBracesAreRefused) {
  EXPECT_EQ(OnlyError("Dear {{name", EnterpriseRegistered::descriptor()), "{{ at byte 5 is never closed with }}");
  EXPECT_EQ(OnlyError("{{name}} {{", EnterpriseRegistered::descriptor()), "{{ at byte 9 is never closed with }}");
  // Braces are counted in bytes: 中 takes three.
  EXPECT_EQ(OnlyError("中{{name}", EnterpriseRegistered::descriptor()), "{{ at byte 3 is never closed with }}");
}

TEST(TemplateEngineTest, InvalidUtf8IsRefused) {
  EXPECT_THAT(OnlyError("ab\xFF{{title}}", ArticlePublished::descriptor()), HasSubstr("invalid UTF-8 at byte 2"));
  EXPECT_THAT(OnlyError("中\xE4\xB8", ArticlePublished::descriptor()), HasSubstr("invalid UTF-8 at byte 3"));
}

TEST(TemplateEngineTest, TextIsAtMost16KiB) {
  const std::string at_limit = "{{title}}" + std::string(kMaxTemplateBytes - 9, 'a');
  EXPECT_EQ(RenderAs(at_limit, SampleArticle()).size(), kMaxTemplateBytes - 9 + SampleArticle().title().size());
  EXPECT_EQ(OnlyError(at_limit + "a", ArticlePublished::descriptor()), "is 16385 bytes, more than the 16384 allowed");
}

TEST(TemplateEngineTest, AtMost100Placeholders) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "{{locale}}";
  EXPECT_EQ(MustCompile(text, ArticlePublished::descriptor()).paths().size(), 100u);
  EXPECT_THAT(OnlyError(text + " {{locale}}", ArticlePublished::descriptor()),
              HasSubstr("has more than 100 placeholders (number 101 is at byte 1001)"));
}

TEST(TemplateEngineTest, ReportsEveryBadPlaceholderUnderItsField) {
  std::vector<TemplateError> errors;
  const auto subject = CompileTemplate("{{titel}}", ArticlePublished::descriptor(), &errors, "subject");
  const auto body = CompileTemplate("{{title}} {{revison}} {{employer}}", ArticlePublished::descriptor(), &errors,
                                    "body");
  EXPECT_FALSE(subject.has_value());
  EXPECT_FALSE(body.has_value());
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].field, "subject");
  EXPECT_THAT(errors[0].message, HasSubstr("\"titel\""));
  EXPECT_EQ(errors[1].field, "body");
  EXPECT_THAT(errors[1].message, HasSubstr("{{revison}} at byte 10"));
  EXPECT_EQ(errors[2].field, "body");
  EXPECT_THAT(errors[2].message, HasSubstr("{{employer}} at byte 22"));
}

TEST(TemplateEngineTest, NeedsAnEventType) {
  EXPECT_EQ(OnlyError("plain", nullptr), "names no event type to check its placeholders against");
}

TEST(TemplateEngineTest, ErrorsMayBeIgnored) {
  EXPECT_FALSE(CompileTemplate("{{titel}}", ArticlePublished::descriptor(), nullptr, "body").has_value());
  EXPECT_TRUE(CompileTemplate("{{title}}", ArticlePublished::descriptor(), nullptr, "body").has_value());
}

TEST(TemplateEngineTest, LongPlaceholdersAreCutInMessages) {
  const std::string junk(300, 'x');
  const std::string m = OnlyError("{{" + junk + "-}}", ArticlePublished::descriptor());
  EXPECT_THAT(m, HasSubstr("{{" + std::string(64, 'x') + "…}}"));
  EXPECT_THAT(m, Not(HasSubstr(std::string(65, 'x'))));
}

// ---- available variables ----------------------------------------------------

TEST(TemplateEngineTest, AvailableVariablesFollowFieldOrder) {
  EXPECT_EQ(AvailableVariables(EnterpriseRegistered::descriptor()),
            (std::vector<std::string>{"employer.employer_id", "employer.credit_code", "employer.province",
                                      "employer.division_code", "employer.industry_section", "employer.size_class",
                                      "employer.total_workers", "employer.hazard_categories",
                                      "employer.exposed_workers", "employer.version", "name", "registered_time"}));
}

TEST(TemplateEngineTest, AvailableVariablesLeaveOutWhatCannotBeShown) {
  const auto transferred = AvailableVariables(EnterpriseTransferred::descriptor());
  EXPECT_NE(std::find(transferred.begin(), transferred.end(), "to_province"), transferred.end());
  EXPECT_EQ(std::find(transferred.begin(), transferred.end(), "employer_record"), transferred.end());
  EXPECT_EQ(std::find(transferred.begin(), transferred.end(), "declaration_records"), transferred.end());
  const auto submitted = AvailableVariables(DeclarationSubmitted::descriptor());
  EXPECT_NE(std::find(submitted.begin(), submitted.end(), "declaration.employer.credit_code"), submitted.end());
  EXPECT_TRUE(std::none_of(submitted.begin(), submitted.end(),
                           [](const std::string& v) { return v.find("exposures") != std::string::npos; }));
}

// Whatever the listing offers must compile and render, for every event there is.
TEST(TemplateEngineTest, EveryAvailableVariableOfEveryEventCompiles) {
  int events = 0;
  for (const auto* file : {ArticlePublished::descriptor()->file(), EnterpriseRegistered::descriptor()->file()}) {
    for (int i = 0; i < file->message_type_count(); ++i, ++events) {
      const auto* type = file->message_type(i);
      std::string text;
      for (const auto& v : AvailableVariables(type)) text += "{{" + v + "}}|";
      const CompiledTemplate t = MustCompile(text, type);
      std::unique_ptr<google::protobuf::Message> event(
          google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
      EXPECT_NO_THROW(Render(t, *event, Escaping::kJson)) << type->full_name();
    }
  }
  EXPECT_EQ(events, 16);  // every message of the two events files (TransferHistory, EnterpriseTransferPart and EnterpriseTransferAccepted included): a new event must compile too
}

// ---- messages built at run time: recursion and every number type ---------------

class DynamicTypesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    google::protobuf::FileDescriptorProto file;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"pb(
      name: "notify_template_test.proto"
      package: "osh.notify.test"
      syntax: "proto3"
      message_type {
        name: "Node"
        field { name: "name" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING }
        field { name: "child" number: 2 label: LABEL_OPTIONAL type: TYPE_MESSAGE type_name: ".osh.notify.test.Node" }
        field { name: "count" number: 3 label: LABEL_OPTIONAL type: TYPE_INT64 }
        field { name: "labels" number: 4 label: LABEL_REPEATED type: TYPE_MESSAGE
                type_name: ".osh.notify.test.Node.LabelsEntry" }
        nested_type {
          name: "LabelsEntry"
          options { map_entry: true }
          field { name: "key" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING }
          field { name: "value" number: 2 label: LABEL_OPTIONAL type: TYPE_STRING }
        }
      }
      message_type {
        name: "Numbers"
        field { name: "u64" number: 1 label: LABEL_OPTIONAL type: TYPE_UINT64 }
        field { name: "s32" number: 2 label: LABEL_OPTIONAL type: TYPE_SINT32 }
        field { name: "f64" number: 3 label: LABEL_OPTIONAL type: TYPE_DOUBLE }
        field { name: "f32" number: 4 label: LABEL_OPTIONAL type: TYPE_FLOAT }
        field { name: "flags" number: 5 label: LABEL_REPEATED type: TYPE_BOOL }
        field { name: "fixed" number: 6 label: LABEL_REPEATED type: TYPE_FIXED32 }
      }
      message_type {
        name: "Wide"
        field { name: "f01" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING }
        field { name: "f02" number: 2 label: LABEL_OPTIONAL type: TYPE_STRING }
        field { name: "f03" number: 3 label: LABEL_OPTIONAL type: TYPE_STRING }
        field { name: "f04" number: 4 label: LABEL_OPTIONAL type: TYPE_STRING }
        field { name: "f05" number: 5 label: LABEL_OPTIONAL type: TYPE_STRING }
        field { name: "f06" number: 6 label: LABEL_OPTIONAL type: TYPE_STRING }
        field { name: "f07" number: 7 label: LABEL_OPTIONAL type: TYPE_STRING }
        field { name: "f08" number: 8 label: LABEL_OPTIONAL type: TYPE_STRING }
        field { name: "f09" number: 9 label: LABEL_OPTIONAL type: TYPE_STRING }
        field { name: "f10" number: 10 label: LABEL_OPTIONAL type: TYPE_STRING }
        field { name: "f11" number: 11 label: LABEL_OPTIONAL type: TYPE_STRING }
        field { name: "f12" number: 12 label: LABEL_OPTIONAL type: TYPE_STRING }
      }
    )pb", &file));
    ASSERT_NE(pool_.BuildFile(file), nullptr);
    node_ = pool_.FindMessageTypeByName("osh.notify.test.Node");
    numbers_ = pool_.FindMessageTypeByName("osh.notify.test.Numbers");
    wide_ = pool_.FindMessageTypeByName("osh.notify.test.Wide");
  }

  std::unique_ptr<google::protobuf::Message> New(const google::protobuf::Descriptor* type) {
    return std::unique_ptr<google::protobuf::Message>(factory_.GetPrototype(type)->New());
  }

  google::protobuf::DescriptorPool pool_;
  google::protobuf::DynamicMessageFactory factory_{&pool_};
  const google::protobuf::Descriptor* node_ = nullptr;
  const google::protobuf::Descriptor* numbers_ = nullptr;
  const google::protobuf::Descriptor* wide_ = nullptr;
};

TEST_F(DynamicTypesTest, AvailableVariablesStopAtDepthThree) {
  EXPECT_EQ(AvailableVariables(node_),
            (std::vector<std::string>{"name", "child.name", "child.child.name", "child.child.count", "child.count",
                                      "count"}));
}

TEST_F(DynamicTypesTest, DeeperPathsStillCompileAndRender) {
  auto root = New(node_);
  google::protobuf::Message* m = root.get();
  for (int depth = 0; depth < 4; ++depth) {
    m->GetReflection()->SetString(m, node_->FindFieldByName("name"), "level" + std::to_string(depth));
    m = m->GetReflection()->MutableMessage(m, node_->FindFieldByName("child"));
  }
  const CompiledTemplate t =
      MustCompile("{{name}}>{{child.child.child.name}}>{{child.child.child.child.name}}", node_);
  EXPECT_EQ(Render(t, *root, Escaping::kPlainText), "level0>level3>");
}

TEST_F(DynamicTypesTest, MapsAreRefused) {
  std::vector<TemplateError> errors;
  EXPECT_FALSE(CompileTemplate("{{labels}}", node_, &errors, "body").has_value());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].message, HasSubstr("labels is a map"));
}

TEST_F(DynamicTypesTest, RendersEveryNumberTypeExactly) {
  auto n = New(numbers_);
  const auto* r = n->GetReflection();
  r->SetUInt64(n.get(), numbers_->FindFieldByName("u64"), std::numeric_limits<uint64_t>::max());
  r->SetInt32(n.get(), numbers_->FindFieldByName("s32"), std::numeric_limits<int32_t>::min());
  r->SetDouble(n.get(), numbers_->FindFieldByName("f64"), 0.1);
  r->SetFloat(n.get(), numbers_->FindFieldByName("f32"), 0.1F);
  r->AddBool(n.get(), numbers_->FindFieldByName("flags"), true);
  r->AddBool(n.get(), numbers_->FindFieldByName("flags"), false);
  r->AddUInt32(n.get(), numbers_->FindFieldByName("fixed"), 7);
  r->AddUInt32(n.get(), numbers_->FindFieldByName("fixed"), 4294967295U);
  EXPECT_EQ(Render(MustCompile("{{u64}} {{s32}} {{f64}} {{f32}} [{{flags}}] [{{fixed}}]", numbers_), *n,
                   Escaping::kPlainText),
            "18446744073709551615 -2147483648 0.1 0.1 [true, false] [7, 4294967295]");
  auto root = New(node_);
  root->GetReflection()->SetInt64(root.get(), node_->FindFieldByName("count"), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(Render(MustCompile("{{count}}", node_), *root, Escaping::kPlainText), "-9223372036854775808");
}

TEST_F(DynamicTypesTest, ChoicesAreCutAtTen) {
  std::vector<TemplateError> errors;
  EXPECT_FALSE(CompileTemplate("{{f13}}", wide_, &errors, "body").has_value());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].message, HasSubstr("valid here: f01, f02, f03, f04, f05, f06, f07, f08, f09, f10 and 2 more"));
  EXPECT_THAT(errors[0].message, Not(HasSubstr("f11")));
}

}  // namespace
}  // namespace osh::notify
