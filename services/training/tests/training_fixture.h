#pragma once

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "osh/auth/jwt.h"
#include "osh/core/errors.h"
#include "osh/crypto/field_cipher.h"
#include "osh/domain/credit_code.h"
#include "osh/events/event.h"
#include "osh/events/outbox.h"
#include "osh/events/v1/registry_events.pb.h"
#include "osh/service/test_tokens.h"
#include "osh/service/testing/loopback_server.h"
#include "osh/store/testing/postgres.h"
#include "osh/store/testing/scratch_dir.h"
#include "osh/training/v1/training.grpc.pb.h"
#include "training.h"
#include "training_grpc.h"
#include "training_store.h"

namespace osh::training::testing {

using service::testing::Token;

// A valid credit code of province 44 whose organisation part ends in `tail`.
inline std::string CreditCode(char tail) {
  std::string first17 = "91440101MA59UQXX";
  first17 += tail;
  return first17 + *domain::CreditCodeCheckCharacter(first17);
}

inline const std::string kOrgA = CreditCode('1');
inline const std::string kOrgB = CreditCode('2');
inline constexpr char kCertificateKey[] = "certificate-key-for-tests-0123456789abcdef";

// A real osh-training behind a real gRPC server on a loopback port, over a
// SQLite file in a fresh directory; Restart() reopens the same file with the
// same keys. The clock is the test's.
class TrainingFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    verifier_ = auth::TokenVerifier::Create({.hs256_secret = service::testing::kTestSecret}, &error);
    ASSERT_TRUE(verifier_) << error;
    cipher_ = crypto::FieldCipher::ForTesting();
    codes_ = CertificateCodes::Create(kCertificateKey, "44", &error);
    ASSERT_TRUE(codes_) << error;
    Start();
  }
  void TearDown() override { Stop(); }

  Training::Options MakeOptions() {
    Training::Options o;
    o.province = "44";
    o.assignment_due_days = 90;
    o.clock = [this] { return std::chrono::system_clock::time_point(std::chrono::seconds(now_seconds_.load())); };
    return o;
  }

  void Start() {
    if (!database_) database_ = std::make_unique<store::testing::TestDatabase>(dir_.File("training.db"));
    db_ = store::Database::Open(database_->Options(), TrainingStore::Migrations());
    training_ = std::make_unique<Training>(*db_, *cipher_, *codes_, MakeOptions());
    service_ = std::make_unique<TrainingGrpcService>(*training_, *verifier_);
    server_ = std::make_unique<service::testing::LoopbackServer>(std::vector<grpc::Service*>{service_.get()});
    stub_ = v1::TrainingService::NewStub(server_->channel());
  }

  void Stop() {
    stub_.reset();
    server_.reset();
    service_.reset();
    training_.reset();
    db_.reset();
  }

  void Restart() {
    Stop();
    Start();
  }

  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) {
    return service::testing::CallContext(token);
  }

  // "field: description" lines of an INVALID_ARGUMENT's BadRequest.
  static std::string FieldsOf(const grpc::Status& status) {
    std::string fields;
    for (const auto& [field, description] : core::FieldViolationsOf(status)) fields += field + ": " + description + "\n";
    return fields;
  }

  // Two lessons and a two-question quiz (q1 single: b; q2 multiple: a and c), pass mark 50.
  static v1::CourseContent SampleCourse(const std::string& title = "粉尘危害防护") {
    v1::CourseContent c;
    c.set_title(title);
    c.set_summary("用人单位主要负责人和职业卫生管理人员培训");
    c.add_target_roles(v1::TARGET_ROLE_EMPLOYER_PRINCIPAL);
    c.add_target_roles(v1::TARGET_ROLE_OSH_MANAGER);
    c.add_target_roles(v1::TARGET_ROLE_WORKER);
    c.add_industry_sections("C");
    c.add_hazard_categories(common::v1::HAZARD_CATEGORY_DUST);
    for (const char* id : {"l1", "l2"}) {
      auto* l = c.add_lessons();
      l->set_id(id);
      l->set_title(std::string("第") + id + "课");
      l->set_body("正确佩戴防尘口罩。");
    }
    auto* quiz = c.mutable_quiz();
    quiz->set_pass_mark_percent(50);
    auto* q1 = quiz->add_questions();
    q1->set_id("q1");
    q1->set_text("防尘口罩应当？");
    q1->set_kind(v1::QUESTION_KIND_SINGLE_CHOICE);
    for (const char* id : {"a", "b", "c"}) {
      auto* ch = q1->add_choices();
      ch->set_id(id);
      ch->set_text(std::string("选项") + id);
      ch->set_correct(std::string(id) == "b");
    }
    auto* q2 = quiz->add_questions();
    q2->set_id("q2");
    q2->set_text("哪些属于粉尘？");
    q2->set_kind(v1::QUESTION_KIND_MULTIPLE_CHOICE);
    for (const char* id : {"a", "b", "c"}) {
      auto* ch = q2->add_choices();
      ch->set_id(id);
      ch->set_text(std::string("选项") + id);
      ch->set_correct(std::string(id) != "b");
    }
    c.set_max_attempts(2);
    return c;
  }

  v1::Course CreateCourse(const v1::CourseContent& content, const std::string& token = "", bool national = false) {
    v1::CreateCourseRequest req;
    *req.mutable_content() = content;
    req.set_national(national);
    v1::Course out;
    auto status = stub_->CreateCourse(Ctx(token.empty() ? admin_ : token).get(), req, &out);
    EXPECT_TRUE(status.ok()) << status.error_message() << "\n" << FieldsOf(status);
    return out;
  }

  grpc::Status Publish(const v1::Course& c, v1::Course* out, const std::string& token = "") {
    v1::PublishCourseRequest req;
    req.set_id(c.id());
    req.set_version(c.version());
    return stub_->PublishCourse(Ctx(token.empty() ? admin_ : token).get(), req, out);
  }

  v1::Course PublishedCourse(const v1::CourseContent& content = SampleCourse(), const std::string& token = "",
                             bool national = false) {
    const auto c = CreateCourse(content, token, national);
    v1::Course out;
    auto status = Publish(c, &out, token);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  grpc::Status Enroll(const std::string& course_id, const std::string& token, v1::Enrollment* out,
                      v1::TargetRole role = v1::TARGET_ROLE_WORKER, const std::string& name = "张三明",
                      const std::string& request_id = "") {
    v1::EnrollRequest req;
    req.set_course_id(course_id);
    req.set_target_role(role);
    req.set_holder_name(name);
    req.set_request_id(request_id);
    return stub_->Enroll(Ctx(token).get(), req, out);
  }

  grpc::Status View(const std::string& enrollment_id, const std::string& lesson_id, const std::string& token,
                    v1::Enrollment* out) {
    v1::RecordLessonViewedRequest req;
    req.set_enrollment_id(enrollment_id);
    req.set_lesson_id(lesson_id);
    return stub_->RecordLessonViewed(Ctx(token).get(), req, out);
  }

  static v1::QuizAnswer Answer(const std::string& question, std::initializer_list<const char*> choices) {
    v1::QuizAnswer a;
    a.set_question_id(question);
    for (const char* c : choices) a.add_choice_ids(c);
    return a;
  }

  grpc::Status Submit(const std::string& enrollment_id, const std::vector<v1::QuizAnswer>& answers,
                      const std::string& token, v1::QuizAttemptResult* out, const std::string& request_id = "") {
    v1::SubmitQuizAttemptRequest req;
    req.set_enrollment_id(enrollment_id);
    for (const auto& a : answers) *req.add_answers() = a;
    req.set_request_id(request_id);
    return stub_->SubmitQuizAttempt(Ctx(token).get(), req, out);
  }

  static std::vector<v1::QuizAnswer> AllRight() { return {Answer("q1", {"b"}), Answer("q2", {"a", "c"})}; }
  static std::vector<v1::QuizAnswer> AllWrong() { return {Answer("q1", {"a"}), Answer("q2", {"b"})}; }

  // Enrolls, views every lesson and passes: the completed enrollment.
  v1::Enrollment CompletedEnrollment(const std::string& course_id, const std::string& token,
                                     v1::TargetRole role = v1::TARGET_ROLE_WORKER) {
    v1::Enrollment e;
    auto status = Enroll(course_id, token, &e, role);
    EXPECT_TRUE(status.ok()) << status.error_message();
    for (const char* lesson : {"l1", "l2"}) EXPECT_TRUE(View(e.id(), lesson, token, &e).ok());
    v1::QuizAttemptResult result;
    status = Submit(e.id(), AllRight(), token, &result);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return result.enrollment();
  }

  v1::CertificateVerification Verify(const std::string& code) {
    v1::VerifyCertificateRequest req;
    req.set_code(code);
    v1::CertificateVerification out;
    auto status = stub_->VerifyCertificate(Ctx("").get(), req, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  std::vector<events::Event> OutboxEvents() {
    return db_->Read([](store::Tx& tx) {
      std::vector<events::Event> out;
      for (auto& row : events::Outbox::Pending(tx, 0, 1000)) out.push_back(row.event);
      return out;
    });
  }

  int64_t CountRows(const std::string& table) {
    // Table names come from the tests themselves, never from input.
    return db_->Read([&](store::Tx& tx) {
      auto s = tx.Prepare("SELECT COUNT(*) FROM " + table);
      s.Step();
      return s.Int(0);
    });
  }

  static events::Event Registered(const std::string& credit_code, std::vector<common::v1::HazardCategory> hazards,
                                  const std::string& province = "44", const std::string& industry = "C") {
    events::v1::EnterpriseRegistered m;
    m.set_name("某某制造有限公司");
    m.mutable_employer()->set_credit_code(credit_code);
    m.mutable_employer()->set_province(province);
    m.mutable_employer()->set_industry_section(industry);
    for (auto h : hazards) m.mutable_employer()->add_hazard_categories(h);
    m.mutable_registered_time()->set_seconds(kStart);
    return events::MakeEvent(m, province, "registry", credit_code);
  }

  // 2026-01-01T00:00:00Z
  static constexpr int64_t kStart = 1767225600;

  store::testing::ScratchDir dir_{"training"};
  // SQLite file, or under the label postgres a PostgreSQL database; outlives db_.
  std::unique_ptr<store::testing::TestDatabase> database_;
  std::unique_ptr<auth::TokenVerifier> verifier_;
  std::unique_ptr<crypto::FieldCipher> cipher_;
  std::unique_ptr<CertificateCodes> codes_;
  std::atomic<int64_t> now_seconds_{kStart};
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Training> training_;
  std::unique_ptr<TrainingGrpcService> service_;
  std::unique_ptr<service::testing::LoopbackServer> server_;
  std::unique_ptr<v1::TrainingService::Stub> stub_;

  const std::string admin_ = Token("province_admin", "44", "", "admin44");
  const std::string inspector_ = Token("inspector", "44", "", "inspector44");
  const std::string editor_ = Token("editor", "44", "", "editor44");
  const std::string other_admin_ = Token("province_admin", "32", "", "admin32");
  const std::string national_ = Token("national_admin", "", "", "nat");
  const std::string worker_ = Token("worker", "44", kOrgA, "worker-a1");
  const std::string worker2_ = Token("worker", "44", kOrgA, "worker-a2");
  const std::string employer_ = Token("employer", "44", kOrgA, "boss-a");
  const std::string other_worker_ = Token("worker", "44", kOrgB, "worker-b1");
  const std::string other_employer_ = Token("employer", "44", kOrgB, "boss-b");
  const std::string worker_elsewhere_ = Token("worker", "32", kOrgA, "worker-32");
};

}  // namespace osh::training::testing
