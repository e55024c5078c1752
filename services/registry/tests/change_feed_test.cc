// Change feeds and the employer export over real gRPC sockets, against a real
// SQLite file (and, under the postgres label, a real PostgreSQL database).
#include <google/protobuf/util/json_util.h>

#include <sstream>
#include <vector>

#include "osh/core/errors.h"
#include "osh/core/page_token.h"
#include "osh/tabular/csv_reader.h"
#include "registry_fixture.h"

namespace osh::registry::testing {
namespace {

using grpc::StatusCode;

// What a mirror keeps of one change it saw.
struct Seen {
  int64_t sequence;
  std::string id;
  int64_t version;
};

class ChangeFeedTest : public RegistryFixture {
 protected:
  // Follows the employers' feed from `cursor` to its end, `page_size` at a
  // time, as a provincial system would; returns the cursor to keep.
  std::string FollowEmployers(std::string cursor, std::vector<Seen>& seen, int page_size = 2) {
    for (int pages = 0; pages < 100; ++pages) {
      v1::ListChangesRequest req;
      req.set_cursor(cursor);
      req.set_page_size(page_size);
      v1::ListEmployerChangesResponse resp;
      const auto status = stub_->ListEmployerChanges(Ctx(inspector_).get(), req, &resp);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) return cursor;
      EXPECT_LE(resp.changes_size(), page_size);
      EXPECT_FALSE(resp.next_cursor().empty());
      for (const auto& c : resp.changes()) seen.push_back({c.position().sequence(), c.employer().id(), c.position().version()});
      cursor = resp.next_cursor();
      if (!resp.has_more()) return cursor;
    }
    ADD_FAILURE() << "the feed never ended";
    return cursor;
  }

  v1::Employer Rename(const v1::Employer& e, const std::string& name) {
    v1::UpdateEmployerRequest req;
    req.mutable_employer()->set_id(e.id());
    req.mutable_employer()->set_version(e.version());
    req.mutable_employer()->set_name(name);
    req.mutable_update_mask()->add_paths("name");
    v1::Employer out;
    const auto status = stub_->UpdateEmployer(Ctx(admin_).get(), req, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  // The whole export stream in `format` as `token` asks for it: the file, or the refusal.
  grpc::Status Export(const std::string& token, v1::ExportFormat format, std::string* file, int* parts = nullptr) {
    v1::ExportEmployersRequest req;
    req.set_format(format);
    auto ctx = Ctx(token);
    auto reader = stub_->ExportEmployers(ctx.get(), req);
    google::api::HttpBody body;
    int n = 0;
    while (reader->Read(&body)) {
      EXPECT_EQ(body.content_type(), EmployerExport::ContentType(format));
      *file += body.data();
      ++n;
    }
    if (parts != nullptr) *parts = n;
    return reader->Finish();
  }

  std::vector<v1::Employer> CreateMany(int n, int first_serial) {
    std::vector<v1::Employer> out;
    for (int i = 0; i < n; ++i) out.push_back(CreateEmployer(SampleEmployer(MakeCreditCode("441900", first_serial + i))));
    return out;
  }
};

TEST_F(ChangeFeedTest, AClientFollowingTheFeedAcrossWritesAndARestartSeesEveryChangeOnceInCommitOrder) {
  std::vector<Seen> seen;
  std::vector<std::pair<std::string, int64_t>> written;  // (id, version) in the order the writes committed
  auto record = [&](const v1::Employer& e) { written.emplace_back(e.id(), e.version()); };

  auto a = CreateEmployer(SampleEmployer(MakeCreditCode("441900", 501)));
  record(a);
  auto b = CreateEmployer(SampleEmployer(MakeCreditCode("441900", 502)));
  record(b);
  auto c = CreateEmployer(SampleEmployer(MakeCreditCode("441900", 503)));
  record(c);
  std::string cursor = FollowEmployers("", seen);
  ASSERT_EQ(seen.size(), 3u);

  // Nothing new: the same position comes back, with no change.
  const std::string idle = FollowEmployers(cursor, seen);
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_EQ(idle, cursor);

  a = Rename(a, "东莞市示例五金制品有限公司（更名）");
  record(a);
  auto d = CreateEmployer(SampleEmployer(MakeCreditCode("441900", 504)));
  record(d);
  cursor = FollowEmployers(cursor, seen);
  ASSERT_EQ(seen.size(), 5u);

  Restart();  // the cursor is all the client keeps
  b = Rename(b, "东莞市示例五金制品有限公司（二）");
  record(b);
  auto e = CreateEmployer(SampleEmployer(MakeCreditCode("441900", 505)));
  record(e);
  cursor = FollowEmployers(cursor, seen, 1);

  ASSERT_EQ(seen.size(), written.size());
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].id, written[i].first) << "change " << i;
    EXPECT_EQ(seen[i].version, written[i].second) << "change " << i;
    if (i > 0) {
      EXPECT_GT(seen[i].sequence, seen[i - 1].sequence) << "change " << i;
    }
  }
}

TEST_F(ChangeFeedTest, EachChangeCarriesTheRecordAsItIsNowWithPersonalDataMasked) {
  auto a = CreateEmployer(SampleEmployer(MakeCreditCode("441900", 511)));
  a = Rename(a, "更名后的单位");
  v1::ListChangesRequest req;
  v1::ListEmployerChangesResponse resp;
  ASSERT_TRUE(stub_->ListEmployerChanges(Ctx(national_).get(), req, &resp).ok());
  ASSERT_EQ(resp.changes_size(), 2);
  EXPECT_EQ(resp.changes(0).position().version(), 1);
  EXPECT_EQ(resp.changes(1).position().version(), 2);
  for (const auto& change : resp.changes()) {
    EXPECT_EQ(change.employer().version(), 2);
    EXPECT_EQ(change.employer().name(), "更名后的单位");
    EXPECT_TRUE(change.employer().legal_representative().empty());
    EXPECT_TRUE(change.employer().legal_representative_phone().empty());
    EXPECT_EQ(change.employer().legal_representative_masked(), "张*");
    EXPECT_EQ(change.employer().legal_representative_phone_masked(), "138****8000");
  }
  EXPECT_FALSE(resp.has_more());
}

TEST_F(ChangeFeedTest, DeclarationsInspectionsAndRectificationItemsHaveFeedsOfTheirOwn) {
  const auto code = MakeCreditCode("441900", 521);
  auto employer = CreateEmployer(SampleEmployer(code));
  v1::SubmitDeclarationRequest submit;
  submit.set_employer_id(employer.id());
  auto* dust = submit.mutable_declaration()->add_exposures();
  dust->set_factor_code("D001");
  dust->set_workplace("打磨车间");
  dust->set_post("打磨工");
  dust->set_exposed_workers(30);
  submit.mutable_declaration()->set_type(v1::DECLARATION_TYPE_INITIAL);
  submit.mutable_declaration()->set_total_exposed_workers(30);
  const auto reviewed = ApprovedDeclaration(submit, Token("employer", "44", code, "boss"));
  ASSERT_FALSE(reviewed.id().empty());

  v1::ListChangesRequest req;
  v1::ListDeclarationChangesResponse declarations;
  ASSERT_TRUE(stub_->ListDeclarationChanges(Ctx(admin_).get(), req, &declarations).ok());
  ASSERT_EQ(declarations.changes_size(), 2);  // submitted, then reviewed
  EXPECT_EQ(declarations.changes(0).position().version(), 1);
  EXPECT_EQ(declarations.changes(1).position().version(), 2);
  EXPECT_EQ(declarations.changes(1).declaration().status(), v1::DECLARATION_STATUS_APPROVED);

  v1::RecordInspectionRequest inspect;
  inspect.set_employer_id(employer.id());
  inspect.mutable_inspection()->set_inspected_on("2026-01-05");
  inspect.mutable_inspection()->set_summary("日常监督检查");
  auto* finding = inspect.mutable_inspection()->add_findings();
  finding->set_description("防护设施缺失");
  finding->set_rectification_deadline("2026-02-05");
  v1::Inspection inspection;
  auto status = supervision_stub_->RecordInspection(Ctx(inspector_).get(), inspect, &inspection);
  ASSERT_TRUE(status.ok()) << status.error_message();

  v1::ListInspectionChangesResponse inspections;
  ASSERT_TRUE(supervision_stub_->ListInspectionChanges(Ctx(inspector_).get(), req, &inspections).ok());
  ASSERT_EQ(inspections.changes_size(), 1);
  EXPECT_EQ(inspections.changes(0).inspection().id(), inspection.id());
  v1::ListRectificationChangesResponse items;
  ASSERT_TRUE(supervision_stub_->ListRectificationChanges(Ctx(inspector_).get(), req, &items).ok());
  ASSERT_EQ(items.changes_size(), 1);
  EXPECT_EQ(items.changes(0).item().id(), inspection.findings(0).rectification_item_id());
  EXPECT_EQ(items.changes(0).position().version(), items.changes(0).item().version());
  // The four feeds share one sequence, in commit order: the declaration came before the inspection.
  EXPECT_LT(declarations.changes(1).position().sequence(), inspections.changes(0).position().sequence());
}

TEST_F(ChangeFeedTest, RecordsWrittenBeforeTheLogExistedAreInTheFeedFromTheStart) {
  Stop();
  // A database at the schema before the change log (migration 17), holding
  // an employer at version 3, as a registry deployed before the feeds has.
  database_.reset();  // first: on PostgreSQL the new one takes the same database name
  database_ = std::make_unique<store::testing::TestDatabase>((dir_.path() / "before-feeds.db").string());
  auto before = RegistryStore::Migrations();
  ASSERT_EQ(before[17].name, "record_changes");
  before.resize(17);
  v1::Employer old = SampleEmployer(MakeCreditCode("441900", 551));
  old.clear_legal_representative();
  old.clear_legal_representative_phone();
  old.set_id("01900000-0000-7000-8000-000000000001");
  old.set_province("44");
  old.set_status(v1::EMPLOYER_STATUS_ACTIVE);
  old.set_version(3);
  {
    auto db = store::Database::Open(database_->Options(), before);
    db->Write([&](store::Tx& tx) {
      auto s = tx.Prepare(
          "INSERT INTO employers (id, credit_code, province, division_code, industry_section, size_class,"
          " hazard_mask, declaration_status, status, version, record) VALUES (?, ?, ?, ?, ?, ?, 0, 0, 1, ?, ?)");
      s.BindAll(old.id(), old.credit_code(), old.province(), old.division_code(), old.industry_section(),
                static_cast<int64_t>(old.size_class()), old.version());
      s.BindBlob(8, old.SerializeAsString());
      s.Run();
    });
  }
  Start();  // migrates to the newest schema
  auto added = CreateEmployer(SampleEmployer(MakeCreditCode("441900", 552)));

  std::vector<Seen> seen;
  FollowEmployers("", seen);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].id, old.id());
  EXPECT_EQ(seen[0].version, 3);
  EXPECT_EQ(seen[1].id, added.id());
}

TEST_F(ChangeFeedTest, AMalformedOrForeignCursorIsRefusedNamingTheCursorField) {
  CreateEmployer(SampleEmployer(MakeCreditCode("441900", 531)));
  v1::ListChangesRequest req;
  v1::ListDeclarationChangesResponse declarations;
  ASSERT_TRUE(stub_->ListDeclarationChanges(Ctx(admin_).get(), req, &declarations).ok());

  for (const std::string& cursor : {std::string("not-a-cursor"), std::string("7a7a"), declarations.next_cursor(),
                                    core::EncodePageToken("1", "changes|employers|32"),
                                    core::EncodePageToken("-3", "changes|employers|44")}) {
    req.set_cursor(cursor);
    v1::ListEmployerChangesResponse resp;
    const auto status = stub_->ListEmployerChanges(Ctx(admin_).get(), req, &resp);
    EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << cursor;
    const auto violations = core::FieldViolationsOf(status);
    ASSERT_EQ(violations.size(), 1u) << cursor;
    EXPECT_EQ(violations[0].first, "cursor");
    EXPECT_EQ(resp.changes_size(), 0);
  }
}

TEST_F(ChangeFeedTest, AnotherProvincesStaffEmployersAndWorkersSeeNothingOfThisProvince) {
  const auto code = MakeCreditCode("441900", 541);
  CreateEmployer(SampleEmployer(code));
  for (const auto& token : {other_province_admin_, Token("inspector", "32", "", "inspector32"),
                            Token("employer", "44", code, "boss"), Token("worker", "44", code, "w1"),
                            Token("editor", "44", "", "editor44")}) {
    v1::ListChangesRequest req;
    v1::ListEmployerChangesResponse employers;
    EXPECT_EQ(stub_->ListEmployerChanges(Ctx(token).get(), req, &employers).error_code(),
              StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(employers.changes_size(), 0);
    v1::ListDeclarationChangesResponse declarations;
    EXPECT_EQ(stub_->ListDeclarationChanges(Ctx(token).get(), req, &declarations).error_code(),
              StatusCode::PERMISSION_DENIED);
    v1::ListInspectionChangesResponse inspections;
    EXPECT_EQ(supervision_stub_->ListInspectionChanges(Ctx(token).get(), req, &inspections).error_code(),
              StatusCode::PERMISSION_DENIED);
    v1::ListRectificationChangesResponse items;
    EXPECT_EQ(supervision_stub_->ListRectificationChanges(Ctx(token).get(), req, &items).error_code(),
              StatusCode::PERMISSION_DENIED);
    std::string file;
    EXPECT_EQ(Export(token, v1::EXPORT_FORMAT_CSV, &file).error_code(), StatusCode::PERMISSION_DENIED);
    EXPECT_TRUE(file.empty());
  }
  v1::ListChangesRequest req;
  v1::ListEmployerChangesResponse resp;
  EXPECT_EQ(stub_->ListEmployerChanges(Ctx("").get(), req, &resp).error_code(), StatusCode::UNAUTHENTICATED);
}

TEST_F(ChangeFeedTest, ACsvExportOfNEmployersHasNRowsWithMaskedPersonalDataAndParsesBack) {
  Stop();
  export_options_.page_rows = 7;  // several parts, the last one short
  Start();
  const auto created = CreateMany(23, 600);
  std::string file;
  int parts = 0;
  const auto status = Export(national_, v1::EXPORT_FORMAT_CSV, &file, &parts);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(parts, 4);
  EXPECT_EQ(file.find("13800138000"), std::string::npos);
  EXPECT_EQ(file.find("张三"), std::string::npos);

  tabular::CsvReader reader(file);
  tabular::CsvRecord row;
  std::string error;
  ASSERT_EQ(reader.Next(&row, &error), tabular::CsvReader::Result::kRecord) << error;
  const auto header = row.fields;
  auto column = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    EXPECT_NE(it, header.end()) << name;
    return static_cast<size_t>(it - header.begin());
  };
  const size_t id = column("id"), name = column("legal_representative"), phone = column("legal_representative_phone"),
               size = column("size_class"), workers = column("total_workers"), version = column("version");
  std::vector<std::string> ids;
  while (reader.Next(&row, &error) == tabular::CsvReader::Result::kRecord) {
    ASSERT_EQ(row.fields.size(), header.size()) << "line " << row.line;
    ids.push_back(row.fields[id]);
    EXPECT_EQ(row.fields[name], "张*");
    EXPECT_EQ(row.fields[phone], "138****8000");
    EXPECT_EQ(row.fields[size], "SIZE_CLASS_SMALL");
    EXPECT_EQ(row.fields[workers], "120");
    EXPECT_EQ(row.fields[version], "1");
  }
  EXPECT_TRUE(error.empty()) << error;
  ASSERT_EQ(ids.size(), created.size());
  for (size_t i = 0; i < created.size(); ++i) EXPECT_EQ(ids[i], created[i].id());  // id order: creation order
}

TEST_F(ChangeFeedTest, AJsonLinesExportHasOneMaskedEmployerPerLine) {
  const auto created = CreateMany(5, 700);
  std::string file;
  const auto status = Export(inspector_, v1::EXPORT_FORMAT_JSON_LINES, &file);
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::istringstream lines(file);
  std::string line;
  size_t n = 0;
  while (std::getline(lines, line)) {
    v1::Employer e;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &e).ok()) << line;
    ASSERT_LT(n, created.size());
    EXPECT_EQ(e.id(), created[n].id());
    EXPECT_TRUE(e.legal_representative().empty());
    EXPECT_EQ(e.legal_representative_phone_masked(), "138****8000");
    ++n;
  }
  EXPECT_EQ(n, created.size());
}

TEST_F(ChangeFeedTest, AnExportWithoutAFormatIsRefusedNamingTheFormatField) {
  std::string file;
  const auto status = Export(admin_, v1::EXPORT_FORMAT_UNSPECIFIED, &file);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  const auto violations = core::FieldViolationsOf(status);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].first, "format");
}

TEST_F(ChangeFeedTest, AnExportOfAnEmptyProvinceIsTheCsvHeaderAloneOrAnEmptyPartOfJsonLines) {
  std::string file;
  int parts = 0;
  ASSERT_TRUE(Export(admin_, v1::EXPORT_FORMAT_CSV, &file, &parts).ok());
  EXPECT_EQ(file, EmployerExport::CsvHeader());
  EXPECT_EQ(parts, 1);
  file.clear();
  // One empty part still: it carries the content type (Export checks it on every part).
  ASSERT_TRUE(Export(admin_, v1::EXPORT_FORMAT_JSON_LINES, &file, &parts).ok());
  EXPECT_TRUE(file.empty());
  EXPECT_EQ(parts, 1);
}

}  // namespace
}  // namespace osh::registry::testing
