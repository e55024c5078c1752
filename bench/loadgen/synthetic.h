#pragma once

#include <cstdint>
#include <string>

#include "osh/registry/v1/registry.pb.h"

namespace osh::bench {

// Deterministic synthetic employers and declarations: the same (province, index)
// always gives the same record, so seeding twice with request ids changes
// nothing and benchmarks can address records by index.
class SyntheticRegistry {
 public:
  explicit SyntheticRegistry(std::string province);

  std::string CreditCode(uint64_t index) const;
  registry::v1::Employer Employer(uint64_t index) const;
  registry::v1::Declaration Declaration(uint64_t index, int total_workers) const;

 private:
  std::string province_;
  std::vector<std::string> divisions_;
};

}  // namespace osh::bench
