#pragma once

#include <google/protobuf/util/time_util.h>

#include <cstdio>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>

#include "osh/domain/credit_code.h"
#include "osh/events/event.h"
#include "osh/events/v1/registry_events.pb.h"

namespace osh::reporting::testing {

namespace ev = ::osh::events::v1;

// A valid credit code for a made-up organisation registered in `division`.
inline std::string MakeCreditCode(const std::string& division, int serial) {
  char org[16];
  std::snprintf(org, sizeof org, "%09d", serial % 1000000000);
  std::string first17 = "91" + division + std::string(org, 9);
  return first17 + *domain::CreditCodeCheckCharacter(first17);
}

// 10:00 China Standard Time on a "YYYY-MM-DD" day.
inline google::protobuf::Timestamp At(const std::string& day) {
  google::protobuf::Timestamp t;
  if (!google::protobuf::util::TimeUtil::FromString(day + "T10:00:00+08:00", &t)) {
    throw std::invalid_argument("bad day " + day);
  }
  return t;
}

inline std::chrono::system_clock::time_point TimeAt(const std::string& day) {
  return std::chrono::system_clock::from_time_t(At(day).seconds());
}

// One province's registry as reporting sees it: it emits the events the real
// registry emits, numbering each employer's versions as the registry does
// (one per change), so tests read as a story of what happened.
class SimulatedRegistry {
 public:
  explicit SimulatedRegistry(std::string province) : province_(std::move(province)) {}

  events::Event Register(const std::string& credit_code, const std::string& division, const std::string& industry,
                         int total_workers, const std::string& day) {
    auto& e = employers_[credit_code];
    e.set_credit_code(credit_code);
    e.set_employer_id("id-" + credit_code);
    e.set_province(province_);
    e.set_division_code(division);
    e.set_industry_section(industry);
    e.set_size_class(osh::common::v1::SIZE_CLASS_SMALL);
    e.set_total_workers(total_workers);
    e.set_version(1);
    ev::EnterpriseRegistered m;
    *m.mutable_employer() = e;
    m.set_name("employer " + credit_code);
    *m.mutable_registered_time() = At(day);
    return Emit(m, credit_code, day);
  }

  // Registers an employer received from another province, as the receiving
  // registry does on importing it.
  events::Event Import(const ev::EmployerFacts& facts, const std::string& division, const std::string& day) {
    auto& e = employers_[facts.credit_code()];
    e = facts;
    e.set_province(province_);
    e.set_division_code(division);
    e.set_version(1);
    ev::EnterpriseRegistered m;
    *m.mutable_employer() = e;
    *m.mutable_registered_time() = At(day);
    return Emit(m, facts.credit_code(), day);
  }

  events::Event Update(const std::string& credit_code, const std::string& division, int total_workers,
                       const std::string& day) {
    auto& e = employers_.at(credit_code);
    ev::EnterpriseUpdated m;
    *m.mutable_previous() = e;
    e.set_division_code(division);
    e.set_total_workers(total_workers);
    e.set_version(e.version() + 1);
    *m.mutable_employer() = e;
    *m.mutable_update_time() = At(day);
    return Emit(m, credit_code, day);
  }

  // Exposed-worker rows per hazard category, and the distinct exposed workers.
  events::Event Submit(const std::string& credit_code, const std::string& declaration_id,
                       const std::map<osh::common::v1::HazardCategory, int>& rows, int total_exposed,
                       const std::string& day, int type = 1) {
    auto& e = employers_.at(credit_code);
    e.set_version(e.version() + 1);
    auto& d = declarations_[declaration_id];
    d.set_declaration_id(declaration_id);
    d.set_declaration_type(type);
    d.set_total_exposed_workers(total_exposed);
    d.clear_exposures();
    for (const auto& [category, count] : rows) {
      auto* x = d.add_exposures();
      x->set_category(category);
      x->set_exposed_worker_rows(count);
    }
    *d.mutable_employer() = e;
    ev::DeclarationSubmitted m;
    *m.mutable_declaration() = d;
    *m.mutable_submit_time() = At(day);
    return Emit(m, credit_code, day);
  }

  events::Event Approve(const std::string& declaration_id, const std::string& day) {
    auto& d = Decide(declaration_id);
    auto& e = employers_.at(d.employer().credit_code());
    e.set_exposed_workers(d.total_exposed_workers());
    e.clear_hazard_categories();
    for (const auto& x : d.exposures()) e.add_hazard_categories(x.category());
    *d.mutable_employer() = e;
    ev::DeclarationApproved m;
    *m.mutable_declaration() = d;
    *m.mutable_review_time() = At(day);
    return Emit(m, e.credit_code(), day);
  }

  events::Event Reject(const std::string& declaration_id, const std::string& day) {
    auto& d = Decide(declaration_id);
    ev::DeclarationRejected m;
    *m.mutable_declaration() = d;
    m.set_reason("exposure table incomplete");
    *m.mutable_review_time() = At(day);
    return Emit(m, d.employer().credit_code(), day);
  }

  events::Event TransferOut(const std::string& credit_code, const std::string& to_province,
                            const std::string& to_division, const std::string& day) {
    auto e = employers_.at(credit_code);
    ev::EnterpriseTransferred m;
    *m.mutable_employer() = e;
    m.set_from_province(province_);
    m.set_to_province(to_province);
    m.set_to_division_code(to_division);
    m.set_reason("relocated its plant");
    *m.mutable_transfer_time() = At(day);
    employers_.erase(credit_code);
    return Emit(m, credit_code, day);
  }

  const ev::EmployerFacts& Facts(const std::string& credit_code) const { return employers_.at(credit_code); }

 private:
  ev::DeclarationFacts& Decide(const std::string& declaration_id) {
    auto& d = declarations_.at(declaration_id);
    auto& e = employers_.at(d.employer().credit_code());
    e.set_version(e.version() + 1);
    *d.mutable_employer() = e;
    return d;
  }

  events::Event Emit(const google::protobuf::Message& m, const std::string& key, const std::string& day) {
    return events::MakeEvent(m, province_, "registry", key, TimeAt(day));
  }

  std::string province_;
  std::map<std::string, ev::EmployerFacts> employers_;
  std::map<std::string, ev::DeclarationFacts> declarations_;
};

// The story the reporting tests tell, with the expected figures worked out by
// hand in their comments and assertions.
struct ThreeProvinces {
  static constexpr auto kDust = osh::common::v1::HAZARD_CATEGORY_DUST;
  static constexpr auto kChemical = osh::common::v1::HAZARD_CATEGORY_CHEMICAL;
  static constexpr auto kPhysical = osh::common::v1::HAZARD_CATEGORY_PHYSICAL;
  SimulatedRegistry gd{"44"}, js{"32"}, bj{"11"};
  const std::string a = MakeCreditCode("441900", 1), b = MakeCreditCode("440305", 2), c = MakeCreditCode("440106", 3),
                    d = MakeCreditCode("320505", 4), e = MakeCreditCode("320102", 5), f = MakeCreditCode("110105", 6);

  // A year of three provinces' registries (Guangdong 44, Jiangsu 32, Beijing 11):
  //   A 441900 C 120 workers: declaration A1 (dust 30, physical 30, chemical 8;
  //     38 exposed) approved in Feb, then change declaration A2 (dust 35,
  //     physical 35; 40 exposed) approved in May.
  //   B 440305 C 80: B1 (chemical 10) rejected in Mar, B2 (chemical 12)
  //     approved in Apr; in Jun B moves to county 440306 with 90 workers.
  //   C 440106 F 30: no declaration; 35 workers from Jul.
  //   D 320505 C 200: D1 (dust 50) approved in Feb; transferred to 441900 in
  //     Aug, where Guangdong's registry imports it.
  //   E 320102 B 50: E1 (dust 20, physical 15; 25 exposed) submitted in Apr,
  //     never decided.
  //   F 110105 M 40: no declaration.
  void PlayTheYear(const std::function<void(const events::Event&)>& apply) {
    apply(gd.Register(a, "441900", "C", 120, "2024-01-15"));
    apply(js.Register(d, "320505", "C", 200, "2024-01-10"));
    apply(bj.Register(f, "110105", "M", 40, "2024-01-20"));
    apply(gd.Register(b, "440305", "C", 80, "2024-02-01"));
    apply(js.Submit(d, "D1", {{kDust, 50}}, 50, "2024-02-01"));
    apply(gd.Submit(a, "A1", {{kDust, 30}, {kPhysical, 30}, {kChemical, 8}}, 38, "2024-02-10"));
    apply(js.Approve("D1", "2024-02-15"));
    apply(gd.Register(c, "440106", "F", 30, "2024-02-20"));
    apply(gd.Approve("A1", "2024-02-20"));
    apply(gd.Submit(b, "B1", {{kChemical, 10}}, 10, "2024-03-01"));
    apply(js.Register(e, "320102", "B", 50, "2024-03-05"));
    apply(gd.Reject("B1", "2024-03-08"));
    apply(gd.Submit(b, "B2", {{kChemical, 12}}, 12, "2024-03-20"));
    apply(js.Submit(e, "E1", {{kDust, 20}, {kPhysical, 15}}, 25, "2024-04-01"));
    apply(gd.Approve("B2", "2024-04-02"));
    apply(gd.Submit(a, "A2", {{kDust, 35}, {kPhysical, 35}}, 40, "2024-05-05", 2));
    apply(gd.Approve("A2", "2024-05-15"));
    apply(gd.Update(b, "440306", 90, "2024-06-10"));
    apply(gd.Update(c, "440106", 35, "2024-07-01"));
    const auto d_facts = js.Facts(d);
    apply(js.TransferOut(d, "44", "441900", "2024-08-01"));
    apply(gd.Import(d_facts, "441900", "2024-08-02"));
  }
};

}  // namespace osh::reporting::testing
