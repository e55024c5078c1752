#pragma once

// The synthetic nation of osh-reporting-bench: registry, supervision and
// training events of employers of the 31 mainland provinces, deterministic per
// employer (employer i is the same in every run). See README.md for the
// rates.

#include <cstdint>
#include <string>
#include <vector>

#include "osh/domain/regions.h"
#include "osh/events/event.h"

namespace osh::bench {

// SplitMix64: a fixed, fast hash so that employer i is the same in every run.
uint64_t Mix(uint64_t x);

class SyntheticNation {
 public:
  // Supervision and training facts fall in these years (registrations in
  // 2019-2024), so that five-year trends exist.
  static constexpr int kFirstFactYear = 2020;
  static constexpr int kLastFactYear = 2024;

  SyntheticNation();

  // Every event of employer i: registry events first (registration,
  // declaration, update, transfer), then its supervision and training facts
  // of 2020-2024, each dated at or after its registration.
  std::vector<events::Event> EventsOf(uint64_t i) const;

  std::string Province(uint64_t i) const;
  std::string Division(const std::string& province, uint64_t h) const;

 private:
  std::vector<domain::Province> provinces_;
};

}  // namespace osh::bench
