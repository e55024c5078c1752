// The two ends of a transfer as the exchange topic delivers them, without a
// broker: the sender's record of pending transfers, the acknowledgement that
// confirms one, and who may list them. (transfer_kafka_test runs them over a
// real broker, tests/exchange across mirrored clusters.)
#include "osh/events/consumer.h"
#include "osh/events/event.h"
#include "osh/events/outbox.h"
#include "osh/events/v1/registry_events.pb.h"
#include "registry_fixture.h"
#include "registry_transfer.h"

namespace osh::registry::testing {
namespace {

class TransferExchangeTest : public RegistryFixture {
 protected:
  // Creates an employer in Guangdong and transfers it to Suzhou (Jiangsu, 32).
  v1::Employer Transferred(int serial) {
    const auto created = CreateEmployer(SampleEmployer(MakeCreditCode("441900", serial)));
    v1::TransferEmployerRequest transfer;
    transfer.set_id(created.id());
    transfer.set_version(created.version());
    transfer.set_to_division_code("320500");
    transfer.set_reason("迁至苏州");
    v1::Employer moved;
    auto status = stub_->TransferEmployer(Ctx(admin_).get(), transfer, &moved);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return moved;
  }

  // The handover of a transfer as the outbox holds it (topic osh.exchange.transfers).
  events::Event Handover() {
    return db_->Read([](store::Tx& tx) {
      for (const auto& row : events::Outbox::Pending(tx, 0, 1000)) {
        if (row.event.topic == kExchangeTopic) return row.event;
      }
      throw std::runtime_error("no handover in the outbox");
    });
  }

  v1::ListTransfersResponse List(const std::string& token, bool pending_only, grpc::Status* status = nullptr) {
    v1::ListTransfersRequest request;
    request.set_pending_only(pending_only);
    v1::ListTransfersResponse response;
    auto s = stub_->ListTransfers(Ctx(token).get(), request, &response);
    if (status != nullptr) *status = s;
    return response;
  }

  v1::Employer Read(const std::string& id) {
    v1::GetEmployerRequest get;
    get.set_id(id);
    v1::Employer e;
    EXPECT_TRUE(stub_->GetEmployer(Ctx(admin_).get(), get, &e).ok());
    return e;
  }

  // An acknowledgement of `transfer_id` as Jiangsu's registry writes it.
  static events::Event Accepted(const std::string& transfer_id, const std::string& from, const std::string& source) {
    events::v1::EnterpriseTransferAccepted a;
    a.set_transfer_id(transfer_id);
    a.set_credit_code("x");
    a.set_from_province(from);
    a.set_to_province("32");
    a.set_employer_id("receiver-id");
    a.set_declarations_imported(3);
    auto e = events::MakeEvent(a, source, "registry", "x");
    e.topic = kExchangeTopic;
    return e;
  }
};

TEST_F(TransferExchangeTest, ATransferStaysPendingUntilTheReceivingProvinceAcknowledgesItOnce) {
  const auto moved = Transferred(7001);
  EXPECT_EQ(moved.status(), v1::EMPLOYER_STATUS_TRANSFER_PENDING);
  auto pending = List(admin_, true);
  ASSERT_EQ(pending.transfers_size(), 1);
  const auto& t = pending.transfers(0);
  EXPECT_EQ(t.state(), v1::TRANSFER_STATE_PENDING);
  EXPECT_EQ(t.to_province(), "32");
  EXPECT_EQ(t.to_division_code(), "320500");
  EXPECT_FALSE(t.has_confirm_time());

  // The handover carries the same transfer id, and no personal data.
  events::v1::EnterpriseTransferred handover;
  ASSERT_TRUE(events::Unpack(Handover(), &handover));
  EXPECT_EQ(handover.transfer_id(), t.transfer_id());
  EXPECT_EQ(Handover().payload.find("13800138000"), std::string::npos);

  TransferImporter guangdong("44");
  const auto apply = [&](const events::Event& e) {
    return events::EventConsumer::ApplyOnce(*db_, [&](store::Tx& tx, const events::Event& ev) { guangdong.Apply(tx, ev); },
                                            e);
  };
  // Its own handover, back through the mirrors, changes nothing here.
  EXPECT_TRUE(apply(Handover()));
  EXPECT_EQ(Read(moved.id()).status(), v1::EMPLOYER_STATUS_TRANSFER_PENDING);
  // An acknowledgement of another province's transfer neither.
  EXPECT_TRUE(apply(Accepted(t.transfer_id(), "45", "32")));
  EXPECT_EQ(List(admin_, true).transfers_size(), 1);

  const auto ack = Accepted(t.transfer_id(), "44", "32");
  EXPECT_TRUE(apply(ack));
  EXPECT_FALSE(apply(ack)) << "a redelivered acknowledgement is a duplicate";
  const auto confirmed = Read(moved.id());
  EXPECT_EQ(confirmed.status(), v1::EMPLOYER_STATUS_TRANSFERRED_OUT);
  EXPECT_EQ(confirmed.version(), moved.version() + 1);
  EXPECT_EQ(List(admin_, true).transfers_size(), 0);
  auto all = List(admin_, false);
  ASSERT_EQ(all.transfers_size(), 1);
  EXPECT_EQ(all.transfers(0).state(), v1::TRANSFER_STATE_CONFIRMED);
  EXPECT_EQ(all.transfers(0).declarations_imported(), 3);
  EXPECT_EQ(all.transfers(0).receiver_employer_id(), "receiver-id");
  EXPECT_TRUE(all.transfers(0).has_confirm_time());
  // A second acknowledgement of the same transfer (another event id) changes nothing.
  EXPECT_TRUE(apply(Accepted(t.transfer_id(), "44", "32")));
  EXPECT_EQ(Read(moved.id()).version(), confirmed.version());
}

TEST_F(TransferExchangeTest, OnlyTheProvinceATransferWentToMayConfirmIt) {
  const auto moved = Transferred(7002);
  const auto id = List(admin_, true).transfers(0).transfer_id();
  TransferImporter guangdong("44");
  // Sent by 45 but claiming to come from 32, the receiver.
  EXPECT_THROW(db_->Write([&](store::Tx& tx) { guangdong.Apply(tx, Accepted(id, "44", "45")); }),
               events::UndecodableEvent);
  // Sent by 45 in its own name, for a transfer that went to 32 (every province sees its id go by).
  auto forged = Accepted(id, "44", "45");
  events::v1::EnterpriseTransferAccepted body;
  ASSERT_TRUE(events::Unpack(forged, &body));
  body.set_to_province("45");
  forged.payload = body.SerializeAsString();
  EXPECT_THROW(db_->Write([&](store::Tx& tx) { guangdong.Apply(tx, forged); }), events::UndecodableEvent);
  EXPECT_EQ(Read(moved.id()).status(), v1::EMPLOYER_STATUS_TRANSFER_PENDING);
}

TEST_F(TransferExchangeTest, ATransferNamingAnotherSenderThanItsSourceImportsNothing) {
  Transferred(7003);
  auto handover = Handover();
  handover.source = events::SourceFor("45", "registry");  // province 45 passing off 44's transfer
  TransferImporter jiangsu("32");
  EXPECT_THROW(db_->Write([&](store::Tx& tx) { jiangsu.Apply(tx, handover); }), events::UndecodableEvent);
}

TEST_F(TransferExchangeTest, APartFromAnotherProvinceIsNotSplicedIntoATransfersHistory) {
  // Guangdong's transfer of an employer with one declaration, its history in two parts.
  v1::Employer record = SampleEmployer(MakeCreditCode("441900", 7005));
  record.set_id("0190a0b0-0000-7000-8000-000000007005");
  record.clear_legal_representative();
  record.clear_legal_representative_phone();
  v1::Declaration declaration;
  declaration.set_id("0190a0b0-0000-7000-8000-00000000d005");
  events::v1::TransferHistory history;
  history.add_declaration_records(declaration.SerializeAsString());
  const std::string bytes = history.SerializeAsString();
  events::v1::EnterpriseTransferred transfer;
  transfer.set_from_province("44");
  transfer.set_to_province("32");
  transfer.set_to_division_code("320500");
  transfer.set_employer_record(record.SerializeAsString());
  transfer.set_transfer_id("0190a0b0-0000-7000-8000-00000000f005");
  transfer.set_history_part_count(2);
  transfer.set_history_bytes(static_cast<int64_t>(bytes.size()));
  const auto part = [&](int index, const std::string& from) {
    events::v1::EnterpriseTransferPart p;
    p.set_transfer_id(transfer.transfer_id());
    p.set_credit_code(record.credit_code());
    p.set_from_province(from);
    p.set_to_province("32");
    p.set_part_index(index);
    p.set_part_count(2);
    p.set_history_chunk(index == 0 ? bytes.substr(0, bytes.size() / 2) : bytes.substr(bytes.size() / 2));
    return events::MakeEvent(p, from, "registry", record.credit_code());
  };
  TransferImporter jiangsu("32");
  const auto apply = [&](const events::Event& e) { db_->Write([&](store::Tx& tx) { jiangsu.Apply(tx, e); }); };
  apply(events::MakeEvent(transfer, "44", "registry", record.credit_code()));
  apply(part(0, "44"));
  // Province 45, which saw the transfer id go by, sends the last part in its own name.
  EXPECT_THROW(apply(part(1, "45")), events::UndecodableEvent);
  EXPECT_FALSE(db_->Read([&](store::Tx& tx) { return RegistryStore::FindEmployer(tx, record.id()).has_value(); }));
  apply(part(1, "44"));  // the real one completes it
  EXPECT_TRUE(db_->Read([&](store::Tx& tx) { return RegistryStore::FindDeclaration(tx, declaration.id()).has_value(); }));
}

TEST_F(TransferExchangeTest, OnlyTheSendingProvincesStaffAndNationalRolesListItsTransfers) {
  Transferred(7004);
  grpc::Status status;
  EXPECT_EQ(List(admin_, false, &status).transfers_size(), 1);
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(List(inspector_, false, &status).transfers_size(), 1);
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(List(national_, true, &status).transfers_size(), 1);
  EXPECT_TRUE(status.ok());
  List(other_province_admin_, false, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  List(Token("employer", "44", MakeCreditCode("441900", 7004), "employer"), false, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  v1::ListTransfersRequest bad;
  bad.set_to_province("4");
  v1::ListTransfersResponse out;
  status = stub_->ListTransfers(Ctx(admin_).get(), bad, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("to_province"), std::string::npos);
}

}  // namespace
}  // namespace osh::registry::testing
