// Bulk import of employers through the real RegistryService on a loopback
// port, over a real SQLite file: summaries, dry run, re-import, GB18030,
// restart and cancel mid-job, refusals of bad files and rows.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>

#include "import/importer.h"
#include "osh/events/testing/test_broker.h"
#include "registry_fixture.h"

namespace osh::registry::testing {
namespace {

using events::testing::WaitFor;

const std::string kHeader =
    "credit_code,name,division_code,industry_section,size_class,legal_representative,total_workers\n";

std::string Row(const std::string& code, const std::string& name, const std::string& division = "441900",
                const std::string& workers = "50") {
  return code + "," + name + "," + division + ",C,SMALL,张三," + workers + "\n";
}

class ImportTest : public RegistryFixture {
 protected:
  void SetUp() override {
    with_importer_ = true;
    SetBatchRows(500);
    import_options_.max_file_bytes = 64 * 1024;
    import_options_.max_row_bytes = 2048;
    import_options_.after_batch = [this](const v1::ImportJob& job) {
      std::lock_guard lock(hook_mu_);
      if (after_batch_) after_batch_(job);
    };
    RegistryFixture::SetUp();
  }

  void SetBatchRows(int rows) { import_options_.batch_rows = rows; }

  grpc::Status Upload(const std::string& data, v1::ImportJob* job, bool dry_run = false,
                      v1::ImportStrategy strategy = v1::IMPORT_STRATEGY_UNSPECIFIED, const std::string& charset = "",
                      const std::string& token = "", const std::string& content_type = "text/csv") {
    v1::StartImportRequest request;
    request.set_resource("employers");
    request.mutable_file()->set_content_type(content_type);
    request.mutable_file()->set_data(data);
    request.set_dry_run(dry_run);
    request.set_strategy(strategy);
    request.set_charset(charset);
    return stub_->StartImport(service::testing::CallContext(token.empty() ? admin_ : token).get(), request, job);
  }

  v1::ImportJob Get(const std::string& id) {
    v1::GetImportRequest request;
    request.set_id(id);
    v1::ImportJob job;
    EXPECT_TRUE(stub_->GetImport(service::testing::CallContext(admin_).get(), request, &job).ok());
    return job;
  }

  // Uploads and waits for the job to end.
  v1::ImportJob Import(const std::string& data, bool dry_run = false,
                       v1::ImportStrategy strategy = v1::IMPORT_STRATEGY_UNSPECIFIED, const std::string& charset = "") {
    v1::ImportJob job;
    const auto status = Upload(data, &job, dry_run, strategy, charset);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return Finished(job.id());
  }

  v1::ImportJob Finished(const std::string& id) {
    v1::ImportJob job;
    EXPECT_TRUE(WaitFor([&] {
      job = Get(id);
      return job.state() >= v1::IMPORT_STATE_COMPLETED;
    }));
    return job;
  }

  int64_t Count(const std::string& sql) {
    return db_->Read([&](store::Tx& tx) {
      auto s = tx.Prepare(sql);
      s.Step();
      return s.Int(0);
    });
  }
  int64_t Employers() { return Count("SELECT count(*) FROM employers"); }
  int64_t Events() { return Count("SELECT count(*) FROM events_outbox"); }

  std::mutex hook_mu_;
  std::function<void(const v1::ImportJob&)> after_batch_;

  const std::string& other_admin_ = other_province_admin_;
};

TEST_F(ImportTest, AMixedFileImportsTheGoodRowsAndNamesLineFieldAndReasonOfEachBadOne) {
  const std::string good1 = MakeCreditCode("441900", 1), good2 = MakeCreditCode("441900", 2);
  std::string bad_check = MakeCreditCode("441900", 3);
  bad_check[17] = bad_check[17] == '0' ? '1' : '0';
  const std::string file = kHeader + Row(good1, "甲厂") + Row(bad_check, "乙厂") +
                           Row(MakeCreditCode("441900", 4), "丙厂", "449999") + Row(good1, "甲厂重复") +
                           Row(good2, "丁厂", "441900", "many") + Row(MakeCreditCode("441900", 5), "戊厂");
  const auto job = Import(file);
  EXPECT_EQ(job.state(), v1::IMPORT_STATE_COMPLETED);
  EXPECT_EQ(job.rows_read(), 6);
  EXPECT_EQ(job.imported(), 2);
  EXPECT_EQ(job.updated(), 0);
  EXPECT_EQ(job.ignored(), 4);
  EXPECT_EQ(job.conflicts(), 4);
  EXPECT_EQ(job.percent(), 100.0);
  ASSERT_EQ(job.errors_size(), 4);
  EXPECT_EQ(job.errors(0).line(), 3);
  EXPECT_EQ(job.errors(0).field(), "credit_code");
  EXPECT_EQ(job.errors(0).problem(), v1::IMPORT_ROW_PROBLEM_INVALID);
  EXPECT_NE(job.errors(0).reason().find("check"), std::string::npos) << job.errors(0).reason();
  EXPECT_EQ(job.errors(1).line(), 4);
  EXPECT_EQ(job.errors(1).field(), "division_code");
  EXPECT_EQ(job.errors(2).line(), 5);
  EXPECT_EQ(job.errors(2).problem(), v1::IMPORT_ROW_PROBLEM_DUPLICATE_IN_FILE);
  EXPECT_NE(job.errors(2).reason().find("line 2"), std::string::npos);
  EXPECT_EQ(job.errors(3).line(), 6);
  EXPECT_EQ(job.errors(3).field(), "total_workers");
  EXPECT_EQ(Employers(), 2);
  EXPECT_EQ(Events(), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'create' AND entity = 'employer'"), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM import_seen"), 0);  // a finished job forgets the codes it saw
}

TEST_F(ImportTest, ADryRunValidatesEveryRowAndWritesAndEmitsNothing) {
  const std::string file = kHeader + Row(MakeCreditCode("441900", 1), "甲厂") +
                           Row(MakeCreditCode("441900", 2), "乙厂", "320100");
  const auto job = Import(file, true);
  EXPECT_EQ(job.state(), v1::IMPORT_STATE_COMPLETED);
  EXPECT_TRUE(job.dry_run());
  EXPECT_EQ(job.imported(), 1);
  EXPECT_EQ(job.conflicts(), 1);
  EXPECT_EQ(Employers(), 0);
  EXPECT_EQ(Events(), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log"), 0);
}

TEST_F(ImportTest, ImportingTheSameFileAgainChangesNothing) {
  std::string file = kHeader;
  for (int i = 1; i <= 20; ++i) file += Row(MakeCreditCode("441900", i), "厂" + std::to_string(i));
  const auto first = Import(file);
  EXPECT_EQ(first.imported(), 20);
  const auto events = Events();
  const auto versions = Count("SELECT sum(version) FROM employers");
  const auto second = Import(file);
  EXPECT_EQ(second.state(), v1::IMPORT_STATE_COMPLETED);
  EXPECT_EQ(second.imported(), 0);
  EXPECT_EQ(second.updated(), 0);
  EXPECT_EQ(second.ignored(), 20);
  EXPECT_EQ(second.conflicts(), 0);
  EXPECT_EQ(Events(), events);
  EXPECT_EQ(Count("SELECT sum(version) FROM employers"), versions);
}

TEST_F(ImportTest, AnUpdateChangesOnlyTheFileColumnsAndAStaleVersionIsRefused) {
  const std::string code1 = MakeCreditCode("441900", 1), code2 = MakeCreditCode("441900", 2);
  Import(kHeader + Row(code1, "甲厂") + Row(code2, "乙厂"));
  const auto job = Import("credit_code,total_workers,version\n" + code1 + ",77,1\n" + code2 + ",88,5\n" +
                              MakeCreditCode("441900", 3) + ",9,\n",
                          false, v1::IMPORT_STRATEGY_UPDATE);
  EXPECT_EQ(job.updated(), 1);
  EXPECT_EQ(job.conflicts(), 2);
  ASSERT_EQ(job.errors_size(), 2);
  EXPECT_EQ(job.errors(0).problem(), v1::IMPORT_ROW_PROBLEM_STALE_VERSION);
  EXPECT_EQ(job.errors(1).problem(), v1::IMPORT_ROW_PROBLEM_NOT_FOUND);
  v1::GetEmployerByCreditCodeRequest get;
  get.set_credit_code(code1);
  v1::Employer e;
  ASSERT_TRUE(stub_->GetEmployerByCreditCode(service::testing::CallContext(admin_).get(), get, &e).ok());
  EXPECT_EQ(e.total_workers(), 77);
  EXPECT_EQ(e.name(), "甲厂");
  EXPECT_EQ(e.version(), 2);
  EXPECT_EQ(e.legal_representative_masked(), "张*");
}

TEST_F(ImportTest, AGb18030FileWithChineseHeadersImports) {
  // 统一社会信用代码,单位名称,行政区划代码,行业门类,企业规模 / <code>,东莞厂,441900,C,小型 in GB18030.
  const std::string header = "\xCD\xB3\xD2\xBB\xC9\xE7\xBB\xE1\xD0\xC5\xD3\xC3\xB4\xFA\xC2\xEB,"
                             "\xB5\xA5\xCE\xBB\xC3\xFB\xB3\xC6,\xD0\xD0\xD5\xFE\xC7\xF8\xBB\xAE\xB4\xFA\xC2\xEB,"
                             "\xD0\xD0\xD2\xB5\xC3\xC5\xC0\xE0,\xC6\xF3\xD2\xB5\xB9\xE6\xC4\xA3\r\n";
  const std::string code = MakeCreditCode("441900", 7);
  const std::string row = code + ",\xB6\xAB\xDD\xB8\xB3\xA7,441900,C,\xD0\xA1\xD0\xCD\r\n";
  const auto job = Import(header + row);
  EXPECT_EQ(job.charset(), "GB18030");
  EXPECT_EQ(job.imported(), 1) << (job.errors_size() > 0 ? job.errors(0).reason() : "");
  v1::GetEmployerByCreditCodeRequest get;
  get.set_credit_code(code);
  v1::Employer e;
  ASSERT_TRUE(stub_->GetEmployerByCreditCode(service::testing::CallContext(admin_).get(), get, &e).ok());
  EXPECT_EQ(e.name(), "东莞厂");
  EXPECT_EQ(e.size_class(), common::v1::SIZE_CLASS_SMALL);
}

TEST_F(ImportTest, JsonLinesImportAsCsvDoes) {
  const std::string code = MakeCreditCode("441900", 8);
  v1::ImportJob job;
  const std::string file = "{\"credit_code\":\"" + code +
                           "\",\"单位名称\":\"甲厂\",\"division_code\":\"441900\",\"industry_section\":\"C\","
                           "\"size_class\":\"MICRO\",\"total_workers\":12}\n\n{\"credit_code\":\"x\"}\n";
  ASSERT_TRUE(Upload(file, &job, false, v1::IMPORT_STRATEGY_UNSPECIFIED, "", "", "application/x-ndjson").ok());
  job = Finished(job.id());
  EXPECT_EQ(job.imported(), 1);
  EXPECT_EQ(job.conflicts(), 1);
  ASSERT_GE(job.errors_size(), 1);
  for (const auto& e : job.errors()) EXPECT_EQ(e.line(), 3);  // the blank line 2 holds no row
  EXPECT_EQ(job.errors(0).field(), "credit_code");
}

TEST_F(ImportTest, ARestartedServiceResumesTheJobAndWritesNoRowTwice) {
  SetBatchRows(10);
  Restart();
  std::string file = kHeader;
  for (int i = 1; i <= 95; ++i) file += Row(MakeCreditCode("441900", i), "厂" + std::to_string(i));
  {
    std::lock_guard lock(hook_mu_);
    // The service goes down right after its third committed batch.
    after_batch_ = [this](const v1::ImportJob& job) {
      if (job.rows_read() >= 30) importer_->RequestStop();
    };
  }
  v1::ImportJob job;
  ASSERT_TRUE(Upload(file, &job).ok());
  ASSERT_TRUE(WaitFor([&] { return Get(job.id()).rows_read() >= 30; }));
  {
    std::lock_guard lock(hook_mu_);
    after_batch_ = nullptr;
  }
  const auto stopped = Get(job.id());
  EXPECT_EQ(stopped.state(), v1::IMPORT_STATE_RUNNING);
  EXPECT_EQ(stopped.rows_read(), 30);
  Restart();
  const auto done = Finished(job.id());
  EXPECT_EQ(done.state(), v1::IMPORT_STATE_COMPLETED);
  EXPECT_EQ(done.rows_read(), 95);
  EXPECT_EQ(done.imported(), 95);
  EXPECT_EQ(Employers(), 95);
  // Exactly one EnterpriseRegistered event per employer in the outbox.
  EXPECT_EQ(Count("SELECT count(*) FROM events_outbox WHERE type LIKE '%EnterpriseRegistered'"), 95);
  EXPECT_EQ(Count("SELECT count(DISTINCT event_key) FROM events_outbox"), 95);
}

TEST_F(ImportTest, CancellingStopsTheJobAfterTheBatchInProgress) {
  SetBatchRows(5);
  Restart();
  std::string file = kHeader;
  for (int i = 1; i <= 50; ++i) file += Row(MakeCreditCode("441900", i), "厂" + std::to_string(i));
  std::atomic<bool> cancelled{false};
  std::string id;
  {
    std::lock_guard lock(hook_mu_);
    // After the first batch the job waits until the test has cancelled it.
    after_batch_ = [&](const v1::ImportJob&) { WaitFor([&] { return cancelled.load(); }); };
  }
  v1::ImportJob job;
  ASSERT_TRUE(Upload(file, &job).ok());
  ASSERT_TRUE(WaitFor([&] { return Get(job.id()).rows_read() == 5; }));
  // The job is under way on its own thread: the service serves other calls meanwhile.
  CreateEmployer(SampleEmployer(MakeCreditCode("441900", 999)));
  v1::CancelImportRequest cancel;
  cancel.set_id(job.id());
  v1::ImportJob answer;
  ASSERT_TRUE(stub_->CancelImport(service::testing::CallContext(admin_).get(), cancel, &answer).ok());
  cancelled = true;
  const auto done = Finished(job.id());
  EXPECT_EQ(done.state(), v1::IMPORT_STATE_CANCELLED);
  EXPECT_EQ(done.rows_read(), 5);
  EXPECT_EQ(Employers(), 6);  // 5 imported, 1 created meanwhile
  EXPECT_EQ(stub_->CancelImport(service::testing::CallContext(admin_).get(), cancel, &answer).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(ImportTest, OnlyStaffOfTheProvinceImportAndOthersDoNotSeeTheJob) {
  v1::ImportJob job;
  const std::string file = kHeader + Row(MakeCreditCode("441900", 1), "甲厂");
  EXPECT_EQ(Upload(file, &job, false, {}, "", other_admin_).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const auto employer = Token("employer", "44", MakeCreditCode("441900", 1), "emp");
  EXPECT_EQ(Upload(file, &job, false, {}, "", employer).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Upload(file, &job, false, {}, "", inspector_).ok());
  v1::GetImportRequest get;
  get.set_id(job.id());
  v1::ImportJob seen;
  EXPECT_EQ(stub_->GetImport(service::testing::CallContext(other_admin_).get(), get, &seen).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Finished(job.id()).imported(), 1);
}

TEST_F(ImportTest, BadFilesAreRefusedNamingTheFieldOrLineAndNothingIsStored) {
  const auto refused = [&](const std::string& data, const std::string& content_type = "text/csv",
                           const std::string& charset = "") {
    v1::ImportJob job;
    const auto status = Upload(data, &job, false, {}, charset, "", content_type);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    const auto violations = core::FieldViolationsOf(status);
    return violations.empty() ? status.error_message() : violations[0].first + ": " + violations[0].second;
  };
  EXPECT_EQ(refused(""), "file: is empty");
  EXPECT_NE(refused("credit_code,colour\n1,red\n").find("unknown columns 'colour'"), std::string::npos);
  EXPECT_NE(refused(std::string("PK\x03\x04\0\0\0", 7)).find("binary"), std::string::npos);
  EXPECT_NE(refused(kHeader + std::string(70 * 1024, 'x')).find("more than the largest import"), std::string::npos);
  EXPECT_NE(refused(kHeader + "a," + std::string(3000, 'y') + "\n").find("line 2: the record is longer than 2048"),
            std::string::npos);
  EXPECT_NE(refused(kHeader + "\"" + MakeCreditCode("441900", 1) + "\n").find("line 2: a quoted field is not closed"),
            std::string::npos);
  EXPECT_NE(refused(kHeader + "\xB6\xAB,x\n", "text/csv", "UTF-8").find("file: line 2, byte"), std::string::npos);
  EXPECT_EQ(refused(kHeader), "file: holds no rows");
  EXPECT_EQ(refused("{\"credit_code\":\"x\",\"colour\":\"red\"}\n", "application/x-ndjson"),
            "file: line 1: 'colour' is not a column of employers");
  EXPECT_EQ(refused("[1, 2]\n", "application/x-ndjson"), "file: line 1: the line is not a JSON object");
  EXPECT_NE(refused(kHeader + "a\n", "application/pdf").find("file.content_type"), std::string::npos);
  EXPECT_NE(refused(kHeader + "a\n", "text/csv", "latin1").find("charset"), std::string::npos);
  EXPECT_EQ(Count("SELECT count(*) FROM import_jobs"), 0);
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path() / "imports"));
}

}  // namespace
}  // namespace osh::registry::testing
