// The legal representative's name and phone (personal data) over real gRPC
// sockets against a real SQLite file: sealed at rest, masked in answers,
// revealed to few with a purpose, every such read recorded, never in events.
#include <algorithm>
#include <fstream>
#include <iterator>

#include "osh/events/v1/registry_events.pb.h"
#include "osh/service/records.h"
#include "personal_data.h"
#include "registry_fixture.h"

namespace osh::registry::testing {
namespace {

using grpc::StatusCode;

constexpr char kName[] = "欧阳明华";
constexpr char kPhone[] = "13912345678";
constexpr char kMaskedName[] = "欧**华";
constexpr char kMaskedPhone[] = "139****5678";

class PersonalDataTest : public RegistryFixture {
 protected:
  v1::Employer WithContact(const std::string& code) {
    auto e = SampleEmployer(code);
    e.set_legal_representative(kName);
    e.set_legal_representative_phone(kPhone);
    return e;
  }

  grpc::Status Reveal(const std::string& token, const std::string& id, v1::Employer* out,
                      const std::string& purpose = "inspection 2026-017 follow-up") {
    v1::GetEmployerRequest get;
    get.set_id(id);
    get.set_reveal_personal_data(true);
    get.set_purpose(purpose);
    return stub_->GetEmployer(Ctx(token).get(), get, out);
  }

  v1::ListPersonalDataReadsResponse Reads(const std::string& record_id = "") {
    v1::ListPersonalDataReadsRequest req;
    req.set_record_id(record_id);
    v1::ListPersonalDataReadsResponse resp;
    auto status = stub_->ListPersonalDataReads(Ctx(admin_).get(), req, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return resp;
  }

  // Every byte of the registry's SQLite files (database, WAL, journal).
  // Every byte the database holds: the SQLite files whole (free pages too), or on
  // PostgreSQL every value of every live row (its server files are not the
  // test's to read; superseded row versions stay there until VACUUM).
  std::string RawFiles() {
    if (database_->postgres()) return database_->LiveValues();
    std::string all;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
      if (entry.path().filename().string().starts_with("registry.db")) {
        std::ifstream in(entry.path(), std::ios::binary);
        all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      }
    }
    return all;
  }

  static void ExpectMasked(const v1::Employer& e, const std::string& where) {
    EXPECT_TRUE(e.legal_representative().empty()) << where;
    EXPECT_TRUE(e.legal_representative_phone().empty()) << where;
    EXPECT_EQ(e.legal_representative_masked(), kMaskedName) << where;
    EXPECT_EQ(e.legal_representative_phone_masked(), kMaskedPhone) << where;
  }
};

TEST_F(PersonalDataTest, TheDatabaseFileHoldsNoClearNameOrPhoneOfTheLegalRepresentative) {
  auto created = CreateEmployer(WithContact(MakeCreditCode("441900", 1)), "create-1");
  v1::UpdateEmployerRequest update;
  *update.mutable_employer() = created;
  update.mutable_employer()->set_total_workers(130);
  update.set_request_id("update-1");
  v1::Employer updated;
  ASSERT_TRUE(stub_->UpdateEmployer(Ctx(admin_).get(), update, &updated).ok());
  v1::Employer revealed;
  ASSERT_TRUE(Reveal(admin_, created.id(), &revealed).ok());

  // The sealed columns open to the values, with the ring and the record's id only.
  const auto sealed = db_->Read([&](store::Tx& tx) { return RegistryStore::FindSealedContact(tx, created.id()); });
  EXPECT_EQ(cipher_->Open(sealed.name, "registry.employer.legal_representative:" + created.id()), kName);
  EXPECT_EQ(cipher_->Open(sealed.phone, "registry.employer.legal_representative_phone:" + created.id()), kPhone);

  Stop();  // closing checkpoints the WAL into the file
  const std::string raw = RawFiles();
  ASSERT_NE(raw.find("东莞市示例五金制品有限公司"), std::string::npos) << "the scan must see the records";
  EXPECT_EQ(raw.find(kName), std::string::npos) << "the name is in the file in clear";
  EXPECT_EQ(raw.find(kPhone), std::string::npos) << "the phone is in the file in clear";
  Start();
}

TEST_F(PersonalDataTest, EveryAnswerIsMaskedUnlessTheCallerAsksToReveal) {
  const auto code = MakeCreditCode("441900", 2);
  auto created = CreateEmployer(WithContact(code), "create-2");
  ExpectMasked(created, "create");
  ExpectMasked(CreateEmployer(WithContact(code), "create-2"), "the stored answer of a retry");

  v1::GetEmployerRequest get;
  get.set_id(created.id());
  v1::Employer read;
  ASSERT_TRUE(stub_->GetEmployer(Ctx(inspector_).get(), get, &read).ok());
  ExpectMasked(read, "get");
  v1::GetEmployerByCreditCodeRequest by_code;
  by_code.set_credit_code(code);
  ASSERT_TRUE(stub_->GetEmployerByCreditCode(Ctx(admin_).get(), by_code, &read).ok());
  ExpectMasked(read, "get by credit code");
  v1::ListEmployersRequest list;
  v1::ListEmployersResponse listed;
  ASSERT_TRUE(stub_->ListEmployers(Ctx(admin_).get(), list, &listed).ok());
  ASSERT_EQ(listed.employers_size(), 1);
  ExpectMasked(listed.employers(0), "list");

  v1::UpdateEmployerRequest update;
  *update.mutable_employer() = created;
  update.mutable_update_mask()->add_paths("total_workers");
  update.mutable_employer()->set_total_workers(140);
  v1::Employer updated;
  ASSERT_TRUE(stub_->UpdateEmployer(Ctx(admin_).get(), update, &updated).ok());
  ExpectMasked(updated, "update");
  EXPECT_EQ(db_->Read([&](store::Tx& tx) { return PersonalDataReads::Count(tx, created.id()); }), 0)
      << "masked reads are not personal-data reads";
}

TEST_F(PersonalDataTest, RevealIsForTheProvincesStaffAndTheEmployerItselfWithAPurpose) {
  const auto code = MakeCreditCode("441900", 3);
  const auto other = MakeCreditCode("441900", 4);
  auto created = CreateEmployer(WithContact(code));
  for (const auto& [who, token] : std::vector<std::pair<std::string, std::string>>{
           {"province admin", admin_}, {"inspector", inspector_}, {"the employer", Token("employer", "44", code)}}) {
    v1::Employer e;
    auto status = Reveal(token, created.id(), &e);
    ASSERT_TRUE(status.ok()) << who << ": " << status.error_message();
    EXPECT_EQ(e.legal_representative(), kName) << who;
    EXPECT_EQ(e.legal_representative_phone(), kPhone) << who;
  }
  for (const auto& [who, token] : std::vector<std::pair<std::string, std::string>>{
           {"national admin", national_},
           {"another province's admin", other_province_admin_},
           {"another province's inspector", Token("inspector", "32", "", "inspector32")},
           {"another employer", Token("employer", "44", other)},
           {"a worker of the employer", Token("worker", "44", code)},
           {"an institution", Token("institution", "44", code)}}) {
    v1::Employer e;
    auto status = Reveal(token, created.id(), &e);
    EXPECT_EQ(status.error_code(), StatusCode::PERMISSION_DENIED) << who << ": " << status.error_message();
    EXPECT_TRUE(e.legal_representative().empty()) << who;
  }
  EXPECT_EQ(Reads(created.id()).reads_size(), 3) << "refused reveals leave no record";

  // The purpose: required, short, one line.
  for (const auto& purpose : {std::string(), std::string(201, 'x'), std::string("line\nbreak")}) {
    v1::Employer e;
    auto status = Reveal(admin_, created.id(), &e, purpose);
    EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << purpose.size();
    EXPECT_TRUE(status.error_message().starts_with("purpose:")) << status.error_message();
  }
  v1::GetEmployerByCreditCodeRequest by_code;
  by_code.set_credit_code(code);
  by_code.set_reveal_personal_data(true);
  v1::Employer e;
  auto status = stub_->GetEmployerByCreditCode(Ctx(admin_).get(), by_code, &e);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(status.error_message().starts_with("purpose:")) << status.error_message();
}

TEST_F(PersonalDataTest, EachRevealLeavesOneRecordThatOnlyTheProvinceAdminLists) {
  const auto code = MakeCreditCode("441900", 5);
  auto first = CreateEmployer(WithContact(code));
  auto second = CreateEmployer(WithContact(MakeCreditCode("441900", 6)));
  v1::Employer e;
  ASSERT_TRUE(Reveal(admin_, first.id(), &e, "letter to the legal representative").ok());
  v1::GetEmployerByCreditCodeRequest by_code;
  by_code.set_credit_code(code);
  by_code.set_reveal_personal_data(true);
  by_code.set_purpose("on-site inspection call");
  ASSERT_TRUE(stub_->GetEmployerByCreditCode(Ctx(inspector_).get(), by_code, &e).ok());
  ASSERT_TRUE(Reveal(admin_, second.id(), &e).ok());

  auto reads = Reads(first.id());
  ASSERT_EQ(reads.reads_size(), 2);
  const auto& newest = reads.reads(0);
  EXPECT_EQ(newest.reader().subject(), "inspector44");
  EXPECT_EQ(newest.reader().role(), "inspector");
  EXPECT_EQ(newest.reader().province(), "44");
  EXPECT_EQ(newest.record_type(), "employer");
  EXPECT_EQ(newest.record_id(), first.id());
  EXPECT_EQ(newest.purpose(), "on-site inspection call");
  ASSERT_EQ(newest.fields_size(), 2);
  EXPECT_EQ(newest.fields(0), "legal_representative");
  EXPECT_EQ(newest.fields(1), "legal_representative_phone");
  EXPECT_TRUE(newest.has_read_time());
  EXPECT_EQ(reads.reads(1).reader().subject(), "admin44");
  EXPECT_EQ(reads.reads(1).purpose(), "letter to the legal representative");
  EXPECT_EQ(Reads().reads_size(), 3);

  // Paging and the time range.
  v1::ListPersonalDataReadsRequest req;
  req.set_page_size(2);
  v1::ListPersonalDataReadsResponse page;
  ASSERT_TRUE(stub_->ListPersonalDataReads(Ctx(admin_).get(), req, &page).ok());
  ASSERT_EQ(page.reads_size(), 2);
  ASSERT_FALSE(page.next_page_token().empty());
  req.set_page_token(page.next_page_token());
  ASSERT_TRUE(stub_->ListPersonalDataReads(Ctx(admin_).get(), req, &page).ok());
  ASSERT_EQ(page.reads_size(), 1);
  EXPECT_EQ(page.reads(0).record_id(), first.id());
  EXPECT_TRUE(page.next_page_token().empty());
  v1::ListPersonalDataReadsRequest range;
  *range.mutable_start_time() = newest.read_time();
  range.mutable_end_time()->set_seconds(newest.read_time().seconds() + 3600);
  ASSERT_TRUE(stub_->ListPersonalDataReads(Ctx(admin_).get(), range, &page).ok());
  EXPECT_GE(page.reads_size(), 1);
  for (const auto& r : page.reads()) EXPECT_GE(r.read_time().seconds(), newest.read_time().seconds());
  range.mutable_start_time()->set_seconds(newest.read_time().seconds() + 3600);
  range.mutable_end_time()->set_seconds(newest.read_time().seconds() + 7200);
  ASSERT_TRUE(stub_->ListPersonalDataReads(Ctx(admin_).get(), range, &page).ok());
  EXPECT_EQ(page.reads_size(), 0);

  for (const auto& [who, token] : std::vector<std::pair<std::string, std::string>>{
           {"inspector", inspector_},
           {"another province's admin", other_province_admin_},
           {"national admin", national_},
           {"the employer", Token("employer", "44", code)}}) {
    v1::ListPersonalDataReadsRequest list;
    v1::ListPersonalDataReadsResponse out;
    auto status = stub_->ListPersonalDataReads(Ctx(token).get(), list, &out);
    EXPECT_EQ(status.error_code(), StatusCode::PERMISSION_DENIED) << who;
    EXPECT_EQ(out.reads_size(), 0) << who;
  }
}

TEST_F(PersonalDataTest, ListingTheReadsNamesEachBadField) {
  struct Case {
    std::string field;
    std::function<void(v1::ListPersonalDataReadsRequest&)> spoil;
  };
  const std::vector<Case> cases = {
      {"page_size", [](auto& r) { r.set_page_size(-1); }},
      {"page_token", [](auto& r) { r.set_page_token("not-a-token"); }},
      {"record_id", [](auto& r) { r.set_record_id(std::string(65, 'a')); }},
      {"start_time", [](auto& r) { r.mutable_start_time()->set_nanos(-1); }},
      {"end_time", [](auto& r) { r.mutable_end_time()->set_seconds(253402300800); }},
      {"end_time",
       [](auto& r) {
         r.mutable_start_time()->set_seconds(1800000000);
         r.mutable_end_time()->set_seconds(1700000000);
       }},
  };
  for (const auto& c : cases) {
    v1::ListPersonalDataReadsRequest req;
    c.spoil(req);
    v1::ListPersonalDataReadsResponse resp;
    auto status = stub_->ListPersonalDataReads(Ctx(admin_).get(), req, &resp);
    EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_TRUE(status.error_message().starts_with(c.field + ":")) << c.field << " vs " << status.error_message();
  }
}

TEST_F(PersonalDataTest, AnUpdateWithoutMaskKeepsThePersonalDataAndANamedPathChangesIt) {
  auto created = CreateEmployer(WithContact(MakeCreditCode("441900", 7)));
  // Read, change, send back whole: the masked answer must not erase the values.
  v1::UpdateEmployerRequest update;
  *update.mutable_employer() = created;
  update.mutable_employer()->set_name("东莞市示例五金制品二厂有限公司");
  v1::Employer updated;
  ASSERT_TRUE(stub_->UpdateEmployer(Ctx(admin_).get(), update, &updated).ok());
  v1::Employer e;
  ASSERT_TRUE(Reveal(admin_, created.id(), &e).ok());
  EXPECT_EQ(e.legal_representative(), kName);
  EXPECT_EQ(e.legal_representative_phone(), kPhone);

  update = {};
  update.mutable_employer()->set_id(created.id());
  update.mutable_employer()->set_version(updated.version());
  update.mutable_employer()->set_legal_representative_phone("020-12345678");
  update.mutable_update_mask()->add_paths("legal_representative_phone");
  update.mutable_update_mask()->add_paths("legal_representative");  // sent empty: cleared
  ASSERT_TRUE(stub_->UpdateEmployer(Ctx(admin_).get(), update, &updated).ok());
  EXPECT_EQ(updated.legal_representative_phone_masked(), "020*****5678");
  EXPECT_TRUE(updated.legal_representative_masked().empty());
  ASSERT_TRUE(Reveal(admin_, created.id(), &e).ok());
  EXPECT_EQ(e.legal_representative_phone(), "020-12345678");
  EXPECT_TRUE(e.legal_representative().empty());
}

TEST_F(PersonalDataTest, NoEventOnTheOutboxCarriesTheNameOrPhone) {
  auto created = CreateEmployer(WithContact(MakeCreditCode("441900", 8)));
  v1::UpdateEmployerRequest update;
  *update.mutable_employer() = created;
  update.mutable_employer()->set_legal_representative("司马光明");
  update.mutable_update_mask()->add_paths("legal_representative");
  v1::Employer updated;
  ASSERT_TRUE(stub_->UpdateEmployer(Ctx(admin_).get(), update, &updated).ok());
  v1::TransferEmployerRequest transfer;
  transfer.set_id(created.id());
  transfer.set_version(updated.version());
  transfer.set_to_division_code("320500");
  transfer.set_reason("moved to Suzhou");
  v1::Employer moved;
  ASSERT_TRUE(stub_->TransferEmployer(Ctx(admin_).get(), transfer, &moved).ok());

  int transfers = 0;
  const auto rows = db_->Read([&](store::Tx& tx) {
    std::vector<std::pair<std::string, std::string>> out;
    for (auto s = tx.Prepare("SELECT type, payload FROM events_outbox"); s.Step();) out.emplace_back(s.Text(0), s.Blob(1));
    return out;
  });
  ASSERT_GE(rows.size(), 3u);
  for (const auto& [type, payload] : rows) {
    for (const std::string personal : {kName, kPhone, kMaskedName, kMaskedPhone, "司马光明", "司**明"}) {
      EXPECT_EQ(payload.find(personal), std::string::npos) << type << " carries " << personal;
    }
    events::v1::EnterpriseTransferred event;
    if (type != event.GetDescriptor()->full_name()) continue;
    ++transfers;
    ASSERT_TRUE(event.ParseFromString(payload));
    v1::Employer record;
    ASSERT_TRUE(record.ParseFromString(event.employer_record()));
    EXPECT_EQ(record.credit_code(), created.credit_code());
    EXPECT_TRUE(record.legal_representative().empty());
    EXPECT_TRUE(record.legal_representative_phone().empty());
    EXPECT_TRUE(record.legal_representative_masked().empty());
    EXPECT_TRUE(record.legal_representative_phone_masked().empty());
  }
  EXPECT_EQ(transfers, 2) << "the notice on osh.registry.events and the handover on the exchange topic";
}

TEST_F(PersonalDataTest, RowsWrittenInClearBeforeSealingAreSealedAtStart) {
  Stop();
  std::filesystem::remove_all(dir_.path());
  std::filesystem::create_directories(dir_.path());
  database_.reset();  // an empty database, too, on PostgreSQL
  database_ = std::make_unique<store::testing::TestDatabase>((dir_.path() / "registry.db").string());
  // The schema before personal data was sealed: every migration numbered below
  // it (a later one, such as transfers_sent, would otherwise leave the file at a
  // version past it, and the personal-data migration would never run on it).
  auto migrations = RegistryStore::Migrations();
  const auto sealing = std::find_if(migrations.begin(), migrations.end(),
                                    [](const auto& m) { return m.name == "personal_data_sealed_and_reads"; });
  ASSERT_NE(sealing, migrations.end());
  const int sealing_version = sealing->version;
  std::erase_if(migrations, [&](const auto& m) { return m.version >= sealing_version; });
  auto e = WithContact(MakeCreditCode("441900", 9));
  e.set_id("0190a0b0-0000-7000-8000-000000000001");
  e.set_province("44");
  e.set_version(1);
  e.set_status(v1::EMPLOYER_STATUS_ACTIVE);
  v1::CreateEmployerRequest create;
  *create.mutable_employer() = WithContact(e.credit_code());
  create.set_request_id("legacy-create");
  {
    auto legacy = store::Database::Open(database_->Options(), migrations);
    legacy->Write([&](store::Tx& tx) {
      auto s = tx.Prepare(
          "INSERT INTO employers (id, credit_code, province, division_code, industry_section, size_class,"
          " hazard_mask, declaration_status, status, version, record) VALUES (?, ?, '44', ?, 'C', 3, 0, 0, 1, 1, ?)");
      s.BindAll(e.id(), e.credit_code(), e.division_code());
      s.BindBlob(4, e.SerializeAsString());
      s.Run();
      service::SaveAnswer(tx, "admin44", "CreateEmployer", "legacy-create", create.SerializeAsString(),
                          e.SerializeAsString());
    });
  }
  ASSERT_NE(RawFiles().find(kPhone), std::string::npos) << "the legacy file must hold the phone in clear";

  Start();  // migrates and seals the backlog, as osh-registry does
  v1::Employer read;
  v1::GetEmployerRequest get;
  get.set_id(e.id());
  ASSERT_TRUE(stub_->GetEmployer(Ctx(admin_).get(), get, &read).ok());
  ExpectMasked(read, "a sealed legacy row");
  ASSERT_TRUE(Reveal(admin_, e.id(), &read).ok());
  EXPECT_EQ(read.legal_representative(), kName);
  EXPECT_EQ(read.legal_representative_phone(), kPhone);
  // The retry of the legacy request is still the same request, answered masked.
  v1::Employer retried;
  auto status = stub_->CreateEmployer(Ctx(admin_).get(), create, &retried);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(retried.id(), e.id());
  ExpectMasked(retried, "the stored answer");

  Stop();
  const std::string raw = RawFiles();
  EXPECT_EQ(raw.find(kName), std::string::npos) << "the name is still in the file in clear";
  EXPECT_EQ(raw.find(kPhone), std::string::npos) << "the phone is still in the file in clear";
  Start();  // a second start finds nothing left to seal
  EXPECT_EQ(PersonalData(*cipher_).SealBacklog(*db_), 0);
}

}  // namespace
}  // namespace osh::registry::testing
