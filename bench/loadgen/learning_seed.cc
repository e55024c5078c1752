#include "learning_seed.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "employer_listing.h"
#include "osh/auth/jwt.h"
#include "osh/registry/v1/registry.grpc.pb.h"
#include "osh/training/v1/training.grpc.pb.h"

namespace osh::bench {
namespace {

namespace tv1 = osh::training::v1;
namespace rv1 = osh::registry::v1;

// SplitMix64 over the credit code's bytes: the same learners in every run.
uint64_t HashOf(const std::string& s) {
  uint64_t x = 0x9e3779b97f4a7c15ULL;
  for (unsigned char c : s) {
    x ^= c;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  }
  return x ^ (x >> 31);
}

// How far a province's people have got: shares in [0, 1].
struct LearningProfile {
  double principals;     // employers whose principal completed a mandatory course
  double osh_managers;   // employers whose OSH manager did
  double literate;       // survey respondents reaching the literacy threshold
};

LearningProfile LearningProfileOf(const std::string& province) {
  if (province == "44") return {0.72, 0.58, 0.52};
  if (province == "32") return {0.80, 0.66, 0.57};
  if (province == "11") return {0.88, 0.75, 0.63};
  return {0.75, 0.60, 0.55};
}

class Learning {
 public:
  Learning(const std::map<std::string, std::string>& flags, std::string admin_token)
      : training_(tv1::TrainingService::NewStub(
            grpc::CreateChannel(Flag(flags, "target", "127.0.0.1:7108"), grpc::InsecureChannelCredentials()))),
        registry_(rv1::RegistryService::NewStub(
            grpc::CreateChannel(Flag(flags, "registry", "127.0.0.1:7101"), grpc::InsecureChannelCredentials()))),
        admin_token_(std::move(admin_token)),
        province_(Flag(flags, "province", "44")),
        secret_(ReadSecret(Flag(flags, "secret-file", ""))),
        profile_(LearningProfileOf(province_)) {}

  void Run() {
    const auto course = MandatoryCourse();
    const auto employers = Employers();
    std::set<std::string> divisions;
    for (const auto& e : employers) {
      divisions.insert(e.division_code());
      const uint64_t h = HashOf(e.credit_code());
      if (static_cast<double>(h % 1000) < profile_.principals * 1000) {
        Complete(course, e, tv1::TARGET_ROLE_EMPLOYER_PRINCIPAL);
      }
      if (static_cast<double>((h / 1000) % 1000) < profile_.osh_managers * 1000) {
        Complete(course, e, tv1::TARGET_ROLE_OSH_MANAGER);
      }
    }
    Surveys(divisions);
    nlohmann::json line = {{"scenario", "training.seed-learning"}, {"province", province_},
                           {"employers", employers.size()}, {"course", course.id()}, {"answered", counts_}};
    std::cout << line.dump() << std::endl;
  }

 private:
  static std::string Flag(const std::map<std::string, std::string>& flags, const std::string& name,
                          const std::string& fallback) {
    auto it = flags.find(name);
    return it == flags.end() ? fallback : it->second;
  }

  static std::string ReadSecret(const std::string& path) {
    if (path.empty()) throw std::runtime_error("--secret-file is required (the HS256 secret)");
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    if (s.empty()) throw std::runtime_error("--secret-file " + path + " is empty or unreadable");
    return s;
  }

  std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) const {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->AddMetadata("authorization", "Bearer " + token);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return ctx;
  }

  void Check(const grpc::Status& s, const char* what) {
    if (!s.ok()) {
      throw std::runtime_error(fmt::format("{}: {} ({})", what, s.error_message(), static_cast<int>(s.error_code())));
    }
    counts_[what] = counts_.value(what, 0) + 1;
  }

  // The employer account of the organisation, as its own sign-in would give it.
  std::string EmployerToken(const rv1::Employer& e, tv1::TargetRole role) const {
    const char* who = role == tv1::TARGET_ROLE_EMPLOYER_PRINCIPAL ? "principal" : "osh-manager";
    nlohmann::json claims = {{"sub", fmt::format("demo-{}-{}", who, e.credit_code())},
                             {"role", "employer"},
                             {"province", province_},
                             {"org", e.credit_code()},
                             {"iat", std::time(nullptr)},
                             {"exp", std::time(nullptr) + 3600}};
    return auth::SignHs256(claims, secret_);
  }

  // The first published mandatory course open to principals and OSH managers
  // (seed-training publishes three), with its quiz's answer key, which only
  // the author's view shows (the demo courses are never edited after
  // publishing, so the newest version is the one enrollments take).
  tv1::Course MandatoryCourse() {
    tv1::ListCoursesRequest req;
    req.set_view(tv1::COURSE_VIEW_AUTHOR);
    req.set_page_size(100);
    tv1::ListCoursesResponse resp;
    Check(training_->ListCourses(Ctx(admin_token_).get(), req, &resp), "ListCourses");
    for (const auto& listed : resp.courses()) {
      // The listing carries summaries; the course itself has the roles and the quiz.
      if (listed.status() != tv1::COURSE_STATUS_PUBLISHED || !listed.content().mandatory()) continue;
      tv1::GetCourseRequest get;
      get.set_id(listed.id());
      get.set_view(tv1::COURSE_VIEW_AUTHOR);  // learners' views leave the answer key out
      tv1::Course c;
      Check(training_->GetCourse(Ctx(admin_token_).get(), get, &c), "GetCourse");
      const auto& roles = c.content().target_roles();
      const auto has = [&](int r) { return std::find(roles.begin(), roles.end(), r) != roles.end(); };
      if (has(tv1::TARGET_ROLE_EMPLOYER_PRINCIPAL) &&
          has(tv1::TARGET_ROLE_OSH_MANAGER) && c.content().quiz().questions_size() > 0) {
        return c;
      }
    }
    throw std::runtime_error("no published mandatory course for principals and OSH managers (run seed-training first)");
  }

  std::vector<rv1::Employer> Employers() { return ListAllEmployers(*registry_, admin_token_); }

  // Enroll, view every lesson, answer the quiz right: the learner's own path.
  // A completed enrollment (an earlier run) is left as it is.
  void Complete(const tv1::Course& course, const rv1::Employer& e, tv1::TargetRole role) {
    const auto token = EmployerToken(e, role);
    const std::string key = fmt::format("{}-{}", static_cast<int>(role), e.credit_code());
    tv1::EnrollRequest enroll;
    enroll.set_course_id(course.id());
    enroll.set_target_role(role);
    enroll.set_holder_name(role == tv1::TARGET_ROLE_EMPLOYER_PRINCIPAL ? "单位负责人" : "职业卫生管理人员");
    enroll.set_request_id("seed-learning-enroll-" + key);
    tv1::Enrollment enrollment;
    Check(training_->Enroll(Ctx(token).get(), enroll, &enrollment), "enrollments");
    if (enrollment.status() == tv1::ENROLLMENT_STATUS_COMPLETED) return;
    for (const auto& lesson : course.content().lessons()) {
      tv1::RecordLessonViewedRequest viewed;
      viewed.set_enrollment_id(enrollment.id());
      viewed.set_lesson_id(lesson.id());
      viewed.set_request_id(fmt::format("seed-learning-view-{}-{}", lesson.id(), key));
      Check(training_->RecordLessonViewed(Ctx(token).get(), viewed, &enrollment), "lessons_viewed");
    }
    tv1::SubmitQuizAttemptRequest attempt;
    attempt.set_enrollment_id(enrollment.id());
    attempt.set_request_id("seed-learning-quiz-" + key);
    for (const auto& q : course.content().quiz().questions()) {
      auto* a = attempt.add_answers();
      a->set_question_id(q.id());
      for (const auto& c : q.choices()) {
        if (c.correct()) a->add_choice_ids(c.id());
      }
    }
    tv1::QuizAttemptResult result;
    Check(training_->SubmitQuizAttempt(Ctx(token).get(), attempt, &result), "quiz_attempts");
    if (!result.attempt().passed()) throw std::runtime_error("the quiz of " + key + " was not passed with the answer key");
  }

  // 40 respondents per division and year; the profile's share reach the
  // threshold (osh-training's default, 80 %), the others score below it.
  void Surveys(const std::set<std::string>& divisions) {
    const int this_year = [] {
      const std::time_t now = std::time(nullptr);
      std::tm utc{};
      gmtime_r(&now, &utc);
      return utc.tm_year + 1900;
    }();
    for (int year : {this_year - 1, this_year}) {
      tv1::RecordLiteracySurveysRequest req;
      req.set_request_id(fmt::format("seed-learning-literacy-{}-{}", province_, year));
      for (const auto& division : divisions) {
        const uint64_t h = HashOf(division + std::to_string(year));
        // A division's share moves a few points around the province's.
        const double share = profile_.literate + static_cast<double>(static_cast<int>(h % 11) - 5) / 100.0;
        for (int i = 0; i < 40; ++i) {
          auto* r = req.add_results();
          r->set_population(i % 3 == 0 ? tv1::POPULATION_MIGRANT_WORKERS : tv1::POPULATION_INDUSTRIAL_WORKERS);
          r->set_division_code(division);
          r->set_year(year);
          r->set_score_rate(i < static_cast<int>(share * 40) ? 80.0 + (i % 20) : 35.0 + (i % 40));
        }
      }
      if (req.results_size() == 0) continue;
      tv1::RecordLiteracySurveysResponse resp;
      Check(training_->RecordLiteracySurveys(Ctx(admin_token_).get(), req, &resp), "literacy_batches");
    }
  }

  std::unique_ptr<tv1::TrainingService::Stub> training_;
  std::unique_ptr<rv1::RegistryService::Stub> registry_;
  std::string admin_token_;
  std::string province_;
  std::string secret_;
  LearningProfile profile_;
  nlohmann::json counts_ = nlohmann::json::object();
};

}  // namespace

int SeedLearning(const std::map<std::string, std::string>& flags, const std::string& token) {
  try {
    Learning(flags, token).Run();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "seed-learning: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace osh::bench
