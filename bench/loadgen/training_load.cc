#include "training_load.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "closed_loop.h"
#include "osh/auth/jwt.h"
#include "osh/training/v1/training.grpc.pb.h"

namespace osh::bench {
namespace {

namespace v1 = osh::training::v1;
using Done = std::function<void(bool, const std::string&)>;

std::string Flag(const std::map<std::string, std::string>& flags, const std::string& name,
                 const std::string& fallback = "") {
  auto it = flags.find(name);
  return it == flags.end() ? fallback : it->second;
}

long IntFlag(const std::map<std::string, std::string>& flags, const std::string& name, long fallback) {
  auto it = flags.find(name);
  return it == flags.end() ? fallback : std::stol(it->second);
}

template <typename Request, typename Response>
struct Call {
  grpc::ClientContext context;
  Request request;
  Response response;
};

class TrainingClient {
 public:
  explicit TrainingClient(const std::string& target)
      : stub_(v1::TrainingService::NewStub(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()))) {}

  // `start(async_stub, context, request, response, callback)` names the method.
  template <typename Request, typename Response, typename Start>
  void Unary(const std::string& token, Start start, Request request,
             std::function<void(grpc::Status, Response&)> done) {
    auto* call = new Call<Request, Response>();
    call->request = std::move(request);
    call->context.AddMetadata("authorization", "Bearer " + token);
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    start(stub_->async(), &call->context, &call->request, &call->response,
          [call, done = std::move(done)](grpc::Status status) {
            done(status, call->response);
            delete call;
          });
  }

  // Blocking form, for setup that is not timed.
  template <typename Request, typename Response, typename Start>
  grpc::Status Wait(const std::string& token, Start start, Request request, Response* out) {
    std::promise<grpc::Status> finished;
    Unary<Request, Response>(token, start, std::move(request), [&](grpc::Status s, Response& r) {
      *out = r;
      finished.set_value(s);
    });
    return finished.get_future().get();
  }

 private:
  std::unique_ptr<v1::TrainingService::Stub> stub_;
};

// A demo course on one hazard category: two lessons, a three-question quiz.
v1::CourseContent DemoCourse(const std::string& title, common::v1::HazardCategory hazard, bool mandatory,
                             int max_attempts) {
  v1::CourseContent c;
  c.set_title(title);
  c.set_summary("用人单位主要负责人、职业卫生管理人员和劳动者职业卫生培训");
  c.add_target_roles(v1::TARGET_ROLE_EMPLOYER_PRINCIPAL);
  c.add_target_roles(v1::TARGET_ROLE_OSH_MANAGER);
  c.add_target_roles(v1::TARGET_ROLE_WORKER);
  c.add_hazard_categories(hazard);
  c.set_mandatory(mandatory);
  c.set_max_attempts(max_attempts);
  for (int i = 1; i <= 2; ++i) {
    auto* l = c.add_lessons();
    l->set_id(fmt::format("l{}", i));
    l->set_title(fmt::format("第{}课", i));
    l->set_body("职业病防治法规定，用人单位应当对劳动者进行上岗前和在岗期间的职业卫生培训。");
  }
  auto* quiz = c.mutable_quiz();
  quiz->set_pass_mark_percent(60);
  for (int q = 1; q <= 3; ++q) {
    auto* question = quiz->add_questions();
    question->set_id(fmt::format("q{}", q));
    question->set_text(fmt::format("第{}题", q));
    question->set_kind(q == 3 ? v1::QUESTION_KIND_MULTIPLE_CHOICE : v1::QUESTION_KIND_SINGLE_CHOICE);
    for (const char* id : {"a", "b", "c", "d"}) {
      auto* choice = question->add_choices();
      choice->set_id(id);
      choice->set_text(std::string("选项") + id);
      choice->set_correct(std::string(id) == "a" || (q == 3 && std::string(id) == "c"));
    }
  }
  return c;
}

// Creates and publishes a course; fixed request ids make a second run answer the first one's course.
grpc::Status PublishCourse(TrainingClient& client, const std::string& token, const v1::CourseContent& content,
                           const std::string& key, v1::Course* out) {
  v1::CreateCourseRequest create;
  *create.mutable_content() = content;
  create.set_request_id("create-" + key);
  v1::Course created;
  auto s = client.Wait<v1::CreateCourseRequest, v1::Course>(
      token, [](auto* stub, auto... args) { stub->CreateCourse(args...); }, create, &created);
  if (!s.ok()) return s;
  v1::PublishCourseRequest publish;
  publish.set_id(created.id());
  publish.set_version(created.version());
  publish.set_request_id("publish-" + key);
  return client.Wait<v1::PublishCourseRequest, v1::Course>(
      token, [](auto* stub, auto... args) { stub->PublishCourse(args...); }, publish, out);
}

std::string LearnerToken(const std::string& secret, const std::string& province, long n) {
  // One organisation for every synthetic learner: enrollment does not look organisations up.
  nlohmann::json claims = {{"sub", fmt::format("bench-learner-{}", n)},
                           {"role", "worker"},
                           {"province", province},
                           {"org", "91440101MA59UQXX1A"},
                           {"exp", std::time(nullptr) + 3600}};
  return auth::SignHs256(claims, secret);
}

}  // namespace

int SeedTraining(const std::map<std::string, std::string>& flags, const std::string& token) {
  TrainingClient client(Flag(flags, "target", "127.0.0.1:7108"));
  struct Demo {
    const char* key;
    const char* title;
    common::v1::HazardCategory hazard;
  };
  const Demo demos[] = {
      {"demo-dust", "粉尘危害与尘肺病预防（必修）", common::v1::HAZARD_CATEGORY_DUST},
      {"demo-noise", "噪声危害与听力保护（必修）", common::v1::HAZARD_CATEGORY_PHYSICAL},
      {"demo-chemical", "化学毒物危害防护（必修）", common::v1::HAZARD_CATEGORY_CHEMICAL},
  };
  int failed = 0;
  // The supervisors' own course (inspectors, institution staff, district leaders): no hazard, not mandatory.
  {
    auto content = DemoCourse("职业卫生监督执法与技术服务能力培训", common::v1::HAZARD_CATEGORY_DUST, false, 3);
    content.set_summary("监督执法人员、职业卫生技术服务机构人员和区县分管负责人培训");
    content.clear_target_roles();
    content.clear_hazard_categories();
    for (const auto role : {v1::TARGET_ROLE_INSPECTOR, v1::TARGET_ROLE_INSTITUTION_STAFF, v1::TARGET_ROLE_DISTRICT_LEADER}) {
      content.add_target_roles(role);
    }
    v1::Course course;
    if (auto s = PublishCourse(client, token, content, "demo-supervisors", &course); !s.ok()) {
      std::cerr << "demo-supervisors: " << s.error_message() << "\n";
      ++failed;
    } else {
      std::cout << nlohmann::json{{"course", "demo-supervisors"}, {"id", course.id()}, {"title", content.title()}}.dump()
                << std::endl;
    }
  }
  for (const auto& d : demos) {
    v1::Course course;
    auto content = DemoCourse(d.title, d.hazard, true, 3);
    content.set_validity_months(12);  // principals and OSH managers renew their training every year
    auto s = PublishCourse(client, token, content, d.key, &course);
    if (!s.ok()) {
      std::cerr << d.key << ": " << s.error_message() << "\n";
      ++failed;
      continue;
    }
    std::cout << nlohmann::json{{"course", d.key}, {"id", course.id()}, {"title", d.title}}.dump() << std::endl;
  }
  return failed == 0 ? 0 : 1;
}

int BenchTraining(const std::map<std::string, std::string>& flags, const std::string& token) {
  TrainingClient client(Flag(flags, "target", "127.0.0.1:7108"));
  const int concurrency = static_cast<int>(IntFlag(flags, "concurrency", 16));
  const auto duration = std::chrono::milliseconds(IntFlag(flags, "duration-ms", 10000));
  const std::string mode = Flag(flags, "mode", "enroll");
  const std::string province = Flag(flags, "province", "44");
  const long learners = IntFlag(flags, "learners", 1000);
  std::ifstream secret_in(Flag(flags, "secret-file"));
  std::string secret;
  std::getline(secret_in, secret);
  if (secret.empty()) {
    std::cerr << "the training bench mints learner tokens: give --secret-file (the service's HS256 secret)\n";
    return 2;
  }
  std::vector<std::string> tokens;
  for (long i = 0; i < learners; ++i) tokens.push_back(LearnerToken(secret, province, i));
  const std::string run = std::to_string(std::time(nullptr));

  if (mode == "enroll") {
    // Learner n % L enrolls in course n / L: every call is a new enrollment.
    const long courses = IntFlag(flags, "courses", 40);
    std::vector<std::string> ids;
    for (long i = 0; i < courses; ++i) {
      v1::Course course;
      const auto content = DemoCourse(fmt::format("压测课程 {}", i), common::v1::HAZARD_CATEGORY_DUST, false, 20);
      auto s = PublishCourse(client, token, content, fmt::format("bench-{}-{}", run, i), &course);
      if (!s.ok()) {
        std::cerr << "could not publish the courses: " << s.error_message() << "\n";
        return 1;
      }
      ids.push_back(course.id());
    }
    auto issue = [&](uint64_t n, Done done) {
      v1::EnrollRequest req;
      req.set_course_id(ids[n / static_cast<uint64_t>(learners)]);
      req.set_target_role(v1::TARGET_ROLE_WORKER);
      req.set_holder_name("王小明");
      client.Unary<v1::EnrollRequest, v1::Enrollment>(
          tokens[n % static_cast<uint64_t>(learners)], [](auto* stub, auto... args) { stub->Enroll(args...); },
          std::move(req), [done](grpc::Status s, v1::Enrollment&) { done(s.ok(), s.error_message()); });
    };
    auto r = RunClosedLoop(concurrency, duration, static_cast<uint64_t>(learners * courses), issue);
    std::cout << Summary("training.enroll", concurrency, r).dump() << std::endl;
    return r.failed == 0 ? 0 : 1;
  }
  if (mode == "submit-quiz") {
    // Every learner enrolled once (not timed); call n is an attempt of learner
    // n % L, wrong on two of three questions so that enrollments stay open (20 attempts each).
    v1::Course course;
    auto s = PublishCourse(client, token, DemoCourse("压测测验", common::v1::HAZARD_CATEGORY_DUST, false, 20),
                           "bench-quiz-" + run, &course);
    if (!s.ok()) {
      std::cerr << "could not publish the course: " << s.error_message() << "\n";
      return 1;
    }
    std::vector<std::string> enrollments(static_cast<size_t>(learners));
    auto fill = [&](uint64_t n, Done done) {
      v1::EnrollRequest req;
      req.set_course_id(course.id());
      req.set_target_role(v1::TARGET_ROLE_WORKER);
      req.set_holder_name("王小明");
      client.Unary<v1::EnrollRequest, v1::Enrollment>(
          tokens[n], [](auto* stub, auto... args) { stub->Enroll(args...); }, std::move(req),
          [&, n, done](grpc::Status st, v1::Enrollment& e) {
            if (st.ok()) enrollments[n] = e.id();
            done(st.ok(), st.error_message());
          });
    };
    auto filled = RunClosedLoop(concurrency, std::chrono::hours(1), static_cast<uint64_t>(learners), fill);
    if (filled.failed > 0) {
      std::cerr << "could not enroll the learners: " << filled.first_error << "\n";
      return 1;
    }
    auto issue = [&](uint64_t n, Done done) {
      const auto learner = n % static_cast<uint64_t>(learners);
      v1::SubmitQuizAttemptRequest req;
      req.set_enrollment_id(enrollments[learner]);
      for (const char* q : {"q1", "q2"}) {
        auto* a = req.add_answers();
        a->set_question_id(q);
        a->add_choice_ids("b");
      }
      auto* multiple = req.add_answers();
      multiple->set_question_id("q3");
      multiple->add_choice_ids("a");
      multiple->add_choice_ids("c");
      client.Unary<v1::SubmitQuizAttemptRequest, v1::QuizAttemptResult>(
          tokens[learner], [](auto* stub, auto... args) { stub->SubmitQuizAttempt(args...); }, std::move(req),
          [done](grpc::Status st, v1::QuizAttemptResult&) { done(st.ok(), st.error_message()); });
    };
    auto r = RunClosedLoop(concurrency, duration, static_cast<uint64_t>(learners * 20), issue);
    std::cout << Summary("training.submit_quiz", concurrency, r).dump() << std::endl;
    return r.failed == 0 ? 0 : 1;
  }
  std::cerr << "unknown training --mode " << mode << " (enroll or submit-quiz)\n";
  return 2;
}

}  // namespace osh::bench
