#include "synthetic.h"

#include <fmt/format.h>

#include <array>

#include "osh/domain/credit_code.h"
#include "osh/domain/regions.h"

namespace osh::bench {
namespace {

// SplitMix64: a fixed, fast mixer so each index maps to stable pseudo-random choices.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct IndustryChoice {
  const char* section;
  const char* code;
  const char* trade;
};

// Weighted toward the sections with most hazard exposure: manufacturing, mining, construction.
constexpr std::array<IndustryChoice, 10> kIndustries = {{
    {"C", "3311", "五金制品"}, {"C", "2641", "涂料制造"},  {"C", "3130", "钢压延加工"}, {"C", "3982", "电子元件"},
    {"C", "1713", "纺织印染"}, {"B", "0610", "煤矿开采"},  {"B", "1011", "石灰石开采"}, {"E", "4721", "建筑施工"},
    {"G", "5810", "仓储物流"}, {"Q", "8411", "医院"},
}};

constexpr std::array<const char*, 8> kDustAndChemicalFactors = {"D001", "D002", "D006", "D005", "C001",
                                                                 "C002", "C005", "C010"};
constexpr std::array<const char*, 3> kPhysicalFactors = {"P001", "P002", "P003"};

}  // namespace

SyntheticRegistry::SyntheticRegistry(std::string province) : province_(std::move(province)) {
  for (const char* suffix : {"0100", "0200", "0300", "0400", "0600", "1900", "0101", "0102", "0106"}) {
    std::string d = province_ + suffix;
    if (!domain::DivisionCodeError(d)) divisions_.push_back(d);
  }
  if (divisions_.empty()) divisions_.push_back(province_ + "0000");
}

std::string SyntheticRegistry::CreditCode(uint64_t index) const {
  const std::string& division = divisions_[Mix(index) % divisions_.size()];
  // Organisation-code part: 9 digits from the index, so codes are unique per province.
  std::string first17 = "91" + division + fmt::format("{:09d}", index % 1'000'000'000);
  return first17 + *domain::CreditCodeCheckCharacter(first17);
}

registry::v1::Employer SyntheticRegistry::Employer(uint64_t index) const {
  const uint64_t r = Mix(index);
  const auto& industry = kIndustries[r % kIndustries.size()];
  const std::string& division = divisions_[r % divisions_.size()];
  const auto* province = domain::FindProvince(province_);
  registry::v1::Employer e;
  e.set_credit_code(CreditCode(index));
  e.set_name(fmt::format("{}示例{}有限公司第{}号", province ? province->name_zh : "", industry.trade, index));
  e.set_division_code(division);
  e.set_registered_address(fmt::format("{}工业园区{}号", province ? province->name_zh : "", index % 997 + 1));
  e.set_workplace_address(e.registered_address());
  e.set_industry_section(industry.section);
  e.set_industry_code(industry.code);
  // Most employers with hazards are small or micro (the "three actions" target them).
  const int size_roll = static_cast<int>((r >> 8) % 100);
  e.set_size_class(size_roll < 5    ? common::v1::SIZE_CLASS_LARGE
                   : size_roll < 20 ? common::v1::SIZE_CLASS_MEDIUM
                   : size_roll < 60 ? common::v1::SIZE_CLASS_SMALL
                                    : common::v1::SIZE_CLASS_MICRO);
  const int workers = e.size_class() == common::v1::SIZE_CLASS_LARGE    ? 1000 + static_cast<int>((r >> 16) % 4000)
                      : e.size_class() == common::v1::SIZE_CLASS_MEDIUM ? 300 + static_cast<int>((r >> 16) % 700)
                      : e.size_class() == common::v1::SIZE_CLASS_SMALL  ? 20 + static_cast<int>((r >> 16) % 280)
                                                                        : 3 + static_cast<int>((r >> 16) % 17);
  e.set_total_workers(workers);
  e.set_registration_type("有限责任公司");
  e.set_legal_representative("法定代表人" + std::to_string(index % 1000));
  e.set_legal_representative_phone(fmt::format("139{:08d}", index % 100'000'000));
  e.set_has_osh_management_body(workers >= 100);
  e.set_osh_staff_full_time(workers >= 100 ? 1 + workers / 500 : 0);
  e.set_osh_staff_part_time(workers >= 100 ? 1 : 1);
  e.set_cumulative_disease_cases(static_cast<int>((r >> 24) % 100 == 0 ? (r >> 32) % 5 : 0));
  return e;
}

registry::v1::Declaration SyntheticRegistry::Declaration(uint64_t index, int total_workers) const {
  const uint64_t r = Mix(index ^ 0xdec1a7e);
  registry::v1::Declaration d;
  d.set_type(registry::v1::DECLARATION_TYPE_INITIAL);
  const int rows = 1 + static_cast<int>(r % 3);
  int largest = 0;
  int sum = 0;
  for (int i = 0; i < rows; ++i) {
    auto* x = d.add_exposures();
    x->set_factor_code(i == rows - 1 && rows > 1 ? kPhysicalFactors[(r >> (8 * i)) % kPhysicalFactors.size()]
                                                 : kDustAndChemicalFactors[(r >> (8 * i)) % kDustAndChemicalFactors.size()]);
    x->set_workplace(fmt::format("{}号车间", i + 1));
    x->set_post(fmt::format("岗位{}", i + 1));
    const int exposed = std::max(1, total_workers * (10 + static_cast<int>((r >> (4 * i)) % 40)) / 100);
    x->set_exposed_workers(exposed);
    x->set_protective_measures("局部排风，个体防护用品");
    largest = std::max(largest, exposed);
    sum += exposed;
  }
  d.set_total_exposed_workers(std::min(total_workers, std::max(largest, sum * 3 / 4)));
  return d;
}

}  // namespace osh::bench
