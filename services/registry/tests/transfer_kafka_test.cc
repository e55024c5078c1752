// A transfer between two provinces' registries over the real Kafka broker of the
// ctest fixture, the topology of deploy/up.sh (every province on one broker,
// reading osh.exchange.transfers as is): the sender's outbox and relay, the
// receiver's consumer, importer and acknowledgement, with restarts of either
// side in the middle. tests/exchange runs the same across mirrored clusters.
#include "osh/events/testing/test_broker.h"
#include <set>

#include "osh/core/ids.h"
#include "osh/events/consumer.h"
#include "osh/events/outbox.h"
#include "osh/events/relay.h"
#include "osh/service/records.h"
#include "registry_fixture.h"
#include "registry_transfer.h"

namespace osh::registry::testing {
namespace {

std::string Brokers() { return events::testing::TestBrokers(); }

template <typename Pred>
bool WaitFor(Pred pred) {
  return events::testing::WaitFor(pred, std::chrono::seconds(60), std::chrono::milliseconds(100));
}

// One province's registry as osh-registry wires it: database, business logic,
// gRPC on a loopback port, and (when started) the outbox relay and the
// transfer-importing consumer.
class RegistryNode {
 public:
  RegistryNode(std::string province, std::filesystem::path db_path, std::string group, const auth::TokenVerifier& v)
      : province_(std::move(province)), path_(std::move(db_path)), group_(std::move(group)), verifier_(v) {
    db_ = store::Database::Open({.path = path_.string()}, RegistryStore::Migrations());
    Registry::Options options{.province = province_};
    options.after_commit = [this] {
      if (relay_) relay_->Notify();
    };
    registry_ = std::make_unique<Registry>(*db_, *cipher_, options);
    service_ = std::make_unique<RegistryGrpcService>(*registry_, verifier_);
    server_ = std::make_unique<core::GrpcServer>(core::GrpcServer::Options{.access_log = false}, &metrics_);
    server_->AddService(service_.get());
    std::string error;
    EXPECT_TRUE(server_->Start(&error)) << error;
    stub_ = v1::RegistryService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()), grpc::InsecureChannelCredentials()));
  }
  ~RegistryNode() {
    consumer_.reset();
    relay_.reset();
    server_->Shutdown(std::chrono::milliseconds(0), std::chrono::milliseconds(1000));
  }

  void StartRelay() {
    relay_ = std::make_unique<events::OutboxRelay>(*db_, events::OutboxRelay::Options{.brokers = Brokers()}, &metrics_);
    std::string error;
    ASSERT_TRUE(relay_->Start(&error)) << error;
    relay_->Notify();
  }
  void StartConsumer() {
    events::EventConsumer::Options o;
    o.brokers = Brokers();
    o.group_id = group_;
    o.topics = {kExchangeTopic};
    o.max_attempts = 2;
    o.initial_backoff = std::chrono::milliseconds(10);
    auto importer = std::make_shared<TransferImporter>(province_);
    consumer_ = std::make_unique<events::EventConsumer>(
        *db_, o, [importer](store::Tx& tx, const events::Event& e) { importer->Apply(tx, e); }, &metrics_);
    std::string error;
    ASSERT_TRUE(consumer_->Start(&error)) << error;
  }

  v1::RegistryService::Stub& stub() { return *stub_; }
  store::Database& db() { return *db_; }
  events::OutboxRelay* relay() { return relay_.get(); }
  events::EventConsumer* consumer() { return consumer_.get(); }

 private:
  std::string province_;
  std::filesystem::path path_;
  std::string group_;
  const auth::TokenVerifier& verifier_;
  core::MetricsRegistry metrics_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<crypto::FieldCipher> cipher_ = crypto::FieldCipher::ForTesting();
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<RegistryGrpcService> service_;
  std::unique_ptr<core::GrpcServer> server_;
  std::unique_ptr<v1::RegistryService::Stub> stub_;
  std::unique_ptr<events::OutboxRelay> relay_;
  std::unique_ptr<events::EventConsumer> consumer_;
};

int64_t ProcessedEvents(store::Database& db) {
  return db.Read([](store::Tx& tx) {
    auto s = tx.Prepare("SELECT COUNT(*) FROM events_processed");
    s.Step();
    return s.Int(0);
  });
}

class TransferKafkaTest : public RegistryFixture {
 protected:
  std::unique_ptr<grpc::ClientContext> As(const std::string& token) { return Ctx(token); }

  // Submits a declaration in `node` and approves it.
  void DeclareApproved(RegistryNode& node, const v1::SubmitDeclarationRequest& submit) {
    v1::Declaration declaration;
    auto status = node.stub().SubmitDeclaration(As(admin_).get(), submit, &declaration);
    ASSERT_TRUE(status.ok()) << status.error_message();
    v1::ReviewDeclarationRequest review;
    review.set_id(declaration.id());
    review.set_approve(true);
    ASSERT_TRUE(node.stub().ReviewDeclaration(As(inspector_).get(), review, &declaration).ok());
  }

  // Transfers the employer, at the version `node` holds now, to Suzhou (320500).
  grpc::Status TransferToSuzhou(RegistryNode& node, const std::string& employer_id, const std::string& reason,
                                v1::Employer* moved) {
    v1::GetEmployerRequest get;
    get.set_id(employer_id);
    v1::Employer current;
    if (auto status = node.stub().GetEmployer(As(admin_).get(), get, &current); !status.ok()) return status;
    v1::TransferEmployerRequest transfer;
    transfer.set_id(employer_id);
    transfer.set_version(current.version());
    transfer.set_to_division_code("320500");
    transfer.set_reason(reason);
    return node.stub().TransferEmployer(As(admin_).get(), transfer, moved);
  }
};

TEST_F(TransferKafkaTest, EmployerMovesWithItsHistoryAcrossRestartsOfBothSides) {
  const std::string run = core::NewRequestId();
  const auto admin32 = Token("province_admin", "32", "", "admin32");
  auto guangdong = std::make_unique<RegistryNode>("44", dir_.path() / "r44.db", "registry-44-" + run, *verifier_);
  auto jiangsu = std::make_unique<RegistryNode>("32", dir_.path() / "r32.db", "registry-32-" + run, *verifier_);

  // In Guangdong: register, declare, approve.
  const auto code = MakeCreditCode("441900", 9000 + static_cast<int>(std::time(nullptr) % 1000));
  v1::CreateEmployerRequest create;
  *create.mutable_employer() = SampleEmployer(code);
  v1::Employer employer;
  ASSERT_TRUE(guangdong->stub().CreateEmployer(As(admin_).get(), create, &employer).ok());
  v1::SubmitDeclarationRequest submit;
  submit.set_employer_id(employer.id());
  auto* d = submit.mutable_declaration();
  d->set_type(v1::DECLARATION_TYPE_INITIAL);
  auto* x = d->add_exposures();
  x->set_factor_code("D001");
  x->set_workplace("打磨车间");
  x->set_exposed_workers(12);
  d->set_total_exposed_workers(12);
  DeclareApproved(*guangdong, submit);

  // Transfer while Guangdong has no relay running: the event waits in the outbox.
  v1::Employer moved;
  auto status = TransferToSuzhou(*guangdong, employer.id(), "生产基地整体迁至苏州", &moved);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(moved.status(), v1::EMPLOYER_STATUS_TRANSFER_PENDING);
  EXPECT_GE(guangdong->db().Read([](store::Tx& tx) { return events::Outbox::CountPending(tx); }), 5);

  // Guangdong "restarts" (same file), now with its relay; Jiangsu starts consuming.
  guangdong = std::make_unique<RegistryNode>("44", dir_.path() / "r44.db", "registry-44-" + run, *verifier_);
  guangdong->StartRelay();
  jiangsu->StartConsumer();

  v1::GetEmployerByCreditCodeRequest by_code;
  by_code.set_credit_code(code);
  v1::Employer imported;
  ASSERT_TRUE(WaitFor([&] { return jiangsu->stub().GetEmployerByCreditCode(As(admin32).get(), by_code, &imported).ok(); }))
      << "the employer never arrived in Jiangsu";
  EXPECT_EQ(imported.id(), employer.id());
  EXPECT_EQ(imported.province(), "32");
  EXPECT_EQ(imported.division_code(), "320500");
  EXPECT_EQ(imported.status(), v1::EMPLOYER_STATUS_ACTIVE);
  EXPECT_EQ(imported.declaration_status(), v1::DECLARATION_STATUS_APPROVED);
  EXPECT_TRUE(imported.legal_representative_phone().empty()) << "personal data must not leave the province";
  v1::ListDeclarationsRequest history;
  history.set_employer_id(imported.id());
  v1::ListDeclarationsResponse declarations;
  ASSERT_TRUE(jiangsu->stub().ListDeclarations(As(admin32).get(), history, &declarations).ok());
  ASSERT_EQ(declarations.declarations_size(), 1);
  EXPECT_EQ(declarations.declarations(0).status(), v1::DECLARATION_STATUS_APPROVED);

  // Jiangsu restarts and its new consumer (a fresh group replays the topic) imports nothing twice.
  const auto processed = ProcessedEvents(jiangsu->db());
  jiangsu = std::make_unique<RegistryNode>("32", dir_.path() / "r32.db", "registry-32-replay-" + run, *verifier_);
  jiangsu->StartConsumer();
  ASSERT_TRUE(WaitFor([&] { return jiangsu->consumer()->duplicates() >= static_cast<uint64_t>(processed); }))
      << "the replay did not reach the events applied before";
  const auto imports = jiangsu->db().Read([&](store::Tx& tx) { return service::CountAudit(tx, employer.id()); });
  EXPECT_EQ(imports, 1);

  // Guangdong keeps the record pending until Jiangsu's acknowledgement comes back.
  v1::GetEmployerRequest get;
  get.set_id(employer.id());
  v1::Employer old;
  ASSERT_TRUE(guangdong->stub().GetEmployer(As(admin_).get(), get, &old).ok());
  EXPECT_EQ(old.status(), v1::EMPLOYER_STATUS_TRANSFER_PENDING);
  v1::ListTransfersRequest pending;
  pending.set_pending_only(true);
  v1::ListTransfersResponse listed;
  ASSERT_TRUE(guangdong->stub().ListTransfers(As(admin_).get(), pending, &listed).ok());
  ASSERT_EQ(listed.transfers_size(), 1);
  EXPECT_EQ(listed.transfers(0).employer_id(), employer.id());
  EXPECT_EQ(listed.transfers(0).to_province(), "32");
  EXPECT_EQ(listed.transfers(0).declarations_sent(), 1);
  jiangsu->StartRelay();
  guangdong->StartConsumer();
  ASSERT_TRUE(WaitFor([&] {
    return guangdong->stub().GetEmployer(As(admin_).get(), get, &old).ok() &&
           old.status() == v1::EMPLOYER_STATUS_TRANSFERRED_OUT;
  })) << "Jiangsu's acknowledgement never confirmed the transfer";
  ASSERT_TRUE(guangdong->stub().ListTransfers(As(admin_).get(), pending, &listed).ok());
  EXPECT_EQ(listed.transfers_size(), 0);
  v1::ListTransfersRequest all;
  ASSERT_TRUE(guangdong->stub().ListTransfers(As(admin_).get(), all, &listed).ok());
  ASSERT_EQ(listed.transfers_size(), 1);
  EXPECT_EQ(listed.transfers(0).state(), v1::TRANSFER_STATE_CONFIRMED);
  EXPECT_EQ(listed.transfers(0).declarations_imported(), 1);
  EXPECT_EQ(listed.transfers(0).receiver_employer_id(), imported.id());
  // No longer writable here.
  v1::UpdateEmployerRequest update;
  *update.mutable_employer() = old;
  update.mutable_update_mask()->add_paths("total_workers");
  EXPECT_EQ(guangdong->stub().UpdateEmployer(As(admin_).get(), update, &old).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(guangdong->db().Read([](store::Tx& tx) { return events::Outbox::CountPending(tx); }), 0);
}

// A declaration of `rows` exposure rows with long protective-measure texts
// (about 2.4 KB a row, as real declarations of large plants have).
v1::SubmitDeclarationRequest LargeDeclaration(const std::string& employer_id, v1::DeclarationType type, int rows) {
  v1::SubmitDeclarationRequest submit;
  submit.set_employer_id(employer_id);
  auto* d = submit.mutable_declaration();
  d->set_type(type);
  if (type == v1::DECLARATION_TYPE_ANNUAL) {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    d->set_year(tm.tm_year + 1900);
  }
  std::string measures;
  for (int i = 0; i < 800; ++i) measures += "防";
  for (int i = 0; i < rows; ++i) {
    auto* x = d->add_exposures();
    x->set_factor_code(i % 2 == 0 ? "D001" : "D005");
    x->set_workplace("第" + std::to_string(i) + "号打磨车间");
    x->set_post("打磨工");
    x->set_protective_measures(measures);
    x->set_exposed_workers(1);
  }
  d->set_total_exposed_workers(rows);
  return submit;
}

TEST_F(TransferKafkaTest, AnEmployerWithALargeHistoryMovesWholeAndOnceAndLaterEventsOfTheProvinceAllReachTheTopic) {
  const std::string run = core::NewRequestId();
  const auto admin32 = Token("province_admin", "32", "", "admin32");
  auto guangdong = std::make_unique<RegistryNode>("44", dir_.path() / "r44.db", "registry-44-" + run, *verifier_);
  auto jiangsu = std::make_unique<RegistryNode>("32", dir_.path() / "r32.db", "registry-32-" + run, *verifier_);
  guangdong->StartRelay();
  jiangsu->StartConsumer();

  // An employer with two approved declarations of 350 rows each (issue 23:
  // its transfer event was 1,696,173 bytes and stopped the province's stream).
  const int serial = static_cast<int>(std::hash<std::string>{}(run) % 90000);
  const auto code = MakeCreditCode("441900", 100000000 + serial);
  v1::CreateEmployerRequest create;
  *create.mutable_employer() = SampleEmployer(code);
  create.mutable_employer()->set_total_workers(5000);
  v1::Employer employer;
  ASSERT_TRUE(guangdong->stub().CreateEmployer(As(admin_).get(), create, &employer).ok());
  for (auto type : {v1::DECLARATION_TYPE_INITIAL, v1::DECLARATION_TYPE_ANNUAL}) {
    ASSERT_NO_FATAL_FAILURE(DeclareApproved(*guangdong, LargeDeclaration(employer.id(), type, 350)));
  }
  v1::Employer moved;
  auto status = TransferToSuzhou(*guangdong, employer.id(), "整体迁至苏州", &moved);
  ASSERT_TRUE(status.ok()) << status.error_message();

  // Every event it wrote fits the limit; the history went in parts.
  const auto [largest, parts] = guangdong->db().Read([](store::Tx& tx) {
    auto s = tx.Prepare(
        "SELECT MAX(length(payload)), SUM(type = 'osh.events.v1.EnterpriseTransferPart') FROM events_outbox");
    s.Step();
    return std::pair{s.Int(0), s.Int(1)};
  });
  EXPECT_LT(largest, static_cast<int64_t>(events::Outbox::MaxEventBytes()));
  EXPECT_GE(parts, 2);

  // Jiangsu imports the employer with its whole history.
  v1::GetEmployerByCreditCodeRequest by_code;
  by_code.set_credit_code(code);
  v1::Employer imported;
  ASSERT_TRUE(WaitFor([&] { return jiangsu->stub().GetEmployerByCreditCode(As(admin32).get(), by_code, &imported).ok(); }))
      << "the employer never arrived in Jiangsu";
  EXPECT_EQ(imported.province(), "32");
  v1::ListDeclarationsRequest history;
  history.set_employer_id(imported.id());
  v1::ListDeclarationsResponse declarations;
  ASSERT_TRUE(jiangsu->stub().ListDeclarations(As(admin32).get(), history, &declarations).ok());
  ASSERT_EQ(declarations.declarations_size(), 2);
  for (const auto& d : declarations.declarations()) {
    EXPECT_EQ(d.exposures_size(), 350);
    EXPECT_EQ(d.status(), v1::DECLARATION_STATUS_APPROVED);
    EXPECT_EQ(d.province(), "32");
  }

  // The province's stream goes on: 1,000 registrations after the transfer all reach the topic.
  for (int i = 0; i < 1000; ++i) {
    v1::CreateEmployerRequest next;
    *next.mutable_employer() = SampleEmployer(MakeCreditCode("441900", 200000000 + serial * 1000 + i));
    v1::Employer out;
    auto created = guangdong->stub().CreateEmployer(As(admin_).get(), next, &out);
    ASSERT_TRUE(created.ok()) << created.error_message();
  }
  ASSERT_TRUE(WaitFor([&] { return guangdong->db().Read([](store::Tx& tx) { return events::Outbox::CountPending(tx); }) == 0; }));
  EXPECT_EQ(guangdong->db().Read([](store::Tx& tx) { return events::Outbox::CountParked(tx); }), 0);
  std::set<std::string> written = guangdong->db().Read([](store::Tx& tx) {
    std::set<std::string> ids;
    auto s = tx.Prepare("SELECT event_id FROM events_outbox WHERE topic = 'osh.registry.events'");
    while (s.Step()) ids.insert(s.Text(0));
    return ids;
  });
  ASSERT_GE(written.size(), 1000u + 1 + 2 * 2 + 1);  // registrations, declarations, the transfer notice
  const auto seen = events::testing::ReadTopicHeaders(
      events::TopicFor("registry"), written.size(), {"ce_id"}, std::chrono::seconds(120),
      [&](const events::testing::Headers& h) { return written.count(h.at("ce_id")) > 0; });
  std::set<std::string> seen_ids;
  for (const auto& h : seen) seen_ids.insert(h.at("ce_id"));
  EXPECT_EQ(seen_ids, written) << "every event the province wrote is on the topic";

  // Imported exactly once, also when a fresh consumer group replays the topic.
  const auto processed = ProcessedEvents(jiangsu->db());
  jiangsu = std::make_unique<RegistryNode>("32", dir_.path() / "r32.db", "registry-32-replay-" + run, *verifier_);
  jiangsu->StartConsumer();
  ASSERT_TRUE(WaitFor([&] { return jiangsu->consumer()->duplicates() >= static_cast<uint64_t>(processed); }))
      << "the replay did not reach the events applied before";
  EXPECT_EQ(jiangsu->db().Read([&](store::Tx& tx) { return service::CountAudit(tx, employer.id()); }), 1);
  ASSERT_TRUE(jiangsu->stub().ListDeclarations(As(admin32).get(), history, &declarations).ok());
  EXPECT_EQ(declarations.declarations_size(), 2);
  EXPECT_EQ(jiangsu->db().Read([](store::Tx& tx) {
    auto s = tx.Prepare("SELECT COUNT(*) FROM transfer_parts");
    s.Step();
    return s.Int(0);
  }), 0) << "the parts are dropped once imported";
}

}  // namespace
}  // namespace osh::registry::testing
