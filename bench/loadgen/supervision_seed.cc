#include "supervision_seed.h"

#include <algorithm>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <iostream>
#include <random>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "employer_listing.h"
#include "osh/registry/v1/registry.grpc.pb.h"
#include "osh/registry/v1/supervision.grpc.pb.h"

namespace osh::bench {
namespace {

namespace v1 = osh::registry::v1;

// How a province's employers fare: shares in [0, 1].
struct Profile {
  double tested;          // employers with a hazard testing report this year
  double exceeding;       // points above their limit
  double examined;        // in-service workers examined of those who should be
  double notified;        // examined workers told in writing
  double inspected;       // employers inspected
  double closed_on_time;  // inspection items closed by their deadline
  double cases;           // employers with a disease case report
  double still_open;      // inspection items not closed yet
};

Profile ProfileOf(const std::string& province) {
  if (province == "44") return {0.70, 0.14, 0.86, 0.93, 0.30, 0.72, 0.06, 0.22};
  if (province == "32") return {0.80, 0.09, 0.91, 0.97, 0.25, 0.84, 0.04, 0.12};
  if (province == "11") return {0.90, 0.05, 0.95, 0.99, 0.20, 0.91, 0.02, 0.06};
  return {0.75, 0.10, 0.90, 0.95, 0.25, 0.80, 0.04, 0.15};
}

std::string DateOf(std::chrono::system_clock::time_point t) {
  const auto china = std::chrono::floor<std::chrono::days>(t + std::chrono::hours(8));
  const std::chrono::year_month_day ymd{china};
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

std::string DaysAgo(int days) { return DateOf(std::chrono::system_clock::now() - std::chrono::days(days)); }

class Seeder {
 public:
  Seeder(const std::string& target, std::string token, std::string province)
      : channel_(grpc::CreateChannel(target, grpc::InsecureChannelCredentials())),
        registry_(v1::RegistryService::NewStub(channel_)),
        supervision_(v1::SupervisionService::NewStub(channel_)),
        token_(std::move(token)),
        province_(std::move(province)),
        profile_(ProfileOf(province_)),
        random_(static_cast<unsigned>(std::stoi(province_))) {}

  std::vector<v1::Employer> Employers() { return ListAllEmployers(*registry_, token_); }

  void Seed(const v1::Employer& e, size_t n) {
    const int this_year = std::stoi(DaysAgo(0).substr(0, 4));
    if (Chance(profile_.tested)) HazardTest(e);
    for (int year : {this_year - 1, this_year}) ExamSummary(e, year);
    if (Chance(profile_.inspected)) Inspection(e);
    if ((e.size_class() == common::v1::SIZE_CLASS_SMALL || e.size_class() == common::v1::SIZE_CLASS_MICRO) &&
        n % 4 == 0) {
      Assistance(e);
    }
    if (Chance(profile_.cases)) DiseaseCases(e);
  }

  nlohmann::json Counts() const { return counts_; }

 private:
  std::unique_ptr<grpc::ClientContext> Ctx() const {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->AddMetadata("authorization", "Bearer " + token_);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return ctx;
  }

  // Counts the calls answered OK (a replayed request id answers OK and writes
  // nothing). False when an earlier run wrote it already: ALREADY_EXISTS, or the request
  // id used on another day (dates are relative to today, so the body differs).
  bool Check(const grpc::Status& s, const char* what) {
    if (s.ok()) {
      counts_[what] = counts_.value(what, 0) + 1;
      return true;
    }
    if (s.error_code() == grpc::StatusCode::ALREADY_EXISTS) return false;
    if (s.error_code() == grpc::StatusCode::INVALID_ARGUMENT &&
        s.error_message().find("was already used") != std::string::npos) {
      return false;
    }
    throw std::runtime_error(fmt::format("{}: {} ({})", what, s.error_message(), static_cast<int>(s.error_code())));
  }

  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(random_) < p; }
  int Between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(random_); }

  std::string Id(const char* kind, const v1::Employer& e) const {
    return fmt::format("seed-facts-{}-{}", kind, e.credit_code());
  }

  void HazardTest(const v1::Employer& e) {
    v1::RecordHazardTestRequest req;
    req.set_employer_id(e.id());
    req.set_request_id(Id("hazard-test", e));
    auto* t = req.mutable_hazard_test();
    t->set_tested_on(DaysAgo(Between(20, 200)));
    t->set_institution("省职业病防治院");
    t->set_report_number(fmt::format("JC-{}-{}", province_, e.credit_code().substr(8, 6)));
    static const std::vector<std::tuple<const char*, double, const char*>> kFactors = {
        {"D001", 1.0, "mg/m³"}, {"D006", 4.0, "mg/m³"}, {"P001", 85, "dB(A)"}, {"C001", 6.0, "mg/m³"},
        {"C002", 50, "mg/m³"}};
    const int points = Between(2, 6);
    for (int i = 0; i < points; ++i) {
      const auto& [code, limit, unit] = kFactors[static_cast<size_t>(Between(0, 4))];
      auto* r = t->add_results();
      r->set_factor_code(code);
      r->set_workplace("生产车间");
      r->set_post(fmt::format("岗位{}", i + 1));
      r->set_unit(unit);
      r->set_exposure_limit(limit);
      r->set_measured_value(limit * (Chance(profile_.exceeding) ? 1.3 : 0.6));
    }
    v1::HazardTest out;
    Check(supervision_->RecordHazardTest(Ctx().get(), req, &out), "hazard_tests");
  }

  void ExamSummary(const v1::Employer& e, int year) {
    const int should = std::max(1, e.exposed_workers() > 0 ? e.exposed_workers() : e.total_workers() / 5);
    v1::RecordHealthExamSummaryRequest req;
    req.set_employer_id(e.id());
    req.set_request_id(Id(year % 2 == 0 ? "exam-even" : "exam-odd", e));
    auto* x = req.mutable_summary();
    x->set_year(year);
    x->set_kind(v1::EXAM_KIND_IN_SERVICE);
    x->set_institution("市职业病防治中心");
    x->set_should_be_examined(should);
    const int examined = std::min(should, static_cast<int>(should * profile_.examined + Between(0, 1)));
    x->set_examined(examined);
    x->set_abnormal(examined / 12);
    x->set_suspected_occupational_disease(examined >= 40 ? 1 : 0);
    x->set_notified_in_writing(std::min(examined, static_cast<int>(examined * profile_.notified + 0.5)));
    v1::HealthExamSummary out;
    Check(supervision_->RecordHealthExamSummary(Ctx().get(), req, &out), "health_exam_summaries");
  }

  // Inspected 60 days ago with two findings due 30 days later; each item but
  // the profile's still-open share is reported done and closed now, so its
  // closure is late unless its deadline is still ahead (the on-time share).
  void Inspection(const v1::Employer& e) {
    v1::RecordInspectionRequest req;
    req.set_employer_id(e.id());
    req.set_request_id(Id("inspection", e));
    auto* in = req.mutable_inspection();
    in->set_inspected_on(DaysAgo(60));
    in->set_summary("年度监督检查");
    for (const char* finding : {"未按规定设置警示标识", "防护设施维护记录缺失"}) {
      auto* f = in->add_findings();
      f->set_description(finding);
      f->set_rectification_deadline(DaysAgo(Chance(profile_.closed_on_time) ? -30 : 30));
    }
    v1::Inspection inspection;
    if (!Check(supervision_->RecordInspection(Ctx().get(), req, &inspection), "inspections")) return;
    for (const auto& f : inspection.findings()) {
      // By the item's id, not the random stream: the same items stay open in every run.
      if (static_cast<double>(std::hash<std::string>{}(f.rectification_item_id()) % 1000) <
          profile_.still_open * 1000) {
        continue;
      }
      v1::ReportRectificationDoneRequest done;
      done.set_id(f.rectification_item_id());
      done.set_version(1);
      done.set_note("已整改");
      done.set_request_id(fmt::format("seed-facts-done-{}", f.rectification_item_id()));
      v1::RectificationItem item;
      if (!Check(supervision_->ReportRectificationDone(Ctx().get(), done, &item), "rectifications_reported")) continue;
      v1::ReviewRectificationRequest review;
      review.set_id(item.id());
      review.set_version(item.version());
      review.set_accept(true);
      review.set_request_id(fmt::format("seed-facts-close-{}", item.id()));
      Check(supervision_->ReviewRectification(Ctx().get(), review, &item), "rectifications_closed");
    }
  }

  void Assistance(const v1::Employer& e) {
    v1::EnrolAssistanceRequest enrol;
    enrol.set_employer_id(e.id());
    enrol.set_request_id(Id("assistance", e));
    enrol.mutable_assistance_case()->set_enrolled_on(DaysAgo(90));
    enrol.mutable_assistance_case()->set_assigned_expert("帮扶专家组");
    v1::AssistanceCase c;
    if (!Check(supervision_->EnrolAssistance(Ctx().get(), enrol, &c), "assistance_cases")) return;
    for (int visit = 1; visit <= 2; ++visit) {
      v1::RecordAssistanceVisitRequest req;
      req.set_case_id(c.id());
      req.set_request_id(fmt::format("seed-facts-visit-{}-{}", visit, c.id()));
      auto* v = req.mutable_visit();
      v->set_visited_on(DaysAgo(90 - 30 * visit));
      v->set_expert("帮扶专家组");
      v->set_issues_found(visit == 1 ? Between(3, 8) : Between(0, 2));
      // Never more fixed than found so far (the registry refuses that).
      const int open = c.issues_found() + v->issues_found() - c.issues_fixed();
      v->set_issues_fixed(std::min(open, visit == 1 ? Between(0, 2) : Between(2, 3)));
      v->set_subsidy_fen(visit == 1 ? 500000 : 200000);  // 5,000 and 2,000 yuan
      Check(supervision_->RecordAssistanceVisit(Ctx().get(), req, &c), "assistance_visits");
    }
  }

  // Silicosis, coal workers' pneumoconiosis, welders' pneumoconiosis, noise
  // deafness and one chemical poisoning — the common diagnoses — in the
  // edition the diagnosis date chooses (both number them alike).
  void DiseaseCases(const v1::Employer& e) {
    v1::RecordDiseaseCasesRequest req;
    req.set_employer_id(e.id());
    req.set_request_id(Id("disease-cases", e));
    req.mutable_report()->set_diagnosed_on(DaysAgo(Between(10, 300)));
    static const std::vector<const char*> kCommon = {"01.01", "01.02", "01.11", "04.01", "05.20"};
    const int kinds = Between(1, 2);
    for (int i = 0; i < kinds; ++i) {
      auto* d = req.mutable_report()->add_diseases();
      d->set_disease_code(kCommon[static_cast<size_t>((i + Between(0, 4)) % 5)]);
      d->set_cases(Between(1, 3));
    }
    if (kinds == 2 && req.report().diseases(0).disease_code() == req.report().diseases(1).disease_code()) {
      req.mutable_report()->mutable_diseases()->RemoveLast();
    }
    v1::DiseaseCaseReport out;
    Check(supervision_->RecordDiseaseCases(Ctx().get(), req, &out), "disease_case_reports");
  }

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RegistryService::Stub> registry_;
  std::unique_ptr<v1::SupervisionService::Stub> supervision_;
  std::string token_;
  std::string province_;
  Profile profile_;
  std::mt19937 random_;
  nlohmann::json counts_ = nlohmann::json::object();
};

}  // namespace

int SeedSupervision(const std::map<std::string, std::string>& flags, const std::string& token) {
  const auto flag = [&](const char* name, const char* fallback) {
    auto it = flags.find(name);
    return it == flags.end() ? std::string(fallback) : it->second;
  };
  const std::string province = flag("province", "44");
  try {
    Seeder seeder(flag("target", "127.0.0.1:7101"), token, province);
    const auto employers = seeder.Employers();
    for (size_t n = 0; n < employers.size(); ++n) seeder.Seed(employers[n], n);
    nlohmann::json line = {{"scenario", "registry.seed-supervision"}, {"province", province},
                           {"employers", employers.size()}, {"answered", seeder.Counts()}};
    std::cout << line.dump() << std::endl;
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "seed-supervision " << province << ": " << e.what() << "\n";
    return 1;
  }
}

}  // namespace osh::bench
