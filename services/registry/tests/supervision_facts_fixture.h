#pragma once

// Writes of supervision facts (hazard tests, health-exam summaries,
// assistance visits, occupational-disease case reports) through the real
// SupervisionService, and what they left in the outbox.
#include <fmt/format.h>

#include <set>
#include <string>
#include <vector>

#include "osh/core/errors.h"
#include "osh/events/event.h"
#include "osh/events/outbox.h"
#include "osh/events/v1/supervision_events.pb.h"
#include "registry_fixture.h"

namespace osh::registry::testing {

class SupervisionFactsFixture : public RegistryFixture {
 protected:
  // A date `days` from today (China Standard Time), as the service counts.
  static std::string Day(int days) {
    const auto china = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now() + std::chrono::hours(8));
    const std::chrono::year_month_day ymd{china + std::chrono::days(days)};
    return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                       static_cast<unsigned>(ymd.day()));
  }

  static std::set<std::string> FieldsOf(const grpc::Status& status) {
    std::set<std::string> fields;
    for (const auto& [field, description] : core::FieldViolationsOf(status)) fields.insert(field);
    return fields;
  }

  // A testing report: D001 at one point (1.8 of 1.0 mg/m³, exceeding), P001
  // (noise) at two points of which one exceeds, C001 within its limit.
  static v1::RecordHazardTestRequest HazardTestOf(const v1::Employer& e, const std::string& request_id = "") {
    v1::RecordHazardTestRequest req;
    req.set_employer_id(e.id());
    req.set_request_id(request_id);
    auto* t = req.mutable_hazard_test();
    t->set_tested_on(Day(-10));
    t->set_institution("广东省职业病防治院");
    t->set_report_number("GDOH-2026-0042");
    auto add = [&](const char* factor, const char* post, double measured, double limit, const char* unit) {
      auto* r = t->add_results();
      r->set_factor_code(factor);
      r->set_workplace("打磨车间");
      r->set_post(post);
      r->set_measured_value(measured);
      r->set_exposure_limit(limit);
      r->set_unit(unit);
    };
    add("P001", "打磨工", 82, 85, "dB(A)");
    add("D001", "打磨工", 1.8, 1.0, "mg/m³");
    add("P001", "冲压工", 91, 85, "dB(A)");
    add("C001", "喷漆工", 0.5, 1.0, "mg/m³");
    return req;
  }

  static v1::RecordHealthExamSummaryRequest SummaryOf(const v1::Employer& e, int year, int examined, int notified,
                                                      int should_be_examined = 0) {
    v1::RecordHealthExamSummaryRequest req;
    req.set_employer_id(e.id());
    auto* x = req.mutable_summary();
    x->set_year(year);
    x->set_kind(v1::EXAM_KIND_IN_SERVICE);
    x->set_institution("东莞市职业病防治中心");
    x->set_examined(examined);
    x->set_abnormal(examined / 10);
    x->set_suspected_occupational_disease(examined > 0 ? 1 : 0);
    x->set_notified_in_writing(notified);
    x->set_should_be_examined(should_be_examined);
    return req;
  }

  v1::AssistanceCase Enrol(const v1::Employer& e) {
    v1::EnrolAssistanceRequest req;
    req.set_employer_id(e.id());
    req.mutable_assistance_case()->set_enrolled_on(Day(-30));
    req.mutable_assistance_case()->set_assigned_expert("李工");
    v1::AssistanceCase out;
    auto status = supervision_stub_->EnrolAssistance(Ctx(admin_).get(), req, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  static v1::RecordAssistanceVisitRequest VisitOf(const v1::AssistanceCase& c, int found, int fixed, int64_t fen) {
    v1::RecordAssistanceVisitRequest req;
    req.set_case_id(c.id());
    auto* v = req.mutable_visit();
    v->set_visited_on(Day(-10));
    v->set_expert("李工");
    v->set_issues_found(found);
    v->set_issues_fixed(fixed);
    v->set_subsidy_fen(fen);
    v->set_notes("指导设置警示标识");
    return req;
  }

  // Registers a diagnosis institution of province 44 with credit code `org`
  // and returns it (ACTIVE, qualified for a year).
  v1::ServiceInstitution RegisterDiagnosisInstitution(const std::string& org,
                                                      v1::InstitutionKind kind = v1::INSTITUTION_KIND_DIAGNOSIS) {
    v1::RegisterInstitutionRequest req;
    auto* i = req.mutable_institution();
    i->set_credit_code(org);
    i->set_name("东莞市职业病防治中心");
    i->add_kinds(kind);
    i->set_qualification_expires_on(Day(365));
    v1::ServiceInstitution out;
    auto status = supervision_stub_->RegisterInstitution(Ctx(admin_).get(), req, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  static v1::RecordDiseaseCasesRequest CasesOf(const v1::Employer& e, const std::string& diagnosed_on,
                                               const std::vector<std::pair<std::string, int>>& counts,
                                               const std::string& request_id = "") {
    v1::RecordDiseaseCasesRequest req;
    req.set_employer_id(e.id());
    req.set_request_id(request_id);
    req.mutable_report()->set_diagnosed_on(diagnosed_on);
    for (const auto& [code, cases] : counts) {
      auto* d = req.mutable_report()->add_diseases();
      d->set_disease_code(code);
      d->set_cases(cases);
    }
    return req;
  }

  // The outbox's events of message type M, oldest first.
  template <typename M>
  std::vector<std::pair<events::Event, M>> Outboxed() {
    std::vector<std::pair<events::Event, M>> out;
    db_->Read([&](store::Tx& tx) {
      for (auto& row : events::Outbox::Pending(tx, 0, 10000)) {
        M m;
        if (events::Unpack(row.event, &m)) out.emplace_back(row.event, m);
      }
    });
    return out;
  }

  // Personal data the sample records carry (legal representative, phone,
  // experts, free text): none of it may be in any outboxed event.
  void ExpectNoPersonalDataOutboxed() {
    db_->Read([&](store::Tx& tx) {
      for (auto& row : events::Outbox::Pending(tx, 0, 10000)) {
        for (const char* personal : {"张三", "13800138000", "李工", "打磨工", "冲压工", "指导设置警示标识",
                                     "GDOH-2026-0042", "inspector44", "admin44"}) {
          EXPECT_EQ(row.event.payload.find(personal), std::string::npos)
              << row.event.type << " carries '" << personal << "'";
        }
      }
    });
  }
};

}  // namespace osh::registry::testing
