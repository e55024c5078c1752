#include "transcoder.h"

#include <gtest/gtest.h>

#include "osh/domain/text.h"
#include "google/api/httpbody.pb.h"
#include "osh/registry/v1/registry.pb.h"
#include "tests/platform_routes.h"

namespace osh::gateway {
namespace {

const RouteTable& Routes() { return testing::PlatformRoutes(); }

struct Built {
  std::optional<TranscodeError> error;
  std::string debug;
};

template <typename M>
std::optional<TranscodeError> Build(const char* method, const std::string& target, std::string_view body, M* out,
                                    std::string_view content_type = {}) {
  const auto q = target.find('?');
  auto match = Routes().Find(method, target.substr(0, q));
  EXPECT_NE(match.route, nullptr) << target;
  std::string error;
  auto query = ParseQuery(q == std::string::npos ? "" : target.substr(q + 1), &error);
  EXPECT_TRUE(query) << error;
  return BuildRequest(*match.route, match.bindings, *query, body, out, content_type);
}

TEST(Transcoder, AnUploadBodyGoesIntoItsHttpBodyFieldAsRawBytesWithItsContentType) {
  registry::v1::StartImportRequest req;
  // GB18030 bytes (职业) are not UTF-8: a file keeps them; a JSON body would be refused.
  const std::string csv = "credit_code,\xD6\xB0\xD2\xB5\r\n1,2\r\n";
  EXPECT_FALSE(Build("POST", "/v1/imports/employers?dryRun=true&charset=GB18030&strategy=IMPORT_STRATEGY_CREATE", csv,
                     &req, "text/csv; charset=GB18030"));
  EXPECT_EQ(req.resource(), "employers");
  EXPECT_EQ(req.file().data(), csv);
  EXPECT_EQ(req.file().content_type(), "text/csv; charset=GB18030");
  EXPECT_TRUE(req.dry_run());
  EXPECT_EQ(req.charset(), "GB18030");
  EXPECT_EQ(req.strategy(), registry::v1::IMPORT_STRATEGY_CREATE);
  EXPECT_TRUE(TakesFile(*Routes().Find("POST", "/v1/imports/employers").route));
  EXPECT_FALSE(TakesFile(*Routes().Find("POST", "/v1/employers").route));
}

TEST(Transcoder, AnUploadNamesItsFileFieldOnlyInTheBody) {
  registry::v1::StartImportRequest req;
  const auto refused = Build("POST", "/v1/imports/employers?file.content_type=x", "a\n", &req, "text/csv");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->field, "file.content_type");
  const auto bad_type = Build("POST", "/v1/imports/employers", "a\n", &req, "text/csv\r\nx: y");
  ASSERT_TRUE(bad_type);
  EXPECT_EQ(bad_type->field, "content-type");
}

TEST(Transcoder, PathVariableFillsTheField) {
  registry::v1::GetEmployerRequest req;
  EXPECT_FALSE(Build("GET", "/v1/employers/e-42", "", &req));
  EXPECT_EQ(req.id(), "e-42");
}

TEST(Transcoder, QueryParametersWithEnumsByNameAndNumber) {
  registry::v1::ListEmployersRequest req;
  EXPECT_FALSE(Build("GET", "/v1/employers?page_size=20&divisionPrefix=4403&size_class=SIZE_CLASS_SMALL", "", &req));
  EXPECT_EQ(req.page_size(), 20);
  EXPECT_EQ(req.division_prefix(), "4403");
  EXPECT_EQ(req.size_class(), common::v1::SIZE_CLASS_SMALL);
  registry::v1::ListEmployersRequest by_number;
  EXPECT_FALSE(Build("GET", "/v1/employers?size_class=2", "", &by_number));
  EXPECT_EQ(static_cast<int>(by_number.size_class()), 2);
}

TEST(Transcoder, BadParametersNameTheField) {
  registry::v1::ListEmployersRequest req;
  auto unknown = Build("GET", "/v1/employers?colour=red", "", &req);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->field, "colour");
  auto wrong_type = Build("GET", "/v1/employers?page_size=many", "", &req);
  ASSERT_TRUE(wrong_type);
  EXPECT_NE(wrong_type->message.find("page"), std::string::npos) << wrong_type->message;
  auto twice = Build("GET", "/v1/employers?page_size=1&page_size=2", "", &req);
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->field, "page_size");
  auto bad_enum = Build("GET", "/v1/employers?size_class=HUGE", "", &req);
  ASSERT_TRUE(bad_enum);
  registry::v1::GetEmployerRequest get;
  auto body_on_get = Build("GET", "/v1/employers/e-1", "{}", &get);
  ASSERT_TRUE(body_on_get);
  EXPECT_EQ(body_on_get->field, "body");
}

TEST(Transcoder, BytesThatAreNotUtf8AreRefusedWithTheField) {
  registry::v1::GetEmployerRequest get;
  auto in_path = Build("GET", "/v1/employers/%FF", "", &get);
  ASSERT_TRUE(in_path);
  EXPECT_EQ(in_path->field, "id");
  registry::v1::ListEmployersRequest list;
  auto in_query = Build("GET", "/v1/employers?page_token=%C3", "", &list);
  ASSERT_TRUE(in_query);
  EXPECT_EQ(in_query->field, "page_token");
  registry::v1::CreateEmployerRequest create;
  auto in_body = Build("POST", "/v1/employers", "{\"name\":\"\xff\"}", &create);
  ASSERT_TRUE(in_body);
  EXPECT_EQ(in_body->field, "body");
}

TEST(Transcoder, BodyFieldAndQueryTogether) {
  registry::v1::CreateEmployerRequest req;
  EXPECT_FALSE(Build("POST", "/v1/employers?request_id=r-1",
                     R"({"creditCode":"91440300MA5F00000X","name":"深圳某厂","totalWorkers":12})", &req));
  EXPECT_EQ(req.request_id(), "r-1");
  EXPECT_EQ(req.employer().credit_code(), "91440300MA5F00000X");
  EXPECT_EQ(req.employer().name(), "深圳某厂");
  // A field of the body may not come as a parameter too.
  auto in_query = Build("POST", "/v1/employers?employer.name=x", "{}", &req);
  ASSERT_TRUE(in_query);
  EXPECT_EQ(in_query->field, "employer.name");
}

// Found by fuzzing: protobuf's parse error quotes the body around the error,
// cut by bytes; a cut inside a character made the message invalid UTF-8, and
// the 400's BadRequest detail naming "body" could not be written as JSON.
TEST(Transcoder, BodyErrorsStayValidUtf8WhenTheQuotedBodyIsCutInsideACharacter) {
  registry::v1::CreateEmployerRequest req;
  for (const std::string body : {"cst_versionhanges\xf1\x93\x90\x8a{rea", "abcdefghijklmnopq尘肺病x", "尘肺病尘肺病尘肺病"}) {
    auto error = Build("POST", "/v1/employers", body, &req);
    ASSERT_TRUE(error) << body;
    EXPECT_EQ(error->field, "body");
    EXPECT_FALSE(domain::Utf8Error(error->message)) << error->message;
    EXPECT_NE(error->message.find("invalid JSON body"), std::string::npos) << error->message;
  }
}

TEST(Transcoder, BodyErrorsAreClear) {
  registry::v1::CreateEmployerRequest req;
  auto malformed = Build("POST", "/v1/employers", R"({"name": )", &req);
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->field, "body");
  auto unknown = Build("POST", "/v1/employers", R"({"nickname":"x"})", &req);
  ASSERT_TRUE(unknown);
  EXPECT_NE(unknown->message.find("nickname"), std::string::npos) << unknown->message;
  auto wrong_type = Build("POST", "/v1/employers", R"({"totalWorkers":"lots"})", &req);
  ASSERT_TRUE(wrong_type);
  auto not_object = Build("POST", "/v1/employers", R"([1,2])", &req);
  ASSERT_TRUE(not_object);
}

TEST(Transcoder, PathWinsOverBodyAndStarBodyRefusesQuery) {
  registry::v1::UpdateEmployerRequest update;
  EXPECT_FALSE(Build("PATCH", "/v1/employers/e-7?update_mask=name,totalWorkers", R"({"id":"other","name":"n"})", &update));
  EXPECT_EQ(update.employer().id(), "e-7");
  EXPECT_EQ(update.employer().name(), "n");
  EXPECT_EQ(update.update_mask().paths_size(), 2);

  registry::v1::TransferEmployerRequest transfer;
  EXPECT_FALSE(Build("POST", "/v1/employers/e-9:transfer", R"({"version":"3","toDivisionCode":"110105"})", &transfer));
  EXPECT_EQ(transfer.id(), "e-9");
  EXPECT_EQ(transfer.version(), 3);
  EXPECT_EQ(transfer.to_division_code(), "110105");
  auto query = Build("POST", "/v1/employers/e-9:transfer?reason=x", "{}", &transfer);
  ASSERT_TRUE(query);
  EXPECT_EQ(query->field, "reason");
}

TEST(Transcoder, RendersCanonicalJson) {
  auto match = Routes().Find("GET", "/v1/employers/e-1");
  registry::v1::Employer e;
  e.set_id("e-1");
  e.set_credit_code("91440300MA5F00000X");
  e.set_version(7);
  const auto json = RenderResponse(*match.route, e);
  EXPECT_NE(json.find(R"("creditCode":"91440300MA5F00000X")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("version":"7")"), std::string::npos) << json;  // int64 as a string
  EXPECT_EQ(json.find("totalWorkers"), std::string::npos) << json;     // defaults omitted
}

TEST(ParseQuery, DecodesAndRejectsMalformedEscapes) {
  std::string error;
  auto q = ParseQuery("a=1&b=x+y%21&&c", &error);
  ASSERT_TRUE(q);
  ASSERT_EQ(q->size(), 3u);
  EXPECT_EQ((*q)[1].second, "x y!");
  EXPECT_EQ((*q)[2], (std::pair<std::string, std::string>{"c", ""}));
  EXPECT_FALSE(ParseQuery("a=%G1", &error));
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace osh::gateway

namespace osh::gateway {
namespace {

TEST(TranscoderDownloads, AnHttpBodyAnswerIsTheRawFileWithItsContentType) {
  auto match = testing::PlatformRoutes().Find("GET", "/v1/reporting/annual-reports/r-1:download");
  ASSERT_NE(match.route, nullptr);
  google::api::HttpBody body;
  body.set_content_type("text/csv; charset=utf-8");
  body.set_data("kind,region_code\r\nmetric,44\r\n");
  auto raw = RawBodyOf(*match.route, body);
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(raw->data, "kind,region_code\r\nmetric,44\r\n");
  // Not wrapped as JSON ({"contentType": …, "data": base64}).
  EXPECT_EQ(raw->data.find("contentType"), std::string::npos);
}

TEST(TranscoderDownloads, AFileWithoutAUsableContentTypeIsOctetStream) {
  auto match = testing::PlatformRoutes().Find("GET", "/v1/reporting/rollups:download");
  ASSERT_NE(match.route, nullptr);
  google::api::HttpBody body;
  body.set_data(std::string("\0\1\2", 3));
  auto raw = RawBodyOf(*match.route, body);
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->content_type, "application/octet-stream");
  EXPECT_EQ(raw->data.size(), 3u);
  body.set_content_type("text/html\r\nset-cookie: x=1");
  EXPECT_EQ(RawBodyOf(*match.route, body)->content_type, "application/octet-stream");
}

TEST(TranscoderDownloads, OtherAnswersStayJson) {
  auto match = testing::PlatformRoutes().Find("GET", "/v1/employers/e-1");
  ASSERT_NE(match.route, nullptr);
  registry::v1::Employer employer;
  employer.set_id("e-1");
  EXPECT_FALSE(RawBodyOf(*match.route, employer));
  EXPECT_NE(RenderResponse(*match.route, employer).find("\"id\":\"e-1\""), std::string::npos);
}

}  // namespace
}  // namespace osh::gateway
